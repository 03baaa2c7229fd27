"""The public request form in headless Chromium: a person in China fills it in in Chinese, the
confirmation mail arrives at a real SMTP server on loopback, the link is opened and confirmed, the
page shows the reference, the acknowledgement follows by mail, and staff find the case in the admin.
The ``browsers`` fixture fails the test on any console error (a script the Content-Security-Policy
blocked included), JavaScript error or HTTP 5xx."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from requests_app.models import Channel, RightsRequest
from tests.e2e.conftest import keep_screenshot
from tests.integration.conftest import SMTPSink

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REQUESTER = "王芳"
ADDRESS = "wang.fang@example.cn"


@pytest.fixture
def smtp(settings, demo):
    """A real SMTP server on loopback receiving what the live server sends; Celery tasks (the
    acknowledgement) run in the server's thread."""
    from privacy_office.celery import app

    sink = SMTPSink()
    sink.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", sink.port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = demo.url
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield sink
    app.conf.task_always_eager = False
    sink.stop()


def test_a_request_sent_in_chinese_is_confirmed_by_mail_and_reaches_the_admin(browsers, smtp):
    page = browsers.new_page("requester", locale="zh-CN")
    page.goto("/request/")
    page.wait_for_url("**/request/zh-hans/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("h1")).to_have_text("个人信息权利请求")
    expect(page.locator("#switch-en")).to_have_text("English")
    keep_screenshot(page, "public-form-zh.png", full_page=True)

    page.fill("#id_requester_name", REQUESTER)
    page.fill("#id_requester_email", ADDRESS)
    # The request types follow the place: the PIPL Art. 49 type exists in mainland China only.
    deceased = page.locator("#id_request_type option[value=deceased_relative]")
    page.select_option("#id_jurisdiction", "EU")
    expect(deceased).to_be_disabled()
    page.select_option("#id_jurisdiction", "CN")
    expect(deceased).to_be_enabled()
    page.select_option("#id_request_type", "access")
    # The fields of someone acting for another person show only when that is chosen.
    expect(page.locator("#acting-for")).to_be_hidden()
    page.check("input[name=relationship][value=agent]")
    expect(page.locator("#acting-for")).to_be_visible()
    page.check("input[name=relationship][value=self]")
    expect(page.locator("#acting-for")).to_be_hidden()
    page.fill("#id_account_id", "138****0000")
    page.fill("#id_description", "请提供我的 Aqara 账号中保存的全部个人信息副本。")
    page.get_by_role("button", name="提交请求").click()
    expect(page.locator("h1")).to_have_text("请查收电子邮件")
    assert not RightsRequest.objects.filter(requester_email=ADDRESS).exists()

    [message] = smtp.inbox.wait_for(1)
    assert message["To"] == ADDRESS
    assert message["Subject"].strip() == "请确认您的个人信息权利请求"
    body = message.get_content()
    link = re.search(r"(http://\S+/request/zh-hans/confirm/\S+/)", body).group(1)

    page.goto(link)
    expect(page.locator("h1")).to_have_text("确认您的请求")
    expect(page.locator("dl.summary")).to_contain_text(REQUESTER)
    page.get_by_role("button", name="确认并提交请求").click()
    expect(page.locator("h1")).to_have_text("您的请求已登记")
    case = RightsRequest.objects.get(requester_email=ADDRESS)
    expect(page.locator("#reference")).to_have_text(case.reference)
    assert (case.channel, case.jurisdiction, case.requester_time_zone) == (Channel.WEB_FORM, "CN", "Asia/Shanghai")
    assert case.received_at == case.public_submission.confirmed_at

    messages = smtp.inbox.wait_for(2)
    assert len(messages) == 2
    acknowledgement = messages[1]
    # (The header as parsed may keep the space of a folded line.)
    assert acknowledgement["Subject"].strip() == f"我们已收到您的请求 {case.reference}"
    assert f"{REQUESTER}，您好" in acknowledgement.get_body(preferencelist=("plain",)).get_content()
    # Sent as every letter is: the signed copy (PDF) goes with it.
    assert [part.get_content_type() for part in acknowledgement.iter_attachments()] == ["application/pdf"]
    case.refresh_from_db()
    assert case.acknowledged_at is not None

    # Staff find it in the admin, in Chinese, with the form's note on its timeline.
    staff = browsers.login("staff", locale="zh-CN")
    staff.goto(f"/admin/requests_app/rightsrequest/?q={case.reference}")
    row = staff.locator("#result_list tbody tr", has_text=case.reference)
    expect(row).to_have_count(1)
    staff.goto(f"/admin/requests_app/rightsrequest/{case.pk}/change/")
    expect(staff.locator("body")).to_contain_text("通过公开请求表单提交")
    expect(staff.locator("#id_requester_name")).to_have_value(REQUESTER)
    expect(staff.locator("#id_channel")).to_have_value(Channel.WEB_FORM)


def test_the_form_in_english_switches_to_chinese(browsers, smtp):
    page = browsers.new_page("visitor", locale="en-US")
    page.goto("/request/")
    page.wait_for_url("**/request/en/")
    expect(page.locator("h1")).to_have_text("Your privacy request")
    keep_screenshot(page, "public-form-en.png", full_page=True)
    page.click("#switch-zh-hans")
    page.wait_for_url("**/request/zh-hans/")
    expect(page.locator("h1")).to_have_text("个人信息权利请求")
