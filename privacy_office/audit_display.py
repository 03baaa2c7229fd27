"""The audit log's diffs as a reader sees them: field labels and choice labels in their language,
times in the active time zone formatted as the admin formats them, related records by name, long
text folded.

The audit log stores raw values (``audit.raw_value``: field name, codes, primary keys, ISO times
in UTC) so the language and zone are chosen when the entry is read, not when it was written; the
same rendering serves the audit log list, its detail page, a record's history page and the export.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from datetime import timezone as dt_timezone

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

# Shown in full up to this many characters; longer text shows its start and expands on a click.
FOLD_AT = 200


def model_field(model, name: str):
    """The field ``name`` of ``model``, or None when the model or the field is gone."""
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


class RelatedNames:
    """The names of the records a page's diffs point at (an assignee, an incident), read with one
    query per related model for the whole page instead of one per value."""

    def __init__(self):
        self.wanted: dict[type[models.Model], set[str]] = defaultdict(set)
        self.names: dict[tuple[type[models.Model], str], str] = {}

    def collect(self, model, changes: Iterable[dict]) -> None:
        for change in changes or ():
            field = model_field(model, change.get("field", ""))
            if field is not None and field.many_to_one:
                for raw in (change.get("old"), change.get("new")):
                    if raw not in (None, ""):
                        self.wanted[field.related_model].add(str(raw))

    def load(self) -> RelatedNames:
        for related, pks in self.wanted.items():
            found = related._default_manager.filter(pk__in=list(pks))
            self.names.update({(related, str(obj.pk)): str(obj) for obj in found})
        self.wanted.clear()
        return self

    def name(self, related, raw) -> str:
        if (related, str(raw)) not in self.names:
            self.collect_one(related, raw)
        return self.names.get((related, str(raw))) or f"#{raw}"  # a removed record keeps its id

    def collect_one(self, related, raw) -> None:
        self.wanted[related].add(str(raw))
        self.load()


# Text a clock writes and stores in English, shown through its app's translator (a rights request's
# rule: requests_app/rule_phrases.py), keyed "app_label.model.field" of the tracked model; each app
# registers its own in ``AppConfig.ready``.
TEXT_DISPLAY: dict = {}


# Records whose name is built from their choices' labels (a notice draft: "EU-SA · regulator report ·
# initial · en"), keyed "app_label.model", with the names of those fields; each app registers its
# own in ``AppConfig.ready``. The audit log stores such a name in English (audit.record_name_on_record)
# and ``record_name`` puts each label in the reader's language; other names are what people typed.
NAME_CHOICE_FIELDS: dict[str, tuple[str, ...]] = {}


@functools.cache
def _name_phrases(label_lower: str) -> tuple[str, ...]:
    from django.apps import apps
    from django.utils import translation

    from .phrases import longest_first

    model = apps.get_model(label_lower)
    with translation.override("en"):
        labels = {str(label) for name in NAME_CHOICE_FIELDS[label_lower]
                  for _value, label in model._meta.get_field(name).flatchoices}
    return longest_first(labels)


def record_name(model, stored: str) -> str:
    """A record's name from the audit log, in the reader's language where it is built from labels."""
    if model is None or model._meta.label_lower not in NAME_CHOICE_FIELDS:
        return stored
    from .phrases import translate_phrases

    return translate_phrases(stored, _name_phrases(model._meta.label_lower))


def _text_display(field, raw: str) -> str:
    model = getattr(field.model, "instance_type", field.model)  # a history row's field: its record's
    display = TEXT_DISPLAY.get(f"{model._meta.label_lower}.{field.name}")
    return display(raw) if display else raw


def value_text(field, raw, names: RelatedNames | None = None) -> str:
    """One stored value as the reader reads it ("" when it was empty)."""
    if raw is None or raw == "" or raw == []:
        return ""
    if field is None:
        return raw if isinstance(raw, str) else ", ".join(map(str, raw)) if isinstance(raw, list) else str(raw)
    if field.many_to_one:
        return (names or RelatedNames()).name(field.related_model, raw)
    if isinstance(raw, list):
        return ", ".join(str(item) for item in raw)
    if isinstance(raw, dict):
        return ", ".join(f"{key}: {value}" for key, value in raw.items())
    choices = dict(field.flatchoices) if field.choices else {}
    if choices:
        for key, label in choices.items():
            if str(key) == raw:
                return str(label)
        return raw
    if isinstance(field, models.BooleanField):
        return gettext("Yes") if raw == "True" else gettext("No") if raw == "False" else raw
    if isinstance(field, models.DateTimeField):
        when = parse_datetime(raw)
        if when is None:
            return raw
        if timezone.is_naive(when):
            when = timezone.make_aware(when, dt_timezone.utc)
        return formats.localize(timezone.localtime(when))
    if isinstance(field, models.DateField):
        day = parse_date(raw)
        return formats.localize(day) if day else raw
    return _text_display(field, raw) if isinstance(raw, str) else raw


def field_label(model, name: str) -> str:
    field = model_field(model, name)
    return str(field.verbose_name) if field is not None else name


def shown_changes(model, changes: Iterable[dict] | None, names: RelatedNames | None = None) -> list[tuple[str, str, str]]:
    """(label, old, new) for each stored change, in the reader's language and zone."""
    shown = []
    for change in changes or ():
        name = change.get("field", "")
        field = model_field(model, name)
        shown.append((field_label(model, name), value_text(field, change.get("old"), names),
                      value_text(field, change.get("new"), names)))
    return shown


def folded(text: str):
    """``text`` in full when short; else its first ``FOLD_AT`` characters, the rest behind a click."""
    if len(text) <= FOLD_AT:
        return text or "—"
    return format_html('<details class="audit-long"><summary>{}…</summary>{}</details>', text[:FOLD_AT], text)


def changes_html(model, changes, names: RelatedNames | None = None):
    """The diff as the admin shows it: a list of “old” → “new” per field, long text folded."""
    shown = shown_changes(model, changes, names)
    if not shown:
        return "—"
    return format_html(
        "<ul class='audit-diff'>{}</ul>",
        format_html_join("", "<li><b>{}</b>: “{}” → “{}”</li>",
                         ((label, folded(old), folded(new)) for label, old, new in shown)),
    )


def changes_plain(model, changes, names: RelatedNames | None = None) -> str:
    """The diff as one line of text (the export): "label: old → new; ...", in full."""
    return "; ".join(f"{label}: {old or '—'} → {new or '—'}" for label, old, new in shown_changes(model, changes, names))


def review_filters_text(review) -> str:
    """The audit log filters an audit review covered, in words ("changes by: staff; record type: rights request")."""
    parts = []
    if review.filter_user_id:
        parts.append(f"{gettext('changes by')}: {review.filter_user.get_username()}")
    if review.filter_record_type_id:
        model = review.filter_record_type.model_class()
        parts.append(f"{gettext('record type')}: {model._meta.verbose_name if model else review.filter_record_type.model}")
    if review.filter_action:
        parts.append(f"{gettext('action')}: {review.get_filter_action_display()}")
    if not parts and review.scope:
        return review.scope  # recorded before the filters were fields, as it was kept
    return "; ".join(parts) or gettext("all entries of the period")
