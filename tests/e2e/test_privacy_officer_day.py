"""A privacy officer's day, driven in headless Chromium against the live server.

Privacy staff works in Chinese (switched with the header's language select), the Privacy manager
in English from Berlin (her profile's time zone and her computer's), the Auditor in English. Every
step checks what the page shows against the database, and the ``browsers`` fixture fails the test
on any console error, JavaScript error or HTTP 5xx. The pages the README shows are also checked
for words in the wrong language (the language walk's rule, ``test_page_language.py``) and, with
``WALK_SCREENSHOTS=docs/screenshots``, saved there: the README's screenshots come from this walk.
"""

from __future__ import annotations

import io
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext
from playwright.sync_api import expect

from breach_app import display, notices
from breach_app.models import Incident, NoticeDraft, Obligation
from inventory_app.models import DataLocation, ImpactAssessment, ProcessingActivity, Service
from privacy_office.models import AuditLogEntry, AuditReview
from privacy_office.jurisdictions import local_date
from privacy_office.roles import missing_permission_message
from requests_app import letters
from requests_app.rule_phrases import rule_display
from requests_app.models import (
    OPEN_STATUSES,
    ClockPause,
    DraftKind,
    IdentityCheck,
    RightsRequest,
    Status,
)
from tests.e2e.conftest import keep_screenshot
from tests.e2e.test_page_language import JS_READABLE_TEXT, foreign_words, set_time_zone, typed_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ZH = "zh-hans"
SEARCH_TERM = "手机号"
CASE_SERVICE = "aqara-home"  # the app and account: the inventory gives it many purposes and recipients
REQUESTER = "Emma Walker"
INCIDENT_TITLE = "客服工单导出文件误发至外部合作方"
BERLIN = "Europe/Berlin"


def zh(text: str, **params) -> str:
    """``text`` as the Chinese pages show it."""
    with translation.override(ZH):
        translated = gettext(str(text))
    return translated % params if params else translated


def zh_label(lazy) -> str:
    with translation.override(ZH):
        return str(lazy)


def zh_date(value) -> str:
    with translation.override(ZH):
        return formats.date_format(value, "DATE_FORMAT")


def en_verbose_name(model) -> str:
    """A model's name as the English pages show it."""
    with translation.override("en"):
        return str(model._meta.verbose_name)


def message(page, level: str = "success"):
    """The page's message of that level ("info" for the admin's message_user)."""
    return page.locator(f"ul.messagelist li.{level}")


def clock_texts(obligation: Obligation, language: str, around=None) -> set[str]:
    """What an obligation's clock may read while the page renders (the time left is truncated to
    the minute, so a page rendered a moment before or after our ``now`` may be a minute apart)."""
    around = around or timezone.now()
    with translation.override(language):
        return {
            strip_tags(display.obligation_clock_html(obligation, now=around + timedelta(seconds=s))).strip()
            for s in range(-180, 181, 15)
        }


def table_rows(page, selector: str) -> list[dict]:
    """Rows of an admin table as {css class of the cell: its text}."""
    return page.eval_on_selector_all(
        selector,
        """rows => rows.map(row => Object.fromEntries(Array.from(row.querySelectorAll('td, th'))
              .filter(cell => cell.className)
              .map(cell => [cell.className.split(' ')[0], cell.textContent.replace(/\\s+/g, ' ').trim()])))""",
    )


def look(page, language: str, shot: str | None = None, *, full_page: bool = False) -> None:
    """The page speaks ``language`` only (beyond names, codes and what people typed: the language
    walk's rule); kept as the README's screenshot ``shot`` when WALK_SCREENSHOTS is set."""
    values, text = typed_data()
    found = foreign_words(page.evaluate(JS_READABLE_TEXT), language, values, text)
    assert not found, f"{page.url} ({language}) has words in another language: {found}"
    if shot:
        keep_screenshot(page, shot, full_page=full_page)


def act(page, label: str, *, fill=None):
    """Click one of the case page's "work this case" buttons and confirm (or fill) its form."""
    page.locator(".case-actions a.button", has_text=label).click()
    expect(page.locator("#content-main form")).to_be_visible()
    if fill:
        fill(page)
    page.locator("#content-main form .submit-row input[type=submit]").click()
    page.wait_for_url(re.compile(r"/rightsrequest/\d+/change/$"))


def test_a_privacy_officers_day(browsers, demo):
    User = get_user_model()
    staff_user = User.objects.get(username="staff")
    staff = browsers.login("staff")

    # ---- 1. staff (Chinese): dashboard, inventory search, export refused -----------------------
    staff_works_in_chinese(staff)
    staff_sees_dashboard_counts(staff, staff_user)
    look(staff, ZH, "dashboard.png")
    staff_searches_inventory(staff)
    staff_cannot_export_the_record(staff, browsers)
    staff_round_trips_an_export(staff)

    # ---- 2. a UK GDPR access request, from registration to closure ----------------------------
    case = staff_works_an_access_request(staff, staff_user)

    # ---- 3. an incident affecting CN and EU users: obligations, clocks, drafts ------------------
    incident = staff_records_an_incident(staff)

    # ---- 4. manager (English, in Berlin): approvals, sending, the record export, the audit log --
    manager = browsers.login("manager", timezone_id=BERLIN)
    expect(manager.locator("html")).to_have_attribute("lang", "en")
    manager_works_in_berlin_time(manager)
    manager_approves_drafts(manager, incident)
    manager_sends_a_notice_at_a_berlin_time(manager, incident)
    manager_exports_the_record(manager)
    manager_reviews_the_audit_log(manager, staff_user, case, incident)

    # ---- 5. auditor: sees everything, changes nothing -------------------------------------------
    auditor = browsers.login("auditor")
    auditor_sees_but_cannot_change(auditor, case, incident)


# ================================================================================================
# 1. dashboard and inventory
# ================================================================================================


def staff_works_in_chinese(page):
    # Her profile says Chinese: the pages are Chinese although the browser asks for English
    # (en-US), and the header names the zone her times are in.
    expect(page.locator("html")).to_have_attribute("lang", ZH)
    expect(page.locator("#content h1")).to_have_text(zh("Work at a glance"))
    assert zh("Work at a glance") == "工作概览"
    expect(page.locator("#my-time-zone")).to_have_text(f"时区：{django_settings.TIME_ZONE}")
    # The header's list switches for this person (saved to her profile), and back.
    for language, heading in (("en", "Work at a glance"), (ZH, "工作概览")):
        with page.expect_navigation():
            page.locator("#language-switch select").select_option(language)
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("#content h1")).to_have_text(heading)


def staff_sees_dashboard_counts(page, staff_user):
    today = timezone.localdate()
    now = timezone.now()
    by_status = {s: RightsRequest.objects.filter(status=s).count() for s in OPEN_STATUSES}
    open_cases = RightsRequest.objects.filter(status__in=OPEN_STATUSES)
    live = Obligation.objects.filter(Obligation.live_q())
    expected = {
        zh("Record of processing activities"): [
            (zh("processing activities"), str(ProcessingActivity.objects.count())),
            (zh("PIA required but missing"), str(ProcessingActivity.objects.pia_missing().count())),
            (zh("with sensitive personal information"),
             str(ProcessingActivity.objects.filter(fields__field__sensitive=True).distinct().count())),
        ],
        # The governance duties (inventory_app/dashboard.py); the cross-border and audit counts are
        # checked in inventory_app's own tests, here their rows and that each shows a number.
        zh("Governance"): [
            (zh("impact assessments outdated: reassessment due"), str(ImpactAssessment.objects.outdated().count())),
            (zh("impact assessments in draft"),
             str(ImpactAssessment.objects.filter(status=ImpactAssessment.Status.DRAFT).count())),
            *[(zh(label), None) for label in (
                "handlers exporting without the required mechanism (PIPL Art. 38; 令16)",
                "cross-border activities without separate consent (PIPL Art. 39)",
                "cross-border activities without a current impact assessment (PIPL Art. 55(4))",
                "standard contract filings overdue",
                "security assessments in their renewal window",
                "mechanisms to re-file after a change of facts",
                "EU/UK transfers without SCC module or TIA, or past their review",
                "audit remediation items overdue",
                "audits ordered by a regulator, report not yet made",
                "audit and officer clocks due or past (by people handled)",
            )],
        ],
        zh("Rights requests"): [
            *[(zh_label(Status(s).label), str(by_status[s])) for s in OPEN_STATUSES],
            (zh("Due within 7 days"),
             str(open_cases.filter(due_on__gte=today, due_on__lte=today + timedelta(days=7)).count())),
            (zh("Overdue"), str(open_cases.filter(due_on__lt=today, clock_paused=False).count())),
            (zh("My open cases"), str(open_cases.filter(assignee=staff_user).count())),
        ],
        zh("Security incidents"): [
            (zh("Open incidents"), str(Incident.objects.exclude(status=Incident.Status.CLOSED).count())),
            (zh("Nearest regulator deadline"), None),  # a running clock: checked below
            (zh("Obligations overdue"), str(live.filter(deadline__lt=now).count())),
        ],
    }
    shown = page.eval_on_selector_all(
        "#dashboard .dashboard-card",
        """cards => cards.map(card => ({
              title: card.querySelector('h2').textContent.trim(),
              items: Array.from(card.querySelectorAll('tr.dashboard-item')).map(row => ({
                  label: row.querySelector('th').firstChild.textContent.trim(),
                  detail: (row.querySelector('th small') || {textContent: ''}).textContent.trim(),
                  value: row.querySelector('td').textContent.trim()}))}))""",
    )
    assert [card["title"] for card in shown] == list(expected)
    for card in shown:
        want = expected[card["title"]]
        assert [item["label"] for item in card["items"]] == [label for label, _ in want], card["title"]
        for item, (label, value) in zip(card["items"], want):
            if value is not None:
                assert item["value"] == value, f"{card['title']} / {label}: page {item['value']}, database {value}"
            else:
                assert item["value"] and (item["value"].isdigit() or label == zh("Nearest regulator deadline")), item
    # The most urgent regulator duty: an open "immediately" one (PIPL Art. 57) before any running
    # clock, else the nearest deadline; named, not coded, in the reader's language.
    regulator = live.filter(recipient=Obligation.Recipient.REGULATOR)
    nearest = (regulator.filter(Q(deadline_kind="immediately") | Q(deadline__gte=now))
               .order_by(*Obligation.URGENCY_ORDER).first())
    item = shown[3]["items"][1]
    with translation.override(ZH):
        assert item["detail"].startswith(f"{nearest.incident.reference} · {display.obligation_name(nearest)}")
        if nearest.deadline_kind == "immediately":
            assert item["value"] == zh("immediately")
        else:
            assert item["value"] in {display.time_left_text(nearest.deadline - now - timedelta(seconds=s))
                                     for s in range(-120, 121, 10)}


def staff_searches_inventory(page):
    name = zh_label(ProcessingActivity._meta.verbose_name_plural)
    page.locator("#content-main .app-inventory_app").get_by_role("link", name=name, exact=True).click()
    expect(page.locator("#searchbar")).to_be_visible()
    page.fill("#searchbar", SEARCH_TERM)
    with page.expect_navigation():
        page.press("#searchbar", "Enter")
    expect(page.locator("#searchbar")).to_have_value(SEARCH_TERM)
    codes = [text.strip() for text in page.locator("#result_list tbody .field-code").all_text_contents()]
    using = set(ProcessingActivity.objects.filter(fields__field__name_zh__contains=SEARCH_TERM)
                .values_list("code", flat=True))
    assert using, "the demo inventory has activities collecting 手机号"
    assert len(codes) == len(set(codes)), "an activity is listed twice"
    assert using <= set(codes), f"activities using {SEARCH_TERM} missing from the search: {using - set(codes)}"
    for code in set(codes) - using:  # anything else listed must at least mention the term
        activity = ProcessingActivity.objects.get(code=code)
        assert SEARCH_TERM in f"{activity.name_zh} {activity.purpose_zh}", code
    names = page.locator("#result_list tbody .field-name_zh").all_text_contents()
    assert sorted(n.strip() for n in names) == sorted(
        ProcessingActivity.objects.filter(code__in=codes).values_list("name_zh", flat=True))


def staff_cannot_export_the_record(page, browsers):
    # Export is a Privacy manager's (roles.py): staff has no link, and the URL refuses them.
    expect(page.locator(".object-tools")).to_contain_text(zh("Policy tools (个人信息收集清单)"))
    expect(page.locator(".object-tools")).not_to_contain_text(zh("Record of processing activities (XLSX)"))
    record_url = "/admin/inventory_app/processingactivity/record/?layout=gdpr"
    browsers.expect_refusal(record_url)
    response = page.goto(record_url)
    assert response.status == 403
    assert "spreadsheetml" not in (response.headers.get("content-type") or "")
    # The refusal keeps the site's header and says, in her language, what she lacks and whom to ask.
    expect(page.locator("#site-name")).to_be_visible()
    expect(page.locator("#logout-form")).to_have_count(1)
    expect(page.locator("#content h1")).to_have_text(zh("You cannot open this page"))
    with translation.override(ZH):
        lacking = missing_permission_message("inventory_app.export_processingactivity")
    assert "导出" in lacking
    expect(page.locator(".permission-denied .errornote")).to_have_text(lacking)
    expect(page.locator(".permission-denied")).to_contain_text(zh("Privacy staff"))
    look(page, ZH, "access-denied.png")


def staff_round_trips_an_export(page):
    # Staff downloads what she may import (the data locations, in Chinese) and uploads it again
    # unchanged: the preview lists nothing and counts every row as unchanged.
    page.goto("/admin/inventory_app/datalocation/export/")
    page.select_option("#id_format", label="CSV")
    page.select_option("#id_file_language", ZH)
    # "Select all" clears and ticks every column (a listener: the CSP runs no onchange attribute).
    columns = page.locator(".selectable-field-export-row input[type=checkbox]")
    page.locator("input.select-toggle").uncheck()
    assert not any(columns.nth(i).is_checked() for i in range(columns.count()))
    page.locator("input.select-toggle").check()
    assert all(columns.nth(i).is_checked() for i in range(columns.count()))
    look(page, ZH)  # the columns are named in her language, not "Name Zh"
    with page.expect_download() as info:
        page.locator("#content form input[type=submit]").click()
    with open(info.value.path(), "rb") as handle:
        exported = handle.read()
    heading = exported.decode("utf-8-sig").splitlines()[0]
    assert "代码" in heading and "code" not in heading, heading  # the file's language, chosen on export
    page.goto("/admin/inventory_app/datalocation/import/")
    page.set_input_files("#id_import_file", files=[{"name": "数据存储地.csv", "mimeType": "text/csv",
                                                    "buffer": exported}])
    page.select_option("#id_format", label="CSV")
    with page.expect_navigation():
        page.locator("#content form input[type=submit]").first.click()
    count = DataLocation.objects.count()
    expect(page.locator(".import-summary")).to_have_text(
        zh("%(new)s new, %(changed)s changed, %(unchanged)s unchanged (not listed).", new=0, changed=0,
           unchanged=count))
    expect(page.locator("table.import-changes")).to_have_count(0)
    expect(page.locator(".import-nothing")).to_have_text(
        zh("No row changes: every row of the file is as it is already."))
    expect(page.locator("input[name=confirm]")).to_have_count(0)  # nothing to confirm
    look(page, ZH, "import-round-trip.png")


# ================================================================================================
# 2. a rights request
# ================================================================================================


def staff_works_an_access_request(page, staff_user) -> RightsRequest:
    # The issue asks for a GDPR access request whose clock pauses while identity is awaited. Under
    # the EU GDPR the clock keeps running (services.py: "EU ... names no pause for identity"); only
    # the UK GDPR (ICO guidance) starts the month when the requested ID arrives. So the request is
    # a UK GDPR one: that is the GDPR case in which "sees the clock paused" is the correct outcome.
    service = Service.objects.get(code=CASE_SERVICE)
    page.goto("/admin/requests_app/rightsrequest/add/")
    expect(page.locator("#content h1")).to_contain_text(zh("Add %s") % zh_label(RightsRequest._meta.verbose_name))
    page.fill("#id_requester_name", REQUESTER)
    page.fill("#id_requester_email", "Emma.Walker@Example.co.uk")
    page.select_option("#id_jurisdiction", "UK")
    page.select_option("#id_request_type", "access")
    page.select_option("#id_channel", "email")
    page.locator("#id_received_at_0 + .datetimeshortcuts a").first.click()  # 今天
    page.locator("#id_received_at_1 + .datetimeshortcuts a").first.click()  # 现在
    expect(page.locator("#id_received_at_0")).not_to_have_value("")
    page.select_option("#id_services_from", label=str(service))
    page.click("#id_services_add")
    page.select_option("#id_assignee", label="staff")
    page.fill("#id_description", "I would like a copy of all personal data you hold about me.")
    page.click("input[name=_continue]")
    page.wait_for_url(re.compile(r"/rightsrequest/\d+/change/$"))
    case = RightsRequest.objects.get(requester_name=REQUESTER)
    expect(message(page)).to_contain_text(case.reference)
    assert case.jurisdiction == "UK" and case.request_type == "access" and case.assignee == staff_user
    assert case.requester_email == "emma.walker@example.co.uk"
    assert case.received_on == local_date(timezone.now(), "UK")
    assert list(case.services.all()) == [service]
    status = page.locator(".field-status .readonly")
    expect(status).to_have_text(zh_label(Status.RECEIVED.label))
    expect(page.locator(".field-received_on .readonly")).to_have_text(zh_date(case.received_on))
    expect(page.locator(".field-due_on .readonly")).to_have_text(zh_date(case.due_on))

    # Identity: ask for a document. The UK clock stops until it arrives.
    act(page, zh("Request proof of identity"))
    expect(message(page)).to_contain_text(zh("Request proof of identity"))
    expect(status).to_have_text(zh_label(Status.AWAITING_IDENTITY.label))
    expect(page.locator(".field-clock_paused img")).to_have_attribute("alt", "True")
    pause = page.locator("#pauses-group tbody tr.has_original")
    expect(pause).to_have_count(1)
    expect(pause).to_contain_text(zh_label(ClockPause.Reason.IDENTITY.label))
    expect(page.locator("#identity_checks-group tbody tr.has_original")).to_contain_text(
        zh_label(IdentityCheck.Outcome.PENDING.label))
    case.refresh_from_db()
    assert case.clock_paused and case.status == Status.AWAITING_IDENTITY
    # The worklist shows the stopped clock instead of days left.
    page.goto(f"/admin/requests_app/rightsrequest/?q={case.reference}")
    row = page.locator("#result_list tbody tr", has_text=case.reference)
    expect(row.locator(".field-days_left")).to_have_text(zh("clock stopped"))
    row.locator("th a").click()

    # The proof arrives: upload it (a small generated PNG), then record the check.
    proof = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    act(page, zh("Upload identity document"), fill=lambda p: p.set_input_files(
        "#id_file", files=[{"name": "passport-scan.png", "mimeType": "image/png", "buffer": proof}]))
    expect(message(page)).to_contain_text(zh("Upload identity document"))
    document_row = page.locator("#identity_documents-group tbody tr.has_original")
    expect(document_row).to_contain_text("passport-scan.png")
    expect(document_row).to_contain_text(str(len(proof)))

    def identity_form(p):
        p.select_option("#id_method", "identity_document")
        p.select_option("#id_verified", "1")
        p.fill("#id_note", "护照扫描件与账号持有人一致。")

    act(page, zh("Record identity check"), fill=identity_form)
    expect(message(page)).to_contain_text(zh("Record identity check"))
    case.refresh_from_db()
    assert case.verified_on == local_date(timezone.now(), "UK") and not case.clock_paused
    assert case.status == Status.IN_PROGRESS
    expect(status).to_have_text(zh_label(Status.IN_PROGRESS.label))
    expect(page.locator(".field-clock_paused img")).to_have_attribute("alt", "False")
    expect(page.locator(".field-verified_on .readonly")).to_have_text(zh_date(case.verified_on))
    # The due date, now counted from the verification (UK: one month from receipt of the ID).
    assert case.due_on >= case.verified_on + timedelta(days=28)
    expect(page.locator(".field-due_on .readonly")).to_have_text(zh_date(case.due_on))
    with translation.override(ZH):  # the rule the clocks stored in English, in Chinese (rule_phrases.py)
        expect(page.locator(".field-due_rule_text .readonly")).to_have_text(rule_display(case.due_rule))
    expect(pause).to_contain_text(zh_date(case.verified_on))  # the pause ended on verification

    # A task for the engineers.
    page.locator("#tasks-group .add-row a").click()
    page.fill("#id_tasks-0-title", "导出账号数据")
    page.fill("#id_tasks-0-owner", "staff")  # typed, offered from the office's staff list
    page.fill("#id_tasks-0-due_on", (case.due_on - timedelta(days=3)).isoformat())
    page.click("input[name=_continue]")
    expect(message(page)).to_be_visible()
    task_row = page.locator("#tasks-group tbody tr.has_original")
    expect(task_row).to_have_count(1)
    expect(task_row.locator(".field-title input")).to_have_value("导出账号数据")
    assert case.tasks.get().title == "导出账号数据" and case.tasks.get().owner == staff_user
    look(page, ZH, "case-clock.png")

    # The access response, listing what the inventory says about the service.
    def draft_form(p):
        p.select_option("#id_kind", DraftKind.ACCESS_RESPONSE)
        p.select_option("#id_language", ZH)

    act(page, zh("Generate a response draft"), fill=draft_form)
    expect(message(page)).to_contain_text(zh("Generate a response draft"))
    draft_row = page.locator("#drafts-group tbody tr.has_original", has_text=zh_label(DraftKind.ACCESS_RESPONSE.label))
    expect(draft_row).to_have_count(1)
    draft_row.locator("a").click()
    body = page.locator("#id_body").input_value()
    disclosure = letters.inventory_disclosure(services=[service], language=ZH)
    assert disclosure["purposes"] and disclosure["recipients"]
    for purpose in disclosure["purposes"]:
        assert f"- {purpose['name']}" in body, purpose
        assert purpose["purpose"] in body, purpose
    for recipient in disclosure["recipients"]:
        assert f"- {recipient['name']}" in body, recipient
    assert body.index("一、处理目的") < body.index("三、接收方")
    # The reply goes out, which marks the case responded: refused while the task is open, naming it,
    # and nothing is sent.
    draft_url = page.url
    task_title = case.tasks.get(done=False).title
    page.fill("#id_sent_by_hand_reason", "挂号信 / registered post")
    page.click("input[name=_mark_sent]")
    with translation.override(ZH):
        refusal = gettext("The reply cannot be sent while tasks are still open: %(tasks)s. Sending the reply marks "
                          "the case responded; finish the tasks first.") % {"tasks": f"“{task_title}”"}
    expect(message(page, "error")).to_have_text(refusal)
    expect(status).to_have_text(zh_label(Status.IN_PROGRESS.label))
    assert not case.drafts.filter(sent_at__isnull=False).exists()
    page.check("#id_tasks-0-done")
    page.click("input[name=_continue]")
    expect(message(page)).to_be_visible()
    expect(page.locator("#id_tasks-0-done")).to_be_checked()
    # Sent now: its sent time is the case's response time, with no further click.
    page.goto(draft_url)
    page.fill("#id_sent_by_hand_reason", "挂号信 / registered post")
    page.click("input[name=_mark_sent]")
    expect(message(page)).to_contain_text(zh("Marked as sent; the sent version is frozen."))
    expect(status).to_have_text(zh_label(Status.RESPONDED.label))
    expect(page.get_by_role("button", name=zh("Mark responded"))).to_have_count(0)
    act(page, zh("Close"))
    expect(status).to_have_text(zh_label(Status.CLOSED.label))
    expect(page.locator(".case-actions")).to_have_count(0)  # closed: frozen, nothing left for staff to do
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.responded_at and case.closed_at
    assert case.responded_at == case.reply.sent_at and case.reply.kind == DraftKind.ACCESS_RESPONSE
    assert not case.tasks.filter(done=False).exists()
    return case


# ================================================================================================
# 3. an incident
# ================================================================================================


def staff_records_an_incident(page) -> Incident:
    activities = list(ProcessingActivity.objects.filter(fields__field__name_zh__contains=SEARCH_TERM)
                      .distinct().order_by("code")[:2])
    now = timezone.localtime()
    discovered = now - timedelta(hours=1)
    page.goto("/admin/breach_app/incident/add/")
    expect(page.locator("#content h1")).to_contain_text(zh("Add %s") % zh_label(Incident._meta.verbose_name))
    page.fill("#id_title", INCIDENT_TITLE)
    # Each fact in each language a notice goes out in: the Chinese notices take the Chinese
    # paragraphs, the English ones the English paragraphs (one block per language).
    texts = {
        "zh-hans": {
            "description": "客服工单导出文件（含姓名、手机号、地址）被误发给一家外部合作方的邮箱。",
            "cause": "导出任务的收件人配置错误。",
            "risk_reasoning": "手机号与地址可被用于诈骗电话。",
            "likely_consequences": "用户可能收到冒充客服的诈骗电话或短信。",
            "measures_taken": "已要求合作方删除文件并书面确认；已停用该导出任务。",
            "measures_planned": "导出任务上线前双人复核收件人。",
            "self_protection_advice": "请警惕自称 Aqara 客服索要验证码的来电或短信。",
            "remedies": "设立专线为受影响用户答疑。",
            "contact_point": "Aqara 隐私办公室，privacy@aqara.example",
            "system_overview": "客服工单系统（上海、法兰克福）。",
            "pending_items": "合作方的删除确认函。",
            "investigation_results": "配置错误，无恶意访问。",
            "responsible_persons": "客服系统运维负责人。",
            "accountability": "对相关人员进行通报批评。",
            "lessons_learned": "导出任务须经复核。",
        },
        "en": {
            "description": "A customer-service ticket export (names, mobile numbers, addresses) was mailed to an "
                           "outside partner by mistake.",
            "cause": "The export job had the wrong recipient configured.",
            "risk_reasoning": "Mobile numbers and addresses can be used for fraudulent calls.",
            "likely_consequences": "Users may receive calls or messages impersonating customer service.",
            "measures_taken": "The partner was asked to delete the file and confirm in writing; the export job "
                              "was stopped.",
            "measures_planned": "Two people check an export job's recipients before it goes live.",
            "self_protection_advice": "Be wary of calls or messages claiming to be Aqara support asking for codes.",
            "remedies": "A dedicated line answers affected users' questions.",
            "contact_point": "Aqara Privacy Office, privacy@aqara.example",
            "system_overview": "Customer-service ticketing system (Shanghai, Frankfurt).",
            "pending_items": "The partner's written confirmation of deletion.",
            "investigation_results": "A configuration error; no malicious access.",
            "responsible_persons": "The ticketing system's operations lead.",
            "accountability": "The people involved were formally reprimanded.",
            "lessons_learned": "Export jobs are reviewed before they run.",
        },
    }
    for index, language in enumerate(("zh-hans", "en")):
        expect(page.locator(f"#id_narratives-{index}-language")).to_have_value(language)
        # "For the regulators' reports" opens on demand.
        page.locator(f"fieldset.collapse:has(#id_narratives-{index}-system_overview) summary").click()
        for name, value in texts[language].items():
            page.fill(f"#id_narratives-{index}-{name}", value)
    page.fill("#id_eu_affected_states", "DE, FR")
    for flag in ("confidentiality", "unauthorised_disclosure"):
        page.check(f"#id_{flag}")
    for name, when in (("occurred_from", discovered - timedelta(days=1)), ("occurred_to", discovered),
                       ("discovered_at", discovered), ("aware_at", discovered + timedelta(minutes=10)),
                       ("contained_at", discovered + timedelta(minutes=30))):
        page.fill(f"#id_{name}_0", when.strftime("%Y-%m-%d"))
        page.fill(f"#id_{name}_1", when.strftime("%H:%M"))
    page.select_option("#id_risk_level", Incident.RiskLevel.HIGH)
    for activity in activities:
        # Searched as typed (the admin's autocomplete), not picked from a list of every activity.
        page.locator("#id_affected_activities + .select2 .select2-search__field").fill(activity.code)
        page.locator(".select2-results__option", has_text=str(activity)).first.click()
    for index, (jurisdiction, people) in enumerate((("CN", 5200), ("EU", 840))):
        page.locator("#populations-group .add-row a").click()
        page.select_option(f"#id_populations-{index}-jurisdiction", jurisdiction)
        page.fill(f"#id_populations-{index}-people_min", str(people))
        page.fill(f"#id_populations-{index}-records", str(people * 2))
    page.click("input[name=_continue]")
    page.wait_for_url(re.compile(r"/incident/\d+/change/$"))
    incident = Incident.objects.get(title=INCIDENT_TITLE)
    expect(message(page)).to_contain_text(incident.reference)
    assert sorted(incident.populations.values_list("jurisdiction", flat=True)) == ["CN", "EU"]

    # What was exposed, decided field by field among the chosen activities' fields: nothing is
    # included until staff tick it.
    choices = page.locator("input[name=exposed_data]")
    page.locator("fieldset.collapse:has(input[name=exposed_data]) summary").click()  # the facts open on demand
    expect(choices.first).to_be_visible()
    assert not incident.exposed_fields.exists()
    picked = [choices.nth(i).get_attribute("value") for i in range(2)]
    for value in picked:
        page.check(f"input[name=exposed_data][value='{value}']")
    page.click("input[name=_continue]")
    page.wait_for_url(re.compile(r"/incident/\d+/change/$"))
    assert sorted(str(pk) for pk in incident.exposed_fields.values_list("field_id", flat=True)) == sorted(picked)

    # The obligations and their clocks, as the database has them.
    obligations = {o.code: o for o in incident.obligations.all()}
    assert {"CN", "EU"} == {o.jurisdiction for o in obligations.values()}
    assert {"EU-SA", "CN-CAC-INCIDENT"} <= set(obligations)
    # On top of the page, by urgency: each with its deadline, time left and drafts.
    inline = page.locator("#incident-obligations")
    expect(inline.locator("caption")).to_contain_text(zh("notification obligations and clocks"))
    rows = inline.locator("tbody tr[data-code]")
    expect(rows).to_have_count(len(obligations))
    shown = page.eval_on_selector_all(
        "#incident-obligations tbody tr[data-code]",
        """rows => rows.map(row => ({
              code: row.querySelector('.obligation-name small').textContent.trim(),
              name: row.querySelector('.obligation-name a').firstChild.textContent.trim(),
              left: row.querySelector('.obligation-time-left').textContent.trim(),
              title: (row.querySelector('.obligation-time-left span[title]') || {title: ''}).title,
              deadline: row.querySelector('.obligation-deadline').textContent.trim()}))""",
    )
    assert sorted(r["code"] for r in shown) == sorted(obligations)
    for row in shown:
        obligation = obligations[row["code"]]
        with translation.override(ZH):
            assert display.obligation_name(obligation).startswith(row["name"]), row  # named, not coded
        assert row["left"] in clock_texts(obligation, ZH), (row, obligation.deadline)
        if obligation.deadline is not None:
            with translation.override(ZH):
                assert row["title"] == formats.localize(timezone.localtime(obligation.deadline))
    eu_sa = next(r for r in shown if r["code"] == "EU-SA")
    assert re.fullmatch(zh("%(d)s d %(h)s h", d=r"\d+", h=r"\d+"), eu_sa["left"]), eu_sa  # 72 h, minus a bit

    # The regulator reports and user notices, in both languages.
    page.locator(".incident-actions button", has_text=zh("Generate drafts")).click()
    page.wait_for_url(re.compile(r"/incident/\d+/change/$"))
    drafts = NoticeDraft.objects.filter(obligation__incident=incident)
    live_codes = set(incident.obligations.live().values_list("code", flat=True))
    assert drafts.count() == 2 * len(live_codes)
    expect(message(page, "info")).to_have_text(zh("%(n)s draft(s) generated or brought up to date.", n=drafts.count()))
    kinds = set(drafts.values_list("kind", flat=True))
    assert {NoticeDraft.Kind.REGULATOR_REPORT, NoticeDraft.Kind.USER_NOTICE} <= kinds
    page.locator(".incident-links a", has_text=zh("Drafts")).click()
    listed = page.locator("#result_list tbody tr")
    expect(listed).to_have_count(drafts.count())
    expect(page.locator("#searchbar")).to_have_value(incident.reference)
    assert set(page.locator("#result_list tbody .field-incident_reference").all_text_contents()) == {incident.reference}
    for kind in (NoticeDraft.Kind.REGULATOR_REPORT, NoticeDraft.Kind.USER_NOTICE):
        expect(listed.filter(has_text=zh_label(kind.label)).first).to_be_visible()
    missing = {str(d): notices.markers_in(d.body) for d in drafts if notices.markers_in(d.body)}
    assert not missing, f"the incident's facts leave gaps in drafts: {missing}"
    return incident


# ================================================================================================
# 4. manager
# ================================================================================================


def manager_works_in_berlin_time(page):
    # Her computer and her profile are in Berlin: the header names the zone, and the admin's date
    # widgets give no "you are N hours behind server time" warning.
    set_time_zone(page, BERLIN)
    expect(page.locator("#my-time-zone")).to_have_text(f"Times in {BERLIN}")
    page.goto("/admin/breach_app/incident/add/")
    expect(page.locator("#id_discovered_at_0")).to_be_visible()
    expect(page.locator(".timezonewarning")).to_have_count(0)


def manager_approves_drafts(page, incident: Incident):
    drafts = NoticeDraft.objects.filter(obligation__incident=incident)
    # One draft opened and approved on its own page...
    first = drafts.get(obligation__code="EU-SA", language="en")
    page.goto(f"/admin/breach_app/noticedraft/{first.pk}/change/")
    expect(page.locator("#content-main")).to_contain_text("Not approved yet")
    expect(page.locator("#id_body")).to_have_value(first.body)
    page.locator(".object-tools button", has_text="Approve").click()
    expect(message(page, "info")).to_have_text("Draft approved for sending.")
    expect(page.locator("#content-main")).to_contain_text("Approved by manager")
    # ... the rest from the list, with the bulk action.
    page.goto(f"/admin/breach_app/noticedraft/?q={incident.reference}&state=unapproved")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(drafts.count() - 1)
    page.check("#action-toggle")
    page.select_option("select[name=action]", "approve")
    page.locator("button[name=index]").click()
    # Each text is shown in full before it is approved.
    expect(page.locator("#content h1")).to_have_text("Read and approve these texts")
    page.locator("input[type=submit]", has_text="Read and approve these texts").click()
    expect(message(page, "info")).to_have_text(f"{drafts.count() - 1} draft(s) approved.")
    assert not drafts.filter(approved_at__isnull=True).exists()
    assert set(drafts.values_list("approved_by__username", flat=True)) == {"manager"}
    page.goto(f"/admin/breach_app/noticedraft/?q={incident.reference}&state=approved")
    expect(page.locator("#result_list tbody tr")).to_have_count(drafts.count())
    expect(page.locator("#result_list tbody .field-approved_by").first).to_have_text("manager")
    page.goto(f"/admin/breach_app/incident/{incident.pk}/change/")
    approved = str(Obligation.Status.APPROVED.label)
    for obligation in incident.obligations.live():
        assert obligation.status == Obligation.Status.APPROVED, obligation
        expect(page.locator(f"#incident-obligations tr[data-code='{obligation.code}'] .obligation-status")).to_have_text(
            approved)


def manager_sends_a_notice_at_a_berlin_time(page, incident: Incident):
    berlin = ZoneInfo(BERLIN)
    eu_sa = incident.obligations.get(code="EU-SA")
    # The incident at a glance: the 72-hour clock's deadline in Berlin time, with the zone named.
    page.goto(f"/admin/breach_app/incident/{incident.pk}/change/")
    row = page.locator(f"#incident-obligations tr[data-code='EU-SA']")
    with translation.override("en"), timezone.override(berlin):
        expect(row.locator(".obligation-time-left span[title]")).to_have_attribute(
            "title", formats.localize(timezone.localtime(eu_sa.deadline)))
    look(page, "en", "incident-obligations.png")
    # The facts' times are shown, and would be entered, on her Berlin clock.
    discovered = timezone.localtime(incident.discovered_at, berlin)
    page.locator("fieldset.collapse:has(#id_discovered_at_0) summary").first.click()
    expect(page.locator("#id_discovered_at_0")).to_have_value(discovered.strftime("%Y-%m-%d"))
    expect(page.locator("#id_discovered_at_1")).to_have_value(re.compile("^" + discovered.strftime("%H:%M")))

    # The English regulator report went out by the portal right after its approval: she types the
    # minute as her Berlin clock showed it, and the record keeps that instant. (A minute before the
    # approval is refused: a notice cannot go out before it is approved.)
    draft = NoticeDraft.objects.get(obligation=eu_sa, language="en")
    sent = (draft.approved_at.replace(second=0, microsecond=0) + timedelta(minutes=1)).astimezone(berlin)
    assert sent.strftime("%H:%M") != timezone.localtime(sent).strftime("%H:%M")  # Berlin is not the office's zone
    page.goto(f"/admin/breach_app/noticedraft/{draft.pk}/mark-sent/")
    page.fill("#id_channel", "BfDI portal")
    page.fill("#id_reference", "BfDI-2026-4711")
    page.fill("#id_sent_at", sent.strftime("%Y-%m-%d %H:%M"))
    page.fill("#id_late_reason", "Entered after the portal upload.")
    page.locator("#content form input[type=submit]").click()
    expect(message(page, "info")).to_have_text("Marked sent; the text as sent is frozen.")
    draft.refresh_from_db()
    assert draft.sent_at == sent, (draft.sent_at, sent)  # Berlin's wall clock, not Shanghai's


def manager_exports_the_record(page):
    page.goto("/admin/inventory_app/processingactivity/")
    page.locator(".object-tools a", has_text="Record of processing activities (XLSX)").click()
    expect(page.locator("#content h1")).to_have_text("Export the record of processing activities")
    page.select_option("#id_layout", "gdpr")
    with page.expect_download() as info:
        page.locator("input[type=submit]", has_text="").last.click()
    download = info.value
    assert download.suggested_filename == "art30-record.xlsx"
    import openpyxl

    with open(download.path(), "rb") as handle:  # the download's temporary file has no .xlsx suffix
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read())).active
    rows = [row for row in sheet.iter_rows(values_only=True) if any(row)]
    assert rows[0][0] == "Processing activity"
    codes = [re.search(r"\(([^()]+)\)$", row[0]).group(1) for row in rows[1:]]
    assert sorted(codes) == sorted(ProcessingActivity.objects.values_list("code", flat=True))  # one row each


def manager_reviews_the_audit_log(page, staff_user, case: RightsRequest, incident: Incident):
    today = timezone.localdate()
    page.goto("/admin/privacy_office/auditlogentry/")
    expect(page.locator("#content h1")).to_have_text("Select audit log entry to view")
    dates = page.locator("form.date-range-filter")
    dates.locator("input[name=from]").fill(today.isoformat())
    dates.locator("input[name=to]").fill(today.isoformat())
    with page.expect_navigation():
        dates.locator("input[type=submit]").click()
    page.locator("#changelist-filter a", has_text=re.compile(r"^staff$")).click()
    page.wait_for_url(re.compile(rf"[?&]user={staff_user.pk}(&|$)"))
    assert f"from={today.isoformat()}" in page.url and f"to={today.isoformat()}" in page.url
    rows = table_rows(page, "#result_list tbody tr")
    assert rows and {row["field-user"] for row in rows} == {"staff"}
    look(page, "en", "audit-log.png")
    # The page lists that day's entries by staff, newest first, as the database has them.
    tz = timezone.get_current_timezone()
    start = datetime.combine(today, time.min, tzinfo=tz)
    entries = AuditLogEntry.objects.filter(user=staff_user, at__gte=start, at__lt=start + timedelta(days=1))
    expected = list(entries.order_by("-at", "-id").values_list("object_repr", flat=True)[:50])
    assert [row["field-record"] for row in rows] == [" ".join(r.split()) for r in expected]
    # The walk is in it. Newest first: the incident's drafts, the incident itself...
    assert entries.filter(object_repr=str(incident), action="+").exists()
    records = [row["field-record"] for row in rows]
    assert any(record.startswith(f"{incident.obligations.first().code} · ") or record == str(incident)
               for record in records)
    # ... and, narrowed to rights requests, the case from registration to closure.
    case_type = en_verbose_name(RightsRequest)
    page.locator("#changelist-filter a", has_text=re.compile(rf"^{re.escape(case_type)}$")).click()
    page.wait_for_url(re.compile(r"[?&]content_type=\d+"))
    assert f"user={staff_user.pk}" in page.url and f"from={today.isoformat()}" in page.url
    rows = table_rows(page, "#result_list tbody tr")
    case_entries = entries.filter(content_type__model="rightsrequest").order_by("-at", "-id")
    assert [row["field-record"] for row in rows] == list(case_entries.values_list("object_repr", flat=True)[:50])
    mine = [row for row in rows if row["field-record"] == case.reference]
    assert {row["field-action"] for row in mine} >= {"created", "changed"}
    assert any("“response drafted” → “responded”" in row["field-change_list"] for row in mine)
    assert any("“responded” → “closed”" in row["field-change_list"] for row in mine)

    # Record the review of what was read.
    page.locator(".object-tools a", has_text="Record a review of this period").click()
    expect(page.locator("#content h1")).to_have_text("Add audit review")
    expect(page.locator("#id_period_start")).to_have_value(re.compile(today.isoformat()))
    expect(page.locator("#id_period_end")).to_have_value(re.compile(today.isoformat()))
    expect(page.locator("#id_filter_user")).to_have_value(str(staff_user.pk))
    page.fill("#id_remark", f"Reviewed staff's work of {today}: {case.reference}, {incident.reference}. Nothing irregular.")
    page.click("input[name=_save]")
    expect(message(page)).to_contain_text("was added successfully")
    review = AuditReview.objects.get()
    assert (review.period_start, review.period_end, review.reviewed_by.username) == (today, today, "manager")
    assert case.reference in review.remark
    assert (review.filter_user, review.filter_record_type.model) == (staff_user, "rightsrequest")
    assert review.entry_count == case_entries.count() and len(review.digest) == 64
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list tbody .field-reviewed_by")).to_have_text("manager")


# ================================================================================================
# 5. auditor
# ================================================================================================


def auditor_sees_but_cannot_change(page, case: RightsRequest, incident: Incident):
    # The case: every detail, no buttons.
    page.goto(f"/admin/requests_app/rightsrequest/{case.pk}/change/")
    expect(page.locator("#content h1")).to_have_text("View rights request")
    expect(page.locator(".field-reference .readonly")).to_have_text(case.reference)
    expect(page.locator(".field-requester_name .readonly")).to_have_text(REQUESTER)
    expect(page.locator(".field-status .readonly")).to_have_text("closed")
    expect(page.locator("#case-timeline li").first).to_be_visible()
    expect(page.locator(".case-actions")).to_have_count(0)
    expect(page.locator("input[type=submit]")).to_have_count(0)
    expect(page.locator("#id_change_reason")).to_have_count(0)

    # The incident: obligations and clocks, no buttons.
    page.goto(f"/admin/breach_app/incident/{incident.pk}/change/")
    expect(page.locator("#content h1")).to_have_text("View incident")
    expect(page.locator("#incident-obligations tbody tr[data-code]")).to_have_count(incident.obligations.count())
    expect(page.locator("#incident-obligations")).to_contain_text("EU-SA")
    expect(page.locator(".incident-actions button")).to_have_count(0)
    expect(page.locator("input[type=submit]")).to_have_count(0)

    # The audit log: readable, but no review to record.
    page.goto("/admin/privacy_office/auditlogentry/")
    expect(page.locator("#result_list tbody tr").first).to_be_visible()
    rows = table_rows(page, "#result_list tbody tr")
    newest = AuditLogEntry.objects.order_by("-at", "-id")[:50]
    assert [row["field-record"] for row in rows] == [" ".join(e.object_repr.split()) for e in newest]
    assert str(AuditReview.objects.get()) in [row["field-record"] for row in rows]  # the manager's review
    expect(page.locator(".object-tools")).not_to_contain_text("Record a review of this period")

    # Forged POSTs, with a valid CSRF token: refused, and nothing changes.
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    before = (
        AuditLogEntry.objects.count(),
        RightsRequest.objects.get(pk=case.pk).version,
        Incident.objects.get(pk=incident.pk).version,
        NoticeDraft.objects.filter(obligation__incident=incident, sent_at__isnull=False).count(),
    )
    forged = [
        (f"/admin/requests_app/rightsrequest/{case.pk}/change/",
         {"requester_name": "Mallory", "jurisdiction": "UK", "request_type": "access", "channel": "email",
          "relationship": "self"}),
        (f"/admin/requests_app/rightsrequest/{case.pk}/act/withdraw/", {"note": "forged"}),
        (f"/admin/breach_app/incident/{incident.pk}/status/closed/", {"note": "forged"}),
        (f"/admin/breach_app/noticedraft/{NoticeDraft.objects.filter(obligation__incident=incident).first().pk}"
         "/mark-sent/", {"channel": "forged"}),
    ]
    for url, data in forged:
        response = page.request.post(
            url, form={"csrfmiddlewaretoken": token, **data}, headers={"X-CSRFToken": token, "Referer": page.url},
            max_redirects=0,
        )
        assert response.status == 403, (url, response.status)
        assert "CSRF" not in response.text(), f"{url} was refused for CSRF, not for the auditor's role"
    after = (
        AuditLogEntry.objects.count(),
        RightsRequest.objects.get(pk=case.pk).version,
        Incident.objects.get(pk=incident.pk).version,
        NoticeDraft.objects.filter(obligation__incident=incident, sent_at__isnull=False).count(),
    )
    assert after == before
    assert RightsRequest.objects.get(pk=case.pk).requester_name == REQUESTER
