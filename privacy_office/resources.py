from import_export import fields, resources

from .models import AuditLogEntry


class AuditLogEntryResource(resources.ModelResource):
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
        return entry.user.get_username() if entry.user_id and entry.user else ""

    def dehydrate_changes_text(self, entry):
        return "; ".join(f"{c['field']}: {c['old']} → {c['new']}" for c in entry.changes or [])
