"""A US resident's case is filed under their state: its comprehensive privacy law (us-states.md
Table 1) and Aqara's own month, the earliest wins; the 45 (+45) extension, appeals from the
appeal's receipt, "unverified" rows marked; a state without such a law runs on Aqara's month alone.

Hand-worked, received Mon 2026-03-02 10:00 in Texas (16:00 UTC; CST, UTC-6); state laws count the
receipt day as day 1 (due = receipt + N - 1), no roll:
  TDPSA 45 days -> Mar 2 + 44 = Wed 2026-04-15; verified Wed 03-04 -> Aqara 003 one calendar month
  -> Sat 2026-04-04 (no roll) binds; extended 45 + 45 -> Mar 2 + 89 = Sat 2026-05-30.
  appeal received Mon 2026-06-01: 60 days (U) -> Jun 1 + 59 = Thu 2026-07-30.
  New York (no comprehensive law): Aqara's month from receipt -> Thu 2026-04-02.
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from requests_app import identity_checks, services
from requests_app.models import Jurisdiction

from .factories import at, extend, make_case

pytestmark = pytest.mark.django_db


def test_every_state_is_a_jurisdiction_named_from_the_registry():
    assert Jurisdiction.US_TX == "US-TX"
    assert Jurisdiction("US-TX").label == "Texas (US)"
    assert {"US-NY", "US-DC", "PR", "JP"} <= set(Jurisdiction.values)


def test_texas_access_with_verification_and_extension(staff_user):
    case = make_case(jurisdiction="US-TX", received_at=at(2026, 3, 2, 16), now=at(2026, 3, 2, 17))
    assert (case.received_on, case.due_on) == (date(2026, 3, 2), date(2026, 4, 15))
    assert case.due_rule == "TDPSA, Tex. Bus. & Com. Code §§541.051-.055: respond within 45 days of receipt"
    assert case.acknowledgement_due_on is None
    identity_checks.dsar_record_identity_check(case=case, by=staff_user, method="data_points",
                                               data_points=["email", "account id"], decided_at=at(2026, 3, 4, 16),
                                               now=at(2026, 3, 4, 16))
    case.refresh_from_db()
    assert case.due_on == date(2026, 4, 4)
    assert case.due_rule.startswith("Aqara policy 003")
    assert case.extension_deadline == date(2026, 4, 4)  # the notice goes out within the first period
    extend(case, by=staff_user, reasons="Data in three systems", now=at(2026, 3, 20, 16))
    assert (case.extended, case.due_on) == (True, date(2026, 5, 30))
    assert case.due_rule.endswith("extended +45 days")


def test_texas_appeal_is_due_60_days_from_the_appeals_receipt_and_shows_unverified(staff_user):
    case = make_case(jurisdiction="US-TX", request_type="appeal", received_at=at(2026, 6, 1, 15),
                     now=at(2026, 6, 1, 16))
    assert case.due_on == date(2026, 7, 30)
    assert case.due_unverified is True
    assert case.due_rule.startswith("[unverified] TDPSA")
    assert "US-TX appeal deadline: unverified (TDPSA, Tex. Bus. & Com. Code" in case.due_rule
    with pytest.raises(ValidationError, match="No extension exists"):
        services.dsar_extend(case=case, by=staff_user, reasons="complex", now=at(2026, 6, 2))


def test_types_a_state_does_not_have_are_refused_with_the_list(staff_user):
    with pytest.raises(ValidationError, match="does not exist in US-UT"):
        make_case(jurisdiction="US-UT", request_type="appeal")  # the UCPA gives no appeal
    with pytest.raises(ValidationError, match="does not exist in US-TX"):
        make_case(jurisdiction="US-TX", request_type="ccpa_opt_out")
    case = make_case(jurisdiction="US-VA", request_type="opt_out")
    assert case.due_on == date(2026, 4, 15)  # VA: no separate opt-out clock, 45 days
    # An opt-out needs no authentication: work starts without an identity check.
    services.dsar_start_work(case=case, by=staff_user, now=at(2026, 3, 3))


def test_a_state_without_a_privacy_law_runs_on_aqaras_month_from_receipt(staff_user):
    case = make_case(jurisdiction="US-NY", request_type="deletion", received_at=at(2026, 3, 2, 15),
                     now=at(2026, 3, 2, 16))
    assert case.due_on == date(2026, 4, 2)
    assert case.due_rule.startswith("Aqara policy 003 'Your Rights': one month; Choice: counted from receipt")
    assert "US-NY: no comprehensive state privacy law in force on 2026-03-02" in case.due_rule
    with pytest.raises(ValidationError, match="No extension exists for this request in US-NY"):
        services.dsar_extend(case=case, by=staff_user, reasons="complex", now=at(2026, 3, 3))
    with pytest.raises(ValidationError, match="does not exist in US-NY"):
        make_case(jurisdiction="US-NY", request_type="appeal")


def test_connecticut_consent_revocation_15_days_marked_unverified_on_the_page(staff_client):
    # CT: stop processing within 15 days of a revocation (U): Mon 2026-03-02 + 14 -> Mon 2026-03-16.
    case = make_case(jurisdiction="US-CT", request_type="withdraw_consent", received_at=at(2026, 3, 2, 15),
                     now=at(2026, 3, 2, 16))
    assert (case.due_on, case.due_unverified) == (date(2026, 3, 16), True)
    assert "stop processing within 15 days of a consent revocation" in case.due_rule
    page = staff_client.get(reverse("admin:requests_app_rightsrequest_change", args=[case.pk])).content.decode()
    assert "Unverified: the rule that sets this date is marked unverified in the reference" in page
    assert "[unverified] CTDPA" in page
