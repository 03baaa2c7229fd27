"""Response drafts come from the zh-hans/en templates, list the inventory, and freeze when sent."""

import pytest
from django.core.exceptions import ValidationError

from requests_app import letters, services
from requests_app.models import DraftKind

from .factories import at, make_case, make_inventory, refuse

pytestmark = pytest.mark.django_db


def test_access_response_lists_the_inventory_for_the_requesters_services(staff_user):
    service, processor = make_inventory()
    case = make_case(services=[service])
    draft = letters.draft_generate(case=case, kind=DraftKind.ACCESS_RESPONSE, language="en", by=staff_user)
    assert case.reference in draft.subject
    body = draft.body
    assert "To create and manage your account" in body  # purpose
    assert "Cloud Hosting Ltd" in body  # recipient (processor)
    assert "E-mail address" in body  # data category field
    assert "Until the account is cancelled" in body  # retention
    assert "- Germany (Cloud Hosting Ltd): EU Standard Contractual Clauses" in body  # transfer
    assert "Aqara Home app" in body  # source/service
    # Activities of services the requester does not use are not listed.
    assert "To show adverts" not in body and "Ad Network Inc" not in body


def test_access_response_in_chinese(staff_user):
    service, _processor = make_inventory(serves="cn")
    case = make_case(jurisdiction="CN", services=[service], received_at=at(2026, 3, 2, 2))
    draft = letters.draft_generate(case=case, kind=DraftKind.ACCESS_RESPONSE, language="zh-hans", by=staff_user)
    assert draft.language == "zh-hans"
    assert "为您创建并管理账号" in draft.body
    assert "云服务商" in draft.body
    assert "处理目的" in draft.body


@pytest.mark.parametrize("kind", [k for k in DraftKind.values if k not in ("extension_notice", "refusal")])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_template_renders(staff_user, kind, language):
    case = make_case()
    # The general response says what was done, in the staff member's words (required for it).
    done = "Your postal address was corrected." if kind == DraftKind.RESPONSE else ""
    draft = letters.draft_generate(case=case, kind=kind, language=language, by=staff_user, reasons=done)
    assert draft.subject and case.reference in draft.subject + draft.body
    assert done in draft.body


def test_refusal_gives_reasons_and_remedies(staff_user, manager_user):
    case = make_case(jurisdiction="CN", received_at=at(2026, 3, 2, 2))
    refuse(case, by=staff_user, confirmed_by=manager_user, reasons="Repeated request")
    draft = letters.draft_generate(case=case, kind=DraftKind.REFUSAL, language="zh-hans", by=staff_user)
    assert "Repeated request" in draft.body
    assert "第五十条" in draft.body and "提起诉讼" in draft.body
    en = letters.draft_generate(case=make_case(), kind=DraftKind.REFUSAL, language="en", by=staff_user,
                                 reasons="Unfounded")
    assert "supervisory authority" in en.body and "judicial remedy" in en.body


def test_extension_notice_has_reasons_and_is_refused_after_the_original_deadline(staff_user):
    case = make_case(jurisdiction="EU")
    draft = services.dsar_extend(case=case, by=staff_user, reasons="Large volume of records", language="en",
                                 now=at(2026, 3, 20))
    assert "Large volume of records" in draft.body and "2 June 2026" in draft.body
    late = make_case(jurisdiction="EU", requester_email="late@example.com")
    with pytest.raises(ValidationError, match="Too late to extend"):
        letters.draft_generate(case=late, kind=DraftKind.EXTENSION_NOTICE, language="en", by=staff_user,
                                now=at(2026, 4, 3))


def test_sent_version_is_frozen(staff_user):
    case = make_case()
    draft = letters.draft_generate(case=case, kind=DraftKind.ACKNOWLEDGEMENT, language="en", by=staff_user)
    letters.draft_edit(draft=draft, by=staff_user, body=draft.body + "\nP.S. edited by staff")
    letters.draft_mark_sent(draft=draft, by=staff_user, now=at(2026, 3, 3))
    draft.refresh_from_db()
    assert draft.sent_body.endswith("P.S. edited by staff")
    assert draft.sent_at == at(2026, 3, 3)
    case.refresh_from_db()
    assert case.acknowledged_at == at(2026, 3, 3)
    with pytest.raises(ValidationError, match="sent version is frozen"):
        letters.draft_edit(draft=draft, by=staff_user, body="changed")
    with pytest.raises(ValidationError, match="already been sent"):
        letters.draft_mark_sent(draft=draft, by=staff_user)


def test_sent_draft_is_read_only_in_the_admin(staff_client, staff_user):
    from django.urls import reverse

    case = make_case()
    draft = letters.draft_generate(case=case, kind=DraftKind.ACKNOWLEDGEMENT, language="en", by=staff_user)
    url = reverse("admin:requests_app_responsedraft_change", args=[draft.pk])
    response = staff_client.post(url, {"subject": draft.subject, "body": "Edited in the admin", "_mark_sent": "1",
                                       "sent_by_hand_reason": "handed over at the service desk",
                                       "_loaded_version": draft.version})
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.sent_body == "Edited in the admin" and draft.sent_at
    staff_client.post(url, {"subject": "x", "body": "Changed after sending", "_loaded_version": draft.version})
    draft.refresh_from_db()
    assert draft.body == "Edited in the admin"
