"""A case's rule (how its due date was set) reads in the reader's language: every text the clocks can
write - for every jurisdiction and request type, extended or not, unverified, immediate, with the
UK's identity wait and pause notes, US states with and without a privacy law in force, and each
receipt-date reading - shows no English word under zh-hans but the citations it quotes, and is
unchanged in English."""

import re

import pytest
from django.utils import translation

from requests_app.rule_phrases import rule_display

from .rule_texts import every_rule_text

# Citation tokens, kept as the statute, regulator or bill writes them (a Chinese legal text cites
# "GDPR Art. 12(3)" and "Tex. Bus. & Com. Code §541.051" the same way). Nothing else may stay.
CITATION_TOKENS = {
    # statutes and regulators known by their abbreviation
    "GDPR", "UK", "PIPL", "NDSMR", "CAC", "MIIT", "App", "CCPA", "CCR", "Civ", "Code", "LGPD", "APPI",
    "PDPA", "PIPA", "FZ", "ICO", "DPA", "Reg", "Art", "Arts", "II", "Aqara",
    # US state privacy laws' own names (us_states.py) and the forms of their citations
    "VCDPA", "CPA", "CTDPA", "UCPA", "TDPSA", "OCPA", "MCDPA", "ICDPA", "DPDPA", "NDPA", "NJDPA",
    "TIPA", "MODPA", "KCDPA", "RIDTPPA", "HB", "SB",
    "Va", "Conn", "Gen", "Stat", "Utah", "Tex", "Bus", "Com", "ORS", "Mont", "Iowa", "Del", "RSA", "Neb",
    "Rev", "Tenn", "Minn", "Md", "Law", "Ind", "KRS", "Laws", "La", "Fla",
    # state codes ("PR: no comprehensive state privacy law …")
    "PR",
}
# Codes that are not words: IANA time zones, US state codes, dates.
NOT_WORDS = re.compile(r"\b(?:America|Asia|Europe|Pacific)(?:/[A-Za-z_]+)+|\bUS-[A-Z]{2}\b|\d{4}-\d\d-\d\d")
WORD = re.compile(r"[A-Za-z]{2,}")


def english_left(text: str) -> set[str]:
    return {word for word in WORD.findall(NOT_WORDS.sub(" ", text)) if word not in CITATION_TOKENS}


def test_the_generator_covers_every_kind_of_rule():
    texts = every_rule_text()
    for needle in ("[unverified]", "[immediately: due on the day of receipt]", "[without undue delay",
                   "extended +2 months", "no comprehensive state privacy law", "appeal decided within",
                   "receipt date in the requester's time zone", "not later than the requester's",
                   "identity proof requested on", "clarification pause not counted", "11 CCR §7021(a)",
                   "152-FZ Art. 21(1)", "stop processing within"):
        assert any(needle in text for text in texts), needle


def test_every_rule_text_reads_in_chinese_but_its_citations():
    with translation.override("zh-hans"):
        left = {text: english_left(rule_display(text)) for text in every_rule_text()}
    untranslated = {text: words for text, words in left.items() if words}
    assert not untranslated, "\n".join(f"{sorted(words)}: {text}" for text, words in sorted(untranslated.items()))


@pytest.mark.parametrize("text, expected", [
    ("[unverified] APPI Arts 33-35: without delay; Art. 39: two weeks before a suit — APPI rights-request "
     "articles and the two-week figure are unverified",
     "[未核实] APPI Arts 33-35：不得延迟；Art. 39：满两周后方可起诉 — APPI 权利请求条款及两周期限尚未核实"),
    ("TDPSA, Tex. Bus. & Com. Code §§541.051-.055: respond within 45 days of receipt, extended +45 days",
     "TDPSA, Tex. Bus. & Com. Code §§541.051-.055：自收到之日起 45 日内答复, 延长 45 日"),
    ("Aqara policy 000 §10: 15 working days; CAC/MIIT 2019 App Identification Methods",
     "Aqara 隐私政策 000 §10：15 个工作日；CAC/MIIT《App 违法违规收集使用个人信息行为认定方法》（2019）"),
])
def test_a_rule_in_chinese_keeps_its_citations_and_numbers(text, expected):
    with translation.override("zh-hans"):
        assert rule_display(text) == expected


def test_every_rule_text_is_unchanged_in_english():
    with translation.override("en"):
        for text in every_rule_text():
            assert rule_display(text) == text
