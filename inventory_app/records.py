"""The record of processing activities (RoPA) as documents: which activities a record covers, and
the GDPR Art. 30(1) and PIPL layouts as XLSX (inert cells: ``privacy_office.spreadsheets``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from privacy_office.spreadsheets import EXPORT_CHUNK_ROWS, ExportFileResponse, xlsx_bytes, xlsx_response

from .models import (
    ActivityField, Controller, DataField, ProcessingActivity, Recipient, Service, Transfer, pia_triggers,
)


def activities_for_record(
    *, controller: Controller | None = None, service: Service | None = None, activities: QuerySet | None = None
) -> QuerySet:
    """The activities a record covers (all of them, or those of a controller, a service or a
    selection), with everything the documents print loaded up front, in the policy's order."""
    qs = ProcessingActivity.objects.with_pia_flags().select_related("controller").prefetch_related(
        "services", "storage_locations", "recipients",
        Prefetch("fields", queryset=ActivityField.objects.select_related("field").order_by("position", "id")),
        Prefetch("transfers", queryset=Transfer.objects.select_related("recipient", "location")),
    )
    if activities is not None:
        qs = qs.filter(pk__in=activities.values("pk"))
    if controller is not None:
        qs = qs.for_controller(controller)
    if service is not None:
        qs = qs.for_service(service)
    return qs.order_by("position", "code")


def activities_for_collection_list(*, controller: Controller | None = None, service: Service | None = None) -> QuerySet:
    """Only what the 个人信息收集清单 prints (each activity's name and its fields, in the policy's
    order): the policy-tools page printed it from ``activities_for_record``, whose PIA flags and five
    other prefetches it never shows, on every visit."""
    qs = ProcessingActivity.objects.prefetch_related(
        Prefetch("fields", queryset=ActivityField.objects.select_related("field").order_by("position", "id")),
    )
    if controller is not None:
        qs = qs.for_controller(controller)
    if service is not None:
        qs = qs.for_service(service)
    return qs.order_by("position", "code")


def _join(values: Iterable[str], sep: str = "; ") -> str:
    seen = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
    return sep.join(seen)


def _records(activities: QuerySet) -> Iterator[ProcessingActivity]:
    """The activities read in chunks, each chunk's related rows prefetched in one query per relation,
    so a record of any size holds one chunk in memory and costs a fixed number of queries per chunk."""
    return activities.iterator(chunk_size=EXPORT_CHUNK_ROWS)


def choice_labels(model, field_name: str) -> dict[str, str]:
    """value → label of a choices field, translated once for the whole record: ``get_FOO_display``
    per cell rebuilt and translated the choices for every field of every activity (half the time of
    a 10 s record)."""
    return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}


def _categories(activity, *, zh: bool, labels: dict[str, str] | None = None) -> str:
    by_category: dict[str, list[str]] = {}
    for af in activity.fields.all():
        label = af.field.category if zh else (labels or {}).get(af.field.category, af.field.category)
        by_category.setdefault(str(label), []).append(af.field.name_zh if zh else (af.field.name_en or af.field.name_zh))
    return "; ".join(f"{cat}: {', '.join(dict.fromkeys(names))}" for cat, names in by_category.items())


# The Art. 30 record is written for EU supervisory authorities, so its headings stay English.
GDPR_HEADERS = [
    "Processing activity", "Controller", "Controller contact", "Representative in the EU (Art. 27)",
    "DPO / privacy contact",
    "Purposes of the processing", "Legal basis (GDPR Art. 6)", "Categories of data subjects",
    "Categories of personal data", "Categories of recipients", "Transfers to third countries",
    "Safeguards for transfers", "Envisaged time limits for erasure", "Technical and organisational security measures",
]


def gdpr_rows(
    *, controller: Controller | None = None, service: Service | None = None, activities: QuerySet | None = None
) -> Iterator[list]:
    """The GDPR Art. 30(1) record's rows, one per activity, produced as they are read."""
    none = "None"
    categories = choice_labels(DataField, "category")
    gdpr_basis = choice_labels(ProcessingActivity, "gdpr_basis")
    recipient_kind = choice_labels(Recipient, "kind")
    mechanism = choice_labels(Transfer, "mechanism")
    for a in _records(activities_for_record(controller=controller, service=service, activities=activities)):
        c = a.controller
        transfers = list(a.transfers.all())
        recipients = list(a.recipients.all())
        yield [
            f"{a.name_en or a.name_zh} ({a.code})",
            _join([c.name_en, c.name_zh], " / "),
            _join([c.address, c.contact], "; ") or none,
            # Art. 30(1)(a): "the name and contact details of the controller ... and the controller's
            # representative".
            c.eu_representative_text or none,
            _join([c.dpo_name, c.dpo_email], ", ") or none,
            a.purpose_en or a.purpose_zh,
            gdpr_basis.get(a.gdpr_basis, a.gdpr_basis),
            a.data_subjects or none,
            _categories(a, zh=False, labels=categories) or none,
            _join(f"{recipient_kind.get(r.kind, r.kind)}: {r.name_en or r.name}" for r in recipients) or none,
            _join(f"{t.destination_country}" for t in transfers if t.mechanism != Transfer.Mechanism.NONE)
            or _("None (stored in: %(where)s)") % {"where": _join((loc.name_en for loc in a.storage_locations.all()), ", ") or none},
            _join(mechanism.get(t.mechanism, t.mechanism) for t in transfers if t.mechanism != Transfer.Mechanism.NONE)
            or "Not applicable",
            a.retention or none,
            a.security_measures or none,
        ]


# PIPL layout: Chinese headings by design (the document is filed with Chinese regulators).
PIPL_HEADERS = [
    "处理活动", "个人信息处理者", "联系方式", "个人信息保护负责人", "处理目的", "处理方式", "个人信息种类",
    "敏感个人信息", "个人信息主体", "法律依据", "单独同意", "保存期限", "存储地点", "接收方（委托处理/共享）",
    "跨境提供", "安全保护措施", "个人信息保护影响评估", "影响评估完成日期",
]


def pipl_rows(
    *, controller: Controller | None = None, service: Service | None = None, activities: QuerySet | None = None
) -> Iterator[list]:
    """The PIPL record's (处理活动记录) rows, one per activity, produced as they are read."""
    pipl_basis = choice_labels(ProcessingActivity, "pipl_basis")
    recipient_kind = choice_labels(Recipient, "kind")
    mechanism = choice_labels(Transfer, "mechanism")
    for a in _records(activities_for_record(controller=controller, service=service, activities=activities)):
        c = a.controller
        fields = [af.field for af in a.fields.all()]
        sensitive = [f.name_zh for f in fields if f.sensitive]
        transfers = [t for t in a.transfers.all() if t.mechanism != Transfer.Mechanism.NONE]
        reasons = pia_triggers(
            has_sensitive=a.has_sensitive, has_recipients=a.has_recipients,
            has_cross_border=a.has_cross_border, automated_decision=a.automated_decision,
        )
        yield [
            f"{a.name_zh}（{a.code}）",
            c.name_zh,
            _join([c.address, c.contact], "；") or "无",
            _join([c.dpo_name, c.dpo_email], "，") or "无",
            a.purpose_zh or a.purpose_en,
            a.processing_method or "收集、存储、使用",
            "、".join(dict.fromkeys(f.name_zh for f in fields)) or "无",
            "、".join(dict.fromkeys(sensitive)) or "无",
            a.data_subjects or "无",
            pipl_basis.get(a.pipl_basis, a.pipl_basis),
            "是" if a.separate_consent_required else "否",
            a.retention or "无",
            "、".join(loc.name_zh for loc in a.storage_locations.all()) or "无",
            _join((f"{r.name}（{recipient_kind.get(r.kind, r.kind)}）" for r in a.recipients.all()), "；") or "无",
            _join((f"{t.destination_country}：{mechanism.get(t.mechanism, t.mechanism)}" for t in transfers), "；")
            or "无",
            a.security_measures or "无",
            ("需要：" + "；".join(reasons)) if reasons else "不需要",
            a.pia_completed_on.isoformat() if a.pia_completed_on else ("未完成" if reasons else "不适用"),
        ]


# layout → (headings, rows, sheet title, file name)
RECORD_LAYOUTS = {
    "gdpr": (GDPR_HEADERS, gdpr_rows, "Art 30 GDPR", "art30-record.xlsx"),
    "pipl": (PIPL_HEADERS, pipl_rows, "PIPL 处理活动记录", "pipl-record.xlsx"),
}


def ropa_response(
    layout: str, *, controller: Controller | None = None, service: Service | None = None,
    activities: QuerySet | None = None,
) -> ExportFileResponse:
    """The record as a download, written row by row to a temporary file and streamed from it."""
    headers, rows, title, filename = RECORD_LAYOUTS[layout]
    return xlsx_response(headers, rows(controller=controller, service=service, activities=activities),
                         title=title, filename=filename)


def ropa_export_gdpr(
    *, controller: Controller | None = None, service: Service | None = None, activities: QuerySet | None = None
) -> bytes:
    """GDPR Art. 30(1) record, one row per activity, as the bytes of the workbook."""
    return xlsx_bytes(GDPR_HEADERS, gdpr_rows(controller=controller, service=service, activities=activities),
                      title="Art 30 GDPR")


def ropa_export_pipl(
    *, controller: Controller | None = None, service: Service | None = None, activities: QuerySet | None = None
) -> bytes:
    """PIPL record (处理活动记录) with Chinese headings, as the bytes of the workbook."""
    return xlsx_bytes(PIPL_HEADERS, pipl_rows(controller=controller, service=service, activities=activities),
                      title="PIPL 处理活动记录")
