"""The per-record history page's diffs, rendered like the audit log's (``audit_display``)."""

from django import template

from privacy_office.audit import changes_between, previous_record
from privacy_office.audit_display import RelatedNames, changes_html

register = template.Library()


@register.simple_tag
def annotate_history_diffs(page_obj, model):
    """Give each history row on the page ``audit_changes``: its diff against the row before it, every
    tracked field included (the clock, statuses and sent times, which are never typed), with field and
    choice labels in the reader's language and times in their zone. Rows come newest first; the
    oldest row on the page is diffed against the row before it on the next page (one query)."""
    records = list(page_obj)
    pairs = []
    for index, record in enumerate(records):
        if record.history_type != "~":
            pairs.append((record, None))
            continue
        older = records[index + 1] if index + 1 < len(records) else previous_record(record)
        pairs.append((record, older))
    names = RelatedNames()
    diffs = []
    for record, older in pairs:
        changes = changes_between(record, older) if older is not None else []
        names.collect(model, changes)
        diffs.append((record, changes))
    names.load()
    for record, changes in diffs:
        record.audit_changes = changes_html(model, changes, names) if changes else ""
    return ""
