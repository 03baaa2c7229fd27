"""Every CSV and XLSX export hands out text a spreadsheet shows as typed, never as a formula.

For each export endpoint a record holds each hostile text in a text field; a manager downloads the
file through the admin, the test parses it (csv / openpyxl) and finds each text with a leading
apostrophe and otherwise intact. Numbers stay numbers, control characters never break an XLSX.
"""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from breach_app.models import NoticeDraft, Obligation, TimelineEntry
from breach_app.tests.factories import make_incident
from inventory_app.models import (
    ActivityField, ComplianceAudit, Controller, DataField, DataLocation, ImpactAssessment, PeopleCount,
    ProcessingActivity, Recipient, Service, Transfer, TransferFiling, TransferVolume,
)
from privacy_office.models import AuditLogEntry, AuditReview, Reminder
from privacy_office.spreadsheets import inert
from requests_app.models import ResponseDraft, RightsRequest
from requests_app.tests.factories import make_case

pytestmark = pytest.mark.django_db

HOSTILE = (
    "=cmd|' /C calc'!A0",
    '==HYPERLINK("http://x","y")',
    "+1",
    "-1",
    "@SUM(A1)",
    "\tstarts with a tab",
    "\rstarts with a carriage return",
    "  =1+1 after spaces",
)
EXPECTED = {"'" + text for text in HOSTILE}


# --- one builder per exported model: one record per hostile text, the column to read ----------

def _controller(code="ctl"):
    return Controller.objects.get_or_create(code=code, defaults={"name_zh": "绿米"})[0]


def _activity(code="act", **extra):
    values = {"name_zh": "活动", "controller": _controller(), "pipl_basis": "contract", **extra}
    return ProcessingActivity.objects.create(code=code, **values)


def controllers(user, texts=HOSTILE):
    for i, text in enumerate(texts):
        Controller.objects.create(code=f"c{i}", name_zh="绿米", name_en=text)
    return "name_en"


def locations(user, texts=HOSTILE):
    for i, text in enumerate(texts):
        DataLocation.objects.create(code=f"l{i}", name_zh="机房", country="DE", description=text)
    return "description"


def services_(user, texts=HOSTILE):
    for i, text in enumerate(texts):
        Service.objects.create(code=f"s{i}", name_zh="应用", name_en=text, controller=_controller())
    return "name_en"


def fields_(user, texts=HOSTILE):
    for i, text in enumerate(texts):
        DataField.objects.create(code=f"f{i}", name_zh="邮箱", description=text)
    return "description"


def recipients(user, texts=HOSTILE):
    for i, text in enumerate(texts):
        Recipient.objects.create(code=f"r{i}", name="云", kind="processor", purpose=text)
    return "purpose"


def activities(user, texts=HOSTILE):
    for i, text in enumerate(texts):
        _activity(code=f"a{i}", purpose_en=text)
    return "purpose_en"


def activity_fields(user, texts=HOSTILE):
    activity = _activity()
    field = DataField.objects.create(code="email", name_zh="邮箱")
    for i, text in enumerate(texts):
        ActivityField.objects.create(activity=activity, field=field, group_zh=f"g{i}", note=text)
    return "note"


def transfers(user, texts=HOSTILE):
    for i, text in enumerate(texts):
        Transfer.objects.create(activity=_activity(code=f"a{i}"), destination_country="DE", mechanism="scc", note=text)
    return "note"


def cases(user, texts=HOSTILE):
    for text in texts:
        case = make_case()
        RightsRequest.objects.filter(pk=case.pk).update(due_rule=text)
    return "due_rule"


def response_drafts(user, texts=HOSTILE):
    case = make_case()
    for text in texts:
        ResponseDraft.objects.create(request=case, kind="acknowledgement", language="en", subject=text, body="Dear …")
    return "subject"


def incidents(user, texts=HOSTILE):
    for text in texts:
        make_incident(by=user, title=text)
    return "title"


def obligations(user, texts=HOSTILE):
    for text in texts:
        obligation = make_incident(by=user).obligations.first()
        Obligation.objects.filter(pk=obligation.pk).update(channel=text)
    return "channel"


def notice_drafts(user, texts=HOSTILE):
    # One draft per obligation, language and phase: six slots per obligation.
    slots = [(o, language, phase) for o in make_incident(by=user).obligations.all()
             for language, _name in settings.LANGUAGES for phase in ("initial", "follow_up", "final")]
    for (obligation, language, phase), text in zip(slots, texts, strict=False):
        NoticeDraft.objects.create(obligation=obligation, language=language, kind="regulator_report", phase=phase,
                                   body=text)
    assert NoticeDraft.objects.count() == len(texts)
    return "body"


def timeline(user, texts=HOSTILE):
    incident = make_incident(by=user)
    for text in texts:
        TimelineEntry.objects.create(incident=incident, at=timezone.now(), note=text, by=user)
    return "note"


def audit_log(user, texts=HOSTILE):
    ct = ContentType.objects.get_for_model(RightsRequest)
    for i, text in enumerate(texts):
        AuditLogEntry.objects.create(at=timezone.now(), user=user, content_type=ct, object_id=str(i), object_repr=text,
                                     action="~", reason="", changes=[], history_id=i)
    return "object_repr"


def audit_reviews(user, texts=HOSTILE):
    for i, text in enumerate(texts):
        AuditReview.objects.create(period_start=date(2026, 1, 1) + timedelta(days=i), period_end=date(2026, 2, 1),
                                   reviewed_by=user, remark=text)
    return "remark"


def reminders(user, texts=HOSTILE):
    ct = ContentType.objects.get_for_model(RightsRequest)
    for i, text in enumerate(texts):
        Reminder.objects.create(content_type=ct, object_id=i, kind="dsar_due_today", threshold=str(i), recipient=user,
                                due_at=timezone.now(), subject=text, last_error=text)
    return "subject"


def impact_assessments(user, texts=HOSTILE):
    for i, text in enumerate(texts):
        ImpactAssessment.objects.create(reference=f"PIA-{i}", title=text, controller=_controller(), prepared_by=user,
                                        created_at=timezone.now())
    return "title"


def transfer_volumes(user, texts=HOSTILE):
    for i, text in enumerate(texts):
        TransferVolume.objects.create(controller=_controller(), destination_country="DE", people=10 + i, note=text,
                                      period_start=date(2026, 1, 1) + timedelta(days=i),
                                      period_end=date(2026, 1, 1) + timedelta(days=i))
    return "note"


def transfer_filings(user, texts=HOSTILE):
    for i, text in enumerate(texts):
        TransferFiling.objects.create(controller=_controller(f"ctl{i}"), kind="certification",
                                      effective_on=date(2026, 3, 2), note=text)
    return "note"


def people_counts(user, texts=HOSTILE):
    for i, text in enumerate(texts):
        PeopleCount.objects.create(controller=_controller(), counted_on=date(2026, 1, 1) + timedelta(days=i),
                                   people=1_000 + i, note=text)
    return "note"


def compliance_audits(user, texts=HOSTILE):
    for i, text in enumerate(texts):
        ComplianceAudit.objects.create(reference=f"AUD-{i}", controller=_controller(), auditor=text,
                                       period_start=date(2025, 1, 1), period_end=date(2025, 12, 31))
    return "auditor"


ENDPOINTS = {
    "inventory_app_controller": controllers,
    "inventory_app_datalocation": locations,
    "inventory_app_service": services_,
    "inventory_app_datafield": fields_,
    "inventory_app_recipient": recipients,
    "inventory_app_processingactivity": activities,
    "inventory_app_activityfield": activity_fields,
    "inventory_app_transfer": transfers,
    "inventory_app_impactassessment": impact_assessments,
    "inventory_app_transfervolume": transfer_volumes,
    "inventory_app_transferfiling": transfer_filings,
    "inventory_app_peoplecount": people_counts,
    "inventory_app_complianceaudit": compliance_audits,
    "requests_app_rightsrequest": cases,
    "requests_app_responsedraft": response_drafts,
    "breach_app_incident": incidents,
    "breach_app_obligation": obligations,
    "breach_app_noticedraft": notice_drafts,
    "breach_app_timelineentry": timeline,
    "privacy_office_auditlogentry": audit_log,
    "privacy_office_auditreview": audit_reviews,
    "privacy_office_reminder": reminders,
}


# --- download and parse ------------------------------------------------------------------------

def export(client, name: str, file_format: str):
    """The admin's export form, every field of its first resource ticked, in ``file_format``."""
    url = reverse(f"admin:{name}_export")
    form = client.get(url).context["form"]
    format_index = next(value for value, label in form.fields["format"].choices if label == file_format.upper())
    resource_prefix = form.fields["resource"].choices[0][1].lower() + "_"
    ticked = {field: "on" for field in form.fields if field.startswith(resource_prefix)}
    response = client.post(url, {"format": format_index, "resource": "0", **ticked})
    assert response.status_code == 200, response.content[:500]
    assert response.get("Content-Disposition", "").startswith("attachment"), response.content[:500]
    return response.content


def table(content: bytes, file_format: str) -> list[dict]:
    if file_format == "csv":
        # newline="": a carriage return inside a quoted cell is data, not a line end.
        return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    return xlsx_table(content)


def xlsx_table(content: bytes) -> list[dict]:
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("name", ENDPOINTS)
def test_every_admin_export_neutralises_formulas(name, file_format, manager_client, manager_user):
    column = ENDPOINTS[name](manager_user)
    rows = table(export(manager_client, name, file_format), file_format)
    cells = {row[column] for row in rows}
    assert EXPECTED <= cells, sorted(map(repr, cells))


def test_the_library_escaping_is_not_what_protects_the_export(settings, manager_client, manager_user):
    # django-import-export's own escaping removed one "=" and left "=HYPERLINK(…)" live.
    assert settings.IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT is False
    column = audit_log(manager_user)
    cells = {row[column] for row in xlsx_table(export(manager_client, "privacy_office_auditlogentry", "xlsx"))}
    assert "'" + '==HYPERLINK("http://x","y")' in cells
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)


# --- the record of processing activities (hand-written workbooks) ------------------------------

def _record_activities():
    for i, text in enumerate(HOSTILE):
        _activity(code=f"a{i}", name_zh=text, name_en=text, purpose_zh=text, purpose_en=text, data_subjects=text,
                  retention=text, security_measures=text)


@pytest.mark.parametrize("layout", ["gdpr", "pipl"])
def test_art30_and_pipl_records_neutralise_formulas(layout, manager_client):
    _record_activities()
    response = manager_client.get(reverse("admin:inventory_app_record"), {"layout": layout})
    assert response.status_code == 200
    rows = xlsx_table(response.content)
    purpose = "Purposes of the processing" if layout == "gdpr" else "处理目的"
    retention = "Envisaged time limits for erasure" if layout == "gdpr" else "保存期限"
    assert {row[purpose] for row in rows} == EXPECTED
    assert {row[retention] for row in rows} == EXPECTED
    # A cell that only starts with the stored text is neutralised as a whole: "=cmd… (a0)".
    first = "Processing activity" if layout == "gdpr" else "处理活动"
    assert {row[first][:1] for row in rows} == {"'"}
    for row in rows:
        for value in row.values():
            assert not (isinstance(value, str) and value.lstrip()[:1] in "=+-@" and value), (layout, value)


def test_record_export_action_neutralises_formulas(manager_client):
    _record_activities()
    pks = list(ProcessingActivity.objects.values_list("pk", flat=True))
    changelist = reverse("admin:inventory_app_processingactivity_changelist")
    for action, purpose in (("export_gdpr_record", "Purposes of the processing"), ("export_pipl_record", "处理目的")):
        response = manager_client.post(changelist, {"action": action, "_selected_action": pks})
        assert response.status_code == 200
        assert {row[purpose] for row in xlsx_table(response.content)} == EXPECTED


# --- numbers stay numbers -------------------------------------------------------------------

def test_number_columns_stay_numbers(manager_client):
    # Decision: only text is neutralised. A number cell cannot hold a formula, so it is written as
    # a number (XLSX) or as its digits (CSV); text that looks like "-1" is text and gets the apostrophe.
    activity = _activity(position=7)
    field = DataField.objects.create(code="email", name_zh="邮箱")
    ActivityField.objects.create(activity=activity, field=field, position=3, note="-1")
    rows = xlsx_table(export(manager_client, "inventory_app_activityfield", "xlsx"))
    assert rows[0]["position"] == 3 and isinstance(rows[0]["position"], int)
    assert rows[0]["note"] == "'-1"
    rows = table(export(manager_client, "inventory_app_activityfield", "csv"), "csv")
    assert rows[0]["position"] == "3"
    rows = xlsx_table(export(manager_client, "inventory_app_processingactivity", "xlsx"))
    assert rows[0]["position"] == 7


def test_negative_numbers_are_left_alone_by_the_helper():
    # No exported model holds a negative number today (positions, attempts and ids are positive);
    # the rule for when one does: the number is written as it is.
    assert inert(-1) == -1
    assert inert(Decimal("-2.5")) == Decimal("-2.5")
    assert inert(-0.5) == -0.5
    assert inert(None) is None
    assert inert("-1") == "'-1"


# --- control characters ----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["privacy_office_auditlogentry", "inventory_app_controller", "breach_app_incident",
                                  "requests_app_responsedraft", "privacy_office_reminder"])
def test_control_characters_never_break_an_xlsx_export(name, manager_client, manager_user):
    column = ENDPOINTS[name](manager_user, texts=["Li Lei\x1bhas\x01a\x0bcontrol\x1fcharacter"])
    cells = {row[column] for row in xlsx_table(export(manager_client, name, "xlsx"))}
    assert "Li Lei\ufffdhas\ufffda\ufffdcontrol\ufffdcharacter" in cells


def test_control_characters_never_break_the_record(manager_client):
    _activity(code="esc", name_en="Account\x1b registration", purpose_en="To\x08 create accounts")
    response = manager_client.get(reverse("admin:inventory_app_record"), {"layout": "gdpr"})
    assert response.status_code == 200
    row = xlsx_table(response.content)[0]
    assert row["Processing activity"] == "Account\ufffd registration (esc)"
    assert row["Purposes of the processing"] == "To\ufffd create accounts"


def test_every_export_endpoint_is_covered_here_and_uses_the_inert_base(rf, manager_user):
    # A new admin with an export must join ENDPOINTS above, and cannot bypass the helper.
    from django.contrib import admin
    from import_export.admin import ExportMixin

    from privacy_office.spreadsheets import InertExportMixin

    request = rf.get("/")
    request.user = manager_user
    exporting = {f"{m._meta.app_label}_{m._meta.model_name}": a for m, a in admin.site._registry.items()
                 if isinstance(a, ExportMixin)}
    assert set(exporting) == set(ENDPOINTS)
    for name, model_admin in exporting.items():
        for resource in model_admin.get_export_resource_classes(request):
            assert issubclass(resource, InertExportMixin), (name, resource)
