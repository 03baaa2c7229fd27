"""A state regulator's "N days after the resident notice" runs from the notice to that state's
residents: sending California's notice starts California's Attorney General clock, not Iowa's."""

from datetime import datetime, timezone

import pytest
import time_machine

from breach_app import services
from breach_app.models import NoticeDraft, Obligation

from .factories import codes, make_incident

pytestmark = pytest.mark.django_db
UTC = timezone.utc


def send_resident_notice(obligation, *, staff, manager, at):
    with time_machine.travel(at, tick=False):
        draft = NoticeDraft.objects.create(obligation=obligation, language="en", kind="user_notice",
                                           body="Notice of Data Breach (as mailed).")
        services.notice_draft_approve(draft=draft, by=manager)
        services.obligation_mark_sent(obligation=Obligation.objects.get(pk=obligation.pk), by=staff,
                                      channel="first-class mail")


def test_each_states_regulator_clock_starts_with_its_own_residents_notice(staff_user, manager_user):
    incident = make_incident(by=staff_user, discovered_at=datetime(2026, 6, 1, 15, 0, tzinfo=UTC),
                             populations={"US-CA": {"people_min": 600}, "US-IA": {"people_min": 600}})
    obligations = codes(incident)
    # Cal. Civ. Code §1798.82(f): AG (> 500) within 15 days after the resident notice; Iowa Code
    # §715C.2(8): AG (>= 500) within 5 business days after the resident notice. Neither is sent yet.
    assert obligations["US-CA-AG"].deadline_kind == "pending_trigger"
    assert obligations["US-IA-AG"].deadline_kind == "pending_trigger"

    # California's notice goes out Mon 2026-06-08 16:00 UTC (09:00 PDT): day 0 is Mon 8 June in Los
    # Angeles, +15 -> Tue 23 June, ending 23:59:59.999999 PDT = 2026-06-24 06:59:59.999999 UTC.
    send_resident_notice(obligations["US-CA-IND"], staff=staff_user, manager=manager_user,
                         at=datetime(2026, 6, 8, 16, 0, tzinfo=UTC))
    obligations = codes(incident)
    assert obligations["US-CA-AG"].deadline == datetime(2026, 6, 24, 6, 59, 59, 999999, tzinfo=UTC)
    # Iowa's residents have not been told yet: Iowa's clock has not started.
    assert obligations["US-IA-AG"].deadline_kind == "pending_trigger"
    assert obligations["US-IA-AG"].deadline is None

    # Iowa's notice goes out Wed 2026-06-10 15:00 UTC (10:00 CDT). Business days after it: Thu 11,
    # Fri 12, Mon 15, Tue 16, Wed 17 -> end of Wed 17 June CDT (UTC-5) = 2026-06-18 04:59:59.999999 UTC.
    send_resident_notice(obligations["US-IA-IND"], staff=staff_user, manager=manager_user,
                         at=datetime(2026, 6, 10, 15, 0, tzinfo=UTC))
    obligations = codes(incident)
    assert obligations["US-IA-AG"].deadline == datetime(2026, 6, 18, 4, 59, 59, 999999, tzinfo=UTC)
    assert obligations["US-CA-AG"].deadline == datetime(2026, 6, 24, 6, 59, 59, 999999, tzinfo=UTC)
