"""A request from the public form to its clock, with every message over real servers: a person in
the UK sends an access request with the form, confirms it from the link a real SMTP server
received, staff ask for proof of identity and e-mail the letter from the case, the person answers
by e-mail into a real IMAP server (Dovecot), the mailbox is polled, and one click on the case page
records the proof with the e-mail's date: the UK clock (Art. 12A) moves.

Dates, worked by hand from UK GDPR Art. 12A ("relevant time"; one calendar month):
- confirmed Wed 2026-11-18 02:00 UTC (the pinned clock): received 2026-11-18, due Fri 2026-12-18;
- proof asked for the same day: the clock waits for it;
- the answer arrives Tue 2026-11-24 09:00 UTC: the relevant time is 2026-11-24, due Thu 2026-12-24
  (Christmas Eve is not a bank holiday in England)."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone as dt_timezone

import pytest
from playwright.sync_api import expect

from requests_app import letters
from requests_app.mailbox import mailbox_poll
from requests_app.models import DraftKind, InboundMessage, RightsRequest, Status
from tests.mailservers import PDF_BYTES, dovecot_server, make_message  # noqa: F401 (fixture)

from .test_public_form import smtp  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REQUESTER = "Emma Walker"
ADDRESS = "emma.walker@example.co.uk"
ANSWERED = datetime(2026, 11, 24, 9, 0, tzinfo=dt_timezone.utc)


def test_a_form_request_is_answered_by_mail_and_the_uk_clock_moves(browsers, smtp, dovecot_server, settings,
                                                                   _pinned_clock):
    settings.PRIVACY_MAILBOXES = {"privacy": dovecot_server.mailbox_settings(done_flag="PrivacyOfficeImported")}
    settings.LETTER_FROM_EMAIL = dovecot_server.user

    # ---- the requester: the form, in English, and the link from the mail ------------------------
    page = browsers.new_page("requester", locale="en-GB")
    page.goto("/request/en/")
    page.fill("#id_requester_name", REQUESTER)
    page.fill("#id_requester_email", ADDRESS)
    page.select_option("#id_jurisdiction", "UK")
    page.select_option("#id_request_type", "access")
    page.fill("#id_description", "Please send me a copy of the personal data you hold about me.")
    page.get_by_role("button", name="Send my request").click()
    [confirmation] = smtp.inbox.wait_for(1)
    link = re.search(r"(http://\S+/request/en/confirm/\S+/)", confirmation.get_content()).group(1)
    page.goto(link)
    page.get_by_role("button", name=re.compile("Confirm")).click()
    case = RightsRequest.objects.get(requester_email=ADDRESS)
    expect(page.locator("#reference")).to_have_text(case.reference)
    assert (case.jurisdiction, case.request_type, case.received_on, case.due_on) == (
        "UK", "access", date(2026, 11, 18), date(2026, 12, 18))
    smtp.inbox.wait_for(2)  # the acknowledgement

    # ---- staff: ask for proof of identity, and e-mail the letter from the case ----------------
    from django.contrib.auth import get_user_model

    staff_user = get_user_model().objects.get(username="staff")
    staff = browsers.login("staff", locale="en-GB")
    with staff.expect_navigation():
        staff.locator("#language-switch select").select_option("en")
    staff.goto(f"/admin/requests_app/rightsrequest/{case.pk}/change/")
    staff.locator(".case-actions a.button", has_text="Request proof of identity").click()
    staff.locator("#content-main form .submit-row input[type=submit]").click()
    staff.wait_for_url(re.compile(r"/rightsrequest/\d+/change/$"))
    case.refresh_from_db()
    assert case.status == Status.AWAITING_IDENTITY
    draft = letters.draft_generate(case=case, kind=DraftKind.IDENTITY_REQUEST, language="en", by=staff_user)
    staff.goto(f"/admin/requests_app/responsedraft/{draft.pk}/change/")
    staff.locator("input[name=_send_email]").click()
    staff.wait_for_load_state()
    letter = smtp.inbox.wait_for(3)[2]
    assert letter["To"] == ADDRESS and case.reference in letter["Subject"]

    # ---- the requester answers from their mail program, six days later ---------------------------
    _pinned_clock.move_to(ANSWERED)
    dovecot_server.append(make_message(
        sender=f"{REQUESTER} <{ADDRESS}>", to=dovecot_server.user, subject=f"Re: {letter['Subject']}",
        body="Here is my passport, as you asked.", message_id="<proof-1@example.co.uk>",
        headers={"In-Reply-To": letter["Message-ID"], "References": letter["Message-ID"]},
        attachments=[("passport.pdf", PDF_BYTES, "application/pdf")]), received=ANSWERED)
    mailbox_poll(name="privacy")  # what the beat-scheduled task does
    answer = InboundMessage.objects.get(message_key="proof-1@example.co.uk")
    assert answer.request == case and answer.awaited == InboundMessage.Awaited.IDENTITY

    # ---- staff (signed in again: a week has passed) see it on the case, and one click records it
    # with the e-mail's date ----------------------------------------------------------------------
    staff = browsers.login("staff", locale="en-GB")
    expect(staff.locator("html")).to_have_attribute("lang", "en")  # her choice of last week, kept in her profile
    staff.goto(f"/admin/requests_app/rightsrequest/{case.pk}/change/")
    button = staff.get_by_role("button", name=re.compile("Record the proof of identity as received"))
    expect(button).to_be_visible()
    button.click()
    staff.wait_for_load_state()
    case.refresh_from_db()
    assert case.identity_received_at == ANSWERED
    assert case.due_on == date(2026, 12, 24)
    staff.goto(f"/admin/requests_app/rightsrequest/{case.pk}/change/")
    expect(staff.locator(".field-due_on .readonly")).to_contain_text("2026")
    expect(staff.locator("body")).to_contain_text("passport.pdf")
