"""Impact assessments (PIPL Arts 55–56, GDPR Art. 35): pre-filled from the inventory, approved by a
second person (which freezes what was assessed), outdated with the differences when a covered
activity changes, reminded, reassessed, kept three years, exported in zh-hans and en."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import MANAGER, make_user
from inventory_app import governance
from inventory_app.models import DataField, ImpactAssessment, ProcessingActivity, Recipient, Transfer
from privacy_office.models import Reminder
from privacy_office.reminders import reminders_sweep
from privacy_office.tests.test_concurrency import ChangeForm

pytestmark = pytest.mark.django_db

JUDGEMENT = {
    "lawfulness_necessity": "Contract necessity; only the phone number.",
    "risks": "SMS provider leak; low volume.",
    "residual_risk": "low",
    "officer_opinion": "Agree with the measures.",
}


@pytest.fixture
def second_manager(db):
    return make_user("manager2", MANAGER, first_name="Zhou", last_name="Min")


def draft(seeded, by, codes=("cn-user-registration", "cn-booking")):
    activities = ProcessingActivity.objects.filter(code__in=codes)
    assessment = governance.assessment_create_from_activities(activities=activities, by=by)
    for name, value in JUDGEMENT.items():
        setattr(assessment, name, value)
    assessment.save()
    return assessment


def approved(seeded, preparer, approver, **kw):
    return governance.assessment_approve(assessment=draft(seeded, preparer, **kw), by=approver)


def test_a_draft_is_prefilled_from_the_covered_activities(seeded, staff_user):
    assessment = governance.assessment_create_from_activities(
        activities=ProcessingActivity.objects.filter(code__in=["cn-user-registration", "cn-booking"]), by=staff_user)
    year = timezone.localdate().year
    assert assessment.reference == f"PIA-{year}-0001"
    assert assessment.status == ImpactAssessment.Status.DRAFT
    assert set(assessment.activities.values_list("code", flat=True)) == {"cn-user-registration", "cn-booking"}
    assert "cn-booking: 确认预约服务" in assessment.description
    assert "SSL" in assessment.measures
    snapshot = governance.assessment_snapshot(activity_ids=assessment.activities.values_list("pk", flat=True))
    assert any("yunpian" in r for r in snapshot["cn-booking"]["recipients"])
    assert snapshot["cn-booking"]["storage_locations"] and snapshot["cn-booking"]["fields"]


def test_activities_of_two_controllers_are_refused(seeded, staff_user):
    other = ProcessingActivity.objects.exclude(controller__code="lumi-united").first()
    assert other is not None
    with pytest.raises(ValidationError, match="one controller"):
        governance.assessment_create_from_activities(
            activities=[ProcessingActivity.objects.get(code="cn-booking"), other], by=staff_user)


def test_approval_needs_a_second_person_holding_the_approval(seeded, staff_user, manager_user):
    assessment = draft(seeded, manager_user)
    with pytest.raises(PermissionDenied, match="Can approve impact assessments"):
        governance.assessment_approve(assessment=assessment, by=staff_user)
    with pytest.raises(PermissionDenied, match="second person"):
        governance.assessment_approve(assessment=assessment, by=manager_user)
    assessment.refresh_from_db()
    assert assessment.status == ImpactAssessment.Status.DRAFT


def test_an_incomplete_assessment_is_not_approved(seeded, staff_user, manager_user):
    assessment = draft(seeded, staff_user)
    assessment.officer_opinion = ""
    assessment.save()
    with pytest.raises(ValidationError, match="opinion of the PI protection officer"):
        governance.assessment_approve(assessment=assessment, by=manager_user)


def test_approval_freezes_what_was_assessed_and_sets_retention(seeded, staff_user, manager_user):
    assessment = approved(seeded, staff_user, manager_user)
    today = timezone.localdate()
    assert assessment.status == ImpactAssessment.Status.APPROVED
    assert assessment.report_on == today and assessment.approved_by == manager_user
    # PIPL Art. 56(2): kept at least 3 years (1 March if approved on a leap day).
    assert assessment.retained_until in (today.replace(year=today.year + 3) if not (today.month == 2 and today.day == 29)
                                         else today.replace(year=today.year + 3, month=3, day=1),)
    assert len(assessment.snapshot_sha256) == 64 and set(assessment.snapshot) == {"cn-user-registration", "cn-booking"}
    assert ProcessingActivity.objects.get(code="cn-booking").pia_completed_on == today
    assert not ProcessingActivity.objects.pia_missing().filter(code="cn-booking").exists()
    with pytest.raises(ValidationError, match="cannot move"):
        governance.assessment_approve(assessment=assessment, by=manager_user)


def test_a_change_to_a_covered_activity_makes_it_outdated_with_the_diff(seeded, staff_user, manager_user):
    assessment = approved(seeded, staff_user, manager_user)
    untouched = approved(seeded, staff_user, manager_user, codes=("cn-profile",))
    booking = ProcessingActivity.objects.get(code="cn-booking")
    booking.retention = "180 days"
    booking.save()
    Transfer.objects.create(activity=booking, destination_country="DE", mechanism=Transfer.Mechanism.PIPL_CONTRACT)
    marked = governance.assessments_check_current(activity_ids=[booking.pk], by=staff_user)
    assert [a.pk for a in marked] == [assessment.pk]
    assessment.refresh_from_db()
    assert assessment.status == ImpactAssessment.Status.OUTDATED
    # Due before the changed processing continues: the office's date of the change.
    assert assessment.reassessment_due_on == timezone.localdate()
    changes = {(d["activity"], d["item"]): d for d in assessment.outdated_diff}
    assert changes[("cn-booking", "retention")]["new"] == "180 days"
    assert changes[("cn-booking", "transfers")]["new"] == "DE · pipl_contract"
    untouched.refresh_from_db()
    assert untouched.status == ImpactAssessment.Status.APPROVED
    # An unchanged inventory leaves an approved assessment current.
    assert governance.assessments_check_current() == []


def test_a_shared_field_made_sensitive_outdates_every_assessment_using_it(seeded, staff_user, manager_user):
    assessment = approved(seeded, staff_user, manager_user, codes=("cn-profile",))
    field = DataField.objects.get(name_zh="个人简介")
    field.sensitive = True
    field.save()
    assert [a.pk for a in governance.assessments_check_current()] == [assessment.pk]


def test_outdated_reminds_preparer_and_managers_once(seeded, staff_user, manager_user):
    assessment = approved(seeded, staff_user, manager_user)
    Recipient.objects.get(code="yunpian").activities.remove(ProcessingActivity.objects.get(code="cn-booking"))
    now = timezone.now()
    # The hourly reconcile finds the change (no admin save told it) and records the reminders.
    reminders_sweep(now=now)
    reminders_sweep(now=now + timedelta(minutes=1))
    assessment.refresh_from_db()
    assert assessment.status == ImpactAssessment.Status.OUTDATED
    sent = Reminder.objects.filter(kind="pia_outdated", object_id=assessment.pk)
    assert sorted(sent.values_list("recipient__username", flat=True)) == ["manager", "staff"]


def test_reassessment_supersedes_when_approved(seeded, staff_user, manager_user, second_manager):
    assessment = approved(seeded, staff_user, manager_user)
    booking = ProcessingActivity.objects.get(code="cn-booking")
    booking.automated_decision = True
    booking.save()
    governance.assessments_check_current()
    assessment.refresh_from_db()
    new = governance.assessment_reassess(assessment=assessment, by=staff_user)
    assert new.supersedes == assessment and new.risks == JUDGEMENT["risks"]
    with pytest.raises(ValidationError, match="already being drafted"):
        governance.assessment_reassess(assessment=assessment, by=staff_user)
    new = governance.assessment_approve(assessment=new, by=second_manager)
    assessment.refresh_from_db()
    assert assessment.status == ImpactAssessment.Status.SUPERSEDED
    assert new.snapshot["cn-booking"]["automated_decision"] is True


def test_the_database_refuses_an_approval_by_the_preparer(seeded, manager_user, staff_user):
    from django.db import IntegrityError, transaction

    assessment = approved(seeded, staff_user, manager_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        ImpactAssessment.objects.filter(pk=assessment.pk).update(approved_by=staff_user)


# --- through the admin --------------------------------------------------------------------------

def change_url(assessment):
    return reverse("admin:inventory_app_impactassessment_change", args=[assessment.pk])


def test_walk_from_the_activity_list_to_outdated_in_the_admin(seeded, staff_client, manager_client):
    changelist = reverse("admin:inventory_app_processingactivity_changelist")
    ids = list(ProcessingActivity.objects.filter(code__in=["cn-booking", "cn-franchise"]).values_list("pk", flat=True))
    response = staff_client.post(changelist, {"action": "start_impact_assessment", "_selected_action": ids})
    assessment = ImpactAssessment.objects.get()
    assert response.status_code == 302 and response["Location"] == change_url(assessment)
    page = staff_client.get(change_url(assessment))
    assert page.status_code == 200
    body = page.content.decode()
    assert "yunpian" in body and "The inventory as it is now" in body
    assert "Approve (freezes what was assessed)" not in body  # staff do not hold the approval
    form = ChangeForm(body)
    response = staff_client.post(change_url(assessment), form.post(**JUDGEMENT, _change_reason="assessed"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assessment.refresh_from_db()
    page = manager_client.get(change_url(assessment))
    assert "Approve (freezes what was assessed)" in page.content.decode()
    response = manager_client.post(reverse("admin:inventory_app_impactassessment_approve", args=[assessment.pk]),
                                   {"_loaded_version": assessment.version})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == ImpactAssessment.Status.APPROVED
    # Approved: nothing is edited any more.
    response = staff_client.post(change_url(assessment), {**ChangeForm(staff_client.get(change_url(assessment)).content.decode()).post(),
                                                          "risks": "rewritten"})
    assessment.refresh_from_db()
    assert assessment.risks == JUDGEMENT["risks"]
    # Staff edit a covered activity on its page: the assessment is outdated at once, with the diff.
    booking = ProcessingActivity.objects.get(code="cn-booking")
    activity_url = reverse("admin:inventory_app_processingactivity_change", args=[booking.pk])
    form = ChangeForm(staff_client.get(activity_url).content.decode())
    response = staff_client.post(activity_url, form.post(retention="30 days after the booking", _change_reason="shorter"),
                                 follow=True)
    assert "is now outdated" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == ImpactAssessment.Status.OUTDATED
    body = manager_client.get(change_url(assessment)).content.decode()
    assert "30 days after the booking" in body and "Start a reassessment" in body
    # The dashboard shows it.
    home = manager_client.get(reverse("admin:index")).content.decode()
    assert "impact assessments outdated: reassessment due" in home


def test_a_stale_approval_is_refused(seeded, staff_user, manager_client):
    assessment = draft(seeded, staff_user)
    response = manager_client.post(reverse("admin:inventory_app_impactassessment_approve", args=[assessment.pk]),
                                   {"_loaded_version": assessment.version - 1}, follow=True)
    assert "Someone else saved this record" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == ImpactAssessment.Status.DRAFT


def test_pages_in_chinese(seeded, staff_user, manager_user, manager_client):
    assessment = approved(seeded, staff_user, manager_user)
    Transfer.objects.create(activity=ProcessingActivity.objects.get(code="cn-booking"), destination_country="SG",
                            mechanism=Transfer.Mechanism.PIPL_CONTRACT)
    governance.assessments_check_current()
    changelist = manager_client.get(reverse("admin:inventory_app_impactassessment_changelist"),
                                    HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert changelist.status_code == 200 and "影响评估" in changelist.content.decode()
    page = manager_client.get(change_url(assessment), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已过时" in page and "批准后的变更" in page


@pytest.mark.parametrize("language,heading", [("en", "Personal information protection impact assessment"),
                                               ("zh-hans", "个人信息保护影响评估报告")])
def test_report_exported_as_docx_in_both_languages(seeded, staff_user, manager_user, manager_client, staff_client,
                                                   language, heading):
    import docx

    assessment = approved(seeded, staff_user, manager_user)
    url = reverse("admin:inventory_app_impactassessment_document", args=[assessment.pk, language])
    assert staff_client.get(url).status_code == 403  # exports are the managers'
    response = manager_client.get(url)
    assert response.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert heading in text and assessment.reference in text
    assert JUDGEMENT["officer_opinion"] in text and assessment.snapshot_sha256 in text
    assert "cn-booking" in text and assessment.retained_until.isoformat() in text
