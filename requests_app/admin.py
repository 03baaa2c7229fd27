"""Admin for rights requests: a worklist built for a million cases, and a case page whose buttons
call the services.

Scale (a million cases): every filter and search below maps onto an index in ``models.py`` (or migration
0002 on PostgreSQL); no full COUNT (estimated on PostgreSQL for the unfiltered list, capped
otherwise); no ``date_hierarchy``, no facets; ``list_select_related`` for the only FK shown.
"""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.utils.translation import ngettext

from privacy_office.admin import ReminderInline
from privacy_office.admin_base import (
    CHANGE_REASON_MAX_LENGTH,
    VERSION_FIELD,
    AuditedAdmin,
    LargeTablePaginator,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    cached_choices,
    staff_choices,
)
from privacy_office.middleware import client_ip

from . import services
from .identity_documents import allowed_type_names, download_name, identity_document_check, served_type
from .models import (
    OPEN_STATUSES,
    TRANSITIONS,
    ClockPause,
    DocumentAccessLog,
    DraftKind,
    IdentityCheck,
    IdentityDocument,
    IdentityMethod,
    RequestType,
    ResponseDraft,
    RightsRequest,
    Status,
    Task,
    TimelineEntry,
)
from .resources import RightsRequestResource

# ------------------------------------------------------------------------------------------------
# filters (each one maps onto an index)
# ------------------------------------------------------------------------------------------------


class QueueFilter(admin.SimpleListFilter):
    title = gettext_lazy("work queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("mine", _("My open cases")),
            ("mine_all", _("All my cases")),
            ("unassigned", _("Unassigned open cases")),
            ("identity", _("Awaiting identity")),
            ("open", _("All open cases")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "mine":
            return queryset.open().assigned_to(request.user)
        if value == "mine_all":
            return queryset.assigned_to(request.user)
        if value == "unassigned":
            return queryset.open().filter(assignee__isnull=True)
        if value == "identity":
            return queryset.awaiting_identity()
        if value == "open":
            return queryset.open()
        return queryset


class DeadlineFilter(admin.SimpleListFilter):
    title = gettext_lazy("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Overdue")),
            ("0", _("Due today")),
            ("3", _("Due within 3 days")),
            ("7", _("Due within 7 days")),
            ("14", _("Due within 14 days")),
            ("30", _("Due within 30 days")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "overdue":
            return queryset.overdue()
        if value and value.isdigit():
            return queryset.due_within(int(value))
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = gettext_lazy("assignee")
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        return [("none", _("Unassigned")), *staff_choices()]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value and value.isdigit():
            return queryset.filter(assignee_id=int(value))
        return queryset


# ------------------------------------------------------------------------------------------------
# forms
# ------------------------------------------------------------------------------------------------


class RightsRequestForm(forms.ModelForm):
    extra_types = forms.TypedMultipleChoiceField(
        label=gettext_lazy("further request types"), choices=RequestType.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = RightsRequest
        fields = "__all__"

    def clean_requester_email(self):
        return services.normalise_email(self.cleaned_data.get("requester_email", ""))

    def clean_requester_phone(self):
        return services.normalise_phone(self.cleaned_data.get("requester_phone", ""))

    def clean(self):
        cleaned = super().clean()
        jurisdiction, request_type = cleaned.get("jurisdiction"), cleaned.get("request_type")
        received_at = cleaned.get("received_at")
        if received_at and received_at > timezone.now():
            self.add_error("received_at", _("The request cannot have been received in the future (%(when)s).")
                           % {"when": timezone.localtime(received_at).strftime("%Y-%m-%d %H:%M")})
        if jurisdiction and request_type:
            try:
                cleaned["extra_types"] = services._check_types(jurisdiction, request_type, cleaned.get("extra_types") or [])
            except ValidationError as exc:
                self.add_error("request_type", exc)
        instance = self.instance
        if instance.pk and instance.extended and {"jurisdiction", "request_type", "extra_types"} & set(self.changed_data):
            probe = RightsRequest(
                pk=None, jurisdiction=jurisdiction, request_type=request_type, extra_types=cleaned.get("extra_types") or [],
                received_on=instance.received_on, verified_on=instance.verified_on, extended=True,
            )
            try:
                if services.compute_due(probe)["extension_deadline"] is None:
                    self.add_error("jurisdiction", _("This case was extended, but the new jurisdiction/type has no extension; it cannot be changed."))
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ReasonsForm(forms.Form):
    reasons = forms.CharField(label=gettext_lazy("reasons"), widget=forms.Textarea(attrs={"rows": 4}))


class RejectForm(forms.Form):
    reasons = forms.CharField(label=gettext_lazy("reasons for refusal"), widget=forms.Textarea(attrs={"rows": 4}))
    remedies = forms.CharField(
        label=gettext_lazy("remedies (complaint to the supervisory authority, judicial remedy)"),
        widget=forms.Textarea(attrs={"rows": 3}), required=False,
        help_text=gettext_lazy("Leave empty to use the standard text for the jurisdiction."),
    )


class DuplicateForm(forms.Form):
    reference = forms.CharField(label=gettext_lazy("reference of the original case"), max_length=20)

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip().upper()
        case = RightsRequest.objects.filter(reference=reference).first()
        if case is None:
            raise ValidationError(_("No case has the reference %(reference)s.") % {"reference": reference})
        return case


class IdentityCheckForm(forms.Form):
    method = forms.ChoiceField(label=gettext_lazy("method"), choices=IdentityMethod.choices)
    data_points = forms.CharField(
        label=gettext_lazy("data points matched"), required=False,
        help_text=gettext_lazy("Comma-separated, e.g. email, phone, last order number."),
    )
    signed_declaration = forms.BooleanField(label=gettext_lazy("signed declaration under penalty of perjury"), required=False)
    authority_confirmed = forms.BooleanField(label=gettext_lazy("authority to act confirmed"), required=False)
    specific_pieces = forms.BooleanField(label=gettext_lazy("specific pieces of information requested (CCPA)"), required=False)
    corrected_fields = forms.CharField(
        label=gettext_lazy("data being corrected"), required=False,
        help_text=gettext_lazy("Comma-separated; these cannot be used to verify a correction request."),
    )
    verified = forms.TypedChoiceField(
        label=gettext_lazy("outcome"), coerce=lambda v: v == "1",
        choices=[("1", gettext_lazy("verified")), ("0", gettext_lazy("not verified"))],
    )
    note = forms.CharField(label=gettext_lazy("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("identity document"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("%(types)s, at most %(limit)s.") % {
            "types": allowed_type_names(), "limit": filesizeformat(settings.IDENTITY_DOCUMENT_MAX_BYTES),
        }

    def clean_file(self):
        # The service checks again; here the refusal lands on the field, in the user's language.
        file = self.cleaned_data["file"]
        identity_document_check(file)
        return file


class DraftForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=DraftKind.choices)
    language = forms.ChoiceField(label=gettext_lazy("language"), choices=[("zh-hans", "简体中文"), ("en", "English")])
    reasons = forms.CharField(
        label=gettext_lazy("reasons (extension / refusal)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("reason for the erasure"), max_length=CHANGE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=gettext_lazy("Kept on each case with your name and the date, e.g. “retention period ended”."),
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=gettext_lazy("assignee"), required=False, empty_label=gettext_lazy("(unassigned)"),
        queryset=get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username"),
    )


def _split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


# Case actions: name -> (label, form, handler(case, user, data), statuses it is offered in).
CASE_ACTIONS = {
    "request_identity": (gettext_lazy("Request proof of identity"), None,
                         lambda c, u, d: services.dsar_request_identity(case=c, by=u),
                         (Status.RECEIVED, Status.AWAITING_IDENTITY)),
    "record_identity": (gettext_lazy("Record identity check"), IdentityCheckForm,
                        lambda c, u, d: services.dsar_record_identity_check(
                            case=c, by=u, method=d["method"], data_points=_split(d["data_points"]),
                            signed_declaration=d["signed_declaration"], authority_confirmed=d["authority_confirmed"],
                            specific_pieces=d["specific_pieces"], corrected_fields=_split(d["corrected_fields"]),
                            verified=d["verified"], note=d["note"]),
                        OPEN_STATUSES),
    "upload_document": (gettext_lazy("Upload identity document"), UploadForm,
                        lambda c, u, d: services.dsar_upload_identity_document(case=c, file=d["file"], by=u),
                        OPEN_STATUSES),
    "start_work": (gettext_lazy("Start work"), None, lambda c, u, d: services.dsar_start_work(case=c, by=u),
                   (Status.RECEIVED, Status.AWAITING_IDENTITY, Status.RESPONSE_DRAFTED)),
    "request_clarification": (gettext_lazy("Ask for clarification"), NoteForm,
                              lambda c, u, d: services.dsar_request_clarification(case=c, by=u, note=d["note"]),
                              (Status.IN_PROGRESS,)),
    "receive_clarification": (gettext_lazy("Clarification received"), None,
                              lambda c, u, d: services.dsar_receive_clarification(case=c, by=u),
                              (Status.AWAITING_CLARIFICATION,)),
    "extend": (gettext_lazy("Extend the deadline"), ReasonsForm,
               lambda c, u, d: services.dsar_extend(case=c, by=u, reasons=d["reasons"]), OPEN_STATUSES),
    "create_tasks": (gettext_lazy("Create tasks for services and processors"), None,
                     lambda c, u, d: services.tasks_create_for_services(case=c, by=u), OPEN_STATUSES),
    "generate_draft": (gettext_lazy("Generate a response draft"), DraftForm,
                       lambda c, u, d: services.draft_generate(case=c, kind=d["kind"], language=d["language"],
                                                               reasons=d["reasons"], by=u),
                       tuple(Status.values)),
    "mark_drafted": (gettext_lazy("Response drafted"), None,
                     lambda c, u, d: services.dsar_mark_response_drafted(case=c, by=u), (Status.IN_PROGRESS,)),
    "mark_responded": (gettext_lazy("Mark responded"), None,
                       lambda c, u, d: services.dsar_mark_responded(case=c, by=u), (Status.RESPONSE_DRAFTED,)),
    "close": (gettext_lazy("Close"), None, lambda c, u, d: services.dsar_close(case=c, by=u), (Status.RESPONDED,)),
    "reject": (gettext_lazy("Refuse"), RejectForm,
               lambda c, u, d: services.dsar_reject(case=c, by=u, reasons=d["reasons"], remedies=d["remedies"]),
               OPEN_STATUSES),
    "withdraw": (gettext_lazy("Withdrawn by the requester"), NoteForm,
                 lambda c, u, d: services.dsar_withdraw(case=c, by=u, note=d["note"]), OPEN_STATUSES),
    "duplicate": (gettext_lazy("Mark as duplicate"), DuplicateForm,
                  lambda c, u, d: services.dsar_mark_duplicate(case=c, duplicate_of=d["reference"], by=u),
                  (Status.RECEIVED, Status.AWAITING_IDENTITY, Status.IN_PROGRESS)),
}


# ------------------------------------------------------------------------------------------------
# inlines
# ------------------------------------------------------------------------------------------------


class ClockPauseInline(ReadOnlyInline):
    model = ClockPause
    fields = ("reason", "started_on", "ended_on", "note")
    readonly_fields = fields


class IdentityCheckInline(ReadOnlyInline):
    model = IdentityCheck
    fields = ("method", "data_points", "signed_declaration", "authority_confirmed", "outcome", "requested_at",
              "decided_by", "decided_at", "note")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("decided_by")


class IdentityDocumentInline(ReadOnlyInline):
    model = IdentityDocument
    fields = ("original_name", "size", "uploaded_by", "uploaded_at", "deleted_at", "viewer")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    @admin.display(description=gettext_lazy("view"))
    def viewer(self, document):
        if document.deleted_at or not document.file:
            return _("file deleted")
        url = reverse("admin:requests_app_rightsrequest_document", args=[document.request_id, document.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download (logged)"))


class TaskInline(admin.TabularInline):
    model = Task
    extra = 0
    can_delete = False
    fields = ("title", "service", "processor", "owner", "due_on", "done", "done_at")
    readonly_fields = ("done_at",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name in ("owner", "service", "processor"):
            # Small tables shown on every case page: choices from the cache, not two queries each.
            return cached_choices(field, f"dsar_task_{db_field.name}")
        return field

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("service", "processor", "owner")


class ResponseDraftInline(ReadOnlyInline):
    model = ResponseDraft
    fields = ("kind", "language", "subject", "sent_at", "edit_link")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("open"))
    def edit_link(self, draft):
        url = reverse("admin:requests_app_responsedraft_change", args=[draft.pk])
        label = _("view sent version") if draft.sent_at else _("edit / send")
        return format_html('<a href="{}">{}</a>', url, label)


class TimelineInline(ReadOnlyInline):
    model = TimelineEntry
    fields = ("at", "kind", "what", "note", "by")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("timeline")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")

    @admin.display(description=gettext_lazy("what happened"))
    def what(self, entry):
        return entry.text


# ------------------------------------------------------------------------------------------------
# the case admin
# ------------------------------------------------------------------------------------------------

REFERENCE_RE = re.compile(r"^DSAR-\d{4}-\d{1,6}$", re.IGNORECASE)
PHONE_RE = re.compile(r"^\+?[\d\s\-().]{5,}$")


@admin.register(RightsRequest)
class RightsRequestAdmin(AuditedAdmin):
    form = RightsRequestForm
    resource_classes = [RightsRequestResource]
    change_form_template = "requests_app/admin/rightsrequest_change_form.html"
    list_display = (
        "reference", "requester_name", "jurisdiction", "request_type", "status", "assignee", "received_on",
        "due_on", "days_left",
    )
    list_display_links = ("reference",)
    list_select_related = ("assignee",)
    list_filter = (QueueFilter, DeadlineFilter, "status", "jurisdiction", "request_type", AssigneeFilter)
    list_per_page = 50
    paginator = LargeTablePaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    ordering = ("due_on", "id")
    sortable_by = ("reference", "due_on")
    search_fields = ("reference",)  # shows the box; get_search_results decides the (indexed) lookup
    search_help_text = gettext_lazy(
        "Exact reference (DSAR-2026-000123), exact e-mail, exact phone or account id, or the start of the name."
    )
    actions = ("assign_to_me", "assign_to_user", "erase_personal_data")
    filter_horizontal = ("services",)
    inlines = (ClockPauseInline, IdentityCheckInline, IdentityDocumentInline, TaskInline, ResponseDraftInline,
               TimelineInline, ReminderInline)
    readonly_fields = (
        "reference", "status", "received_on", "due_on", "due_rule", "due_provisional", "original_due_on",
        "acknowledgement_due_on", "acknowledged_at", "extension_deadline", "extended", "extension_reasons",
        "extension_notice_sent_at", "identity_requested_at", "verified_on", "clock_paused", "rejection_reasons",
        "remedy_text", "duplicate_of", "responded_at", "closed_at", "created_at",
        "erased_at", "erased_by", "erasure_reason",
    )
    fieldsets = (
        (gettext_lazy("Requester"), {"fields": (
            "reference", "requester_name", "requester_email", "requester_phone", "account_id", "relationship",
            "data_subject_name")}),
        (gettext_lazy("Request"), {"fields": (
            "jurisdiction", "request_type", "extra_types", "channel", "received_at", "received_on", "services",
            "description")}),
        (gettext_lazy("Handling"), {"fields": ("assignee", "status", "identity_requested_at", "verified_on")}),
        (gettext_lazy("Deadline"), {"fields": (
            "due_on", "due_rule", "due_provisional", "original_due_on", "clock_paused", "acknowledgement_due_on",
            "acknowledged_at", "extension_deadline", "extended", "extension_reasons", "extension_notice_sent_at")}),
        (gettext_lazy("Outcome"), {"fields": (
            "rejection_reasons", "remedy_text", "duplicate_of", "responded_at", "closed_at", "created_at")}),
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.erased_at is not None:
            fieldsets = [*fieldsets, (gettext_lazy("Personal data erased"),
                                      {"fields": ("erased_at", "erased_by", "erasure_reason")})]
        return fieldsets

    def has_change_permission(self, request, obj=None):
        # An erased case is a tombstone: nothing on it can be changed (or typed back in).
        if obj is not None and obj.erased_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_erase_permission(self, request):
        return request.user.has_perm("requests_app.approve_erase_personal_data")

    # -- list ---------------------------------------------------------------------------------

    @admin.display(description=gettext_lazy("days left"), ordering="due_on")
    def days_left(self, case):
        if not case.is_open:
            return "—"
        if case.clock_paused:
            return format_html('<span style="color:#555">{}</span>', _("clock stopped"))
        days = case.days_left()
        if days < 0:
            colour, text = "#ba2121", ngettext("%(n)d day overdue", "%(n)d days overdue", -days) % {"n": -days}
        elif days <= 3:
            colour, text = "#d35400", ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
        elif days <= 7:
            colour, text = "#b26a00", ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
        else:
            colour, text = "#2b7a0b", ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
        return format_html('<strong style="color:{}">{}</strong>', colour, text)

    def get_search_results(self, request, queryset, search_term):
        """Exact matches on indexed columns and a name prefix - never a substring scan."""
        term = (search_term or "").strip()
        if not term:
            return queryset, False
        if REFERENCE_RE.match(term):
            prefix, year, number = term.upper().split("-")
            return queryset.filter(reference=f"{prefix}-{year}-{int(number):06d}"), False
        if "@" in term:
            return queryset.filter(requester_email=services.normalise_email(term)), False
        if PHONE_RE.match(term):
            return queryset.filter(Q(requester_phone=services.normalise_phone(term)) | Q(account_id=term)), False
        # PostgreSQL: UPPER(name::text) LIKE 'TERM%' uses dsar_name_prefix_upper_idx (migration 0002).
        return queryset.filter(Q(requester_name__istartswith=term) | Q(account_id=term)), False

    # -- actions (call services) ---------------------------------------------------------------

    @admin.action(description=gettext_lazy("Assign selected cases to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        count = services.dsar_assign(cases=list(queryset), assignee=request.user, by=request.user)
        self.message_user(request, ngettext("%(n)d case assigned.", "%(n)d cases assigned.", count) % {"n": count})

    @admin.action(description=gettext_lazy("Assign selected cases to…"), permissions=["change"])
    def assign_to_user(self, request, queryset):
        if "apply" in request.POST:
            form = AssignForm(request.POST)
            if form.is_valid():
                count = services.dsar_assign(cases=list(queryset), assignee=form.cleaned_data["assignee"], by=request.user)
                self.message_user(request, ngettext("%(n)d case assigned.", "%(n)d cases assigned.", count) % {"n": count})
                return None
        else:
            form = AssignForm()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Assign cases"),
            "opts": self.model._meta,
            "form": form,
            "cases": queryset.select_related(None)[:100],
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            "action": "assign_to_user",
        }
        return TemplateResponse(request, "requests_app/admin/assign.html", context)

    @admin.action(description=gettext_lazy("Erase personal data after the retention period…"), permissions=["erase"])
    def erase_personal_data(self, request, queryset):
        """A confirmation page listing which selected cases may be erased and why not; then the service."""
        cases = list(queryset.select_related(None).order_by("reference")[:200])
        form = ErasureForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            erased, refused = [], []
            for case in cases:
                try:
                    services.dsar_erase_personal_data(case=case, by=request.user, reason=form.cleaned_data["reason"])
                    erased.append(case.reference)
                except ValidationError as exc:
                    refused.append(" ".join(exc.messages))
            if erased:
                self.message_user(request, _("Personal data erased; the cases are kept as records without it: %(refs)s.")
                                  % {"refs": ", ".join(erased)})
            for message in refused:
                self.message_user(request, message, level=messages.ERROR)
            return None
        now = timezone.now()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Erase personal data after the retention period"),
            "opts": self.model._meta,
            "form": form,
            "rows": [(case, services.dsar_erasure_blocker(case=case, now=now)) for case in cases],
            "retention_days": settings.CASE_RETENTION_DAYS,
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            "action": "erase_personal_data",
        }
        return TemplateResponse(request, "requests_app/admin/erase_confirm.html", context)

    # -- saving through the services -----------------------------------------------------------

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assignee":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
            return cached_choices(super().formfield_for_foreignkey(db_field, request, **kwargs), "dsar_assignee")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return cached_choices(field, "dsar_services") if db_field.name == "services" else field

    def get_object(self, request, object_id, from_field=None):
        # change_view and the admin's own view both ask for the case: read it once per request.
        memo = request.__dict__.setdefault("_rightsrequest_objects", {})
        key = (str(object_id), from_field)
        if key not in memo:
            memo[key] = super().get_object(request, object_id, from_field)
        return memo[key]

    def save_model(self, request, obj, form, change):
        if not change:
            data = form.cleaned_data
            case = services.dsar_register(
                requester_name=data["requester_name"], requester_email=data.get("requester_email", ""),
                requester_phone=data.get("requester_phone", ""), account_id=data.get("account_id", ""),
                relationship=data["relationship"], data_subject_name=data.get("data_subject_name", ""),
                jurisdiction=data["jurisdiction"], request_type=data["request_type"],
                extra_types=data.get("extra_types") or [], channel=data["channel"], received_at=data["received_at"],
                assignee=data.get("assignee"), description=data.get("description", ""), by=request.user,
            )
            # The admin goes on with ``obj`` (m2m, redirect, message): make it the registered row.
            for field in case._meta.concrete_fields:
                setattr(obj, field.attname, getattr(case, field.attname))
            obj._state.adding = False
            return
        changed = set(form.changed_data)
        services.dsar_after_edit(case=obj, changed=changed, by=request.user)
        super().save_model(request, obj, form, change)
        if changed:
            services._log(obj, TimelineEntry.Kind.EDIT, gettext_noop("Details edited: %(fields)s; due %(due)s."),
                          by=request.user, fields=", ".join(sorted(changed)), due=str(obj.due_on))

    def save_formset(self, request, form, formset, change):
        if formset.model is not Task:
            return super().save_formset(request, form, formset, change)
        for task_form in formset.forms:
            if not task_form.has_changed() or not task_form.cleaned_data:
                continue
            data, task = task_form.cleaned_data, task_form.instance
            if task.pk is None:
                created = services.task_create(
                    case=form.instance, title=data["title"], by=request.user, owner=data.get("owner"),
                    service=data.get("service"), processor=data.get("processor"), due_on=data.get("due_on"),
                )
                if data.get("done"):
                    services.task_set_done(task=created, by=request.user)
            elif "done" in task_form.changed_data:
                services.task_set_done(task=task, by=request.user, done=bool(data.get("done")))
            else:
                services._save(task, by=request.user, reason=gettext_noop("task edited"))
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    # -- case page: action buttons and the logged document viewer -------------------------------

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path("<path:object_id>/act/<str:action>/", self.admin_site.admin_view(self.case_action_view),
                 name="%s_%s_action" % info),
            path("<path:object_id>/document/<int:document_id>/", self.admin_site.admin_view(self.document_view),
                 name="%s_%s_document" % info),
            *super().get_urls(),
        ]

    def available_actions(self, case):
        return [
            (name, label) for name, (label, _form, _handler, statuses) in CASE_ACTIONS.items()
            if case.status in statuses and self._action_applies(case, name)
        ]

    @staticmethod
    def _action_applies(case, name):
        if name in ("request_identity", "record_identity"):
            return case.verified_on is None
        if name == "extend":
            return not case.extended and case.extension_deadline is not None
        if name == "start_work":
            return Status.IN_PROGRESS in TRANSITIONS[case.status]
        return True

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if case is not None and self.has_change_permission(request, case):
            extra_context["case_actions"] = [
                (reverse("admin:requests_app_rightsrequest_action", args=[case.pk, name]), label)
                for name, label in self.available_actions(case)
            ]
        return super().change_view(request, object_id, form_url, extra_context)

    def case_action_view(self, request, object_id, action):
        case = self.get_object(request, object_id)
        if case is None:
            raise Http404
        if action not in CASE_ACTIONS:
            raise Http404
        if not self.has_change_permission(request, case):
            raise PermissionDenied
        label, form_class, handler, _statuses = CASE_ACTIONS[action]
        change_url = reverse("admin:requests_app_rightsrequest_change", args=[case.pk])
        form = None
        if request.method == "POST":
            form = form_class(request.POST, request.FILES) if form_class else None
            loaded = request.POST.get(VERSION_FIELD)
            if loaded and loaded.isdigit() and int(loaded) != case.version:
                messages.error(request, _("Someone else changed this case after you opened it; check the timeline and try again."))
                return HttpResponseRedirect(change_url)
            if form is None or form.is_valid():
                try:
                    handler(case, request.user, form.cleaned_data if form else {})
                except ValidationError as exc:
                    for message in exc.messages:
                        messages.error(request, message)
                    if form is None:
                        return HttpResponseRedirect(change_url)
                    form.add_error(None, exc)
                else:
                    messages.success(request, _("%(action)s: done.") % {"action": label})
                    return HttpResponseRedirect(change_url)
        elif form_class is None:
            # Actions without input still need a POST (CSRF); show a confirmation page.
            form = None
        else:
            form = form_class()
        context = {
            **self.admin_site.each_context(request),
            "title": f"{case.reference}: {label}",
            "opts": self.model._meta,
            "original": case,
            "case": case,
            "form": form,
            "action_label": label,
            "change_url": change_url,
            "loaded_version_field": VERSION_FIELD,
            "multipart": bool(form and form.is_multipart()),
        }
        return TemplateResponse(request, "requests_app/admin/case_action.html", context)

    def document_view(self, request, object_id, document_id):
        """Streams an identity document after the access rule; every view is logged."""
        document = get_object_or_404(IdentityDocument.objects.select_related("request"), pk=document_id, request_id=object_id)
        try:
            handle = services.identity_document_open(
                document=document, user=request.user, ip_address=client_ip(request),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(reverse("admin:requests_app_rightsrequest_change", args=[object_id]))
        # Always a download, typed as recognised at upload: a browser never renders (or sniffs)
        # what a requester sent inside the admin's origin.
        response = FileResponse(
            handle, as_attachment=True, filename=download_name(document.original_name, document.content_type),
            content_type=served_type(document.content_type),
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


# ------------------------------------------------------------------------------------------------
# drafts and logs
# ------------------------------------------------------------------------------------------------


@admin.register(ResponseDraft)
class ResponseDraftAdmin(AuditedAdmin):
    list_display = ("request", "kind", "language", "subject", "created_at", "sent_at")
    list_select_related = ("request",)
    list_filter = ("kind", "language")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    ordering = ("-created_at", "-id")
    fields = ("request", "kind", "language", "subject", "body", "sent_subject", "sent_body", "sent_at", "sent_by")
    change_form_template = "requests_app/admin/responsedraft_change_form.html"

    def has_add_permission(self, request):
        return False  # drafts are generated from the case page

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.request.erased_at is not None:
            return False  # the case's personal data was erased: its drafts are tombstones too
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        base = ("request", "kind", "language", "sent_subject", "sent_body", "sent_at", "sent_by")
        if obj is not None and obj.sent_at is not None:
            return (*base, "subject", "body")
        return base

    def save_model(self, request, obj, form, change):
        if obj.sent_at is None:  # a sent draft has no editable field left
            services.draft_edit(draft=obj, by=request.user)

    def response_change(self, request, obj):
        if "_mark_sent" in request.POST:
            try:
                services.draft_mark_sent(draft=obj, by=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Marked as sent; the sent version is frozen."))
            return HttpResponseRedirect(reverse("admin:requests_app_rightsrequest_change", args=[obj.request_id]))
        return super().response_change(request, obj)


@admin.register(DocumentAccessLog)
class DocumentAccessLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "user", "document", "case")
    list_select_related = ("user", "document__request")
    list_filter = ("user",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    ordering = ("-at", "-id")

    @admin.display(description=gettext_lazy("rights request"))
    def case(self, entry):
        return entry.document.request.reference
