"""Waiting for the requester stops no clock but the UK's: the case says so, in the reader's
language, so that "waiting" is never read as "on hold"."""

from datetime import date

import pytest
from django.utils import translation

from requests_app import display, identity_checks, services

from .factories import at, make_case
from .test_clock_recompute import verify

pytestmark = pytest.mark.django_db

KEEPS_RUNNING = "the clock keeps running"


def test_an_eu_case_waiting_for_clarification_says_its_clock_keeps_running(staff_user):
    # EU access request received Mon 2026-03-02: due Thu 2026-04-02 (one month), asked to clarify on 03-05.
    case = make_case(jurisdiction="EU", received_at=at(2026, 3, 2))
    verify(case, at(2026, 3, 4), by=staff_user)
    services.dsar_request_clarification(case=case, by=staff_user, now=at(2026, 3, 5))
    case.refresh_from_db()
    assert case.due_on == date(2026, 4, 2) and not case.clock_paused
    lines = " ".join(display.clock_explanation(case))
    assert "Waiting for the requester's clarification: " + KEEPS_RUNNING in lines


def test_a_uk_access_request_waiting_for_clarification_is_stopped_and_says_nothing_of_running(staff_user):
    case = make_case(jurisdiction="UK", received_at=at(2026, 3, 2))
    verify(case, at(2026, 3, 4), by=staff_user)
    services.dsar_request_clarification(case=case, by=staff_user, now=at(2026, 3, 5))
    case.refresh_from_db()
    assert case.clock_paused
    assert KEEPS_RUNNING not in " ".join(display.clock_explanation(case))


def test_a_cn_case_waiting_for_identity_says_so_in_chinese(staff_user):
    case = make_case(jurisdiction="CN", received_at=at(2026, 3, 2))
    identity_checks.dsar_request_identity(case=case, by=staff_user, now=at(2026, 3, 3))
    case.refresh_from_db()
    with translation.override("zh-hans"):
        lines = " ".join(display.clock_explanation(case))
    assert "期限仍在计算" in lines and KEEPS_RUNNING not in lines
