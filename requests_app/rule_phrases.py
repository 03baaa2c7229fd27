"""The phrases the rights-request clocks build their rules from (deadlines.py, us_states.py and
``clocks.rule_text``), so a reader sees a case's rule in their own language.

A rule is stored as the engine writes it, in English (``RightsRequest.due_rule``, a timeline entry's
"rule"): a statute's citation, kept as written ("11 CCR §7021(b)", "Reg. 1182/71 Art. 3(4)"), the
engine's markers, notes and readings, numbers, dates and time zones. ``rule_display`` shows it in the
active language with the machine of ``privacy_office/phrases.py``: first the patterns (phrases with
a number or date in them), then the phrases, longest first. Citations, names and numbers stay as
written. Every text the engine can write is covered: ``requests_app/tests/test_rule_phrases.py``
generates them all and fails on any Latin word left that is not a citation.
"""

from __future__ import annotations

from django.utils.translation import get_language, gettext_noop

from privacy_office import phrases
from privacy_office.phrases import Pattern

# Phrases with values in them, in the order they are tried (a longer one before the shorter one it
# holds: "acknowledge within N days beginning with receipt" before "N days beginning with receipt").
PATTERNS = (
    # The receipt-date readings (deadlines.receipt_date): zones and dates as written.
    Pattern(r"receipt date in the office's time zone \((?P<zone>[\w/+-]+): (?P<date>\d{4}-\d\d-\d\d)\), "
            r"not later than the requester's \((?P<their_zone>[\w/+-]+): (?P<their_date>\d{4}-\d\d-\d\d)\)",
            gettext_noop("receipt date in the office's time zone (%(zone)s: %(date)s), not later than the "
                         "requester's (%(their_zone)s: %(their_date)s)")),
    Pattern(r"receipt date in the requester's time zone \((?P<their_zone>[\w/+-]+): "
            r"(?P<their_date>\d{4}-\d\d-\d\d)\), earlier than the office's \((?P<zone>[\w/+-]+): "
            r"(?P<date>\d{4}-\d\d-\d\d)\)",
            gettext_noop("receipt date in the requester's time zone (%(their_zone)s: %(their_date)s), earlier "
                         "than the office's (%(zone)s: %(date)s)")),
    Pattern(r"receipt date in the office's time zone \((?P<zone>[\w/+-]+)\)",
            gettext_noop("receipt date in the office's time zone (%(zone)s)")),
    Pattern(r"identity proof requested on (?P<date>\d{4}-\d\d-\d\d) has not arrived",
            gettext_noop("identity proof requested on %(date)s has not arrived")),
    Pattern(r"no comprehensive state privacy law in force on (?P<date>\d{4}-\d\d-\d\d)",
            gettext_noop("no comprehensive state privacy law in force on %(date)s")),
    Pattern(r"the shortest state appeal period \((?P<n>\d+) days\) is used until verified",
            gettext_noop("the shortest state appeal period (%(n)s days) is used until verified")),
    Pattern(r"acknowledge within (?P<n>\d+) days beginning with receipt",
            gettext_noop("acknowledge within %(n)s days beginning with receipt")),
    Pattern(r"(?P<n>\d+) days beginning with receipt",
            gettext_noop("%(n)s days beginning with receipt")),
    Pattern(r"appeal decided within (?P<n>\d+) days of its receipt",
            gettext_noop("appeal decided within %(n)s days of its receipt")),
    Pattern(r"respond within (?P<n>\d+) days of receipt",
            gettext_noop("respond within %(n)s days of receipt")),
    Pattern(r"stop processing within (?P<n>\d+) days of a consent revocation",
            gettext_noop("stop processing within %(n)s days of a consent revocation")),
    Pattern(r"stop processing and destroy within (?P<n>\d+) days",
            gettext_noop("stop processing and destroy within %(n)s days")),
    Pattern(r"opt-out within (?P<n>\d+) business days",
            gettext_noop("opt-out within %(n)s business days")),
    Pattern(r"(?P<n>\d+) days after identity verified",
            gettext_noop("%(n)s days after identity verified")),
    Pattern(r"extended \+(?P<n>\d+) months",
            gettext_noop("extended +%(n)s months")),
    Pattern(r"extended \+(?P<n>\d+) working days",
            gettext_noop("extended +%(n)s working days")),
    Pattern(r"extended \+(?P<n>\d+) days",
            gettext_noop("extended +%(n)s days")),
    Pattern(r"(?<![\w.])(?P<n>\d+) (?:working|business) days",
            gettext_noop("%(n)s working days")),
    Pattern(r"\((?P<n>\d+) days likely\)",
            gettext_noop("(%(n)s days likely)")),
    Pattern(r"(?P<number>HB|SB) (?P<bill>\d+) of (?P<year>\d{4})",
            gettext_noop("%(number)s %(bill)s of %(year)s")),
    Pattern(r"Act (?P<act>\d+) of (?P<year>\d{4})",
            gettext_noop("Act %(act)s of %(year)s")),
    Pattern(r"\(deskbook p\.(?P<page>\d+)\)",
            gettext_noop("(deskbook p.%(page)s)")),
    Pattern(r"(?<![A-Za-z])title (?P<n>\d+)",
            gettext_noop("title %(n)s")),
    Pattern(r"ICO guidance \(Dec (?P<year>\d{4})\)",
            gettext_noop("ICO guidance (Dec %(year)s)")),
    Pattern(r"CAC/MIIT (?P<year>\d{4}) App Identification Methods",
            gettext_noop("CAC/MIIT %(year)s App Identification Methods")),
    Pattern(r"PDP Regs (?P<year>\d{4})",
            gettext_noop("PDP Regs %(year)s")),
    Pattern(r"Aqara policy (?P<number>\d{3})",
            gettext_noop("Aqara policy %(number)s")),
)

PHRASES = (
    # clocks.rule_text's markers
    gettext_noop("[unverified]"),
    gettext_noop("[immediately: due on the day of receipt]"),
    gettext_noop("[without undue delay: the date is an outer limit]"),
    # Aqara's own commitments (seeds 000 and 003) and the statutes' words
    gettext_noop("'Your Rights': one month after validation"),
    gettext_noop("'Your Rights': one month; Choice: counted from receipt where no state privacy law applies"),
    gettext_noop("only Aqara's global commitment applies"),
    gettext_noop("ICO guidance"),
    gettext_noop("respond and give the outcome without undue delay"),
    gettext_noop("block from the request, at once"),
    gettext_noop("simplified confirmation, immediately"),
    gettext_noop("without delay"),
    gettext_noop("two weeks before a suit"),
    gettext_noop("rights-request articles and the two-week figure are unverified"),
    gettext_noop("and its Enforcement Decree"),
    # US state privacy laws (us_states.py rows) and the notes deadlines.py adds to them
    gettext_noop("Alabama Personal Data Protection Act"),
    gettext_noop("Louisiana Data Privacy Act"),
    gettext_noop("Oklahoma Data Privacy Act"),
    gettext_noop("Florida Digital Bill of Rights"),
    gettext_noop("NH Privacy Act"),
    gettext_noop("et seq."),
    gettext_noop("section unverified"),
    gettext_noop("citation unverified"),
    gettext_noop("appeal deadline not found in the reference"),
    gettext_noop("response period not found in the reference"),
    gettext_noop("no extension found"),
    gettext_noop("consent-revocation section number unverified"),
    gettext_noop("consent-revocation deadline"),
    gettext_noop("appeal deadline"),
    gettext_noop("response deadline"),
    gettext_noop("opt-out deadline"),
    gettext_noop("extension"),
    gettext_noop("unverified"),
    gettext_noop("lets compliance wait for missing authentication information"),
    gettext_noop("not applied, the clock runs from receipt"),
    gettext_noop("statute counts from an authenticated request"),
    gettext_noop("from receipt"),
    gettext_noop("the earlier reading"),
    gettext_noop("applies only to controllers with > $1 billion revenue meeting an extra test (e.g. a smart "
                 "speaker or voice assistant service): counsel to confirm Aqara is in scope"),
    gettext_noop("response clock runs from receipt whatever the time taken to verify"),
    # UK GDPR Art. 12A notes
    gettext_noop("clarification pause not counted"),
    gettext_noop("the UK GDPR Art. 12A stop-the-clock applies to access requests only"),
    gettext_noop("the UK clock restarts on the day it arrives"),
    gettext_noop("shown from receipt until then"),
    gettext_noop("Choice:"),
)

_LONGEST_FIRST = phrases.longest_first(PHRASES)


def rule_display(text: str) -> str:
    """A rule the clocks wrote, in the reader's language (unchanged in English)."""
    if not text:
        return ""
    out = phrases.translate_phrases(text, _LONGEST_FIRST, PATTERNS)
    if (get_language() or "").startswith("zh"):
        out = out.replace("; ", "；").replace(": ", "：").replace("： ", "：")
    return out
