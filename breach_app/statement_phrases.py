"""The phrases the deadline engine builds its reasons and citations from (deadlines.py,
us_states.py), so a Chinese reader sees them in Chinese.

A reason or citation is assembled from a statute's citation (kept as the proper name it is,
"Cal. Civ. Code §1798.82"), a regulator's name, numbers and these phrases. Where the catalogue has
no whole sentence, ``translate_phrases`` puts each phrase's translation in its place, the longest
phrase first, and leaves citations, names and numbers as written.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext, gettext_noop, pgettext

PHRASES = (
    # US state breach laws (us-states.md Tables 1-3) and the processor duties
    gettext_noop("unencrypted personal information assumed acquired"),
    gettext_noop("no unencrypted personal information acquired"),
    gettext_noop("unencrypted personal information acquired"),
    gettext_noop("risk-of-harm exemption - misuse or harm judged unlikely"),
    gettext_noop("document the determination"),
    gettext_noop("data not encrypted"),
    gettext_noop("not stated"),
    gettext_noop("individuals: most expedient time, without unreasonable delay"),
    gettext_noop("most expedient time, without unreasonable delay"),
    gettext_noop("without unreasonable delay"),
    gettext_noop("service provider -> owner of the data"),
    gettext_noop("nationwide credit bureaus"),
    gettext_noop("credit bureaus"),
    gettext_noop("individuals"),
    gettext_noop("calendar days from discovery"),
    gettext_noop("calendar days after the assessment"),  # Singapore PDPA s.26D(1)
    gettext_noop("business days from discovery"),
    gettext_noop("days from discovery"),
    gettext_noop("h from discovery"),
    gettext_noop("business days after the resident notice"),
    gettext_noop("days after the resident notice"),
    gettext_noop("no later than the resident notice"),
    gettext_noop("before the resident notice"),
    gettext_noop("attorney general"),
    gettext_noop("any number of residents"),
    gettext_noop("residents"),
    gettext_noop("Aqara acted only as processor:"),
    gettext_noop("notify as controller under"),
    gettext_noop("Aqara tells them"),
    gettext_noop("tell each controller:"),
    gettext_noop("unverified:"),
    gettext_noop("individual deadline"),
    gettext_noop("credit-bureau duty"),
    gettext_noop("regulator notice"),
    gettext_noop("processor duty"),
    gettext_noop("no processor clock in the reference"),
    gettext_noop("Choice: at once"),
    gettext_noop("immediately, per the entrustment document"),
    gettext_noop("immediately following discovery"),
    gettext_noop("immediately"),
    gettext_noop("at once"),
    gettext_noop("discovered before"),
    gettext_noop("no fixed day limit"),
    gettext_noop("starts when the notice to this state's residents is sent"),
    gettext_noop("notice is also required when the likelihood of misuse cannot be determined"),
    gettext_noop("the trigger is access, not acquisition"),
    gettext_noop("the notice must not state the number of Illinois residents"),
    gettext_noop("the notice must not state the nature of the breach or the number affected"),
    gettext_noop("the no-harm route also requires prior notice to the attorney general"),
    gettext_noop("the no-harm exemption needs prior consultation with the OAG and federal law enforcement"),
    gettext_noop("a no-harm determination must be notified to the attorney general in writing"),
    gettext_noop("the attorney-general notice names every Louisiana resident affected"),
    gettext_noop("preliminary notice to the attorney general, then the number and a copy of the notice"),
    gettext_noop("coordinate with the credit bureaus if the notice refers to them"),
    gettext_noop("AG notice also when the number is unknown"),
    gettext_noop("12 months of credit monitoring if SSN, bank account or DL/ID involved"),
    gettext_noop("+15 days for the Department with good cause given in writing"),
    gettext_noop("30-day limit from 2026-01-01"),
    # counts and thresholds
    gettext_noop("possibly affected"),
    gettext_noop("confirm whether anyone there is affected"),
    gettext_noop("decide whether"),
    gettext_noop("at least"),
    # SG, KR, JP, BR, RU, CN, CRA
    gettext_noop("significant harm not yet assessed"),
    gettext_noop("prior technological measure (encryption) makes significant harm unlikely"),
    gettext_noop("scale:"),
    gettext_noop("after the assessment"),
    gettext_noop("any leak"),
    gettext_noop("no external illegal access"),
    gettext_noop("no sensitive data"),
    gettext_noop("no unique identifier data"),
    gettext_noop("unlawful transfer or leak"),
    gettext_noop("initial notice, 24 h"),
    gettext_noop("investigation results, 72 h"),
    gettext_noop("complementary information, 20 business days"),
    gettext_noop("business days"),
    gettext_noop("no relevant risk or damage"),
    gettext_noop("relevant risk or damage"),
    gettext_noop("decide whether the risk is relevant (significant effect plus sensitive, children's, financial, "
                 "authentication or secret data, or large scale)"),
    gettext_noop("possibly caused by a wrongful purpose"),
    gettext_noop("not assessed"),
    gettext_noop("promptly, according to the circumstances"),
    gettext_noop("promptly"),
    gettext_noop("proviso"),
    gettext_noop("days taken"),
    gettext_noop("for a wrongful purpose"),
    gettext_noop("wrongful purpose"),
    gettext_noop("entrusted party"),
    gettext_noop("entrustment"),
    gettext_noop("relieves the entrusted party of its own report"),
    gettext_noop("no statutory trustee clock"),
    gettext_noop("data encrypted"),
    gettext_noop("decide whether measures effectively avoid harm so individuals need not be notified"),
    gettext_noop("record why"),
    gettext_noop("the CAC may still require notice"),
    gettext_noop("no criterion reaches 较大 yet, but decide"),
    gettext_noop("CN incident grade:"),
    gettext_noop("CN incident grade 较大 or above"),
    gettext_noop("graded"),
    gettext_noop("personal information leaked:"),
    gettext_noop("direct economic loss: not assessed"),
    gettext_noop("direct economic loss"),
    gettext_noop("较大 from"),
    gettext_noop("system outage at 较大 or above"),
    gettext_noop("important data threatened at 较大 or above"),
    gettext_noop("social impact at 较大 or above"),
    gettext_noop("below 较大 on every criterion"),
    gettext_noop("the 4 h run from discovery"),
    gettext_noop("Incident Reporting Measures"),
    gettext_noop("not applied"),
    gettext_noop("within 24 h of awareness"),
    gettext_noop("not a legal number"),
    gettext_noop("summary within 30 days after handling ends"),
    gettext_noop("days"),
    gettext_noop(" or "),
    gettext_noop("attorney general and"),
    gettext_noop("attorney general's"),
    gettext_noop("risk of financial damage"),
    gettext_noop("risk-of-harm exemption unverified"),
    gettext_noop("starts when the assessment concludes the breach is notifiable"),
    gettext_noop("starts when the first notice to the ANPD is sent"),
    gettext_noop("substitute notice under"),
    gettext_noop("the 3-5 day guidance was not read"),
    gettext_noop("the 30-day figure was not read"),
    gettext_noop("Aqara privacy policy"),
    gettext_noop("and Rules"),
    gettext_noop("supervisory authority"),
    gettext_noop("without undue delay"),
    # Cyber Resilience Act, Art. 14 (eu-uk-product.md §7)
    gettext_noop("actively exploited vulnerability"),
    gettext_noop("reliable evidence of exploitation by a malicious actor"),
    gettext_noop("severe incident affecting the product's security"),
    gettext_noop("not actively exploited vulnerability"),
    gettext_noop("not severe incident affecting the product's security"),
    gettext_noop("no period in the Regulation"),
    gettext_noop("Choice: with the 72 h notification"),
    gettext_noop("starts when a corrective or mitigating measure is available"),
    gettext_noop("none yet: review at awareness + 30 days"),
    gettext_noop("starts when the incident notification is submitted"),
    gettext_noop("applies from"),
    gettext_noop("early warning, 24 h, saying whether a malicious act is suspected"),
    gettext_noop("early warning, 24 h"),
    gettext_noop("notification, 72 h"),
    gettext_noop("final report, 14 days after a fix is available"),
    gettext_noop("final report, one month after the notification"),
    gettext_noop("coordinating CSIRT and ENISA, via the single reporting platform"),
    gettext_noop("inform impacted users (all users where appropriate), machine-readable where appropriate"),
    # Short phrases last-resort (a longer phrase holding them is replaced first)
    gettext_noop("no significant harm"),
    gettext_noop("significant harm"),
    gettext_noop("internal target"),
    gettext_noop("Choice:"),
)

_LONGEST_FIRST = sorted(PHRASES, key=len, reverse=True)


def translate_phrases(text: str) -> str:
    """``text`` with every known phrase in the active language (unchanged in English)."""
    out = text
    for phrase in _LONGEST_FIRST:
        translated = gettext(phrase)
        if translated != phrase and phrase in out:
            # whole words only: "days" is not the end of "holidays"
            before = r"(?<![A-Za-z])" if phrase[0].isalpha() else ""
            after = r"(?![A-Za-z])" if phrase[-1].isalpha() else ""
            out = re.sub(before + re.escape(phrase) + after, lambda _m, t=translated: t, out)
    out = re.sub(r"(?<![\w.])(\d[\d,]*) people(?![A-Za-z])",
                 lambda m: pgettext("obligation reason", "%(count)s people") % {"count": m.group(1)}, out)
    return out.replace(", not ", pgettext("obligation reason", ", not "))
