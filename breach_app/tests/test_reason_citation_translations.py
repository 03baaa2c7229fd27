"""Every reason and citation the deadline engine can write reads in Chinese on a Chinese page:
the obligation list must not leave a Chinese reader with an English sentence. Statutes' citations
(Cal. Civ. Code §1798.82, UK GDPR Art. 33) and regulators' own names stay as the proper names they are.

The engine is run over incidents in every jurisdiction it knows (EU, UK, CN, SG, KR, RU, BR, JP and
each US state's breach law) and the Cyber Resilience Act's clocks, as controller and as processor, with no, some and very many people
affected, each risk level, encrypted or not, and with the CN grading criteria unassessed, below
and at 较大."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from itertools import product

from django.utils import translation

from breach_app import display
from breach_app.deadlines import (
    Affected,
    IncidentFacts,
    ProductSecurityFacts,
    notification_obligations,
    product_security_obligations,
)
from breach_app.us_states import BREACH_LAWS
from privacy_office.scripts_check import english_fragments, latin_only_lines

DISCOVERED = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
JURISDICTIONS = ("EU", "UK", "CN", "SG", "KR", "RU", "BR", "JP", *BREACH_LAWS)

# Proper names that stay in Latin script inside a Chinese sentence: the laws' citations and the
# regulators' own names (us-states.md Tables 1-3).
LAW_NAMES = ("UK GDPR Art", "GDPR Art", "APPI Rules Art", "PPC Rules Art", "PIPA Decree Art",
             "Enforcement Decree Art", "Rules Art.", "Art.", "Aqara", "Acme", "Reg. (EU) 2024/2847")


def proper_names() -> tuple[str, ...]:
    names = set(LAW_NAMES)
    for row in BREACH_LAWS.values():
        names.add(row.citation)
        if row.regulator is not None:
            names.update(part for part in re.split(r", | and |'s ", row.regulator.body) if part)
    return tuple(names)


def engine_texts() -> set[str]:
    texts = set()
    for code, people, risk, role, encrypted, cn_loss in product(
            JURISDICTIONS, (0, 5, 600, 1_500_000), ("none", "risk", "high"), ("controller", "processor"),
            (False, True), (None, 1_000, 6_000_000)):
        if cn_loss is not None and code != "CN":
            continue
        facts = IncidentFacts(
            discovered_at=DISCOVERED, risk=risk, aqara_role=role, encrypted=encrypted,
            controllers=("Acme",) if role == "processor" else (), direct_economic_loss_cny=cn_loss,
            affected={code: Affected(people_min=people, people_max=None if people == 0 else people)})
        for obligation in notification_obligations(facts):
            texts.update(t for t in (obligation.reason, obligation.citation) if t)
    # Cyber Resilience Act Art. 14: before and after it applies (2026-09-11), each fact unknown,
    # yes or no, with and without a fix and a submitted notification.
    for aware, exploited, severe, fix, submitted in product(
            (DISCOVERED, datetime(2026, 10, 2, tzinfo=timezone.utc)), (None, True, False), (None, True, False),
            (None, datetime(2026, 10, 5, tzinfo=timezone.utc)), (None, datetime(2026, 10, 3, tzinfo=timezone.utc))):
        facts = ProductSecurityFacts(aware_at=aware, actively_exploited=exploited, severe_incident=severe,
                                     fix_available_at=fix, notification_submitted_at=submitted)
        for obligation in product_security_obligations(facts):
            texts.update(t for t in (obligation.reason, obligation.citation) if t)
    return texts


def test_every_reason_and_citation_the_engine_writes_reads_in_chinese():
    texts = engine_texts()
    assert len(texts) > 500  # every jurisdiction's clocks were walked, not a handful
    allowed = proper_names()
    left_in_english = []
    with translation.override("zh-hans"):
        for text in sorted(texts):
            chinese = display.statement_text(text)
            if (latin_only_lines(chinese, allowed=allowed) or english_fragments(chinese, allowed=allowed)
                    or re.search(r"\d people", chinese)):
                left_in_english.append((text, chinese))
    assert left_in_english == []


def test_english_readers_keep_the_engines_own_words():
    with translation.override("en"):
        for text in sorted(engine_texts())[:200]:
            assert display.statement_text(text) == text


def test_a_state_clock_reads_in_chinese_with_its_citation_kept():
    # California, 600 residents, unencrypted: Cal. Civ. Code §1798.82 (the citation stays as written)
    facts = IncidentFacts(discovered_at=DISCOVERED, affected={"US-CA": Affected(people_min=600, people_max=600)})
    resident = next(o for o in notification_obligations(facts) if o.code == "US-CA-IND")
    with translation.override("zh-hans"):
        reason = display.statement_text(resident.reason)
        citation = display.statement_text(resident.citation)
    assert "Cal. Civ. Code §1798.82" in citation
    assert "未加密的个人信息" in reason
    assert not english_fragments(reason, allowed=proper_names())
