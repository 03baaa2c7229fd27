"""Two people recording an incident at the same moment both succeed, each with its own reference
(one of them used to get a 500 on the unique reference).

Real concurrency: each thread has its own database connection and transaction, on PostgreSQL
(SQLite serialises writers on a file lock, so the race cannot happen there)."""

from __future__ import annotations

import re
import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client

from breach_app.models import Incident

from .factories import make_incident

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)"),
]

REFERENCE = re.compile(r"INC-\d{4}-\d{4}")


def _in_thread(target, results, key):
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


def _hold_an_uncommitted_incident(user, barrier, results):
    """Records an incident and keeps its transaction open for a second after the barrier, so the
    other thread reads the same last reference and its insert has to wait for this one."""
    def record():
        with transaction.atomic():
            incident = make_incident(by=user, title="first, held open")
            barrier.wait(timeout=30)
            time.sleep(1.0)
        return incident
    return _in_thread(record, results, "first")


def add_form(title):
    return {
        "title": title, "discovered_at_0": "2026-06-05", "discovered_at_1": "09:00:00",
        "risk_level": "high", "unencrypted_pi_acquired": "unknown", "significant_harm": "unknown",
        "kind": "personal_data", "aqara_role": "controller",
        "populations-TOTAL_FORMS": "1", "populations-INITIAL_FORMS": "0",
        "populations-0-jurisdiction": "EU", "populations-0-people_min": "40", "populations-0-people_max": "40",
        "obligations-TOTAL_FORMS": "0", "obligations-INITIAL_FORMS": "0",
        "timeline-TOTAL_FORMS": "0", "timeline-INITIAL_FORMS": "0",
        "narratives-TOTAL_FORMS": "0", "narratives-INITIAL_FORMS": "0",
        "_change_reason": "reported by the SOC",
    }


def test_the_service_gives_the_second_of_two_simultaneous_incidents_the_next_reference(staff_user, manager_user):
    barrier = threading.Barrier(2)
    results = {}
    first = _hold_an_uncommitted_incident(staff_user, barrier, results)

    def second():
        barrier.wait(timeout=30)
        return make_incident(by=manager_user, title="second")

    other = _in_thread(second, results, "second")
    first.join(60)
    other.join(60)
    assert not isinstance(results["first"], Exception), results["first"]
    assert not isinstance(results["second"], Exception), results["second"]
    references = sorted(Incident.objects.values_list("reference", flat=True))
    assert len(references) == 2 and len(set(references)) == 2
    assert all(REFERENCE.fullmatch(r) for r in references)
    number = [int(r.rsplit("-", 1)[1]) for r in references]
    assert number[1] == number[0] + 1  # the second took the next number, not an error
    assert Incident.objects.get(title="second").obligations.exists()  # and its obligations were computed


def test_the_admin_add_page_records_an_incident_while_another_is_being_recorded(staff_user, manager_user):
    barrier = threading.Barrier(2)
    results = {}
    first = _hold_an_uncommitted_incident(staff_user, barrier, results)
    client = Client()
    client.force_login(manager_user)

    def post():
        barrier.wait(timeout=30)
        return client.post("/admin/breach_app/incident/add/", add_form("via the admin"))

    other = _in_thread(post, results, "admin")
    first.join(60)
    other.join(60)
    assert not isinstance(results["first"], Exception), results["first"]
    response = results["admin"]
    assert not isinstance(response, Exception), response
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Incident.objects.get(title="via the admin")
    assert created.reference != results["first"].reference
    assert created.owner == manager_user
    record = created.history.get()
    assert record.history_user == manager_user and record.history_change_reason == "reported by the SOC"
    assert created.populations.get().jurisdiction == "EU"
    assert created.obligations.filter(code__startswith="EU").exists()


def test_two_people_on_the_admin_add_page_at_the_same_moment_both_succeed(staff_user, manager_user):
    barrier = threading.Barrier(2)
    results = {}

    def poster(user, title):
        client = Client()
        client.force_login(user)
        data = add_form(title)

        def post():
            barrier.wait(timeout=30)
            return client.post("/admin/breach_app/incident/add/", data)
        return post

    threads = [_in_thread(poster(staff_user, "staff's"), results, "staff"),
               _in_thread(poster(manager_user, "manager's"), results, "manager")]
    for thread in threads:
        thread.join(60)
    for key in ("staff", "manager"):
        assert not isinstance(results[key], Exception), results[key]
        assert results[key].status_code == 302, results[key].content.decode()[:2000]
    references = list(Incident.objects.values_list("reference", flat=True))
    assert len(references) == 2 and len(set(references)) == 2
