"""Export of rights requests (managers only: the export permission is manager-only in roles.py)."""

from import_export import fields

from privacy_office.spreadsheets import InertModelResource

from .models import RightsRequest
from .rule_phrases import rule_display


class RightsRequestResource(InertModelResource):
    assignee_name = fields.Field(attribute="assignee", column_name="assignee")
    status_label = fields.Field(column_name="status")

    class Meta:
        model = RightsRequest
        import_id_fields = ("reference",)
        fields = (
            "reference", "jurisdiction", "request_type", "extra_types", "channel", "received_at", "received_on",
            "status_label", "assignee_name", "due_on", "due_rule", "due_kind", "due_unverified", "due_provisional",
            "extended", "acknowledgement_due_on", "acknowledged_at", "identity_requested_at", "identity_received_at",
            "verified_on", "responded_at", "closed_at",
        )
        export_order = fields

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).select_related("assignee")

    def dehydrate_assignee_name(self, case):
        return case.assignee.get_username() if case.assignee_id else ""

    def dehydrate_status_label(self, case):
        return case.status

    def dehydrate_due_rule(self, case):
        # The export runs in the language its owner chose (privacy_office/exports.py).
        return rule_display(case.due_rule)
