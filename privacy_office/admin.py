from datetime import datetime, time, timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.filters import ListFilter
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from .admin_base import CHANGE_REASON_MAX_LENGTH, AuditedAdmin, LargeTablePaginator, ReadOnlyAdminMixin, staff_choices
from .messages import reason_text
from .models import AuditLogEntry, AuditReview, Reminder, StaffProfile
from .resources import AuditLogEntryResource, ReminderResource
from .roles import OFFICE_APPS, office_models
from .services import staff_deactivate


class DateRangeFilter(ListFilter):
    """From/to dates (inclusive, in the office's time zone) as two query parameters."""

    title = _("date range")
    template = "admin/privacy_office/date_range_filter.html"
    parameter_from = "from"
    parameter_to = "to"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.date_from = self._pop(params, self.parameter_from)
        self.date_to = self._pop(params, self.parameter_to)
        # Other filters stay applied when the dates are submitted.
        self.request_params_without_range = {
            key: value for key, value in request.GET.items() if key not in (self.parameter_from, self.parameter_to)
        }

    @staticmethod
    def _pop(params, name):
        value = params.pop(name, None)
        if isinstance(value, list):
            value = value[-1] if value else None
        return parse_date(value) if value else None

    def has_output(self):
        return True

    def expected_parameters(self):
        return [self.parameter_from, self.parameter_to]

    def queryset(self, request, queryset):
        tz = timezone.get_current_timezone()
        if self.date_from:
            queryset = queryset.filter(at__gte=datetime.combine(self.date_from, time.min, tzinfo=tz))
        if self.date_to:
            queryset = queryset.filter(at__lt=datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=tz))
        return queryset

    def choices(self, changelist):
        return []


class RecordTypeFilter(admin.SimpleListFilter):
    title = _("record type")
    parameter_name = "content_type"

    def lookups(self, request, model_admin):
        # ContentType's own cache: no query per page.
        models = [m for label in OFFICE_APPS for m in office_models(label) if m is not AuditLogEntry]
        cts = ContentType.objects.get_for_models(*models)
        return sorted(((cts[m].pk, m._meta.verbose_name) for m in models), key=lambda c: str(c[1]))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(content_type_id=self.value())
        return queryset


class UserFilter(admin.SimpleListFilter):
    title = _("user")
    parameter_name = "user"

    def lookups(self, request, model_admin):
        return staff_choices(active_only=False)  # former staff's changes stay reviewable

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(user_id=self.value())
        return queryset


@admin.display(description=_("user"))
def user(entry):
    """The audit log's user column (a function, not the FK: the admin shows a model field before an
    admin method of the same name). The name stored with the entry stays when the account is gone."""
    if entry.user_id and entry.user is not None:
        return entry.user.get_username()
    if entry.user_name:
        return format_html('{} <span class="quiet">({})</span>', entry.user_name, gettext("account removed"))
    return "—"


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReadOnlyAdminMixin, ExportMixin, admin.ModelAdmin):
    resource_classes = [AuditLogEntryResource]
    import_export_change_list_template = "admin/privacy_office/auditlog_change_list.html"
    list_display = ("at", user, "record_type", "record", "action", "reason_shown", "change_list")
    list_filter = (DateRangeFilter, RecordTypeFilter, UserFilter, "action")
    list_select_related = ("user", "content_type")
    list_per_page = 50
    paginator = LargeTablePaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    ordering = ("-at", "-id")
    sortable_by = ()
    # The detail page: the reason in the reader's language, not the stored message id.
    fields = ("at", "user", "user_name", "content_type", "object_id", "object_repr", "action", "reason_shown",
              "changes", "history_id")
    readonly_fields = ("reason_shown",)

    @admin.display(description=_("record type"))
    def record_type(self, entry):
        model = entry.content_type.model_class()
        return model._meta.verbose_name if model else entry.content_type.model

    @admin.display(description=_("reason for change"))
    def reason_shown(self, entry):
        return reason_text(entry.reason) or "—"

    @admin.display(description=_("record"))
    def record(self, entry):
        return entry.object_repr

    @admin.display(description=_("changes"))
    def change_list(self, entry):
        if not entry.changes:
            return "—"
        return format_html(
            "<ul class='audit-diff'>{}</ul>",
            format_html_join("", "<li><b>{}</b>: “{}” → “{}”</li>", ((c["field"], c["old"], c["new"]) for c in entry.changes)),
        )

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("privacy_office.view_auditlogentry")


@admin.register(AuditReview)
class AuditReviewAdmin(AuditedAdmin):
    list_display = ("period_start", "period_end", "reviewed_by", "reviewed_at", "scope", "remark")
    list_select_related = ("reviewed_by",)
    fields = ("period_start", "period_end", "scope", "remark", "reviewed_by", "reviewed_at")
    readonly_fields = ("reviewed_by", "reviewed_at")

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        for key, param in (("period_start", "from"), ("period_end", "to")):
            if request.GET.get(param):
                initial[key] = request.GET[param]
        if request.GET.get("scope"):
            initial["scope"] = request.GET["scope"]
        return initial

    def save_model(self, request, obj, form, change):
        if not change:
            obj.reviewed_by = request.user
        super().save_model(request, obj, form, change)


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    extra = 0
    max_num = 1


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        label=_("why the account is deactivated"), max_length=CHANGE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Kept in the audit log with your name and the date, e.g. “left the company on 30 June”."),
    )


def _extend_user_admin():
    """Add the staff profile (reminder language) to the stock user admin; accounts are
    deactivated with a reason, never deleted (their name stays on everything they did)."""
    from django.contrib.auth.admin import UserAdmin

    User = get_user_model()
    if admin.site.is_registered(User):
        admin.site.unregister(User)

    @admin.register(User)
    class PrivacyUserAdmin(UserAdmin):
        inlines = [*UserAdmin.inlines, StaffProfileInline]
        actions = ["deactivate"]

        def has_delete_permission(self, request, obj=None):
            return False  # superusers included: deactivate instead

        @admin.action(description=_("Deactivate selected accounts (with a reason)…"), permissions=["change"])
        def deactivate(self, request, queryset):
            users = list(queryset.order_by(User.USERNAME_FIELD)[:200])
            form = DeactivateForm(request.POST if "apply" in request.POST else None)
            if "apply" in request.POST and form.is_valid():
                done = []
                for user in users:
                    try:
                        if staff_deactivate(user=user, by=request.user, reason=form.cleaned_data["reason"]):
                            done.append(user.get_username())
                    except ValidationError as exc:
                        self.message_user(request, f"{user.get_username()}: {' '.join(exc.messages)}", level=messages.ERROR)
                if done:
                    self.message_user(request, gettext("Deactivated: %(names)s.") % {"names": ", ".join(done)})
                return None
            return TemplateResponse(request, "admin/privacy_office/deactivate_users.html", {
                **self.admin_site.each_context(request), "title": gettext("Deactivate accounts"), "opts": self.model._meta,
                "form": form, "users": users, "action": "deactivate",
                "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            })


_extend_user_admin()


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdminMixin, ExportMixin, admin.ModelAdmin):
    """The reminder log: every reminder recorded, with its delivery status (managers export it)."""

    resource_classes = [ReminderResource]

    list_display = ("due_at", "kind", "threshold", "recipient", "target_link", "status", "attempts", "late", "sent_at", "last_error_short")
    list_filter = ("status", "late", "kind")
    list_select_related = ("recipient", "content_type")
    search_fields = ("=subject", "=kind")
    paginator = LargeTablePaginator
    show_full_result_count = False
    list_per_page = 50

    @admin.display(description=_("about"))
    def target_link(self, reminder):
        model = reminder.content_type.model_class()
        if model is None or reminder.object_id == 0:
            return "—"
        try:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[reminder.object_id])
        except NoReverseMatch:
            return f"{model._meta.verbose_name} #{reminder.object_id}"
        return format_html('<a href="{}">{} #{}</a>', url, model._meta.verbose_name, reminder.object_id)

    @admin.display(description=_("last error"))
    def last_error_short(self, reminder):
        return reminder.last_error[:120]


class ReminderInline(GenericTabularInline):  # generic FK: not the shared ReadOnlyInline
    """Reminder history on a record's own page (cases; obligations)."""

    model = Reminder
    ct_field = "content_type"
    ct_fk_field = "object_id"
    fields = ("due_at", "kind", "threshold", "recipient", "status", "late", "sent_at", "attempts")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("reminders sent")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
