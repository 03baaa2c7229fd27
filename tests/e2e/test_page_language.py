"""Every word of the back-office in the reader's language, checked in headless Chromium.

Each role walks the pages it can see with the demo loaded: the admin home, the changelist of
every model of the four apps it may view, the change page of the first record of each, the
preferences page, the audit log and the history page of a case. From each page the test takes
what a person reads: ``document.body.innerText`` plus the page title, placeholders, tooltips
(``title`` attributes) and the captions of input buttons.

The rule, the same in both directions:

* A Chinese page (the ``staff`` user, zh-hans) may contain no Latin word of three letters or more,
  and an English page (``manager`` with the time zone Europe/Berlin, ``auditor``) no Han
  character, unless the word is one of:
  - a proper name or code in ``PROPER_NAMES`` below (each entry says why it stays untranslated);
  - a code-shaped token: an e-mail address, a URL, a file name a person uploaded, an IANA time
    zone (Asia/Shanghai), a statute citation (Art. 23, Cal. Civ. Code §1798.82), a reference or
    identifier joined with digits or ``-`` (DSAR-2026-0001, aqara-home). Plain words are never
    code-shaped, so an untranslated label, help text or message still fails; neither is a
    snake_case name (``fix_available_at``), which is a programme's word, not the reader's;
  - the user's data: a Latin phrase (the words between tabs, line breaks and Han text) that is a
    whole value somebody typed into the demo's records, or a phrase of two words or more found in
    one (``typed_data``); and, on English pages, a run of Han characters that is a whole typed
    value, or lies inside a typed value the page shows whole (``han_is_data``). A single word, or a
    Han run, is never excused for merely occurring inside a longer value somewhere in the database,
    so an untranslated label ("required", "条例") still fails. Text the *system* writes and stores
    (rules, reasons, citations, generated notices) is not data and is left out of it, so a rule
    stored in English still fails a Chinese page.
* Internal reference files (``eu-uk-product.md``) are not a file name a person uploaded: a page
  must cite the law, not our notes, so ``.md`` is not among the allowed file names.

The failure message lists, per page URL, the offending words with a little context.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict

import pytest
from django.apps import apps
from django.contrib.admin import site as admin_site
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPS = ("requests_app", "breach_app", "inventory_app", "privacy_office")

# Proper names and codes that read the same in both languages. Keep this list short: a word here
# is never flagged anywhere, so an ordinary English word must never be added.
PROPER_NAMES = {
    # The company, its brands and its products (names, not words to translate).
    "Aqara", "Lumi", "Xiaomi", "Mijia", "HomeKit", "Matter", "Zigbee", "Thread",
    # Laws and bodies known by their abbreviation in Chinese texts too (个人信息保护法 is cited as
    # PIPL beside its Chinese title; regulators' own acronyms).
    "GDPR", "PIPL", "CCPA", "CPRA", "CRA", "NIS", "SCC", "SCCs", "IDTA", "BCR", "BCRs", "DPA", "DPO",
    "DPIA", "PIA", "CAC", "ICO", "CNIL", "EDPB", "ENISA", "EEA", "IIAP", "PDPA", "PDPC", "APPI", "PIPC",
    "LGPD", "ANPD", "CSIRT", "CERT",
    # The California Code of Regulations, cited as such in a rule ("11 CCR §7021(b)").
    "CCR",
    # Third parties named in the inventory by their own brand (Facebook（第三方登录）).
    "Facebook", "Google", "Apple", "Amazon", "Alexa",
    # Formats and technical names a Chinese page writes in Latin script, as Chinese users do
    # (CPU 信息, Cookie, SSL 加密, SMS 服务商).
    "Cookie", "CPU", "SSL", "TLS", "SMS",
    "PDF", "CSV", "XLSX", "DOCX", "JSON", "ZIP", "SHA", "API", "SDK", "App", "APP", "URL", "IP", "UTC",
    "ISO", "IANA", "SMTP", "IMAP", "OTP", "TOTP", "HTML", "MIME", "ID", "CET", "CEST", "CST",
    # Foreign statutes and bodies cited by their own abbreviation (Korea's PIPA, Russia's NDSMR,
    # Texas's TDPSA, China's MIIT in an English citation of a joint CAC/MIIT rule).
    "PIPA", "NDSMR", "TDPSA", "MIIT",
    # Key names printed on the keyboard, which Django's Chinese help text keeps ("按住 Control 键或
    # Mac 上的 Command 键").
    "Control", "Command", "Mac",
    # Each language is named in itself in the language choices (settings.LANGUAGES), so a reader
    # lost in the other language still finds their own.
    "English",
}
# Han text allowed on English pages besides the user's data: the language choices name each
# language in itself (a Chinese reader must find 简体中文 on an English page).
HAN_ALLOWED = {"简体中文"}

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
# Our own notes on the law (eu-uk-product.md): a page cites the law, in either language.
REFERENCE_FILE = re.compile(r"[\w-]+\.md\b")
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Tokens removed before looking for words: they are codes, not language.
CODE_SHAPED = [
    re.compile(r"[\w.+-]*@[\w-]*(\.[\w-]+)*"),  # e-mail addresses and the fragments a search takes
    re.compile(r"https?://\S+"),  # URLs
    re.compile(r"[\w\u4e00-\u9fff.-]+\.(pdf|docx?|xlsx?|csv|json|zip|eml|png|jpe?g|txt)\b", re.I),  # uploads
    # IANA zones (Asia/Shanghai, US/Indiana-Starke; the header shows its zone in capitals).
    re.compile(r"\b(?:Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Brazil|Canada|Chile|Europe|"
               r"Indian|Mexico|Pacific|US|Etc)(?:/[A-Za-z0-9_+-]+)+", re.I),
    # Statute citations keep the statute's own form: "Art. 23", "Arts 44-50", "ss.26B",
    # "Cal. Civ. Code §1798.82(b)", "Tex. Bus. & Com. Code §§541.051-.055".
    re.compile(r"(?:(?:[A-Z][a-z]{0,4}\.|&)\s)+Code\s§+\S+"),
    re.compile(r"\bArts?\.?\s?\d+[\w()]*(?:\s?[-–,]\s?\d+[\w()]*)*"),
    re.compile(r"\bss?\.\s?\d+\w*"),
    re.compile(r"[A-Za-z0-9]*(?:[A-Za-z][-_.]?\d|\d[-_.]?[A-Za-z])[\w.-]*"),  # letters joined with digits
    # Slugs and references joined with "-" (aqara-home). Not "_": a snake_case name is a programme's
    # identifier (a field or a reminder kind), which a page must put in words.
    re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+"),
]

# Fields the system fills in itself (rules, reasons, citations, generated documents): not data.
SYSTEM_WRITTEN = {
    ("breach_app", "incident", "withdrawal_reason"),
    ("breach_app", "obligation", "reason"),
    ("breach_app", "obligation", "citation"),
    ("breach_app", "obligation", "code"),
    ("breach_app", "noticedraft", "generated_body"),
    ("breach_app", "noticedraft", "proposed_body"),
    ("requests_app", "rightsrequest", "due_rule"),
    ("requests_app", "rightsrequest", "extension_reasons"),
    ("requests_app", "rightsrequest", "rejection_reasons"),
    ("requests_app", "rightsrequest", "remedy_text"),
    ("privacy_office", "auditlogentry", "reason"),
}

JS_READABLE_TEXT = """() => {
  const parts = [document.title, document.body.innerText];
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  for (const el of document.querySelectorAll('[placeholder]')) if (visible(el)) parts.push(el.placeholder);
  for (const el of document.querySelectorAll('[title]')) if (visible(el)) parts.push(el.title);
  for (const el of document.querySelectorAll('input[type=submit], input[type=button], input[type=reset]'))
    if (visible(el)) parts.push(el.value);
  return parts.join('\\n');
}"""


def typed_data() -> tuple[set[str], str]:
    """The whole values, and the whole text, of what people typed into the demo's records."""
    values: set[str] = set()
    chunks: list[str] = []
    for app_label in APPS:
        for model in apps.get_app_config(app_label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            fields = [
                f.name for f in model._meta.concrete_fields
                if isinstance(f, (models.CharField, models.TextField)) and not f.choices
                and (app_label, model._meta.model_name, f.name) not in SYSTEM_WRITTEN
            ]
            if not fields:
                continue
            for row in model._default_manager.values_list(*fields):
                for value in row:
                    if value:
                        chunks.append(str(value))
    for user in get_user_model().objects.all():
        chunks.extend([user.first_name, user.last_name, user.username])
    for chunk in chunks:
        values.update(line.strip() for line in chunk.splitlines() if line.strip())
    return values, "\n".join(chunks)


# A run of Latin text between tabs, line breaks and Han characters: "Aqara LLC", "China data centre".
LATIN_PHRASE = re.compile(r"[A-Za-z][^\t\n|·\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]*")


def is_data(phrase: str, data_values: set[str], data_text: str) -> bool:
    """A whole typed value, or a phrase of two words or more inside one (an English incident title,
    a letter's subject, a note); never a lone word inside a longer value."""
    phrase = phrase.strip(" .,:;…()")
    if phrase in data_values or (len(LATIN_WORD.findall(phrase)) >= 2 and phrase in data_text):
        return True
    # A record's name after its reference ("PIA-2026-0001 Booking services: …").
    rest = strip_codes(phrase).strip(" .,:;…()")
    return rest != phrase and bool(rest) and is_data(rest, data_values, data_text)


def pages_for(user) -> list[str]:
    """The URLs ``user`` walks: home, each changelist and first change page they may view, the
    preferences page, the audit log and a case's history."""
    from requests_app.models import RightsRequest

    urls = [reverse("admin:index"), reverse("admin:preferences")]
    for model, model_admin in admin_site._registry.items():
        opts = model._meta
        if opts.app_label not in APPS or not user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            continue
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk]))
    case = RightsRequest.objects.order_by("pk").first()
    if case is not None and user.has_perm("requests_app.view_rightsrequest"):
        urls.append(reverse("admin:requests_app_rightsrequest_history", args=[case.pk]))
    return list(dict.fromkeys(urls))


def strip_codes(text: str) -> str:
    for pattern in CODE_SHAPED:
        text = pattern.sub(" ", text)
    return text


def context_of(text: str, word: str) -> str:
    at = text.find(word)
    return text[max(0, at - 25): at + len(word) + 25].replace("\n", " ⏎ ")


def han_is_data(run: str, segment: str, data_values: set[str], flat_data_text: str, shown_values: list[str]) -> bool:
    """A whole typed value; a run inside a typed value that the page shows whole (a Chinese service
    name "Facebook（第三方登录）" among other words); or a run whose line on the page (``segment``,
    between tabs and line breaks, a cut-off "…" removed) is longer than the run and is itself a piece
    of one typed value (a notice's body the audit log shows cut short, its line breaks folded into
    spaces as HTML shows them: ``flat_data_text``). Never a run found only somewhere in the database,
    which would excuse an untranslated msgid ("令16") that happens to occur in a note."""
    if run in data_values or any(run in value for value in shown_values):
        return True
    piece = " ".join(segment.strip().removesuffix("…").split())
    return len(piece) > len(run) and piece in flat_data_text


def segment_of(text: str, start: int, end: int) -> str:
    """The line of ``text`` (between tabs and line breaks) holding ``text[start:end]``."""
    left = max(text.rfind("\n", 0, start), text.rfind("\t", 0, start)) + 1
    ends = [at for at in (text.find("\n", end), text.find("\t", end)) if at != -1]
    return text[left:min(ends) if ends else len(text)]


def foreign_words(text: str, language: str, data_values: set[str], data_text: str) -> dict[str, str]:
    """The words of ``text`` that are in neither ``language`` nor an allowed list, with context."""
    found = {}
    for name in REFERENCE_FILE.findall(text):
        found.setdefault(name, context_of(text, name))
    if language == "zh-hans":
        for phrase in LATIN_PHRASE.findall(text):
            if is_data(phrase, data_values, data_text):
                continue
            for word in LATIN_WORD.findall(strip_codes(phrase)):
                if word not in PROPER_NAMES:
                    found.setdefault(word, context_of(text, word))
    else:
        shown_values = [value for value in data_values if HAN_RUN.search(value) and value in text]
        flat_data_text = " ".join(data_text.split())
        for found_run in HAN_RUN.finditer(text):
            run = found_run.group(0)
            segment = segment_of(text, found_run.start(), found_run.end())
            if run in HAN_ALLOWED or han_is_data(run, segment, data_values, flat_data_text, shown_values):
                continue
            found.setdefault(run, context_of(text, run))
    return found


# Set to a folder to keep a screenshot of every page walked (to look at them, not asserted on).
SCREENSHOTS = os.environ.get("PAGE_LANGUAGE_SCREENSHOTS")


def walk(page, user, language: str) -> dict[str, dict[str, str]]:
    data_values, data_text = typed_data()
    problems: dict[str, dict[str, str]] = defaultdict(dict)
    for url in pages_for(user):
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", language)
        if SCREENSHOTS:
            name = f"{user.username}-{url.strip('/').replace('/', '_') or 'home'}.png"
            page.screenshot(path=os.path.join(SCREENSHOTS, name), full_page=True)
        found = foreign_words(page.evaluate(JS_READABLE_TEXT), language, data_values, data_text)
        if found:
            problems[url] = found
    return problems


def report(problems: dict[str, dict[str, str]], who: str, language: str) -> str:
    lines = [f"{who} ({language}): {sum(map(len, problems.values()))} words in the wrong language on "
             f"{len(problems)} pages"]
    for url, words in problems.items():
        lines.append(f"  {url}")
        for word, context in sorted(words.items()):
            lines.append(f"      {word!r}: …{context}…")
    return "\n".join(lines)


def set_time_zone(page, zone: str) -> None:
    page.goto(reverse("admin:preferences"))
    page.locator("select[name=time_zone]").select_option(zone)
    with page.expect_navigation():
        page.locator("#preferences-form [type=submit]").click()


def test_chinese_pages_of_privacy_staff_have_no_english_words(browsers):
    page = browsers.login("staff", locale="zh-CN", language="zh-hans")
    user = get_user_model().objects.get(username="staff")
    problems = walk(page, user, "zh-hans")
    assert not problems, report(problems, "staff", "zh-hans")


def test_english_pages_of_the_manager_in_berlin_have_no_chinese(browsers):
    page = browsers.login("manager", language="en")
    set_time_zone(page, "Europe/Berlin")
    user = get_user_model().objects.get(username="manager")
    assert user.privacy_profile.time_zone == "Europe/Berlin"
    problems = walk(page, user, "en")
    assert not problems, report(problems, "manager", "en")


def test_english_pages_of_the_auditor_have_no_chinese(browsers):
    page = browsers.login("auditor", language="en")
    user = get_user_model().objects.get(username="auditor")
    problems = walk(page, user, "en")
    assert not problems, report(problems, "auditor", "en")
