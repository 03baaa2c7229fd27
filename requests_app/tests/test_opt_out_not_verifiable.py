"""A request to opt out of sale/sharing (or to limit sensitive PI) is not a verifiable request:
no proof of identity may be asked for (11 CCR §7026(d)); the third parties the data was sold or
shared to are told, on the 15-business-day clock (§7026(f))."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from requests_app import case_tasks, identity_checks, letters, services
from requests_app.models import DraftKind, Status
from requests_app.views import available_actions

from .factories import at, make_case, make_inventory

pytestmark = pytest.mark.django_db


def opt_out_case(request_type="ccpa_opt_out", jurisdiction="US-CA"):
    from inventory_app.models import ProcessingActivity, Recipient

    service, _processor = make_inventory(serves="global")
    activity = ProcessingActivity.objects.get(code="aqara-home-account")
    buyer = Recipient.objects.create(code="ad-buyer", name="广告平台", name_en="Ad Platform Inc", kind="advertising",
                                     sale_or_sharing=True)
    analytics = Recipient.objects.create(code="stats", name="统计服务", name_en="Stats Co", kind="advertising")
    activity.recipients.add(buyer, analytics)
    # Received Tuesday 17 November 2026, 10:00 in Los Angeles.
    return make_case(jurisdiction=jurisdiction, request_type=request_type, services=[service],
                     received_at=at(2026, 11, 17, 18), now=at(2026, 11, 17, 18))


@pytest.mark.parametrize("request_type", ["ccpa_opt_out", "ccpa_limit_sensitive"])
def test_proof_of_identity_cannot_be_asked_for(staff_user, request_type):
    case = opt_out_case(request_type)
    with pytest.raises(ValidationError, match="proof of identity may not be asked for") as refused:
        identity_checks.dsar_request_identity(case=case, by=staff_user, now=at(2026, 11, 17, 19))
    assert refused.value.code == "identity_forbidden"
    with translation.override("zh-hans"), pytest.raises(ValidationError, match="法律禁止要求提供身份证明"):
        letters.draft_generate(case=case, kind=DraftKind.IDENTITY_REQUEST, language="zh-hans", by=staff_user)
    with pytest.raises(ValidationError, match="11 CCR §7026"):
        services.dsar_transition(case=case, to_status=Status.AWAITING_IDENTITY, by=staff_user)
    case.refresh_from_db()
    assert case.status == Status.RECEIVED and case.identity_requested_at is None
    assert "request_identity" not in dict(available_actions(case, user=staff_user))
    # Work starts with no identity check at all.
    services.dsar_start_work(case=case, by=staff_user)
    assert case.status == Status.IN_PROGRESS


def test_an_oregon_opt_out_is_not_made_to_wait_for_identity_either(staff_user):
    # us-states.md Table 1, US-OR: opt-outs need no authentication (ORS 646A.576).
    case = make_case(jurisdiction="US-OR", request_type="opt_out", received_at=at(2026, 11, 17, 18),
                     now=at(2026, 11, 17, 18))
    with pytest.raises(ValidationError, match="proof of identity may not be asked for"):
        identity_checks.dsar_request_identity(case=case, by=staff_user, now=at(2026, 11, 17, 19))


def test_the_third_parties_data_is_sold_or_shared_to_are_told_within_15_business_days(staff_user):
    case = opt_out_case()
    # 11 CCR §7026(f): 15 business days, day 1 = Wed 18 Nov; Thanksgiving (Thu 26 Nov) is not a
    # business day: 18, 19, 20, 23, 24, 25, 27, 30 Nov, 1, 2, 3, 4, 7, 8, 9 Dec -> 9 December 2026.
    assert case.due_on == date(2026, 12, 9)
    tasks = case_tasks.tasks_create_for_services(case=case, by=staff_user, now=at(2026, 11, 17, 19))
    targets = {(t.service.code if t.service_id else t.processor.code) for t in tasks}
    # The service stops selling; the buyer is told. The processor (a service provider) and the
    # analytics provider that buys nothing get no task.
    assert targets == {"aqara-home", "ad-buyer"}
    notice = next(t for t in tasks if t.processor_id)
    assert notice.title.startswith("Third party Ad Platform Inc: tell it of the") and "§7026(f)" in notice.title
    assert all(t.due_on == date(2026, 12, 9) for t in tasks)
    # The notification is tracked: the reply (which marks the case responded) is refused while it is open.
    services.dsar_start_work(case=case, by=staff_user)
    draft = letters.draft_generate(case=case, kind=DraftKind.RESPONSE, language="en", by=staff_user,
                                   reasons="We no longer sell or share your personal information.")
    with pytest.raises(ValidationError, match="tasks are still open") as refused:
        letters.draft_mark_sent(draft=draft, by=staff_user)
    assert notice.title[:40] in refused.value.messages[0]
    draft.refresh_from_db()
    case.refresh_from_db()
    assert draft.sent_at is None and case.status == Status.IN_PROGRESS


def test_the_demo_opt_out_was_neither_verified_nor_sent_to_service_providers(demo_texts):
    facts = demo_texts["opt-out"]
    assert facts["status"] == Status.RESPONDED
    assert facts["identity_checks"] == 0 and facts["identity_documents"] == 0
    targets = {code for code, _title, _due, _done in facts["tasks"]}
    assert targets == {"aqara-home", "aqara-store", "google-ads", "meta-ads"}
    assert all(done and due == facts["due_on"] for _code, _title, due, done in facts["tasks"])
