"""Exports of the office's own logs and audit reviews (managers and the Auditor: roles.py).

Both go through ``spreadsheets.InertModelResource``: the audit log quotes what people typed into
records, and a reminder's subject and last error quote case references and mail-server replies.
"""

from functools import cached_property

from import_export import fields

from .audit_display import RelatedNames, changes_plain, review_filters_text
from .messages import reason_text
from .models import AuditLogEntry, AuditReview, Reminder
from .spreadsheets import InertModelResource


class AuditLogEntryResource(InertModelResource):
    model_label = fields.Field(attribute="content_type", column_name="record type")
    user_name = fields.Field(attribute="user", column_name="user")
    changes_text = fields.Field(column_name="changes")

    class Meta:
        model = AuditLogEntry
        fields = ("id", "at", "user_name", "model_label", "object_id", "object_repr", "action", "reason", "changes_text")
        export_order = fields

    # What the dehydrate methods read, joined in the export's one query (spreadsheets.export_queryset).
    export_select_related = ("user", "content_type")

    # Names kept between chunks: the few assignees of a million entries are read once. Past this
    # many (diffs that name many different incidents) the map starts again, so memory stays flat.
    related_names_kept = 10_000

    def prepare_export_chunk(self, entries) -> None:
        """Read the related names a chunk's diffs point at that are not known yet: one query per
        related model, and none when every name is known."""
        names = self.related_names
        if len(names.names) > self.related_names_kept:
            names = self.related_names = RelatedNames()
        for entry in entries:
            names.collect(entry.content_type.model_class(), entry.changes)
        for model, pks in list(names.wanted.items()):
            pks -= {pk for pk in pks if (model, pk) in names.names}
            if not pks:
                del names.wanted[model]
        asked = [(model, pk) for model, pks in names.wanted.items() for pk in pks]
        names.load()
        for key in asked:
            names.names.setdefault(key, "")  # a removed record: shown as its id, not looked up per row

    def dehydrate_model_label(self, entry):
        return f"{entry.content_type.app_label}.{entry.content_type.model}"

    def dehydrate_user_name(self, entry):
        return entry.user.get_username() if entry.user_id and entry.user else entry.user_name  # kept if removed

    def dehydrate_reason(self, entry):
        return reason_text(entry.reason)  # the system's message ids in the exporter's language

    def dehydrate_changes_text(self, entry):
        # Labels, choices and times in the exporter's language and zone, as on the audit log page.
        return changes_plain(entry.content_type.model_class(), entry.changes, self.related_names)

    @cached_property
    def related_names(self) -> RelatedNames:
        """The names of related records the diffs point at, read once each for the whole export."""
        return RelatedNames()


class AuditReviewResource(InertModelResource):
    """Audit reviews as recorded: period, filters in words, who, when, count and digest, correction."""

    filters = fields.Field(column_name="filters")
    reviewed_by_name = fields.Field(attribute="reviewed_by", column_name="reviewed by")

    class Meta:
        model = AuditReview
        fields = ("id", "period_start", "period_end", "filters", "reviewed_by_name", "reviewed_at", "entry_count",
                  "digest", "supersedes", "remark")
        export_order = fields

    export_select_related = ("reviewed_by", "filter_user", "filter_record_type")

    def dehydrate_filters(self, review):
        return review_filters_text(review)

    def dehydrate_reviewed_by_name(self, review):
        return review.reviewed_by.get_username() if review.reviewed_by_id else ""

    def dehydrate_supersedes(self, review):
        return review.supersedes_id or ""


class ReminderResource(InertModelResource):
    """The reminder log: what was due, for whom, and whether it went out."""

    recipient_name = fields.Field(attribute="recipient", column_name="recipient")
    about = fields.Field(column_name="about")

    class Meta:
        model = Reminder
        fields = (
            "id", "due_at", "kind", "threshold", "recipient_name", "about", "status", "attempts", "late",
            "sent_at", "language", "subject", "last_error",
        )
        export_order = fields

    export_select_related = ("recipient", "content_type")

    def dehydrate_recipient_name(self, reminder):
        return reminder.recipient.get_username() if reminder.recipient_id else ""

    def dehydrate_about(self, reminder):
        ct = reminder.content_type
        return f"{ct.app_label}.{ct.model} #{reminder.object_id}"
