"""A refusal letter states the requester's remedies once, in the letter's language."""

import pytest
from django.utils import translation

from requests_app import letters
from requests_app.models import DraftKind

from .factories import at, make_case, refuse

pytestmark = pytest.mark.django_db


def test_demo_refusal_states_the_remedies_once(demo_texts):
    english = demo_texts["refusal", "demo-eu-3", "en"]
    chinese = demo_texts["refusal", "demo-eu-3", "zh-hans"]
    # GDPR Art. 12(4): complaint and judicial remedy, once.
    assert english.count("supervisory authority") == 1 and english.count("judicial remedy") == 1
    assert "Your rights: You may lodge a complaint" in english
    assert chinese.count("监管机构投诉") == 1 and chinese.count("司法救济") == 1
    assert "You may" not in chinese


def test_cn_refusal_proposed_in_english_reads_chinese_in_a_chinese_letter(staff_user, manager_user):
    case = make_case(jurisdiction="CN", received_at=at(2026, 3, 2, 2))
    with translation.override("en"):  # the proposer works in English: the default is stored in English
        refuse(case, by=staff_user, confirmed_by=manager_user, reasons="Repeated request")
    body = letters.draft_generate(case=case, kind=DraftKind.REFUSAL, language="zh-hans", by=staff_user).body
    # PIPL Art. 50: the right to sue, once, in Chinese.
    assert body.count("第五十条") == 1 and body.count("提起诉讼") == 1
    assert "PIPL Art. 50" not in body


def test_the_officers_own_remedies_are_stated_once_as_written(staff_user, manager_user):
    case = make_case(received_at=at(2026, 3, 2, 2))
    own = "You may complain to the Berlin data protection commissioner or go to court."
    refuse(case, by=staff_user, confirmed_by=manager_user, reasons="Unfounded", remedies=own)
    body = letters.draft_generate(case=case, kind=DraftKind.REFUSAL, language="en", by=staff_user).body
    assert body.count(own) == 1 and "supervisory authority" not in body
