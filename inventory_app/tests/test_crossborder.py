"""Cross-border provision (PIPL Arts 38–40; 令16): per-period volumes summed from 1 January, the
mechanism the engine requires, whether one is in force, filing clocks, and the dashboard flags.
Dates are worked by hand (governance-cn.md §2)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from inventory_app import crossborder
from inventory_app.governance_rules import Mechanism
from inventory_app.models import Controller, ProcessingActivity, Transfer, TransferFiling, TransferVolume

pytestmark = pytest.mark.django_db


@pytest.fixture
def lumi(seeded):
    controller = Controller.objects.get(code="lumi-united")
    controller.cii_operator, controller.important_data = False, False
    controller.save()
    return controller


def record(controller, start, end, people, sensitive=0, country="SG", by=None, **kw):
    return crossborder.transfer_volume_record(controller=controller, destination_country=country, period_start=start,
                                              period_end=end, people=people, sensitive_people=sensitive, by=by, **kw)


def test_bad_periods_and_counts_are_refused_in_words(lumi, staff_user):
    with pytest.raises(ValidationError, match="ends before it starts"):
        record(lumi, date(2026, 3, 1), date(2026, 2, 1), 10, by=staff_user)
    with pytest.raises(ValidationError, match="starts again on 1 January"):
        record(lumi, date(2026, 12, 1), date(2027, 1, 31), 10, by=staff_user)
    with pytest.raises(ValidationError, match="cannot be smaller"):
        record(lumi, date(2026, 1, 1), date(2026, 1, 31), 10, sensitive=11, by=staff_user)
    assert not TransferVolume.objects.exists()


def test_the_year_count_decides_the_mechanism_and_forecasts_the_crossing(lumi, staff_user):
    # Jan–Oct 2026: 96,600 people in total, none sensitive; last year's volumes do not count.
    record(lumi, date(2025, 1, 1), date(2025, 12, 31), 900_000, by=staff_user)
    record(lumi, date(2026, 1, 1), date(2026, 6, 30), 50_000, by=staff_user)
    record(lumi, date(2026, 7, 1), date(2026, 10, 31), 46_600, country="DE", by=staff_user)
    position = crossborder.handler_position(controller=lumi, as_of=date(2026, 11, 18))
    assert (position.people, position.decision.mechanism, position.covered) == (96_600, Mechanism.EXEMPT, True)
    # Day 322 of 2026, 300 a day → 100,000 on Mon 2026-11-30 (12 days on).
    assert position.crossings[0].on == date(2026, 11, 30)
    assert [d[0] for d in position.destinations] == ["DE", "SG"]
    # November's 3,400 reach 100,000: a standard contract (or certification) is required.
    record(lumi, date(2026, 11, 1), date(2026, 11, 17), 3_400, by=staff_user)
    position = crossborder.handler_position(controller=lumi, as_of=date(2026, 11, 18))
    assert position.decision.mechanism == Mechanism.SCC_OR_CERTIFICATION and not position.covered
    assert [p.controller for p in crossborder.handlers_uncovered(as_of=date(2026, 11, 18))] == [lumi]
    # A standard contract in effect from Mon 2026-11-16 covers it; filing due 10 working days later:
    # 17–20 (4), 23–27 (9), Mon 30 (10) → 2026-11-30.
    filing = crossborder.transfer_filing_save(
        filing=TransferFiling(controller=lumi, kind=TransferFiling.Kind.SCC, effective_on=date(2026, 11, 16)), by=staff_user)
    assert filing.filing_due_on == date(2026, 11, 30)
    assert crossborder.handler_position(controller=lumi, as_of=date(2026, 11, 18)).covered
    # The count resets on 1 January: the same handler starts 2027 exempt.
    assert crossborder.handler_position(controller=lumi, as_of=date(2027, 1, 5)).decision.mechanism == Mechanism.EXEMPT


def test_one_sensitive_person_needs_the_standard_contract(lumi, staff_user):
    record(lumi, date(2026, 1, 1), date(2026, 1, 31), 1, sensitive=1, by=staff_user)
    assert crossborder.handler_position(controller=lumi, as_of=date(2026, 2, 1)).decision.mechanism == \
        Mechanism.SCC_OR_CERTIFICATION


def test_necessity_exempt_flows_alone_stay_exempt(lumi, staff_user):
    record(lumi, date(2026, 1, 1), date(2026, 1, 31), 200_000, sensitive=20_000, necessity="contract", by=staff_user)
    assert crossborder.handler_position(controller=lumi, as_of=date(2026, 2, 1)).decision.mechanism == Mechanism.EXEMPT


def test_unassessed_cii_status_is_a_decision_and_flagged(seeded, staff_user):
    controller = Controller.objects.get(code="lumi-united")  # flags left empty
    record(controller, date(2026, 1, 1), date(2026, 1, 31), 10, by=staff_user)
    position = crossborder.handler_position(controller=controller, as_of=date(2026, 2, 1))
    assert position.decision.mechanism == Mechanism.NEEDS_DECISION and not position.covered


def test_security_assessment_clocks_and_expiry(lumi, staff_user):
    filing = crossborder.transfer_filing_save(filing=TransferFiling(
        controller=lumi, kind=TransferFiling.Kind.SECURITY_ASSESSMENT, effective_on=date(2026, 3, 10)), by=staff_user)
    # §2.12: valid to 2029-03-09; renewal window opens 60 working days before (provisional calendar).
    assert filing.expires_on == date(2029, 3, 9) and filing.renewal_opens_on < date(2028, 12, 31) and filing.provisional
    record(lumi, date(2026, 1, 1), date(2026, 1, 31), 1_000_000, by=staff_user)
    assert crossborder.handler_position(controller=lumi, as_of=date(2026, 4, 1)).covered
    # Expired: the day after the last valid day it covers nothing.
    assert crossborder.mechanism_in_force(lumi, TransferFiling.Kind.SECURITY_ASSESSMENT, date(2029, 3, 9)).exists()
    assert not crossborder.mechanism_in_force(lumi, TransferFiling.Kind.SECURITY_ASSESSMENT, date(2029, 3, 10)).exists()


def test_exports_without_separate_consent_or_assessment_are_listed(seeded):
    exporting = set(ProcessingActivity.objects.with_cross_border().values_list("code", flat=True))
    assert exporting
    no_consent = set(crossborder.transfers_without_separate_consent().values_list("code", flat=True))
    assert no_consent == set(ProcessingActivity.objects.with_cross_border().filter(
        separate_consent_required=False).values_list("code", flat=True))
    # Nothing is assessed yet: every exporting activity lacks a current assessment.
    assert set(crossborder.transfers_without_assessment().values_list("code", flat=True)) == exporting


def test_eu_outbound_needs_module_tia_and_a_review(seeded):
    today = date(2026, 11, 18)
    scc = Transfer.objects.filter(mechanism=Transfer.Mechanism.SCC).first()
    assert crossborder.eu_transfers_incomplete(today=today).filter(pk=scc.pk).exists()
    scc.scc_module, scc.tia_done_on, scc.review_on = "c2p", date(2026, 1, 10), date(2027, 1, 10)
    scc.save()
    assert not crossborder.eu_transfers_incomplete(today=today).filter(pk=scc.pk).exists()
    assert crossborder.eu_transfers_incomplete(today=date(2027, 1, 11)).filter(pk=scc.pk).exists()


# --- through the admin --------------------------------------------------------------------------

def test_volume_and_filing_through_the_admin_and_the_dashboard(lumi, staff_client, manager_client):
    today = timezone.localdate()
    start = date(today.year, 1, 1)
    response = staff_client.post(reverse("admin:inventory_app_transfervolume_add"), {
        "controller": lumi.pk, "destination_country": "sg", "period_start": start, "period_end": today,
        "people": 150_000, "sensitive_people": 200, "necessity": "", "note": "", "_change_reason": "Q data"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert TransferVolume.objects.get().destination_country == "SG"
    # A sensitive count above the total is refused on the form, in words.
    response = staff_client.post(reverse("admin:inventory_app_transfervolume_add"), {
        "controller": lumi.pk, "destination_country": "DE", "period_start": start, "period_end": today,
        "people": 5, "sensitive_people": 6, "necessity": "", "note": ""})
    assert response.status_code == 200 and "cannot be smaller" in response.content.decode()
    home = manager_client.get(reverse("admin:index")).content.decode()
    assert "handlers exporting without the required mechanism" in home
    page = manager_client.get(reverse("admin:inventory_app_controller_change", args=[lumi.pk])).content.decode()
    assert "standard contract filing or certification" in page and "NOT covered" in page
    page = manager_client.get(reverse("admin:inventory_app_controller_change", args=[lumi.pk]),
                              HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "标准合同备案或认证" in page
    response = staff_client.post(reverse("admin:inventory_app_transferfiling_add"), {
        "controller": lumi.pk, "kind": "scc", "destination_country": "SG", "effective_on": start,
        "filed_on": "", "note": "", "_change_reason": "signed"})
    assert response.status_code == 302, response.content.decode()[:3000]
    filing = TransferFiling.objects.get()
    assert filing.filing_due_on is not None and filing.filing_due_on > start
    page = manager_client.get(reverse("admin:inventory_app_controller_change", args=[lumi.pk])).content.decode()
    assert "Covered by a mechanism in force." in page
    assert manager_client.get(reverse("admin:inventory_app_transferfiling_changelist"),
                              HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200


def test_filing_reminders_before_the_filing_day_and_when_the_renewal_window_opens(lumi, staff_user, manager_user):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from inventory_app.reminders import filing_reminders
    from privacy_office.reminder_time import manager_ids

    shanghai = ZoneInfo("Asia/Shanghai")
    filing = crossborder.transfer_filing_save(filing=TransferFiling(
        controller=lumi, kind=TransferFiling.Kind.SCC, effective_on=date(2026, 9, 23)), by=staff_user)
    assert filing.filing_due_on == date(2026, 10, 14)  # worked in test_governance_rules

    def due(now):
        return {(s.kind, s.threshold) for s in filing_reminders(now=now, days=None, managers=manager_ids(),
                                                                 floor=now - timedelta(days=7))}
    # 3 days ahead (Sun 2026-10-11, 09:00 Shanghai): not before, then due.
    assert due(datetime(2026, 10, 11, 8, 59, tzinfo=shanghai)) == set()
    assert due(datetime(2026, 10, 11, 9, 0, tzinfo=shanghai)) == {("xb_filing_due", "3d:2026-10-14")}
    assert due(datetime(2026, 10, 14, 9, 0, tzinfo=shanghai)) == {("xb_filing_due", "3d:2026-10-14"),
                                                                  ("xb_filing_due", "0d:2026-10-14")}
    filing.filed_on = date(2026, 10, 12)
    crossborder.transfer_filing_save(filing=filing, by=staff_user)
    assert due(datetime(2026, 10, 14, 9, 0, tzinfo=shanghai)) == set()  # filed: nothing to remind
