"""Browser walk of one impact assessment: staff start it from the activity list (pre-filled from the
inventory) and write the judgement in English; the manager approves it in Chinese; staff then edit
the covered activity, and the manager sees the assessment outdated with the change.

Uses the e2e fixtures (Debian's Chromium, live server with the demo loaded)."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from inventory_app.models import ImpactAssessment, ProcessingActivity
from tests.e2e.conftest import browsers, chromium, demo  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def zh(text: str) -> str:
    with translation.override("zh-hans"):
        return gettext(text)


def test_assessment_from_prefill_to_approval_to_outdated(browsers, demo):  # noqa: F811
    activity = ProcessingActivity.objects.get(code="cn-support")
    staff = browsers.login("staff", language="en")
    staff.goto("/admin/inventory_app/processingactivity/?q=cn-support")
    staff.check(f"input[name=_selected_action][value='{activity.pk}']")
    staff.select_option("select[name=action]", "start_impact_assessment")
    with staff.expect_navigation():
        staff.click("button[name=index]")
    expect(staff.locator("ul.messagelist")).to_contain_text("pre-filled from the inventory")
    assessment = ImpactAssessment.objects.get(activities=activity)
    # Pre-filled: the activity's purpose and security measures, and what the inventory says of it.
    expect(staff.locator("#id_description")).to_have_value(f"cn-support: {activity.purpose_zh}")
    expect(staff.locator(".field-activities_display")).to_contain_text(activity.retention)
    staff.fill("#id_lawfulness_necessity", "Necessary to answer the user's own support request.")
    staff.fill("#id_risks", "Chat transcripts may hold more than needed.")
    staff.select_option("#id_residual_risk", "low")
    staff.fill("#id_officer_opinion", "Agreed; review the transcript retention.")
    with staff.expect_navigation():
        staff.click("input[name=_save]")
    expect(staff.locator("ul.messagelist li.success")).to_be_visible()

    manager = browsers.login("manager", locale="zh-CN", language="zh-hans")
    manager.goto(f"/admin/inventory_app/impactassessment/{assessment.pk}/change/")
    with manager.expect_navigation():
        manager.click(f"input[value='{zh('Approve (freezes what was assessed)')}']")
    expect(manager.locator("ul.messagelist li.success")).to_contain_text(assessment.reference)
    assessment.refresh_from_db()
    assert assessment.status == ImpactAssessment.Status.APPROVED

    staff.goto(f"/admin/inventory_app/processingactivity/{activity.pk}/change/")
    staff.fill("#id_retention", "Transcripts deleted 90 days after the ticket closes")
    staff.fill("#id_change_reason", "Shorter transcript retention")
    with staff.expect_navigation():
        staff.click("input[name=_save]")
    expect(staff.locator("ul.messagelist")).to_contain_text(f"{assessment.reference} covers this and is now outdated")

    manager.goto(f"/admin/inventory_app/impactassessment/{assessment.pk}/change/")
    expect(manager.locator(".field-status")).to_contain_text(zh("outdated: reassessment due"))
    expect(manager.locator(".field-diff_display")).to_contain_text("Transcripts deleted 90 days after the ticket closes")
    expect(manager.locator(f"input[value='{zh('Start a reassessment')}']")).to_be_visible()
