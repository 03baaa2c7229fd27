"""Exports of the office's own logs (managers only: the export permission is manager-only in roles.py).

Both go through ``spreadsheets.InertModelResource``: the audit log quotes what people typed into
records, and a reminder's subject and last error quote case references and mail-server replies.
"""

from import_export import fields

from .messages import reason_text
from .models import AuditLogEntry, Reminder
from .spreadsheets import InertModelResource


class AuditLogEntryResource(InertModelResource):
    model_label = fields.Field(attribute="content_type", column_name="record type")
    user_name = fields.Field(attribute="user", column_name="user")
    changes_text = fields.Field(column_name="changes")

    class Meta:
        model = AuditLogEntry
        fields = ("id", "at", "user_name", "model_label", "object_id", "object_repr", "action", "reason", "changes_text")
        export_order = fields

    def dehydrate_model_label(self, entry):
        return f"{entry.content_type.app_label}.{entry.content_type.model}"

    def dehydrate_user_name(self, entry):
        return entry.user.get_username() if entry.user_id and entry.user else entry.user_name  # kept if removed

    def dehydrate_reason(self, entry):
        return reason_text(entry.reason)  # the system's message ids in the exporter's language

    def dehydrate_changes_text(self, entry):
        return "; ".join(f"{c['field']}: {c['old']} → {c['new']}" for c in entry.changes or [])


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

    def dehydrate_recipient_name(self, reminder):
        return reminder.recipient.get_username() if reminder.recipient_id else ""

    def dehydrate_about(self, reminder):
        ct = reminder.content_type
        return f"{ct.app_label}.{ct.model} #{reminder.object_id}"
