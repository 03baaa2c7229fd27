"""Every write through the services leaves history rows naming the user and the reason."""

import pytest

from privacy_office.models import AuditLogEntry
from requests_app import identity_checks, services
from requests_app.models import RightsRequest

from .factories import at, extend, make_case

pytestmark = pytest.mark.django_db


def test_history_rows_carry_the_acting_user(staff_user, manager_user):
    case = make_case(by=manager_user)
    identity_checks.dsar_request_identity(case=case, by=staff_user, now=at(2026, 3, 3))
    extend(case, by=manager_user, reasons="Complex", now=at(2026, 3, 4))
    records = list(case.history.order_by("history_date", "history_id"))
    assert records[0].history_type == "+" and records[0].history_user == manager_user
    assert any(r.history_user == staff_user and r.status == "awaiting_identity" for r in records)
    last = case.history.first()
    assert last.history_user == manager_user and last.extended is True
    assert last.history_change_reason == "extended"
    check = case.identity_checks.get()
    assert check.history.first().history_user == staff_user
    # Mirrored into the cross-model audit log managers review.
    assert AuditLogEntry.objects.filter(object_id=str(case.pk), user=manager_user, reason="extended").exists()


def test_version_moves_on_with_every_save(staff_user):
    case = make_case()
    first = RightsRequest.objects.get(pk=case.pk).version
    services.dsar_assign(cases=[case], assignee=staff_user, by=staff_user)
    assert RightsRequest.objects.get(pk=case.pk).version == first + 1
