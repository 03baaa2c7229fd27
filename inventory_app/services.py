"""Writes and document builders of the inventory: one keyword-only function per write with rules,
so the admin and the imports share them.

- ``inventory_import`` / ``inventory_seed``: files in the import format, atomically.
- ``ropa_export_gdpr`` / ``ropa_export_pipl``: the record of processing activities as XLSX (inert cells:
  ``privacy_office.spreadsheets``).
- ``collection_list_render`` / ``collection_list_parse`` / ``policy_compare``: keep the published
  policy's 个人信息收集清单 true to the inventory.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import tablib
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from privacy_office.spreadsheets import xlsx_bytes

from .models import ActivityField, Controller, ProcessingActivity, Service, Transfer, pia_triggers
from .resources import (
    ActivityFieldResource,
    ControllerResource,
    DataFieldResource,
    DataLocationResource,
    ProcessingActivityResource,
    RecipientResource,
    ServiceResource,
    TransferResource,
    import_summary,
)

SEED_DIR = Path(__file__).resolve().parent / "seed"
# Order matters: each file refers to rows of the files before it by their codes.
SEED_FILES = (
    ("controllers.csv", ControllerResource),
    ("locations.csv", DataLocationResource),
    ("services.csv", ServiceResource),
    ("fields.csv", DataFieldResource),
    ("recipients.csv", RecipientResource),
    ("activities.csv", ProcessingActivityResource),
    ("activity_fields.csv", ActivityFieldResource),
    ("transfers.csv", TransferResource),
)


# --- Import ----------------------------------------------------------------------------------

class InventoryImportError(Exception):
    def __init__(self, file_name: str, errors: list[str]):
        self.file_name = file_name
        self.errors = errors
        super().__init__(f"{file_name}: " + "; ".join(errors[:20]))


def import_error_report(result) -> list[str]:
    """One line per problem: ``row N: column: message`` (rows numbered from 1 after the header)."""
    lines = [_("file: %(error)s") % {"error": error.error} for error in result.base_errors]
    for number, errors in result.row_errors():
        for error in errors:
            lines.append(_("row %(number)s: %(error)s") % {"number": number, "error": error.error})
    for invalid in result.invalid_rows:
        for column, messages in invalid.error_dict.items():
            for message in messages:
                lines.append(_("row %(number)s: %(column)s: %(error)s") % {
                    "number": invalid.number, "column": column if column != "__all__" else "—", "error": message,
                })
    return lines


def dataset_from_bytes(*, content: bytes, file_name: str) -> tablib.Dataset:
    if file_name.lower().endswith(".xlsx"):
        return tablib.Dataset().load(io.BytesIO(content), format="xlsx")
    text = content.decode("utf-8-sig")
    return tablib.Dataset().load(text, format="csv")


def inventory_import(
    *, resource_class, dataset: tablib.Dataset, user=None, dry_run: bool = False, file_name: str = ""
):
    """Imports one file; any bad row means nothing is written (``IMPORT_EXPORT_USE_TRANSACTIONS``)."""
    resource = resource_class()
    return resource.import_data(
        dataset, dry_run=dry_run, raise_errors=False, use_transactions=True, user=user, file_name=file_name,
        rollback_on_validation_errors=True,
    )


def inventory_seed(*, directory: Path = SEED_DIR, user=None) -> dict[str, dict[str, int]]:
    """Loads the shipped seed files in order, in one transaction. Idempotent: unchanged rows are
    skipped, so a second run writes nothing (no new history rows either)."""
    summary: dict[str, dict[str, int]] = {}
    with transaction.atomic():
        for file_name, resource_class in SEED_FILES:
            path = Path(directory) / file_name
            dataset = dataset_from_bytes(content=path.read_bytes(), file_name=file_name)
            result = inventory_import(resource_class=resource_class, dataset=dataset, user=user, file_name=file_name)
            if result.has_errors() or result.has_validation_errors():
                raise InventoryImportError(file_name, import_error_report(result))
            summary[file_name] = import_summary(result)
    return summary


# --- Record of processing activities -------------------------------------------------------

def activities_for_record(
    *, controller: Controller | None = None, service: Service | None = None, activities: QuerySet | None = None
) -> QuerySet:
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


def _join(values: Iterable[str], sep: str = "; ") -> str:
    seen = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
    return sep.join(seen)


def _categories(activity, *, zh: bool) -> str:
    by_category: dict[str, list[str]] = {}
    for af in activity.fields.all():
        label = af.field.get_category_display() if not zh else af.field.category
        by_category.setdefault(str(label), []).append(af.field.name_zh if zh else (af.field.name_en or af.field.name_zh))
    return "; ".join(f"{cat}: {', '.join(dict.fromkeys(names))}" for cat, names in by_category.items())


# The Art. 30 record is written for EU supervisory authorities, so its headings stay English.
GDPR_HEADERS = [
    "Processing activity", "Controller", "Controller contact", "DPO / privacy contact",
    "Purposes of the processing", "Legal basis (GDPR Art. 6)", "Categories of data subjects",
    "Categories of personal data", "Categories of recipients", "Transfers to third countries",
    "Safeguards for transfers", "Envisaged time limits for erasure", "Technical and organisational security measures",
]


def ropa_export_gdpr(
    *, controller: Controller | None = None, service: Service | None = None, activities: QuerySet | None = None
) -> bytes:
    """GDPR Art. 30(1) record, one row per activity."""
    none = "None"
    rows = []
    for a in activities_for_record(controller=controller, service=service, activities=activities):
        c = a.controller
        transfers = list(a.transfers.all())
        recipients = list(a.recipients.all())
        rows.append([
            f"{a.name_en or a.name_zh} ({a.code})",
            _join([c.name_en, c.name_zh], " / "),
            _join([c.address, c.contact], "; ") or none,
            _join([c.dpo_name, c.dpo_email], ", ") or none,
            a.purpose_en or a.purpose_zh,
            a.get_gdpr_basis_display(),
            a.data_subjects or none,
            _categories(a, zh=False) or none,
            _join(f"{r.get_kind_display()}: {r.name_en or r.name}" for r in recipients) or none,
            _join(f"{t.destination_country}" for t in transfers if t.mechanism != Transfer.Mechanism.NONE)
            or _("None (stored in: %(where)s)") % {"where": _join((loc.name_en for loc in a.storage_locations.all()), ", ") or none},
            _join(t.get_mechanism_display() for t in transfers if t.mechanism != Transfer.Mechanism.NONE) or "Not applicable",
            a.retention or none,
            a.security_measures or none,
        ])
    return xlsx_bytes(GDPR_HEADERS, rows, title="Art 30 GDPR")


# PIPL layout: Chinese headings by design (the document is filed with Chinese regulators).
PIPL_HEADERS = [
    "处理活动", "个人信息处理者", "联系方式", "个人信息保护负责人", "处理目的", "处理方式", "个人信息种类",
    "敏感个人信息", "个人信息主体", "法律依据", "单独同意", "保存期限", "存储地点", "接收方（委托处理/共享）",
    "跨境提供", "安全保护措施", "个人信息保护影响评估", "影响评估完成日期",
]


def ropa_export_pipl(
    *, controller: Controller | None = None, service: Service | None = None, activities: QuerySet | None = None
) -> bytes:
    """PIPL record (处理活动记录) with Chinese headings, one row per activity."""
    rows = []
    for a in activities_for_record(controller=controller, service=service, activities=activities):
        c = a.controller
        fields = [af.field for af in a.fields.all()]
        sensitive = [f.name_zh for f in fields if f.sensitive]
        transfers = [t for t in a.transfers.all() if t.mechanism != Transfer.Mechanism.NONE]
        reasons = pia_triggers(
            has_sensitive=a.has_sensitive, has_recipients=a.has_recipients,
            has_cross_border=a.has_cross_border, automated_decision=a.automated_decision,
        )
        rows.append([
            f"{a.name_zh}（{a.code}）",
            c.name_zh,
            _join([c.address, c.contact], "；") or "无",
            _join([c.dpo_name, c.dpo_email], "，") or "无",
            a.purpose_zh or a.purpose_en,
            a.processing_method or "收集、存储、使用",
            "、".join(dict.fromkeys(f.name_zh for f in fields)) or "无",
            "、".join(dict.fromkeys(sensitive)) or "无",
            a.data_subjects or "无",
            a.get_pipl_basis_display(),
            "是" if a.separate_consent_required else "否",
            a.retention or "无",
            "、".join(loc.name_zh for loc in a.storage_locations.all()) or "无",
            _join((f"{r.name}（{r.get_kind_display()}）" for r in a.recipients.all()), "；") or "无",
            _join((f"{t.destination_country}：{t.get_mechanism_display()}" for t in transfers), "；") or "无",
            a.security_measures or "无",
            ("需要：" + "；".join(reasons)) if reasons else "不需要",
            a.pia_completed_on.isoformat() if a.pia_completed_on else ("未完成" if reasons else "不适用"),
        ])
    return xlsx_bytes(PIPL_HEADERS, rows, title="PIPL 处理活动记录")


# --- The policy's 个人信息收集清单 ----------------------------------------------------------

LIST_TITLE = "个人信息收集清单"
LIST_HEADER = "收集个人信息的目的\t涉及收集的个人信息字段"


def normalize(text: str) -> str:
    """What two spellings of a field name must share to count as the same: no spaces, one kind
    of brackets, lower-case Latin (the policy writes 设备 id, 设 备日志, （） and ())."""
    text = re.sub(r"\s+", "", text or "")
    return text.replace("（", "(").replace("）", ")").lower()


def _field_label(af: ActivityField) -> str:
    return f"{af.field.name_zh}（{af.detail_zh}）" if af.detail_zh else af.field.name_zh


def collection_list_render(*, activities: Iterable[ProcessingActivity] | None = None) -> str:
    """The 个人信息收集清单 as the policy prints it: purpose → fields, sensitive ones in <u>…</u>
    (the policy's bold-underline), fields grouped under their heading."""
    if activities is None:
        activities = activities_for_record()
    lines = [LIST_TITLE, LIST_HEADER]
    for activity in activities:
        parts: list[str] = []
        current_group, group_items = None, []

        def flush():
            if current_group:
                parts.append(f"{current_group}（{'、'.join(group_items)}）")

        for af in activity.fields.all():
            label = _field_label(af)
            if af.field.sensitive:
                label = f"<u>{label}</u>"
            if af.group_zh:
                if af.group_zh != current_group:
                    flush()
                    current_group, group_items = af.group_zh, []
                group_items.append(label)
            else:
                flush()
                current_group, group_items = None, []
                parts.append(label)
        flush()
        lines.append(f"{activity.name_zh}\t{'、'.join(parts)}")
    return "\n".join(lines) + "\n"


@dataclass
class PolicyItem:
    name: str
    group: str = ""
    detail: str = ""
    sensitive: bool = False


@dataclass
class PolicyRow:
    purpose: str
    items: list[PolicyItem] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)

    def tokens(self) -> set[str]:
        return {normalize(i.name) for i in self.items} | {normalize(h) for h in self.headings}


PROSE_CLAUSE = re.compile(r"^(以便|用于|同时|为了|以|从而|这些|如果)")
LEADING_WORDS = re.compile(r"^(以及|及|和|您的|您与|您|导入的|包括)+")


def _split_top(text: str, separators: tuple[str, ...]) -> list[str]:
    parts, depth, current, i = [], 0, "", 0
    while i < len(text):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        if depth == 0:
            sep = next((s for s in separators if text.startswith(s, i)), None)
            if sep:
                parts.append(current)
                current, i = "", i + len(sep)
                continue
        current += ch
        i += 1
    parts.append(current)
    return [p for p in parts if p]


def _clean_cell(cell: str) -> str:
    text = cell.replace("</p>", "、")
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"\s+", "", text)
    text = text.replace("（", "(").replace("）", ")").replace("【", "").replace("】", "")
    # "…条件集数量）酒店空间信息": a closing bracket followed by a name is a separator the PDF lost.
    return re.sub(r"\)(?=[^、，,;；。)])", ")、", text)


def parse_items(cell: str) -> tuple[list[PolicyItem], list[str]]:
    """Fields (and group headings) named in one cell of the list."""
    sensitive_names: set[str] = set()
    for span in re.findall(r"<u>(.*?)</u>", cell, flags=re.S):
        for item in _parse_plain(_clean_cell(span))[0]:
            sensitive_names.add(normalize(item.name))
    items, headings = _parse_plain(_clean_cell(cell))
    for item in items:
        item.sensitive = normalize(item.name) in sensitive_names
    return items, headings


def _parse_plain(text: str) -> tuple[list[PolicyItem], list[str]]:
    items: list[PolicyItem] = []
    headings: list[str] = []
    for clause in _split_top(text, ("，", ",", "。", "；", ";")):
        if PROSE_CLAUSE.match(clause):
            continue
        if "收集" in clause:
            clause = re.sub(r"^.*?收集", "", clause)
        for part in _split_top(clause, ("、", "以及", "或")):
            part = LEADING_WORDS.sub("", part).strip("、")
            match = re.match(r"^(.*?)\((.*)\)$", part)
            if not match:
                if part:
                    items.append(PolicyItem(name=part))
                continue
            head, inner = LEADING_WORDS.sub("", match.group(1)), match.group(2)
            inner_items = _split_top(inner, ("、",))
            if not head:
                items += [PolicyItem(name=LEADING_WORDS.sub("", x)) for x in inner_items if x]
            elif len(inner_items) <= 1 or inner.startswith("包括"):
                items.append(PolicyItem(name=head, detail=inner))
            else:
                headings.append(head)
                items += [PolicyItem(name=LEADING_WORDS.sub("", x), group=head) for x in inner_items if x]
    return items, headings


def collection_list_parse(text: str, *, known_purposes: Iterable[str] = ()) -> list[PolicyRow]:
    """Rows of a 个人信息收集清单 in pasted policy text (tab-separated as in the seed, ``|`` tables,
    or lines that start with a known purpose). Stops at the next Markdown heading."""
    known = sorted({normalize(p) for p in known_purposes if p}, key=len, reverse=True)
    lines = text.splitlines()
    start = next((i + 1 for i, line in enumerate(lines) if LIST_TITLE in line), 0)
    rows: list[list[str]] = []
    for line in lines[start:]:
        stripped = line.strip()
        if rows and stripped.startswith("#"):
            break
        if not stripped or set(stripped) <= set("-|: \t"):
            continue
        if stripped.startswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            left, right = cells[0], "、".join(cells[1:])
        elif "\t" in line:
            left, right = line.split("\t", 1)
        else:
            norm = normalize(stripped)
            purpose = next((p for p in known if norm.startswith(p)), None)
            if purpose is not None:
                # Keep the original characters of the purpose: walk until the normalised prefix is consumed.
                consumed, cut = "", 0
                while normalize(consumed) != purpose and cut < len(stripped):
                    consumed += stripped[cut]
                    cut += 1
                left, right = stripped[:cut], stripped[cut:]
            else:
                left, right = "", line
        left = left.strip()
        if left and not left.startswith("收集个人信息的目的"):
            rows.append([left, right])
        elif rows and not left:
            rows[-1][1] += right
    parsed = []
    for purpose, cell in rows:
        items, headings = parse_items(cell)
        parsed.append(PolicyRow(purpose=re.sub(r"\s+", " ", purpose).strip(), items=items, headings=headings))
    return parsed


@dataclass
class PolicyComparison:
    # (activity, field label) the inventory holds but the policy text does not disclose
    missing_from_policy: list[tuple[str, str]] = field(default_factory=list)
    # (purpose, field name) the text discloses but the inventory does not hold
    not_in_inventory: list[tuple[str, str]] = field(default_factory=list)
    # activities in scope the text has no row for, and rows of the text no activity matches
    undisclosed_activities: list[str] = field(default_factory=list)
    unknown_purposes: list[str] = field(default_factory=list)
    rows_found: int = 0

    @property
    def in_sync(self) -> bool:
        return not (self.missing_from_policy or self.not_in_inventory or self.undisclosed_activities or self.unknown_purposes)


def _vocabulary(afs: Iterable[ActivityField]) -> tuple[set[str], str]:
    names, blob = set(), []
    for af in afs:
        names.add(normalize(af.field.name_zh))
        if af.field.name_en:
            names.add(normalize(af.field.name_en))
        if af.group_zh:
            names.add(normalize(af.group_zh))
        blob += [af.detail_zh, af.note, af.field.description]
    return names, normalize("、".join(b for b in blob if b))


def policy_compare(*, text: str, activities: QuerySet | None = None) -> PolicyComparison:
    """Fields the inventory has that the policy text does not disclose, and the reverse.

    With ``activities`` given, those are the activities the text must cover (one missing from
    the text is reported); without, only activities the text names are compared.
    """
    scope = list(activities if activities is not None else activities_for_record())
    by_name = {}
    for a in scope:
        by_name.setdefault(normalize(a.name_zh), a)
        if a.name_en:
            by_name.setdefault(normalize(a.name_en), a)
    rows = collection_list_parse(text, known_purposes=[a.name_zh for a in scope] + [a.name_en for a in scope])
    result = PolicyComparison(rows_found=len(rows))

    if not rows:
        # Free text: every field name of the scope must appear somewhere in it.
        haystack = normalize(re.sub(r"<[^>]+>", "", text))
        for a in scope:
            for af in a.fields.all():
                if normalize(af.field.name_zh) not in haystack:
                    result.missing_from_policy.append((a.name_zh, _field_label(af)))
        return result

    matched = set()
    for row in rows:
        activity = by_name.get(normalize(row.purpose))
        if activity is None:
            result.unknown_purposes.append(row.purpose)
            result.not_in_inventory += [(row.purpose, i.name) for i in row.items]
            continue
        matched.add(activity.pk)
        afs = list(activity.fields.all())
        tokens = row.tokens()
        for af in afs:
            if normalize(af.field.name_zh) not in tokens:
                result.missing_from_policy.append((activity.name_zh, _field_label(af)))
        names, blob = _vocabulary(afs)
        for item in row.items:
            token = normalize(item.name)
            if token not in names and token not in blob:
                result.not_in_inventory.append((activity.name_zh, item.name))
    if activities is not None:
        for a in scope:
            if a.pk not in matched:
                result.undisclosed_activities.append(a.name_zh)
                result.missing_from_policy += [(a.name_zh, _field_label(af)) for af in a.fields.all()]
    return result

