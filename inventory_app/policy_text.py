"""The published policy's 个人信息收集清单 (personal information collection list), kept true to the
inventory: ``collection_list_render`` prints it from the inventory, ``collection_list_parse`` reads
it back out of pasted policy text (Chinese, as the policy prints it), and ``policy_compare`` lists
what one discloses that the other does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from .models import ActivityField, ProcessingActivity
from .records import EXPORT_CHUNK_ROWS, activities_for_collection_list, activities_for_record


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
        activities = activities_for_collection_list()
    if isinstance(activities, QuerySet):
        activities = activities.iterator(chunk_size=EXPORT_CHUNK_ROWS)  # one chunk in memory at a time
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
