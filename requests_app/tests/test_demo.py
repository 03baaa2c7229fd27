"""The demo covers every rule family and status, and loading it twice changes nothing."""

import io

import pytest

from requests_app.demo import load_demo
from requests_app.models import RightsRequest, Status

pytestmark = pytest.mark.django_db


def test_demo_covers_each_jurisdiction_and_status_and_is_idempotent(staff_user, manager_user):
    load_demo(stdout=io.StringIO())
    # Every statute of the engine, a US state with a privacy law and one without.
    assert set(RightsRequest.objects.values_list("jurisdiction", flat=True)) == {
        "CN", "EU", "UK", "US-CA", "SG", "KR", "RU", "BR", "JP", "US-TX", "US-NY"}
    uk = RightsRequest.objects.get(account_id="demo-uk-3")
    assert uk.identity_requested_at < uk.identity_received_at < uk.identity_checks.get().decided_at
    assert RightsRequest.objects.filter(jurisdiction="US-TX", request_type="appeal").exists()
    assert RightsRequest.objects.filter(due_kind="immediately").exists()
    assert set(RightsRequest.objects.values_list("status", flat=True)) == set(Status.values)
    assert RightsRequest.objects.overdue().exists()
    assert RightsRequest.objects.due_within(7).exists()
    assert RightsRequest.objects.filter(status=Status.AWAITING_IDENTITY, clock_paused=True).exists()
    assert RightsRequest.objects.filter(assignee=staff_user).exists()
    count = RightsRequest.objects.count()
    load_demo(stdout=io.StringIO())
    assert RightsRequest.objects.count() == count
