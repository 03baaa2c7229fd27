"""UK complaints to the controller (DPA 2018 s.164A, in force 19 Jun 2026) as cases: the
acknowledgement is due within 30 days beginning with receipt (receipt day = day 1) and is stored
and shown; the response is "without undue delay", shown as such.

Hand-worked: received Fri 2026-06-19 10:00 UTC (11:00 in London, BST) = day 1; day 30 = 06-19 + 29
-> Sat 2026-07-18 (calendar days, no roll).
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from requests_app import services
from requests_app.models import DueKind

from .factories import at, make_case

pytestmark = pytest.mark.django_db


def test_complaint_acknowledgement_stored_and_response_without_undue_delay(staff_user):
    case = make_case(jurisdiction="UK", request_type="complaint", received_at=at(2026, 6, 19),
                     now=at(2026, 6, 19, 12))
    assert case.acknowledgement_due_on == date(2026, 7, 18)
    assert case.due_on == date(2026, 7, 18)
    assert case.due_kind == DueKind.WITHOUT_UNDUE_DELAY
    assert case.due_rule.startswith("[without undue delay: the date is an outer limit] DPA 2018 s.164A(3)")
    assert case.extension_deadline is None  # no extension for a complaint
    # A complaint needs no proof of identity: work starts at once.
    services.dsar_start_work(case=case, by=staff_user, now=at(2026, 6, 20))


def test_complaint_page_says_acknowledge_by_and_respond_without_undue_delay(staff_client):
    case = make_case(jurisdiction="UK", request_type="complaint", received_at=at(2026, 6, 19),
                     now=at(2026, 6, 19, 12))
    page = staff_client.get(reverse("admin:requests_app_rightsrequest_change", args=[case.pk])).content.decode()
    assert "Acknowledge by 2026-07-18; respond and give the outcome without undue delay (DPA 2018 s.164A)." in page
    page = staff_client.get(reverse("admin:requests_app_rightsrequest_change", args=[case.pk]),
                            HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "2026-07-18" in page and "无不当延误" in page


def test_complaint_received_before_section_164a_is_refused_in_the_users_language(staff_user):
    with pytest.raises(ValidationError, match="apply to complaints received from 2026-06-19"):
        make_case(jurisdiction="UK", request_type="complaint", received_at=at(2026, 6, 18), now=at(2026, 6, 18, 12))
