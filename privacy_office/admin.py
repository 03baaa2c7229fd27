from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.filters import ListFilter
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.dateparse import parse_date
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .admin_base import (
    CHANGE_REASON_MAX_LENGTH, AuditedAdmin, AuditedModelForm, CappedInlineMixin, LargeTablePaginator,
    ReadOnlyAdminMixin, StreamingExportMixin, staff_choices, typed_reason,
)
from .audit_display import RelatedNames, changes_html, record_name, review_filters_text
from .audit_reviews import audit_review_check, audit_review_record, entries_in_period, review_digest_now
from .messages import reason_text
from .exports import export_job_open
from .models import AuditLogEntry, AuditReview, ExportJob, Reminder, ReminderKind, StaffProfile
from .resources import AuditLogEntryResource, AuditReviewResource, ReminderResource
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
        # The same days as an audit review of this period covers.
        return entries_in_period(queryset, start=self.date_from, end=self.date_to)

    def choices(self, changelist):
        return []


class RecordTypeFilter(admin.SimpleListFilter):
    title = _("record type")
    parameter_name = "content_type"

    def lookups(self, request, model_admin):
        # ContentType's own cache: no query per page.
        models = [m for label in OFFICE_APPS for m in office_models(label) if m not in (AuditLogEntry, ExportJob)]
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
class AuditLogEntryAdmin(ReadOnlyAdminMixin, StreamingExportMixin, admin.ModelAdmin):
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
    # Exact record name (e.g. a case reference): audit_repr_idx.
    search_fields = ("=object_repr",)
    search_help_text = _("Exact record name, e.g. DSAR-2026-000123.")
    # The detail page: the reason and the diff in the reader's language, not the stored raw values.
    fields = ("at", "user", "user_name", "content_type", "object_id", "object_repr", "action", "reason_shown",
              "change_list", "history_id")
    readonly_fields = ("reason_shown", "change_list")

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        cl = getattr(response, "context_data", {}).get("cl")
        if cl is not None:
            # The records the page's diffs name (assignees, incidents) in one query per model.
            cl.result_list = list(cl.result_list)
            names = RelatedNames()
            for entry in cl.result_list:
                names.collect(entry.content_type.model_class(), entry.changes)
                entry.related_names = names
            names.load()
        return response

    @admin.display(description=_("record type"))
    def record_type(self, entry):
        model = entry.content_type.model_class()
        return model._meta.verbose_name if model else entry.content_type.model

    @admin.display(description=_("reason for change"))
    def reason_shown(self, entry):
        return reason_text(entry.reason) or "—"

    @admin.display(description=_("record"))
    def record(self, entry):
        return record_name(entry.content_type.model_class(), entry.object_repr)

    @admin.display(description=_("changes"))
    def change_list(self, entry):
        return changes_html(entry.content_type.model_class(), entry.changes, getattr(entry, "related_names", None))

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("privacy_office.view_auditlogentry")


class AuditReviewForm(AuditedModelForm):
    """The period and filters the reviewer read the audit log through (the add page only: a
    recorded review is never edited). The service records it; the form asks the same questions."""

    class Meta:
        model = AuditReview
        fields = ("period_start", "period_end", "filter_user", "filter_record_type", "filter_action", "supersedes",
                  "remark")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        User = get_user_model()
        fields = self.fields
        if "filter_user" in fields:  # former staff's changes stay reviewable
            fields["filter_user"].queryset = User.objects.filter(is_staff=True).order_by(User.USERNAME_FIELD)
        if "filter_record_type" in fields:
            models_ = [m for label in OFFICE_APPS for m in office_models(label) if m not in (AuditLogEntry, ExportJob)]
            fields["filter_record_type"].queryset = ContentType.objects.filter(
                pk__in=[ct.pk for ct in ContentType.objects.get_for_models(*models_).values()])
            fields["filter_record_type"].label_from_instance = lambda ct: str(ct.model_class()._meta.verbose_name) \
                if ct.model_class() else ct.model
        if "supersedes" in fields:
            fields["supersedes"].queryset = AuditReview.objects.filter(superseded_by__isnull=True).select_related(None)
        for name in ("filter_user", "filter_record_type", "supersedes"):
            widget = fields[name].widget if name in fields else None
            if hasattr(widget, "can_add_related"):  # a filter picks an existing row; nothing is added from here
                widget.can_add_related = widget.can_change_related = widget.can_view_related = False

    def clean(self):
        cleaned = super().clean()
        try:
            audit_review_check(period_start=cleaned.get("period_start"), period_end=cleaned.get("period_end"),
                               supersedes=cleaned.get("supersedes"))
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                for error in errors:
                    self.add_error(field if field in self.fields else None, error)
        return cleaned


@admin.register(AuditReview)
class AuditReviewAdmin(AuditedAdmin):
    """Audit reviews: recorded once through ``audit_review_record``, then shown read-only to everyone
    (a POST to a recorded review is refused); a correction is a new review that supersedes it."""

    form = AuditReviewForm
    resource_classes = [AuditReviewResource]
    list_display = ("period_start", "period_end", "filters_shown", "entry_count_shown", "reviewed_by", "reviewed_at",
                    "supersedes", "remark")
    list_select_related = ("reviewed_by", "filter_user", "filter_record_type", "supersedes")
    add_fields = ("period_start", "period_end", "filter_user", "filter_record_type", "filter_action", "supersedes",
                  "remark")
    recorded_fields = ("period_start", "period_end", "filters_shown", "reviewed_by", "reviewed_at",
                       "entry_count_shown", "digest_shown", "supersedes", "superseded_by_shown", "remark")

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.add_fields
        fields = self.recorded_fields
        if self.has_add_permission(request) and not AuditReview.objects.filter(supersedes=obj).exists():
            fields = (*fields, "correction_link")
        return fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return False  # recorded means final: a correction is a new review

    def get_changeform_initial_data(self, request):
        # The audit log's "Record a review of this period" link carries the log's own filters.
        initial = super().get_changeform_initial_data(request)
        for key, param in (("period_start", "from"), ("period_end", "to"), ("filter_user", "user"),
                           ("filter_record_type", "content_type"), ("filter_action", "action"),
                           ("supersedes", "supersedes")):
            if request.GET.get(param):
                initial[key] = request.GET[param]
        return initial

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        recorded = audit_review_record(
            by=request.user, period_start=data["period_start"], period_end=data["period_end"],
            user=data.get("filter_user"), record_type=data.get("filter_record_type"),
            action=data.get("filter_action") or "", remark=data.get("remark") or "", supersedes=data.get("supersedes"),
            reason=typed_reason(request),
        )
        # The admin goes on with the recorded row (its message, its log entry, the redirect).
        obj.pk = recorded.pk
        obj.refresh_from_db()
        obj._state.adding = False

    @admin.display(description=_("filters"))
    def filters_shown(self, review):
        return review_filters_text(review)

    @admin.display(description=_("audit entries covered"))
    def entry_count_shown(self, review):
        if review.entry_count is None:
            return gettext("recorded before counts and digests were kept")
        return review.entry_count

    @admin.display(description=_("digest of the entries covered (SHA-256)"))
    def digest_shown(self, review):
        if not review.digest:
            return gettext("recorded before counts and digests were kept")
        count, digest = review_digest_now(review)
        if (count, digest) == (review.entry_count, review.digest):
            state = gettext("the audit log still holds exactly these entries")
        else:
            state = gettext("the audit log now gives %(count)s entries with another digest (changed since the review)") % {
                "count": count}
        return format_html("<code>{}</code><br>{}", review.digest, state)

    @admin.display(description=_("corrected by"))
    def superseded_by_shown(self, review):
        correction = AuditReview.objects.filter(supersedes=review).first()
        if correction is None:
            return "—"
        url = reverse("admin:privacy_office_auditreview_change", args=[correction.pk])
        return format_html('<a href="{}">{}</a>', url, correction)

    @admin.display(description=_("correction"))
    def correction_link(self, review):
        url = reverse("admin:privacy_office_auditreview_add") + "?" + urlencode(correction_query(review))
        return format_html('<a href="{}">{}</a>', url, gettext("Record a correction (a new review that supersedes this one)"))


def correction_query(review: AuditReview) -> dict:
    """The add page's parameters for a correction of ``review``: its period and filters, prefilled."""
    query = {"from": review.period_start.isoformat(), "to": review.period_end.isoformat(), "supersedes": review.pk}
    if review.filter_user_id:
        query["user"] = review.filter_user_id
    if review.filter_record_type_id:
        query["content_type"] = review.filter_record_type_id
    if review.filter_action:
        query["action"] = review.filter_action
    return query


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


class ReminderKindFilter(admin.SimpleListFilter):
    """The kinds by name, from the registry (no DISTINCT over the whole log to list them)."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return ReminderKind.choices

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdminMixin, StreamingExportMixin, admin.ModelAdmin):
    """The reminder log: every reminder recorded, with its delivery status (managers export it)."""

    resource_classes = [ReminderResource]

    list_display = ("due_at", "kind_label", "threshold", "recipient", "target_link", "status", "attempts", "late", "sent_at", "last_error_short")
    list_filter = ("status", "late", ReminderKindFilter)
    list_select_related = ("recipient", "content_type")
    search_fields = ("=subject", "=kind")
    paginator = LargeTablePaginator
    show_full_result_count = False
    # Facet counts over millions of rows cost more than the page itself (388 ms against 192 ms).
    show_facets = admin.ShowFacets.NEVER
    ordering = ("-due_at", "-id")  # reminder_log_idx
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

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, reminder):
        return ReminderKind.label_of(reminder.kind)


class ReminderInline(CappedInlineMixin, GenericTabularInline):  # generic FK: not the shared ReadOnlyInline
    """Reminder history on a record's own page (cases; obligations): the latest ones, recipients read
    with them, and a link to the reminder log filtered to the record (an overdue case gets a
    reminder every day, so a long-open one has hundreds)."""

    model = Reminder
    ct_field = "content_type"
    ct_fk_field = "object_id"
    fields = ("due_at", "kind_label", "threshold", "recipient", "status", "late", "sent_at", "attempts")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("reminders sent")
    # The latest ten; the log, one click away, has every one (a case page stays under 1,200 elements).
    shown_max = 10

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recipient").order_by("-due_at", "-id")

    @admin.display(description=_("kind"))
    def kind_label(self, reminder):
        return ReminderKind.label_of(reminder.kind)

    def see_all_url(self, request, obj) -> str:
        query = urlencode({"content_type": ContentType.objects.get_for_model(obj).pk, "object_id": obj.pk})
        return f"{reverse('admin:privacy_office_reminder_changelist')}?{query}"


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Large exports written in the background: each person sees and downloads only their own."""

    list_display = ("requested_at", "records", "file_format", "status", "row_count", "expires_at", "download_link")
    list_filter = ("status",)
    list_per_page = 50
    ordering = ("-requested_at", "-id")
    fields = ("requested_at", "records", "query", "file_format", "status", "row_count", "finished_at", "expires_at",
              "error", "download_link")
    readonly_fields = fields

    def get_queryset(self, request):
        # Nobody else's: a file holds what its owner's filters selected, in their export permission.
        return super().get_queryset(request).filter(requested_by=request.user).select_related("content_type")

    def get_urls(self):
        return [
            path("<path:object_id>/download/", self.admin_site.admin_view(self.download_view),
                 name="privacy_office_exportjob_download"),
            *super().get_urls(),
        ]

    def download_view(self, request, object_id):
        job, stored = export_job_open(job_id=object_id, user=request.user)
        filename = job.file_name.rsplit("/", 1)[-1]
        return FileResponse(stored, as_attachment=True, filename=filename)

    @admin.display(description=_("records"))
    def records(self, job):
        model = job.content_type.model_class()
        return model._meta.verbose_name_plural if model else job.content_type.model

    @admin.display(description=_("file"))
    def download_link(self, job):
        if job.status != ExportJob.Status.DONE:
            return "—"
        url = reverse("admin:privacy_office_exportjob_download", args=[job.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Download"))
