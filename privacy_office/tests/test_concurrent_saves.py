"""Two people saving the same record at the same instant: one save wins, the other is refused with
what changed; nothing is silently overwritten. Real concurrency: each person's request runs in its
own thread, database connection and transaction, on PostgreSQL (SQLite serialises writers on a file
lock, so the race cannot happen there)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client

from requests_app.models import RightsRequest
from requests_app.tests.factories import make_case

from .test_concurrency import case_url, open_case

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)"),
]


def in_thread(target, results, key):
    def run():
        try:
            results[key] = target()
        except Exception as exc:  # reported by the test, not lost in the thread
            results[key] = exc
        finally:
            connection.close()  # this thread's own connection
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_two_simultaneous_saves_of_one_case_never_lose_an_update(staff_user, manager_user):
    case = make_case(requester_phone="+49301111", description="wants a copy")
    staff, manager = Client(), Client()
    staff.force_login(staff_user)
    manager.force_login(manager_user)
    # Both opened the same version of the case.
    staff_form, manager_form = open_case(staff, case), open_case(manager, case)
    version = RightsRequest.objects.get(pk=case.pk).version
    barrier = threading.Barrier(3)
    results = {}

    def hold_the_row():
        # A third transaction holds the case's row, so both saves reach their check together and
        # wait there; once it ends they go one after the other.
        with transaction.atomic():
            RightsRequest.objects.select_for_update().get(pk=case.pk)
            barrier.wait(timeout=30)
            time.sleep(1.0)

    def save(client, data):
        def post():
            barrier.wait(timeout=30)
            return client.post(case_url(case), data)
        return post

    threads = [
        in_thread(hold_the_row, results, "holder"),
        in_thread(save(staff, staff_form.post(requester_phone="+49302222")), results, "staff"),
        in_thread(save(manager, manager_form.post(description="wants a copy and a correction")), results, "manager"),
    ]
    for thread in threads:
        thread.join(90)
    for key in ("holder", "staff", "manager"):
        assert not isinstance(results.get(key), Exception), results.get(key)

    codes = sorted(results[key].status_code for key in ("staff", "manager"))
    assert codes == [200, 302]  # one saved, the other was refused
    refused = next(results[key] for key in ("staff", "manager") if results[key].status_code == 200)
    assert "Someone else saved this record after you opened it" in refused.content.decode()
    case.refresh_from_db()
    assert case.version == version + 1  # exactly one save went through
    saved_phone = case.requester_phone == "+49302222"
    saved_description = case.description == "wants a copy and a correction"
    assert saved_phone != saved_description  # the winner's change only; the loser's is not half-applied
