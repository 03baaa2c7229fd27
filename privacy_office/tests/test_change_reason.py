"""A reason for change of any length the form accepts is stored whole, shown, and a longer one is
refused with a message that keeps the user's input (101-300 characters used to crash the
save with a DataError and lose the edit)."""

import pytest
from django.urls import reverse

from breach_app.models import Incident, NoticeDraft
from breach_app.tests.factories import make_incident
from privacy_office.admin_base import CHANGE_REASON_MAX_LENGTH
from privacy_office.models import AuditLogEntry
from requests_app.tests.factories import make_case
from requests_app.tests.test_admin_case_page import case_form, inline_management

pytestmark = pytest.mark.django_db

# 300 characters, mixed scripts: what a careful officer may type.
LONG_REASON = ("The requester phoned on 3 March and narrowed the request to the opt-out only; "
               "申请人来电确认只需要退出出售/共享，不再要求访问副本。 ") * 3
LONG_REASON = LONG_REASON[:300]


def _edit_case(client, case, reason, **changes):
    url = reverse("admin:requests_app_rightsrequest_change", args=[case.pk])
    management = inline_management(client.get(url))
    data = {**case_form(requester_name=case.requester_name, requester_email=case.requester_email,
                        jurisdiction=case.jurisdiction, request_type=case.request_type,
                        received_at_0=case.received_at.strftime("%Y-%m-%d"),
                        received_at_1=case.received_at.strftime("%H:%M:%S"), **changes),
            **management, "_loaded_version": case.version, "_change_reason": reason}
    return client.post(url, data)


def test_a_300_character_reason_is_stored_in_history_and_audit_log_and_shown(staff_client, manager_client,
                                                                             staff_user, settings):
    settings.TIME_ZONE = "UTC"
    assert len(LONG_REASON) == 300
    case = make_case(requester_name="Oliver Smith", requester_email="oliver@example.com", requester_phone="")
    response = _edit_case(staff_client, case, LONG_REASON, description="narrowed by phone")
    assert response.status_code == 302, response.content.decode()[:2000]

    case.refresh_from_db()
    assert case.description == "narrowed by phone"
    record = case.history.first()
    assert record.history_change_reason == LONG_REASON
    entry = AuditLogEntry.objects.get(history_id=record.history_id, content_type__model="rightsrequest")
    assert entry.reason == LONG_REASON

    history_page = staff_client.get(reverse("admin:requests_app_rightsrequest_history", args=[case.pk]))
    assert LONG_REASON in history_page.content.decode()
    audit_page = manager_client.get(reverse("admin:privacy_office_auditlogentry_changelist"))
    assert LONG_REASON in audit_page.content.decode()


def test_the_reason_box_says_its_limit(staff_client):
    case = make_case()
    page = staff_client.get(reverse("admin:requests_app_rightsrequest_change", args=[case.pk])).content.decode()
    assert f'maxlength="{CHANGE_REASON_MAX_LENGTH}"' in page
    assert f"At most {CHANGE_REASON_MAX_LENGTH} characters." in page


def test_an_over_limit_reason_is_refused_with_a_message_and_the_input_kept(staff_client, settings):
    settings.TIME_ZONE = "UTC"
    case = make_case(requester_name="Oliver Smith", requester_email="oliver@example.com", requester_phone="")
    too_long = "x" * (CHANGE_REASON_MAX_LENGTH + 1)
    response = _edit_case(staff_client, case, too_long, description="typed before saving")
    assert response.status_code == 200
    body = response.content.decode()
    assert (f"The reason for change has {CHANGE_REASON_MAX_LENGTH + 1} characters; at most "
            f"{CHANGE_REASON_MAX_LENGTH} are accepted.") in body
    assert too_long in body  # the reason typed is still in the box
    assert "typed before saving" in body  # and so is the edit
    case.refresh_from_db()
    assert case.description == ""
    assert case.history.count() == 1  # nothing saved


def test_an_over_limit_reason_is_refused_in_chinese(staff_client, settings):
    case = make_case(requester_name="Oliver Smith", requester_email="oliver@example.com", requester_phone="")
    settings.TIME_ZONE = "UTC"
    staff_client.cookies["django_language"] = "zh-hans"
    response = _edit_case(staff_client, case, "y" * (CHANGE_REASON_MAX_LENGTH + 5))
    assert response.status_code == 200
    assert "修改原因有" in response.content.decode()


def test_a_long_reason_on_a_notice_draft_edit_is_kept_whole(staff_client, staff_user):
    # The breach services used to cut the reason at 100 characters.
    incident = make_incident(by=staff_user)
    response = staff_client.post(f"/admin/breach_app/incident/{incident.pk}/generate-drafts/",
                                 {"_loaded_version": Incident.objects.get(pk=incident.pk).version}, follow=True)
    drafts = NoticeDraft.objects.filter(obligation__incident=incident).order_by("pk")
    assert drafts.exists(), response.content.decode()[:3000]
    draft = drafts.first()
    url = reverse("admin:breach_app_noticedraft_change", args=[draft.pk])
    response = staff_client.post(url, {"body": draft.body + "\nAdded a line.", "_loaded_version": draft.version,
                                       "_change_reason": LONG_REASON})
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.body.endswith("Added a line.")
    assert draft.history.first().history_change_reason == LONG_REASON


def test_a_system_reason_reads_in_the_readers_language_and_a_typed_one_as_typed(manager_client, manager_user):
    from datetime import date

    from django.conf import settings
    from django.utils.translation import gettext_noop

    from privacy_office.history import save_with_reason
    from privacy_office.models import AuditReview

    review = AuditReview(period_start=date(2026, 11, 2), period_end=date(2026, 11, 8), reviewed_by=manager_user)
    save_with_reason(review, by=manager_user, reason=gettext_noop("added in the admin"))
    review.remark = "checked"
    save_with_reason(review, by=manager_user, reason="Remark after the 9 November call")
    history = reverse("admin:privacy_office_auditreview_history", args=[review.pk])
    entry = AuditLogEntry.objects.get(content_type__model="auditreview", action="+", object_id=str(review.pk))
    detail = reverse("admin:privacy_office_auditlogentry_change", args=[entry.pk])
    audit_log = reverse("admin:privacy_office_auditlogentry_changelist")

    for url in (history, detail, audit_log):
        chinese = manager_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert "在后台新增" in chinese and "added in the admin" not in chinese, url
        english = manager_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "added in the admin" in english and "在后台新增" not in english, url
    for language, _name in settings.LANGUAGES:
        page = manager_client.get(history, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert "Remark after the 9 November call" in page
