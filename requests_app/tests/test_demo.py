"""The demo covers every jurisdiction and status, and loading it twice changes nothing."""

import io

import pytest

from requests_app.demo import load_demo
from requests_app.models import Jurisdiction, RightsRequest, Status

pytestmark = pytest.mark.django_db


def test_demo_covers_each_jurisdiction_and_status_and_is_idempotent(staff_user, manager_user):
    load_demo(stdout=io.StringIO())
    assert set(RightsRequest.objects.values_list("jurisdiction", flat=True)) == set(Jurisdiction.values)
    assert set(RightsRequest.objects.values_list("status", flat=True)) == set(Status.values)
    assert RightsRequest.objects.overdue().exists()
    assert RightsRequest.objects.due_within(7).exists()
    assert RightsRequest.objects.filter(status=Status.AWAITING_IDENTITY, clock_paused=True).exists()
    assert RightsRequest.objects.filter(assignee=staff_user).exists()
    count = RightsRequest.objects.count()
    load_demo(stdout=io.StringIO())
    assert RightsRequest.objects.count() == count
