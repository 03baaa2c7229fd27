"""Admin for rights requests: a worklist built for a million cases, and a case page whose buttons
call the services. Declarations only: the forms are in ``forms.py``, the action pages and the
document download in ``views.py``, and every write goes through a service.

Scale (a million cases): every filter and search below maps onto an index in ``models.py`` (or migration
0002 on PostgreSQL); no full COUNT (estimated on PostgreSQL for the unfiltered list, capped
otherwise); no ``date_hierarchy``, no facets; ``list_select_related`` for the only FK shown.
"""

from __future__ import annotations

import functools
import re

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext

from privacy_office import list_cells, urgency
from privacy_office.admin import ReminderInline
from privacy_office.admin_base import (
    AuditedAdmin,
    CappedInlineMixin,
    LargeTablePaginator,
    PlainSelect,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    cached_choices,
    admin_reason,
    staff_choices,
    staff_login_field,
    staff_logins,
)

from . import case_tasks, display, letters, outbound_mail, services, views
from . import letter_attachments, letter_documents
from .mailbox_admin import InboundMessageInline, OutboundEmailInline
from .case_summary import case_summary
from .forms import NativeDateInput, NativeSplitDateTime, RightsRequestForm, TaskRowForm
from .models import (
    ClockPause,
    DocumentAccessLog,
    IdentityCheck,
    IdentityDocument,
    ResponseDraft,
    ResponseDraftAttachment,
    RightsRequest,
    Task,
    TimelineEntry,
)
from .resources import RightsRequestResource
from .rule_phrases import rule_display

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
# inlines
# ------------------------------------------------------------------------------------------------


class ClockPauseInline(CappedInlineMixin, ReadOnlyInline):
    model = ClockPause
    fields = ("reason", "started_on", "ended_on", "note")
    readonly_fields = fields


class IdentityCheckInline(CappedInlineMixin, ReadOnlyInline):
    model = IdentityCheck
    fields = ("method", "data_points", "signed_declaration", "authority_confirmed", "outcome", "requested_at",
              "decided_by", "decided_at", "note")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("decided_by")


class IdentityDocumentInline(CappedInlineMixin, ReadOnlyInline):
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


class TaskInline(CappedInlineMixin, admin.TabularInline):
    model = Task
    form = TaskRowForm
    formfield_overrides = {models.DateField: {"widget": NativeDateInput}}
    # Editable rows (a saved task shows its service and processor as text, TaskRowForm): open tasks
    # first (the model's ordering), ten at a time.
    shown_max = 10
    extra = 0
    can_delete = False
    fields = ("title", "service", "processor", "owner", "due_on", "done", "done_at")
    readonly_fields = ("done_at",)

    template = "requests_app/admin/task_tabular.html"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            return staff_login_field(get_user_model().objects.filter(is_staff=True, is_active=True),
                                     label=_("owner"))
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name in ("service", "processor"):
            # Small tables shown on every case page: choices from the cache, not two queries each,
            # drawn by the plain select (one template per option was most of the case page).
            field = cached_choices(field, f"dsar_task_{db_field.name}")
            field.widget = PlainSelect(choices=field.choices)
            field.widget.is_required = field.required
        return field

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in ("owner", "service", "processor"):
            # Without the add/change/view links beside each row's select: their template and URL
            # look-ups, three per row, cost more than the rest of the case page.
            return self.formfield_for_foreignkey(db_field, request, **kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("service", "processor", "owner")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.office_staff = staff_logins()
        return formset


class ResponseDraftInline(CappedInlineMixin, ReadOnlyInline):
    model = ResponseDraft
    fields = ("kind", "language", "subject", "sent_at", "edit_link")
    readonly_fields = fields

    def see_all_url(self, request, obj) -> str:
        return f"{reverse('admin:requests_app_responsedraft_changelist')}?request={obj.pk}"

    @admin.display(description=gettext_lazy("open"))
    def edit_link(self, draft):
        url = reverse("admin:requests_app_responsedraft_change", args=[draft.pk])
        label = _("view sent version") if draft.sent_at else _("edit / send")
        return format_html('<a href="{}">{}</a>', url, label)


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
    # What an officer scans: who, what, where it stands, whose, and how long is left. The date
    # received (the clock's start) is on the case page; the list must fit a 1,400 px window.
    list_display = (
        "reference", "requester_name", "jurisdiction", "request_type", "status", "assignee", "due_on", "days_left",
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
        "Exact reference (DSAR-2026-000123), e-mail or part of one with its @ (anna@, @example.com), exact phone or "
        "account id, or the start of the name."
    )
    actions = ("assign_to_me", "assign_to_user", "erase_personal_data")
    filter_horizontal = ("services",)
    # Received e-mails first: an answer the case waits for is seen at once. The timeline is not an
    # inline: the summary at the top of the page shows its newest entries (case_summary.py).
    inlines = (InboundMessageInline, ClockPauseInline, IdentityCheckInline, IdentityDocumentInline, TaskInline,
               ResponseDraftInline, OutboundEmailInline, ReminderInline)
    readonly_fields = (
        "reference", "status", "received_on", "due_on", "clock_explanation", "due_rule_text", "due_provisional",
        "original_due_on", "acknowledgement_due_on", "acknowledged_at", "extension_deadline", "extended",
        "extension_reasons", "extension_notice_sent_at", "extension_notice", "identity_requested_at",
        "identity_received_at", "verified_on", "clock_paused",
        "rejection_reasons", "remedy_text", "rejection_proposed_by", "rejection_proposed_at", "duplicate_of",
        "responded_at", "reply", "closed_at", "created_at",
        "erased_at", "erased_by", "erasure_reason",
    )
    fieldsets = (
        (gettext_lazy("Requester"), {"fields": (
            "reference", "requester_name", "requester_email", "requester_phone", "account_id", "relationship",
            "data_subject_name")}),
        (gettext_lazy("Request"), {"fields": (
            "jurisdiction", "request_type", "extra_types", "channel", "received_at", "requester_time_zone",
            "received_on", "services", "description")}),
        (gettext_lazy("Handling"), {"fields": (
            "assignee", "status", "identity_requested_at", "identity_received_at", "verified_on", "fee_paid_at")}),
        (gettext_lazy("Deadline"), {"fields": (
            "due_on", "clock_explanation", "due_rule_text", "due_provisional", "original_due_on", "clock_paused",
            "acknowledgement_due_on",
            "acknowledged_at", "extension_deadline", "extended", "extension_reasons", "extension_notice_sent_at",
            "extension_notice")}),
        (gettext_lazy("Outcome"), {"fields": (
            "rejection_reasons", "remedy_text", "rejection_proposed_by", "rejection_proposed_at", "duplicate_of",
            "responded_at", "reply", "closed_at", "created_at")}),
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.erased_at is not None:
            fieldsets = [*fieldsets, (gettext_lazy("Personal data erased"),
                                      {"fields": ("erased_at", "erased_by", "erasure_reason")})]
        # A field the services fill in says nothing while it is empty (all of them on a new case):
        # left out, with any section left with nothing in it. On a case's page the sections open on
        # demand, under the summary and the timeline.
        shown = []
        for name, options in fieldsets:
            fields = [f for f in options["fields"] if not self.says_nothing(obj, f)]
            if fields:
                classes = () if obj is None else ("collapse",)
                shown.append((name, {**options, "fields": fields, "classes": classes}))
        return shown

    def says_nothing(self, case, name) -> bool:
        """An empty field the services fill in (``readonly_fields``)."""
        if name not in self.readonly_fields:
            return False
        if case is None:
            return True
        try:
            field = case._meta.get_field(self.SHOWN_AS.get(name, name))
        except FieldDoesNotExist:
            return False  # a computed line (the clock explanation) speaks for itself
        return getattr(case, field.attname) in (None, "")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            # A case's receipt rarely changes once registered: the browser's own date and time
            # inputs, not two script-built calendars (about 200 page elements) on every visit.
            kwargs["widgets"] = {**kwargs.get("widgets", {}), "received_at": NativeSplitDateTime,
                                 "fee_paid_at": NativeSplitDateTime}
        return super().get_form(request, obj, change, **kwargs)

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is None:
            # A new case has no rows yet: only the lists one can add to on this page are shown.
            inlines = [inline for inline in inlines if inline.has_add_permission(request, obj)]
        return inlines

    def has_change_permission(self, request, obj=None):
        # An erased case is a tombstone: nothing on it can be changed (or typed back in). An ended
        # case is frozen: its page is read-only and a POST is refused; a correction re-opens it.
        if obj is not None and (obj.erased_at is not None or obj.has_ended):
            return False
        return super().has_change_permission(request, obj)

    def may_act(self, request, case) -> bool:
        """Whether the case page's action buttons are for ``request.user``: someone who may work
        cases, on a case not erased. On an ended case only the actions offered for ended cases
        exist (re-open; the refusal letter of a refused case), and the services refuse the rest."""
        return case.erased_at is None and super().has_change_permission(request, case)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and not services.may_reassign(user=request.user, case=obj):
            # Held by a colleague: moving it would give access to its identity documents.
            fields = (*fields, "assignee")
        return fields

    def has_erase_permission(self, request):
        return request.user.has_perm("requests_app.approve_erase_personal_data")

    @admin.display(description=gettext_lazy("what the due date means"))
    def clock_explanation(self, case):
        return display.clock_explanation_html(case)

    # A stored field shown through a method of another name: empty when the field is.
    SHOWN_AS = {"due_rule_text": "due_rule"}

    @admin.display(description=RightsRequest._meta.get_field("due_rule").verbose_name)
    def due_rule_text(self, case):
        """The rule as the clocks wrote it (English), in the reader's language."""
        return rule_display(case.due_rule)

    # -- list ---------------------------------------------------------------------------------

    @admin.display(description=gettext_lazy("days left"), ordering="due_on")
    def days_left(self, case):
        if not case.is_open:
            return "—"
        if case.clock_paused:
            return urgency.badge(urgency.MUTED, _("clock stopped"))
        days = case.days_left()
        if days < 0:
            level, text = urgency.DANGER, ngettext("%(n)d day overdue", "%(n)d days overdue", -days) % {"n": -days}
        else:
            # Up to 3 days left is as urgent as overdue; up to 7 a warning.
            level = urgency.DANGER if days <= 3 else urgency.WARN if days <= 7 else urgency.OK
            text = ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
        return urgency.badge(level, text, strong=True)

    def get_search_results(self, request, queryset, search_term):
        """Exact matches on indexed columns and a name prefix - never a substring scan."""
        term = (search_term or "").strip()
        if not term:
            return queryset, False
        if REFERENCE_RE.match(term):
            prefix, year, number = term.upper().split("-")
            return queryset.filter(reference=f"{prefix}-{year}-{int(number):06d}"), False
        if "@" in term:
            # The whole address (dsar_email_idx) or a part of it, e.g. "schmidt@" or "@example.com"
            # (addresses are stored lower-case; PostgreSQL: trigram index dsar_email_trgm_idx).
            address = services.normalise_email(term)
            return queryset.filter(Q(requester_email=address) | Q(requester_email__contains=address)), False
        if PHONE_RE.match(term):
            return queryset.filter(Q(requester_phone=services.normalise_phone(term)) | Q(account_id=term)), False
        # PostgreSQL: UPPER(name::text) LIKE 'TERM%' uses dsar_name_prefix_upper_idx (migration 0002).
        return queryset.filter(Q(requester_name__istartswith=term) | Q(account_id=term)), False

    # -- actions (call services) ---------------------------------------------------------------

    @admin.action(description=gettext_lazy("Assign selected cases to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        return views.assign_cases(self, request, queryset, to_self=True)

    @admin.action(description=gettext_lazy("Assign selected cases to…"), permissions=["change"])
    def assign_to_user(self, request, queryset):
        return views.assign_cases(self, request, queryset)

    @admin.action(description=gettext_lazy("Erase personal data after the retention period…"), permissions=["erase"])
    def erase_personal_data(self, request, queryset):
        return views.erase_personal_data(self, request, queryset)

    # -- saving through the services -----------------------------------------------------------

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assignee":
            # Only people who may work cases (services.can_be_assignee): never a read-only role.
            kwargs["queryset"] = services.assignable_users()
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
        # The form has already refused a stale version (AuditedAdmin) and checked the details
        # (services.dsar_check_details); the services write, with the reason typed on the form.
        data = form.cleaned_data
        if not change:
            case = services.dsar_register(
                requester_name=data["requester_name"], requester_email=data.get("requester_email", ""),
                requester_phone=data.get("requester_phone", ""), account_id=data.get("account_id", ""),
                relationship=data["relationship"], data_subject_name=data.get("data_subject_name", ""),
                jurisdiction=data["jurisdiction"], request_type=data["request_type"],
                extra_types=data.get("extra_types") or [], channel=data["channel"], received_at=data["received_at"],
                requester_time_zone=data.get("requester_time_zone", ""), fee_paid_at=data.get("fee_paid_at"),
                services=data.get("services") or (), assignee=data.get("assignee"),
                description=data.get("description", ""), by=request.user,
            )
        else:
            case = services.dsar_update(
                case=obj, by=request.user, reason=admin_reason(request, change=True),
                **{name: data[name] for name in form.changed_data if name in data},
            )
        # The admin goes on with ``obj`` (m2m, redirect, message): make it the row as saved.
        for field in case._meta.concrete_fields:
            setattr(obj, field.attname, getattr(case, field.attname))
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        if formset.model is not Task:
            return super().save_formset(request, form, formset, change)
        for task_form in formset.forms:
            if not task_form.has_changed() or not task_form.cleaned_data:
                continue
            data, task = task_form.cleaned_data, task_form.instance
            if task.pk is None:
                created = case_tasks.task_create(
                    case=form.instance, title=data["title"], by=request.user, owner=data.get("owner"),
                    service=data.get("service"), processor=data.get("processor"), due_on=data.get("due_on"),
                )
                if data.get("done"):
                    case_tasks.task_set_done(task=created, by=request.user)
            else:
                case_tasks.task_update(task=task, by=request.user,
                                       changes={name: data[name] for name in task_form.changed_data if name in data})
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    # -- case page: action buttons and the logged document viewer -------------------------------

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path("<path:object_id>/act/<str:action>/",
                 self.admin_site.admin_view(functools.partial(views.case_action, model_admin=self)),
                 name="%s_%s_action" % info),
            path("<path:object_id>/document/<int:document_id>/",
                 self.admin_site.admin_view(functools.partial(views.identity_document, model_admin=self)),
                 name="%s_%s_document" % info),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            # The top of the page: what an officer needs first, and the actions allowed now.
            context["case_summary"] = case_summary(obj)
            if self.may_act(request, obj):
                context["case_actions"] = [
                    (reverse("admin:requests_app_rightsrequest_action", args=[obj.pk, name]), label)
                    for name, label in views.available_actions(obj, user=request.user)
                ]
            # The case is the workspace: the whole width for it, not the list of every model.
            context["is_nav_sidebar_enabled"] = False
        return super().render_change_form(request, context, add, change, form_url, obj)


# ------------------------------------------------------------------------------------------------
# drafts and logs
# ------------------------------------------------------------------------------------------------


class LetterAttachmentForm(forms.ModelForm):
    """A file the letter names: checked by its content and size (letter_attachments.attachment_check)."""

    class Meta:
        model = ResponseDraftAttachment
        fields = ("position", "name", "file")
        widgets = {"file": forms.FileInput}  # private storage: no link to the stored file

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = gettext_lazy(
            "As the letter names it (“Attachment 1: …”); empty: the name the letter already gives, else the file's.")

    def clean_file(self):
        upload = self.files.get(self.add_prefix("file"))
        if self.instance.pk is not None:
            if upload is not None:
                raise ValidationError(_("To replace a file, delete this attachment and upload the new file."))
            return self.instance.file
        if upload is None:
            raise ValidationError(_("Choose a file to upload."))
        letter_attachments.attachment_check(upload)
        return upload


class LetterAttachmentFormSet(forms.BaseInlineFormSet):
    """A post without the attachments' part (a button posted by a script, a letter of a kind that
    needs none) changes no attachment, instead of failing the whole page."""

    def __init__(self, data=None, *args, **kwargs):
        prefix = kwargs.get("prefix") or self.get_default_prefix()
        if data is not None and f"{prefix}-TOTAL_FORMS" not in data:
            data = data.copy()
            data[f"{prefix}-TOTAL_FORMS"] = data[f"{prefix}-INITIAL_FORMS"] = "0"
        super().__init__(data, *args, **kwargs)


class LetterAttachmentInline(admin.TabularInline):
    model = ResponseDraftAttachment
    form = LetterAttachmentForm
    formset = LetterAttachmentFormSet
    extra = 1
    fields = ("position", "name", "file", "content_type", "size", "uploaded_at")
    readonly_fields = ("content_type", "size", "uploaded_at")

    def unsent(self, obj) -> bool:
        return obj is not None and obj.sent_at is None and letters.draft_editable(obj) and obj.request.erased_at is None

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if self.unsent(obj) else 0

    def get_fields(self, request, obj=None):
        # Read-only (sent letter), the file is named, never linked: private storage has no URL.
        return self.fields if self.unsent(obj) else tuple(f for f in self.fields if f != "file")

    def has_add_permission(self, request, obj=None):
        return self.unsent(obj) and request.user.has_perm("requests_app.change_responsedraft")

    def has_change_permission(self, request, obj=None):
        return self.unsent(obj) and request.user.has_perm("requests_app.change_responsedraft")

    def has_delete_permission(self, request, obj=None):
        return self.unsent(obj) and request.user.has_perm("requests_app.change_responsedraft")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("requests_app.view_responsedraft")


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
    inlines = (LetterAttachmentInline,)

    def has_add_permission(self, request):
        return False  # drafts are generated from the case page

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.sent_at is None and not letters.draft_editable(obj):
            # Erased or ended case (save for the refusal letter of a refused case): frozen.
            return False
        if obj is not None and obj.request.erased_at is not None:
            return False  # the case's personal data was erased: its drafts are tombstones too
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        base = ("request", "kind", "language", "sent_subject", "sent_body", "sent_at", "sent_by")
        if obj is not None and obj.sent_at is not None:
            return (*base, "subject", "body")
        return base

    # Letterhead, reference, signature block, page numbers; once sent, the frozen bytes (SentDocument).
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/download.docx", view(self.docx_view), name="requests_app_responsedraft_docx"),
            path("<int:pk>/download.pdf", view(self.pdf_view), name="requests_app_responsedraft_pdf"),
        ] + super().get_urls()

    def viewable_draft(self, request, pk):
        from django.core.exceptions import PermissionDenied
        from django.shortcuts import get_object_or_404

        draft = get_object_or_404(ResponseDraft.objects.select_related("request", "sent_by"), pk=pk)
        if not self.has_view_permission(request, draft):
            raise PermissionDenied
        return draft

    def docx_view(self, request, pk):
        return letter_documents.download(self.viewable_draft(request, pk), "docx")

    def pdf_view(self, request, pk):
        return letter_documents.download(self.viewable_draft(request, pk), "pdf")

    def save_model(self, request, obj, form, change):
        if obj.sent_at is None:  # a sent draft has no editable field left
            letters.draft_edit(draft=obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ResponseDraftAttachment:
            return super().save_formset(request, form, formset, change)
        # Through the service: the file checked by content, refused once the letter is sent, history kept.
        # The admin's change message reads what the formset did.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.deleted_forms:
            if row.instance.pk is not None:
                formset.deleted_objects.append(row.instance)
                letter_attachments.attachment_remove(attachment=row.instance, by=request.user)
        for row in formset.forms:
            if not row.has_changed() or not row.cleaned_data or row.cleaned_data.get("DELETE"):
                continue
            data = row.cleaned_data
            if row.instance.pk is None:
                formset.new_objects.append(letter_attachments.attachment_add(
                    draft=form.instance, file=data["file"], name=data.get("name") or "",
                    position=data.get("position"), by=request.user))
            else:
                formset.changed_objects.append((letter_attachments.attachment_rename(
                    attachment=row.instance, by=request.user, name=data.get("name") or row.instance.name,
                    position=data.get("position") or row.instance.position), row.changed_data))

    def response_change(self, request, obj):
        if "_send_email" in request.POST:
            try:
                outbound_mail.draft_send_email(draft=obj, by=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            except OSError as exc:  # the SMTP server refused or could not be reached: nothing was marked
                messages.error(request, _("The e-mail could not be sent (%(error)s); the letter is not marked sent.")
                               % {"error": type(exc).__name__})
            else:
                messages.success(request, _("E-mailed to the requester; the sent version is frozen."))
            return HttpResponseRedirect(reverse("admin:requests_app_rightsrequest_change", args=[obj.request_id]))
        if "_mark_sent" in request.POST:
            try:
                outbound_mail.draft_mark_sent_by_hand(draft=obj, by=request.user,
                                                      reason=request.POST.get("sent_by_hand_reason", ""))
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


@admin.register(TimelineEntry)
class TimelineEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A case's whole timeline (the case page shows the latest entries and links here, ``?request=<id>``)."""

    list_display = ("at", "request", "kind", "what", "note_cell", "by")
    # An entry's own page shows the message in the reader's language, not its message id and params.
    exclude = ("message", "params")
    readonly_fields = ("what",)
    list_select_related = ("request", "by")
    list_filter = ("kind",)
    list_per_page = 100
    paginator = LargeTablePaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    ordering = ("-at", "-id")
    sortable_by = ()

    @admin.display(description=gettext_lazy("what happened"))
    def what(self, entry):
        return list_cells.long_text(entry.text)

    @admin.display(description=gettext_lazy("note"))
    def note_cell(self, entry):
        return list_cells.long_text(entry.note)
