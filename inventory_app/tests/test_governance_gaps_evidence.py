"""The audit evidence "assessments current" counts the assessments as they stood during the audited
period (from their approval, outdated and superseded dates), not as they stand today."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from conftest import MANAGER, make_user
from inventory_app import audits, governance
from inventory_app.models import ComplianceAudit, ImpactAssessment, ProcessingActivity

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
JUDGEMENT = {"lawfulness_necessity": "Contract necessity.", "risks": "Low.", "residual_risk": "low",
             "officer_opinion": "Agree."}


def on(month, day, year=2026):
    return datetime(year, month, day, 10, 0, tzinfo=SHANGHAI)


def approve(staff, manager, when, *, title, reassess=None):
    if reassess is None:
        assessment = governance.assessment_create_from_activities(
            activities=ProcessingActivity.objects.filter(code__in=["cn-booking"]), by=staff, title=title)
    else:
        assessment = governance.assessment_reassess(assessment=reassess, by=staff)
    for name, value in JUDGEMENT.items():
        setattr(assessment, name, value)
    assessment.save()
    return governance.assessment_approve(assessment=assessment, by=manager, now=when)


def test_assessments_counted_as_they_stood_in_the_period(seeded, staff_user, manager_user):
    second = make_user("manager2", MANAGER)
    # Audited period Thu 2026-01-01 – Tue 2026-06-30 (its end: 2026-06-30 23:59:59 in Shanghai).
    after = approve(staff_user, manager_user, on(2, 10), title="outdated after the period")
    governance.assessment_mark_outdated(assessment=after, diff=[], now=on(8, 5))  # Wed 5 Aug: after → current then
    within = approve(staff_user, manager_user, on(2, 10), title="outdated within the period")
    governance.assessment_mark_outdated(assessment=within, diff=[], now=on(5, 20))  # Wed 20 May: outdated then
    approve(staff_user, manager_user, on(7, 1), title="approved after the period")  # not there yet: not counted
    replaced = approve(staff_user, manager_user, on(1, 15), title="replaced within the period")
    approve(staff_user, second, on(4, 1), reassess=replaced, title="")  # Wed 1 Apr: replaces it
    assert ImpactAssessment.objects.filter(status="outdated").count() == 2  # as they stand today

    controller = after.controller
    audit = audits.audit_save(audit=ComplianceAudit(controller=controller, auditor="Internal audit",
                                                    period_start=date(2026, 1, 1), period_end=date(2026, 6, 30)),
                              by=staff_user)
    evidence = audits.audit_evidence(audit=audit)
    # At 2026-06-30: current = "after" and the reassessment; outdated = "within"; the replaced one and
    # the one approved in July are not counted.
    assert (evidence.assessments_current, evidence.assessments_outdated) == (2, 1)

    # A first-quarter audit (to Tue 2026-03-31): "after", "within" and the not-yet-replaced one are current.
    q1 = audits.audit_save(audit=ComplianceAudit(controller=controller, auditor="Internal audit",
                                                 period_start=date(2026, 1, 1), period_end=date(2026, 3, 31)),
                           by=staff_user)
    evidence = audits.audit_evidence(audit=q1)
    assert (evidence.assessments_current, evidence.assessments_outdated) == (3, 0)


def test_boundary_outdated_at_the_last_moment_of_the_period(seeded, staff_user, manager_user):
    assessment = approve(staff_user, manager_user, on(2, 10), title="edge")
    # Outdated Tue 2026-06-30 23:59 (in the period) vs Wed 2026-07-01 00:00 (after it).
    governance.assessment_mark_outdated(assessment=assessment, diff=[],
                                        now=datetime(2026, 6, 30, 23, 59, tzinfo=SHANGHAI))
    end = datetime(2026, 6, 30, 23, 59, 59, tzinfo=SHANGHAI)
    assert audits.assessments_as_of(controller=assessment.controller, at=end) == (0, 1)
    ImpactAssessment.objects.filter(pk=assessment.pk).update(outdated_at=datetime(2026, 7, 1, 0, 0, tzinfo=SHANGHAI))
    assert audits.assessments_as_of(controller=assessment.controller, at=end) == (1, 0)
