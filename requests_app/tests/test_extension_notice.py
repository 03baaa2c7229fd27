"""What happened, when: the extension counts as notified only when its notice is sent, and the
case links that notice; the response time is when the reply was sent, not the later click."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from requests_app import letters, services
from requests_app.models import DraftKind, RightsRequest, Status
from requests_app.views import available_actions

from .factories import at, make_case, send_reply
from .test_transitions import verified_case

pytestmark = pytest.mark.django_db


def test_clicking_extend_prepares_the_notice_and_sending_it_extends(staff_client, staff_user, time_machine):
    time_machine.move_to(at(2026, 3, 20), tick=False)
    case = make_case(jurisdiction="EU", assignee=staff_user)  # due Thu 2026-04-02
    url = reverse("admin:requests_app_rightsrequest_action", args=[case.pk, "extend"])
    response = staff_client.post(url, {"reasons": "Many requests at once", "language": "en",
                                       "_loaded_version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    # Before: the click itself was stamped as the notice time, and the real notice was not linked.
    assert case.extended is False and case.extension_notice_sent_at is None and case.extension_notice is None
    assert case.due_on == date(2026, 4, 2)
    notice = case.drafts.get(kind=DraftKind.EXTENSION_NOTICE)
    assert "Many requests at once" in notice.body and "2 June 2026" in notice.body  # the new date announced

    time_machine.move_to(at(2026, 3, 24, 9), tick=False)
    staff_client.force_login(staff_user)  # four days idle ended the session
    draft_url = reverse("admin:requests_app_responsedraft_change", args=[notice.pk])
    form = staff_client.get(draft_url).context["adminform"].form
    response = staff_client.post(draft_url, {"subject": notice.subject, "body": notice.body, "_mark_sent": "1",
                                             "sent_by_hand_reason": "registered post",
                                             "_loaded_version": form.instance.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.extended is True and case.due_on == date(2026, 6, 2)
    assert case.extension_notice == notice
    assert case.extension_notice_sent_at == at(2026, 3, 24, 9)


def test_an_extension_notice_sent_after_the_original_deadline_is_refused(staff_user):
    case = make_case(jurisdiction="EU")
    notice = services.dsar_extend(case=case, by=staff_user, reasons="Backlog", now=at(2026, 3, 30))
    with pytest.raises(ValidationError, match="Too late to extend"):
        letters.draft_mark_sent(draft=notice, by=staff_user, now=at(2026, 4, 3))
    case.refresh_from_db()
    notice.refresh_from_db()
    assert case.extended is False and notice.sent_at is None


def test_response_time_is_when_the_reply_was_sent_not_the_click(staff_client, staff_user, time_machine):
    case = verified_case(staff_user, assignee=staff_user)
    services.dsar_mark_response_drafted(case=case, by=staff_user)
    act = reverse("admin:requests_app_rightsrequest_action", args=[case.pk, "mark_responded"])
    # No reply sent: "mark responded" is refused rather than stamped with the click.
    body = staff_client.post(act, {"_loaded_version": RightsRequest.objects.get(pk=case.pk).version},
                             follow=True).content.decode()
    assert "No reply has been sent on this case" in body
    reply = send_reply(case, by=staff_user, now=at(2026, 3, 10, 8))
    time_machine.move_to(at(2026, 3, 14, 16), tick=False)  # the page is looked at four days later
    # Sending the reply moved the case on: responded at the sent time, no further click needed.
    case.refresh_from_db()
    assert case.status == Status.RESPONDED
    assert case.responded_at == at(2026, 3, 10, 8) and case.reply == reply
    assert "mark_responded" not in dict(available_actions(case, user=staff_user))


def test_a_correction_is_answered_with_a_response_letter_that_says_what_was_done(staff_client, staff_user, time_machine):
    case = verified_case(staff_user, assignee=staff_user, request_type="correction")
    draft_action = reverse("admin:requests_app_rightsrequest_action", args=[case.pk, "generate_draft"])
    # The response must say what was done: an empty one is refused, nothing is drafted.
    body = staff_client.post(draft_action, {"kind": "response", "language": "en", "reasons": "",
                                            "_loaded_version": RightsRequest.objects.get(pk=case.pk).version},
                             follow=True).content.decode()
    assert "Say what was done on the request" in body and not case.drafts.exists()
    staff_client.post(draft_action, {"kind": "response", "language": "en",
                                     "reasons": "Your postal address is now Kastanienallee 12, Berlin.",
                                     "_loaded_version": RightsRequest.objects.get(pk=case.pk).version})
    draft = case.drafts.get(kind=DraftKind.RESPONSE)
    assert "Your postal address is now Kastanienallee 12, Berlin." in draft.body
    assert draft.subject == f"Our answer to your request {case.reference}"

    time_machine.move_to(at(2026, 3, 12, 10), tick=False)
    letters.draft_mark_sent(draft=draft, by=staff_user)
    case.refresh_from_db()
    assert case.status == Status.RESPONDED and case.reply == draft and case.responded_at == at(2026, 3, 12, 10)
