"""Incidents, their obligations and drafts in the admin. Buttons and actions only call services."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_field, quote
from django.template.defaultfilters import linebreaksbr
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.formats import localize
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from privacy_office.admin_base import (
    CHANGE_REASON_MAX_LENGTH,
    VERSION_FIELD,
    AuditedAdmin,
    AuditedModelForm,
    CappedInlineMixin,
    LargeTablePaginator,
    NativeSplitDateTime,
    PlainSelect,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    StreamingExportMixin,
    selection_too_large,
    check_loaded_version,
    loaded_version_error,
    typed_reason,
)
from privacy_office import list_cells
from privacy_office.models import Reminder
from privacy_office.roles import approval_label, approval_permission, holds_approval, missing_permission_message
from privacy_office.spreadsheets import inert_resource_for
from privacy_office.urgency import DANGER, badge

from . import display, notices, services, summary
from . import notice_documents
from .models import (
    NARRATIVE_FIELDS,
    AffectedPopulation,
    Incident,
    IncidentNarrative,
    Jurisdiction,
    NoticeDraft,
    Obligation,
    TimelineEntry,
)


def _errors(exc) -> str:
    """A refusal as the person reads it: HTML the check built (who changed what) stays HTML, a
    refused approval shows the difference between the text read and the text now."""
    if isinstance(exc, ValidationError):
        text = mark_safe(" ".join(conditional_escape(m) for m in exc.messages))
        diff = (getattr(exc, "params", None) or {}).get("diff") if hasattr(exc, "code") else None
        if diff:
            text = format_html('{}<pre class="breach-diff" style="white-space:pre-wrap">{}</pre>', text, diff)
        return text
    return str(exc) or str(_("You are not allowed to do that."))


def version_field(obj) -> str:
    """The name under which a confirmation page posts the version of ``obj`` it showed."""
    return f"{VERSION_FIELD}_{obj.pk}"


def confirm_each(model_admin, request, queryset, *, title, apply=None, done_message, form_class=None,
                 show_texts=False, objects=None, apply_set=None, apply_all=None):
    """An action's confirmation page, then the action on each record as the page showed it: each
    record's version (and, for drafts to approve, the text itself) is on the page and posted back,
    so a record someone changed since is refused instead of acted on unseen.

    ``apply(obj, data)`` runs a service on one record at a time (its own transaction, a fixed
    number of queries per record); ``apply_set`` = (lock, write) acts on the whole selection at
    once: ``lock(ids)`` reads the records locked in one query, ``write(records, data)`` writes the
    ones still as shown and returns (how many, {id: refusal}); ``apply_all(ids, data)`` acts on
    the whole selection, all or nothing, and reports the outcome itself."""
    # "Select all" over a whole list would hold one transaction for hours and list every record on
    # the confirmation page: refused before anything is read or written.
    if selection_too_large(model_admin, request, queryset, message=_(
            "More than %(limit)s records are selected; a list action works on at most %(limit)s at a time. Nothing "
            "was changed: narrow the list with a filter or a search and try again.")):
        return None
    form = None
    if "apply" in request.POST:
        form = form_class(request.POST) if form_class else None
        if form is None or form.is_valid():
            data = form.cleaned_data if form is not None else {}
            if apply_all is not None:
                apply_all(list(queryset.order_by().values_list("pk", flat=True)), data)
                return None
            if apply_set is not None:
                done = apply_as_set(model_admin, request, queryset, data, *apply_set)
                if done:
                    model_admin.message_user(request, done_message % {"n": done})
                return None
            done = 0
            for obj in queryset:
                try:
                    with transaction.atomic():
                        check_loaded_version(request, obj, name=version_field(obj))
                        apply(obj, data)
                    done += 1
                except (ValidationError, PermissionDenied) as exc:
                    model_admin.message_user(request, format_html("{}: {}", obj, _errors(exc)), level=messages.ERROR)
            if done:
                model_admin.message_user(request, done_message % {"n": done})
            return None
    elif form_class is not None:
        form = form_class()
    objects = list(queryset) if objects is None else objects
    if show_texts:
        for obj in objects:
            obj.text_sha256 = notices.text_sha256(obj.body)
    return TemplateResponse(request, "breach_app/admin/action_form.html", {
        **model_admin.admin_site.each_context(request), "title": title, "form": form, "objects": objects,
        "action": request.POST.get("action"), "opts": model_admin.model._meta, "show_texts": show_texts,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    })


def apply_as_set(model_admin, request, queryset, data, lock, write) -> int:
    """The set-based half of ``confirm_each``: one transaction, the selection locked by one query,
    each record's posted version compared with the locked row (a stale one is refused with who
    changed what, as on its own page), then one ``write`` for the rest. Refusals are named."""
    ids = list(queryset.order_by().values_list("pk", flat=True))
    refused: list[tuple[object, Exception]] = []
    try:
        with transaction.atomic():
            records = lock(ids)
            fresh = []
            for obj in records:
                posted = request.POST.get(version_field(obj))
                error = None if str(posted or "").strip() == str(obj.version) else loaded_version_error(obj, posted)
                if error is None:
                    fresh.append(obj)
                else:
                    refused.append((obj, error))
            done, refusals = write(fresh, data)
            refused += [(obj, refusals[obj.pk]) for obj in fresh if obj.pk in refusals]
    except (ValidationError, PermissionDenied) as exc:  # refused as a whole (no reason, no permission)
        model_admin.message_user(request, _errors(exc), level=messages.ERROR)
        return 0
    for obj, exc in refused:
        model_admin.message_user(request, format_html("{}: {}", obj, _errors(exc)), level=messages.ERROR)
    return done


INCIDENT_REFERENCE_RE = re.compile(r"^INC-(\d{4})-(\d{1,8})$", re.IGNORECASE)


def incident_references(term: str) -> list[str] | None:
    """The stored forms of a typed incident reference ("inc-2026-42" -> INC-2026-0042), or None if
    ``term`` is not one: the unique index answers it instead of a substring scan."""
    match = INCIDENT_REFERENCE_RE.match(term.strip())
    if not match:
        return None
    year, number = match.groups()
    return list(dict.fromkeys([f"INC-{year}-{number}", f"INC-{year}-{int(number):04d}"]))


def form_page(model_admin, request, obj, *, title, form):
    """A page with a form acting on one record (its version posted back, see ``confirm_each``)."""
    return TemplateResponse(request, "breach_app/admin/action_form.html", {
        **model_admin.admin_site.each_context(request), "title": title, "form": form, "objects": [obj],
        "opts": model_admin.model._meta,
    })


# --------------------------------------------------------------------------- filters


class OpenFilter(admin.SimpleListFilter):
    title = _("open or closed")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("open")), ("no", _("closed"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.open()
        if self.value() == "no":
            return queryset.filter(status__in=(Incident.Status.CLOSED, Incident.Status.WITHDRAWN))
        return queryset


class JurisdictionFilter(admin.SimpleListFilter):
    title = _("jurisdiction")
    parameter_name = "jurisdiction"

    ANY_US_STATE = "US-*"

    def lookups(self, request, model_admin):
        # The national jurisdictions, then the United States as a whole and each state, DC and PR.
        national = [(code, label) for code, label in Jurisdiction.choices if not code.startswith("US-")]
        states = [(code, label) for code, label in Jurisdiction.choices if code.startswith("US-")]
        return [*national, (self.ANY_US_STATE, _("United States (any state)")), *states]

    def queryset(self, request, queryset):
        if self.value() == self.ANY_US_STATE:
            return queryset.filter(populations__jurisdiction__startswith="US-").distinct()
        if self.value():
            return queryset.filter(populations__jurisdiction=self.value()).distinct()
        return queryset


class HasOverdueFilter(admin.SimpleListFilter):
    title = _("overdue obligation")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("has an overdue obligation")), ("no", _("nothing overdue"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "yes":
            return queryset.with_overdue_obligation(now)
        if self.value() == "no":
            return queryset.exclude(next_deadline__lt=now)
        return queryset


class ObligationOverdueFilter(admin.SimpleListFilter):
    title = _("clock")
    parameter_name = "clock"

    def lookups(self, request, model_admin):
        return [("overdue", _("overdue")), ("24h", _("due within 24 h")), ("live", _("still to do"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "overdue":
            return queryset.live().overdue(now)
        if self.value() == "24h":
            return queryset.live().due_within(24, now)
        if self.value() == "live":
            return queryset.live()
        return queryset


# --------------------------------------------------------------------------- inlines


class SharedChoicesField(forms.TypedChoiceField):
    """A choice field whose fixed choices every row's copy shares: each form of a formset
    deep-copies its fields, and with them a list of every jurisdiction (about 120 per row)."""

    def __deepcopy__(self, memo):
        result = forms.Field.__deepcopy__(self, memo)  # the widget is copied, with a shallow copy of the choices
        result._choices = self._choices
        return result


class AffectedPopulationInline(CappedInlineMixin, admin.TabularInline):
    """Where the affected people are, edited on the incident's page opened with ``?populations=all``
    (the "edit" link beside the read-only list) and on the add page. The incident's page lists them
    read-only: sixty rows of forms, each with a select of every jurisdiction, were most of its size
    and drawing time. The save writes only the rows the form changed."""

    model = AffectedPopulation
    fields = ("jurisdiction", "people_min", "people_max", "records", "estimate")
    template = "admin/privacy_office/fast_tabular.html"
    extra = 0
    shown_max = 10
    show_all_param = "populations"

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-people_min", "jurisdiction", "id")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "jurisdiction":
            kwargs["widget"] = PlainSelect
            kwargs["choices_form_class"] = SharedChoicesField
            field = super().formfield_for_dbfield(db_field, request, **kwargs)
            field.choices = list(field.choices)  # read once, not once per row (with a search for the blank choice)
            return field
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class IncidentNarrativeForm(forms.ModelForm):
    """A recorded language block keeps its language (posted unchanged, named in the block's
    heading); a select of every language is offered for a new block only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "language" in self.fields:
            self.fields["language"].widget = forms.HiddenInput()


class IncidentNarrativeInline(admin.StackedInline):
    """The narrative facts per language: each notice in a language is written from that language's
    facts only. Another language (German for people in Germany…) is one more block."""

    model = IncidentNarrative
    form = IncidentNarrativeForm
    template = "breach_app/admin/narratives_stacked.html"
    extra = 0
    can_delete = False
    verbose_name_plural = _("facts per language (each notice takes its paragraphs from its own language)")
    fieldsets = (
        (None, {"fields": (
            "language", "description", "cause", "extra_data_categories", "risk_reasoning", "likely_consequences",
            "measures_taken", "measures_planned", "self_protection_advice", "remedies", "contact_point",
            "delay_reasons",
        )}),
        (_("For the regulators' reports"), {"classes": ("collapse",), "fields": (
            "system_overview", "pending_items", "investigation_results", "responsible_persons",
            "accountability", "lessons_learned",
        )}),
        (_("Product security (EU CRA)"), {"classes": ("collapse",), "fields": (
            "affected_products", "vulnerability", "malicious_actor", "security_update", "user_measures",
            "sensitivity", "severity_and_impact",
        )}),
    )

    def get_fieldsets(self, request, obj=None):
        # The CRA texts (the last section) concern a product vulnerability or incident, as on the incident.
        if obj is not None and obj.pk is not None and obj.kind not in Incident.PRODUCT_KINDS:
            return self.fieldsets[:-1]
        return self.fieldsets

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(db_field, models.TextField):
            field.widget = forms.Textarea(attrs={"rows": 2, "cols": 90})
        return field


@admin.display(description=_("time left"))
def time_left(obligation):
    return display.obligation_clock_html(obligation)


@admin.display(description=_("why"))
def obligation_reason(obligation):
    return display.statement_text(obligation.reason)


@admin.display(description=_("citation"))
def obligation_citation(obligation):
    return display.statement_text(obligation.citation)


@admin.display(description=_("obligation"))
def obligation_name(obligation):
    return display.obligation_name(obligation)


@admin.display(description=_("deadline"), ordering="deadline")
def obligation_deadline(obligation):
    """The deadline as the duty words it: a local time, or "immediately", "without undue delay"…"""
    if obligation.deadline is not None:
        return localize(timezone.localtime(obligation.deadline))
    return obligation.get_deadline_kind_display()


@admin.display(description=_("what"))
def timeline_text(entry):
    """What the system recorded, in the reader's language (a person's own words are the note)."""
    return entry.text or "—"


@admin.display(description=_("what"))
def timeline_text_cell(entry):
    """The timeline list's cell: a long record (every draft's code, a SHA-256) shortened, whole on hover."""
    return list_cells.long_text(entry.text)


@admin.display(description=_("note"))
def timeline_note_cell(entry):
    return list_cells.long_text(entry.note)


@admin.display(description=_("incident"), ordering="incident__reference")
def incident_cell(row):
    return list_cells.incident_reference(row.incident)


class TimelineEntryForm(forms.ModelForm):
    """A person's timeline row: its time is checked by the service's rule (not in the future;
    before now only with a reason)."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and self.has_changed() and cleaned.get("at"):
            try:
                services.check_claimed_time(at=cleaned["at"], late_reason=cleaned.get("late_reason") or "")
            except ValidationError as exc:
                self.add_error("late_reason" if exc.code == "late_reason_required" else "at", exc)
        return cleaned


class TimelineEntryInline(CappedInlineMixin, admin.TabularInline):
    """The register of facts and decisions: append-only. Existing entries show read-only (no change
    permission); a new row is a person's note, added through ``services.timeline_add``. The newest
    entries show, newest first; a long timeline links to the incident's full timeline list."""

    model = TimelineEntry
    ordering = ("-at", "-id")
    form = TimelineEntryForm
    fields = ("at", "kind", timeline_text, "note", "late_reason", "by", "recorded_at")
    readonly_fields = (timeline_text, "by", "recorded_at")
    extra = 0
    can_delete = False
    verbose_name_plural = _("timeline (facts and decisions)")
    template = "breach_app/admin/timeline_tabular.html"
    # The newest ten, as on a case's page; the incident's timeline list has every entry.
    shown_max = 10
    formfield_overrides = {models.DateTimeField: {"widget": NativeSplitDateTime}}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        inline = self

        class TimelineFormSet(formset):
            def _construct_form(self, i, **kwargs):
                form = super()._construct_form(i, **kwargs)
                if form.instance.pk is not None:
                    form.instance.read_only_cells = inline.read_only_cells(form.instance)
                return form

        return TimelineFormSet

    def read_only_cells(self, entry) -> list[tuple[str, str]]:
        """A recorded entry's cells (name, HTML), as the admin's read-only cells show them
        (``AdminReadonlyField.contents``), written directly: the generic cell builds a field, a
        label and a lookup for each of the seven cells of every row, a fifth of the incident's page."""
        empty = self.get_empty_value_display()
        cells = []
        for name in self.fields:
            if callable(name):
                value = name(entry)
                cells.append((name.__name__, value if hasattr(value, "__html__") else linebreaksbr(value)))
                continue
            field = entry._meta.get_field(name)
            value = getattr(entry, name)
            if field.is_relation and value is not None:
                opts = field.remote_field.model._meta
                try:
                    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(value.pk)],
                                  current_app=self.admin_site.name)
                    html = format_html('<a href="{}">{}</a>', url, value)
                except NoReverseMatch:
                    html = str(value)
            else:
                html = display_for_field(value, field, empty)
            cells.append((name, linebreaksbr(html)))
        return [(name, conditional_escape(html)) for name, html in cells]

    def see_all_url(self, request, obj) -> str:
        return f"{reverse('admin:breach_app_timelineentry_changelist')}?incident__id__exact={obj.pk}"

    def has_add_permission(self, request, obj=None):
        # An entry is part of the incident's record: whoever may record or change the incident adds one
        # (a closed incident is frozen).
        if obj is not None and obj.status == Incident.Status.CLOSED:
            return False
        action = "add" if obj is None else "change"
        return request.user.has_perm(f"breach_app.{action}_incident")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "note":
            field.widget = forms.Textarea(attrs={"rows": 2, "cols": 60})
            field.required = True  # a row someone adds is their words: it needs some
        elif db_field.name == "late_reason":
            field.widget = forms.Textarea(attrs={"rows": 2, "cols": 30})
        elif db_field.name == "at":
            # As a model default would: now, and an added row left as it was counts as unchanged.
            field.initial, field.show_hidden_initial = timezone.now, True
        return field


# --------------------------------------------------------------------------- incident


def exposure_choices(incident) -> list:
    """The inventory fields of the incident's activities and services, grouped by category, each named
    in Chinese and English and the sensitive ones marked."""
    groups: dict[str, list] = {}
    for field in services.exposure_candidates(incident):
        label = " / ".join(name for name in (field.name_zh, field.name_en) if name)
        if field.sensitive:
            label = format_html("{} <strong>({})</strong>", label, _("sensitive"))
        groups.setdefault(str(field.get_category_display()), []).append((field.pk, label))
    return list(groups.items())


class IncidentForm(AuditedModelForm):
    exposed_data = forms.TypedMultipleChoiceField(
        label=_("exposed data (decide each field)"), required=False, coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick exactly the inventory fields that were exposed: nothing is included because an activity "
                    "or service holds it. The fields offered are those of the processing activities and services "
                    "above (save them first). Data the inventory does not list goes under “additional data categories” "
                    "in each language's facts."),
    )

    class Meta:
        model = Incident
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "exposed_data" in self.fields:
            instance = self.instance if self.instance.pk else None
            self.fields["exposed_data"].choices = exposure_choices(instance) if instance else []
            if instance is not None:
                self.initial["exposed_data"] = list(instance.exposed_fields.values_list("field_id", flat=True))


PRODUCT_SECURITY = _("Product security (EU CRA)")


def without(fields, names) -> tuple:
    """A fieldset's ``fields`` (names, or tuples of names on one line) less ``names``."""
    kept = []
    for item in fields:
        if isinstance(item, (list, tuple)):
            item = tuple(name for name in item if name not in names)
            if item:
                kept.append(item)
        elif item not in names:
            kept.append(item)
    return tuple(kept)


@admin.register(Incident)
class IncidentAdmin(AuditedAdmin):
    form = IncidentForm
    # The incident at a glance on top (summary.incident_summary), its actions as buttons, then the
    # timeline, then the facts in sections that open on demand.
    change_form_template = "admin/breach_app/incident/change_form.html"
    formfield_overrides = {models.DateTimeField: {"widget": NativeSplitDateTime}}
    list_display = ("reference", "title", "kind", "status", "owner", "nearest_deadline_display", "jurisdictions")
    list_filter = ("status", "kind", OpenFilter, JurisdictionFilter, HasOverdueFilter)
    search_fields = ("reference", "title")
    list_select_related = ("owner",)
    paginator = LargeTablePaginator
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    readonly_fields = ("reference", "status", "data_categories", "sensitive_involved", "drafts_out_of_date",
                       "reminders_sent")
    # Searched as typed: a select of every activity and service (thousands of options, twice) was
    # a third of the page's drawing time and most of its size.
    autocomplete_fields = ("affected_activities", "affected_services")
    inlines = (AffectedPopulationInline, IncidentNarrativeInline, TimelineEntryInline)
    actions = ("recompute_obligations", "generate_drafts")
    fieldsets = (
        (None, {"fields": ("reference", "title", "kind", "status", "owner", "drafts_out_of_date")}),
        (_("Breach type"), {"fields": (
            ("confidentiality", "integrity", "availability"),
            ("destruction", "loss", "alteration", "unauthorised_disclosure", "unauthorised_access"),
        )}),
        (_("When"), {"fields": (
            ("occurred_from", "occurred_to"), "discovered_at", "aware_at", "contained_at",
            "sg_assessed_at", "resident_notice_sent_at", "handling_ended_at",
        )}),
        (_("Affected data"), {"fields": (
            "affected_activities", "affected_services", "exposed_data", "extra_sensitive", "data_categories",
            "sensitive_involved",
        )}),
        (_("Facts that decide the obligations"), {"fields": (
            "encrypted", "cii_operator", "unencrypted_pi_acquired", "unique_identifier_data",
            "external_illegal_access", "significant_harm", "later_measures_remove_high_risk",
            "individual_notice_disproportionate", "ssn_or_id_number_involved", "law_enforcement_delay",
        )}),
        (_("EU supervisory authority (one-stop shop)"), {
            "description": _("GDPR Arts 56 and 60: with a main establishment in the Union, its authority leads; without "
                             "one, the authority of every Member State where affected people live is notified."),
            "fields": ("eu_affected_states", "eu_main_establishment")}),
        (PRODUCT_SECURITY, {
            "description": _("EU Cyber Resilience Act Art. 14: an actively exploited vulnerability or a severe "
                             "incident in a product sold in the EU is reported to the coordinating CSIRT and ENISA "
                             "(early warning 24 h, notification 72 h, final report), and impacted users are "
                             "informed. Unknown answers keep the reports at “needs a decision”."),
            "fields": (
                ("actively_exploited", "severe_incident", "malicious_act_suspected"), "member_states",
                "fix_available_at",
            )}),
        (_("Processor role"), {
            "description": _("Where Aqara's business platforms (Aqara+, 智装大狮, IIAP, hotel projects) processed the "
                             "data for installers, shops or hotels, each of them is told as controller."),
            "fields": ("aqara_role", "customers")}),
        (_("China grading criteria"), {
            "description": _("The CAC 4-hour report (较大 and above) needs a decision until every criterion is "
                             "assessed; it is not required only when all are assessed below 较大."),
            "fields": ("direct_economic_loss_cny",
                       ("system_outage_at_grade", "important_data_at_grade", "social_impact_at_grade"))}),
        (_("Japan"), {
            "description": _("APPI: reportable when special-care data, a risk of financial damage, a possibly wrongful "
                             "purpose or more than 1,000 people are involved."),
            "fields": ("jp_financial_damage_risk", "jp_wrongful_purpose")}),
        (_("Reminders sent for its obligations"), {"classes": ("collapse",), "fields": ("reminders_sent",)}),
        (_("Risk and response"), {"fields": ("risk_level",)}),
    )

    def get_queryset(self, request):
        # An open "immediately" duty (PIPL Art. 57 立即) outranks any running clock on the list
        # (obligation_inc_urgency_idx answers it per row).
        immediate = Obligation.objects.live().filter(incident=OuterRef("pk"), urgency=0)
        return super().get_queryset(request).prefetch_related("populations").annotate(has_immediate=Exists(immediate))

    def has_change_permission(self, request, obj=None):
        # A closed incident is frozen: its page opens read-only and a posted change is refused;
        # corrections go through re-opening it (reopen_view).
        if obj is not None and obj.status == Incident.Status.CLOSED:
            return False
        return super().has_change_permission(request, obj)

    # Shown in the summary on top of a recorded incident; nothing to show yet on a new one.
    SUMMARISED = ("reference", "status")
    # Read-only blocks that are empty until the incident is saved (or only mean something then).
    EMPTY_WHEN_NEW = ("reference", "status", "drafts_out_of_date", "exposed_data", "data_categories",
                      "sensitive_involved")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            # A new incident: no reminders, no reference, no drafts, nothing to decide as exposed yet.
            fieldsets = [(name, {**options, "fields": without(options["fields"], self.EMPTY_WHEN_NEW)})
                         for name, options in fieldsets if "reminders_sent" not in options["fields"]]
            return fieldsets
        if obj.kind not in Incident.PRODUCT_KINDS:
            # The CRA facts concern a product vulnerability or incident: shown once the kind says so.
            fieldsets = [fs for fs in fieldsets if fs[0] is not PRODUCT_SECURITY]
        # The first section (title, kind, owner) stays open; every other one opens on demand.
        first, *rest = fieldsets
        first = (first[0], {**first[1], "fields": without(first[1]["fields"], self.SUMMARISED)})
        return [first, *[(name, {**options, "classes": tuple(dict.fromkeys((*options.get("classes", ()), "collapse")))})
                         for name, options in rest]]

    def get_search_results(self, request, queryset, search_term):
        # A typed reference uses the unique index; other words the trigram indexes on reference and
        # title (migration 0014) through the admin's own icontains search.
        references = incident_references(search_term or "")
        if references:
            return queryset.filter(reference__in=references), False
        return super().get_search_results(request, queryset, search_term)

    # Ascending: empty clocks last; descending (the admin reverses it): empty clocks first. Each
    # direction, with the -id tie-break, is one of the two nearest-deadline indexes.
    @admin.display(description=_("nearest deadline"), ordering=F("next_deadline").asc(nulls_last=True))
    def nearest_deadline_display(self, obj):
        if getattr(obj, "has_immediate", False):
            # The nearest running clock stays beside it (an overdue one is as pressing).
            clock = display.deadline_html(obj.next_deadline) if obj.next_deadline else ""
            return format_html("{} {}", badge(DANGER, _("immediately"), strong=True), clock)
        return display.deadline_html(obj.next_deadline)

    @admin.display(description=_("jurisdictions"))
    def jurisdictions(self, obj):
        return ", ".join(p.jurisdiction for p in obj.populations.all()) or "—"

    @admin.display(description=_("reminders"))
    def reminders_sent(self, obj):
        """Every reminder recorded for this incident's obligations (one query), newest first."""
        if obj is None or obj.pk is None:
            return "—"
        rows = (
            Reminder.objects.filter(
                content_type=ContentType.objects.get_for_model(Obligation),
                object_id__in=obj.obligations.values("pk"),
            )
            .select_related("recipient").order_by("-due_at")[:100]
        )
        codes = dict(obj.obligations.values_list("pk", "code"))
        return format_html_join(
            "", "<div>{} · {} {} → {} · {}{}</div>",
            ((r.due_at.strftime("%Y-%m-%d %H:%M"), codes.get(r.object_id, "?"), r.threshold.split(":")[0] if r.kind == "obligation_window" else r.kind,
              r.recipient, r.get_status_display(), f" · {_('sent late')}" if r.late else "") for r in rows),
        ) or "—"

    @admin.display(description=_("exposed data as the notices list it"))
    def data_categories(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        rows = [(language, notices.exposed_data_text(obj, language) or "—") for language, _name in settings.LANGUAGES]
        return format_html_join("", "<div>{}: {}</div>", rows)

    @admin.display(description=_("exposed data (decide each field)"))
    def exposed_data(self, obj):
        """The choice as a read-only page (an auditor's, a closed incident's) shows it."""
        if obj is None or obj.pk is None:
            return "—"
        labels = [label for _group, choices in exposure_choices(obj) for pk, label in choices
                  if pk in set(obj.exposed_fields.values_list("field_id", flat=True))]
        return format_html_join("", "<div>{}</div>", ((label,) for label in labels)) or "—"

    @admin.display(description=_("sensitive personal information involved"), boolean=True)
    def sensitive_involved(self, obj):
        if obj is None or obj.pk is None:
            return None
        return notices.exposed_sensitive(obj)

    @admin.display(description=_("drafts out of date"))
    def drafts_out_of_date(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        drafts = NoticeDraft.objects.filter(obligation__incident=obj, outdated=True, sent_at__isnull=True
                                            ).select_related("obligation")
        if not drafts:
            return "—"
        return format_html_join(
            "", '<div>{} <a href="{}">{}</a></div>',
            ((badge(DANGER, _("out of date: the exposed data changed")),
              reverse("admin:breach_app_noticedraft_change", args=[d.pk]), str(d)) for d in drafts))

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        # A new incident (or one with no facts yet) starts with a block for each office language.
        if isinstance(inline, IncidentNarrativeInline) and request.method != "POST" and (
                obj is None or obj.pk is None or not obj.narratives.exists()):
            kwargs["initial"] = [{"language": code} for code, _name in settings.LANGUAGES]
        return kwargs

    def get_inline_instances(self, request, obj=None):
        instances = super().get_inline_instances(request, obj)
        if obj is not None and not self.edits_populations(request):
            # A recorded incident lists its populations read-only (summary); they are edited with
            # ``?populations=all``. A form posted with population rows (the edit page's) still saves them.
            instances = [inline for inline in instances if not isinstance(inline, AffectedPopulationInline)]
        for inline in instances:
            if isinstance(inline, IncidentNarrativeInline):
                inline.extra = len(settings.LANGUAGES) if obj is None or not obj.narratives.exists() else 0
                if obj is not None:
                    inline.classes = ("collapse",)  # the facts open on demand
        return instances

    @staticmethod
    def edits_populations(request) -> bool:
        """The page edits the affected populations: opened with ``?populations=all``, or a form
        that posts population rows."""
        if request.GET.get(AffectedPopulationInline.show_all_param) == "all":
            return True
        return request.method == "POST" and "populations-TOTAL_FORMS" in request.POST

    # ---- saving goes through the services

    def save_model(self, request, obj, form, change):
        # Nothing is written here: the incident is recorded or changed in save_related, where its
        # populations are known, by one call to the service (incident_create / incident_update).
        pass

    @staticmethod
    def _population_changes(formsets) -> dict:
        """jurisdiction -> counts (None: the row moved to another jurisdiction) from the rows the form changed."""
        populations = {}
        for formset in formsets:
            if formset.model is not AffectedPopulation:
                continue
            for row_form in formset.forms:
                row, data = row_form.instance, row_form.cleaned_data
                # No row is deleted here (no deletion in the admin); a row moved to another
                # jurisdiction removes the old one.
                before = row_form.initial.get("jurisdiction") if row.pk else None
                if not data or not row_form.has_changed():
                    continue
                if before and before != data["jurisdiction"]:
                    populations.setdefault(before, None)
                populations[data["jurisdiction"]] = {
                    "people_min": data.get("people_min") or 0, "people_max": data.get("people_max"),
                    "records": data.get("records"), "estimate": bool(data.get("estimate")),
                }
        return populations

    @staticmethod
    def _narrative_changes(formsets) -> dict:
        """language -> {fact: text} from the language blocks the form changed."""
        narratives = {}
        for formset in formsets:
            if formset.model is not IncidentNarrative:
                continue
            for row_form in formset.forms:
                data = row_form.cleaned_data
                if not data or not row_form.has_changed() or not data.get("language"):
                    continue
                # Only the facts on the form: a section not shown (the CRA texts) is left as it is.
                narratives[data["language"]] = {name: data[name] or "" for name in NARRATIVE_FIELDS if name in data}
        return narratives

    @staticmethod
    def _adopt(obj, incident) -> None:
        # The admin goes on with the form's object (message, log entry, redirect): make it the row.
        for field in incident._meta.concrete_fields:
            setattr(obj, field.attname, getattr(incident, field.attname))
        obj._state.adding, obj._state.db = False, incident._state.db

    @staticmethod
    def _timeline_rows(formsets) -> list[dict]:
        """The entries added on the form (existing ones are read-only: the timeline is append-only)."""
        return [f.cleaned_data for formset in formsets if formset.model is TimelineEntry
                for f in formset.forms if f.instance.pk is None and f.has_changed() and f.cleaned_data]

    def _record_new_incident(self, request, form, formsets):
        data = form.cleaned_data
        facts = {name: data[name] for name in services.FACT_FIELDS
                 if name in data and name not in ("title", "discovered_at")}
        facts["owner"] = data.get("owner") or request.user
        incident = services.incident_create(
            by=request.user, title=data["title"], discovered_at=data["discovered_at"],
            populations=self._population_changes(formsets),
            activities=data.get("affected_activities") or (), services=data.get("affected_services") or (),
            narratives=self._narrative_changes(formsets), reason=typed_reason(request), **facts,
        )
        for row in self._timeline_rows(formsets):
            services.timeline_add(incident=incident, by=request.user, kind=row["kind"], note=row["note"],
                                  at=row.get("at"), late_reason=row.get("late_reason") or "")
        self._adopt(form.instance, incident)

    def _change_incident(self, request, form, formsets):
        data, changed = form.cleaned_data, set(form.changed_data)
        # The form has put the posted values on its instance; the service compares with the stored row.
        incident = services.incident_update(
            incident=Incident.objects.get(pk=form.instance.pk), by=request.user,
            populations=self._population_changes(formsets),
            activities=data.get("affected_activities") if "affected_activities" in changed else None,
            services=data.get("affected_services") if "affected_services" in changed else None,
            narratives=self._narrative_changes(formsets),
            exposed_fields=data.get("exposed_data") if "exposed_data" in changed else None,
            reason=typed_reason(request),
            **{name: data[name] for name in changed if name in services.FACT_FIELDS},
        )
        for row in self._timeline_rows(formsets):
            services.timeline_add(incident=incident, by=request.user, kind=row["kind"], note=row["note"],
                                  at=row.get("at"), late_reason=row.get("late_reason") or "")
        self._adopt(form.instance, incident)

    def save_related(self, request, form, formsets, change):
        # One service call writes the incident, its populations and links, and the new timeline rows.
        if change:
            self._change_incident(request, form, formsets)
        else:
            self._record_new_incident(request, form, formsets)
        for formset in formsets:  # the admin's change message reads these; the service saved the rows
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    # ---- actions and buttons

    # Both run the obligation engine (and the notice texts) on each incident's own facts: one service
    # call per incident, its queries fixed by the incident's obligations, not by the selection.
    @admin.action(description=_("Recompute notification obligations"), permissions=["change"])
    def recompute_obligations(self, request, queryset):
        return confirm_each(
            self, request, queryset, title=_("Recompute notification obligations"),
            done_message=_("Obligations recomputed for %(n)s incident(s)."),
            apply=lambda incident, data: services.incident_recompute_obligations(incident=incident, by=request.user))

    @admin.action(description=_("Generate notice drafts (zh-hans and en)"), permissions=["change"])
    def generate_drafts(self, request, queryset):
        return confirm_each(
            self, request, queryset, title=_("Generate notice drafts"),
            done_message=_("Drafts generated or brought up to date for %(n)s incident(s)."),
            apply=lambda incident, data: services.incident_generate_drafts(incident=incident, by=request.user))

    def get_urls(self):
        own = [
            path("<int:pk>/recompute/", self.admin_site.admin_view(self.recompute_view), name="breach_app_incident_recompute"),
            path("<int:pk>/generate-drafts/", self.admin_site.admin_view(self.generate_view),
                 name="breach_app_incident_generate_drafts"),
            path("<int:pk>/status/<str:to_status>/", self.admin_site.admin_view(self.status_view),
                 name="breach_app_incident_status"),
            path("<int:pk>/withdraw/", self.admin_site.admin_view(self.withdraw_view),
                 name="breach_app_incident_withdraw"),
            path("<int:pk>/withdrawal/confirm/", self.admin_site.admin_view(self.confirm_withdrawal_view),
                 name="breach_app_incident_confirm_withdrawal"),
            path("<int:pk>/withdrawal/decline/", self.admin_site.admin_view(self.decline_withdrawal_view),
                 name="breach_app_incident_decline_withdrawal"),
            path("<int:pk>/reopen/", self.admin_site.admin_view(self.reopen_view),
                 name="breach_app_incident_reopen"),
        ]
        return own + super().get_urls()

    def _incident_for_post(self, request, pk):
        if request.method != "POST":
            raise PermissionDenied
        incident = get_object_or_404(Incident, pk=pk)
        if not self.has_change_permission(request, incident):
            raise PermissionDenied
        return incident

    def _back(self, incident):
        return HttpResponseRedirect(reverse("admin:breach_app_incident_change", args=[incident.pk]))

    def _on_page_version(self, request, incident, write):
        """Run ``write`` only if the incident is still the version the page showed; else say why."""
        try:
            with transaction.atomic():
                check_loaded_version(request, incident)
                result = write()
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, _errors(exc), level=messages.ERROR)
            return None
        return result if result is not None else True

    def recompute_view(self, request, pk):
        incident = self._incident_for_post(request, pk)
        if self._on_page_version(request, incident, lambda: services.incident_recompute_obligations(
                incident=incident, by=request.user)):
            self.message_user(request, _("Obligations recomputed."))
        return self._back(incident)

    def generate_view(self, request, pk):
        incident = self._incident_for_post(request, pk)
        drafts = self._on_page_version(request, incident, lambda: services.incident_generate_drafts(
            incident=incident, by=request.user))
        if drafts:
            count = len(drafts) if isinstance(drafts, list) else 0
            self.message_user(request, _("%(n)s draft(s) generated or brought up to date.") % {"n": count})
        return self._back(incident)

    def status_view(self, request, pk, to_status):
        incident = self._incident_for_post(request, pk)
        if to_status not in Incident.Status.values:
            raise Http404
        if self._on_page_version(request, incident, lambda: services.incident_change_status(
                incident=incident, by=request.user, to_status=to_status,
                note=(request.POST.get("note") or "").strip())):
            incident.refresh_from_db()
            self.message_user(request, _("Status changed to “%(status)s”.") % {"status": incident.get_status_display()})
        return self._back(incident)

    def withdraw_view(self, request, pk):
        """An incident recorded in error is withdrawn with a reason (never deleted): a form page."""
        incident = get_object_or_404(Incident, pk=pk)
        if not self.has_change_permission(request, incident):
            raise PermissionDenied
        form = WithdrawForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    check_loaded_version(request, incident, name=version_field(incident))
                    incident = services.incident_withdraw(incident=incident, by=request.user,
                                                          reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if incident.withdrawal_pending:
                    self.message_user(request, _(
                        "Withdrawal proposed: required notifications are still open, so it takes effect only "
                        "when someone else with the permission confirms it. Until then their clocks run."),
                        level=messages.WARNING)
                else:
                    self.message_user(request, _("Incident withdrawn; it stays in the register with your reason."))
                return self._back(incident)
        return form_page(self, request, incident, title=_("Withdraw (recorded in error)"), form=form)

    def confirm_withdrawal_view(self, request, pk):
        """A second person confirms a proposed withdrawal (the page's version posted back)."""
        incident = self._incident_for_post(request, pk)
        if self._on_page_version(request, incident, lambda: services.incident_confirm_withdrawal(
                incident=incident, by=request.user)):
            self.message_user(request, _("Withdrawal confirmed; the incident stays in the register with its reason."))
        return self._back(incident)

    def decline_withdrawal_view(self, request, pk):
        """Decline (or, as its proposer, take back) a proposed withdrawal: the incident and its duties stand."""
        incident = self._incident_for_post(request, pk)
        if self._on_page_version(request, incident, lambda: services.incident_decline_withdrawal(
                incident=incident, by=request.user, reason=(request.POST.get("note") or "").strip())):
            self.message_user(request, _("Proposed withdrawal declined: the incident and its notifications stand."))
        return self._back(incident)

    def reopen_view(self, request, pk):
        """Re-opening a closed incident: someone with the permission, with a reason (on the timeline)."""
        incident = get_object_or_404(Incident, pk=pk)
        if not (self.has_view_permission(request, incident) and holds_approval(request.user, "reopen_incident")):
            raise PermissionDenied
        form = ReopenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    check_loaded_version(request, incident, name=version_field(incident))
                    services.incident_reopen(incident=incident, by=request.user, reason=form.cleaned_data["reason"])
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, exc)
            else:
                self.message_user(request, _("Incident re-opened; the reason is on its timeline."))
                return self._back(incident)
        return form_page(self, request, incident, title=_("Re-open the incident"), form=form)

    @staticmethod
    def _may_move(incident, to_status) -> bool:
        try:
            services.incident_check_status_change(incident=incident, to_status=to_status)
        except ValidationError:
            return False
        return True

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["summary"] = summary.incident_summary(obj)
            context["obligations_url"] = (f"{reverse('admin:breach_app_obligation_changelist')}"
                                          f"?incident__id__exact={obj.pk}")
            context["edits_populations"] = self.edits_populations(request)
            closed = obj.status == Incident.Status.CLOSED
            # Leaving "closed" is re-opening (its own page, a permission and a reason), not a status button.
            following = () if closed else Incident.TRANSITIONS[Incident.Status(obj.status)]
            context["can_reopen"] = closed and holds_approval(request.user, "reopen_incident")
            # Withdrawing needs a reason: its own page, not a one-click status button.
            # Only the moves the service would accept now (closing waits for the required notifications).
            context["next_statuses"] = [Incident.Status(s) for s in following
                                        if s != Incident.Status.WITHDRAWN and self._may_move(obj, s)]
            pending = obj.withdrawal_pending
            context["can_withdraw"] = Incident.Status.WITHDRAWN in following and not pending
            context["can_change_incident"] = can_change = self.has_change_permission(request, obj)
            context["withdrawal_pending"] = pending
            # Confirming takes the permission and another person; declining, the permission or the proposer.
            proposer = obj.withdrawal_proposed_by_id == request.user.pk
            context["can_confirm_withdrawal"] = (pending and can_change and not proposer
                                                 and holds_approval(request.user, "waive_notification"))
            context["can_decline_withdrawal"] = (pending and can_change
                                                 and (proposer or holds_approval(request.user, "waive_notification")))
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)


# --------------------------------------------------------------------------- obligation


class NoticeDraftInline(ReadOnlyInline):
    model = NoticeDraft
    fields = ("draft_link", "language", "kind", "phase", "approved_by", "approved_at", "sent_at", "missing",
              "outdated")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("obligation", "approved_by")  # str() names the obligation

    @admin.display(description=_("draft"))
    def draft_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:breach_app_noticedraft_change", args=[obj.pk]),
                           _("open"))

    @admin.display(description=_("missing facts"))
    def missing(self, obj):
        return len(notices.markers_in(obj.text))


class SendForm(forms.Form):
    channel = forms.CharField(label=_("channel"), max_length=200,
                              help_text=_("How it was sent: portal, e-mail, letter, push…"))
    reference = forms.CharField(label=_("regulator's reference number"), max_length=100, required=False)
    sent_at = forms.DateTimeField(label=_("sent at"), required=False,
                                  help_text=_("Empty: now. Format: YYYY-MM-DD HH:MM."))
    late_reason = forms.CharField(
        label=_("why it is recorded only now"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("Needed when the sending time is in the past: the record shows both that time and when it "
                    "was entered."))


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("why not notify"), widget=forms.Textarea(attrs={"rows": 4, "cols": 60}))
    legal_basis = forms.CharField(
        label=_("legal basis"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("Needed for a required notification: the provision that allows not notifying. The decision "
                    "then takes effect only when someone else with the permission confirms it."),
    )


class TurnDownForm(forms.Form):
    reason = forms.CharField(label=_("why"), required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("why it is re-opened"), max_length=CHANGE_REASON_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 4, "cols": 60}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("why it is withdrawn"), max_length=CHANGE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("For an incident recorded in error: not a security incident, a duplicate, a test. It stays in "
                    "the register with this reason; its open notification obligations are decided not to notify. While a "
                    "required notification is open, this is a proposal that takes effect only when someone else with "
                    "the permission confirms it."),
    )


@admin.register(Obligation)
class ObligationAdmin(AuditedAdmin):
    change_form_template = "breach_app/admin/obligation_change_form.html"
    list_display = ("name_link", incident_cell, "jurisdiction", "applicability", "status", obligation_deadline,
                    time_left)
    list_display_links = None
    list_filter = (ObligationOverdueFilter, "status", "applicability", "jurisdiction", "recipient", "unverified")
    search_fields = ("code",)  # shows the box; get_search_results decides the (indexed) lookups
    search_help_text = _("Exact incident reference (INC-2026-0042), or part of the incident's title, of the "
                         "code (EU-SA) or of the regulator's reference number.")
    list_select_related = ("incident",)
    # 300,000 rows: an estimated count, no facet counts, pages read in index order (deep ones by id).
    paginator = LargeTablePaginator
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    # The most urgent first ("immediately", then by deadline; not required last):
    # obligation_urgency_idx. Sorting by the deadline column reads (filter, deadline, id).
    ordering = Obligation.URGENCY_ORDER
    sortable_by = (obligation_deadline,)
    inlines = (NoticeDraftInline,)
    actions = ("decide_not_to_notify", "confirm_not_to_notify", "turn_down_not_to_notify", "mark_sent")
    readonly_fields = (
        "incident", obligation_name, "code", "jurisdiction", "recipient", "applicability", obligation_reason,
        "deadline", time_left, "deadline_kind", "clock_start", obligation_citation, "unverified", "required_content_display", "computed_at", "status",
        "sent_at", "channel", "regulator_reference", "waiver_proposed_by", "waiver_proposed_at", "waiver_reason",
        "waiver_legal_basis", "decided_by", "decided_at", "decision_reason",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    # A search matching more incidents (or obligations) than this filters by a subquery; fewer, by ids.
    SEARCH_INCIDENT_IDS_MAX = 1000

    def get_search_results(self, request, queryset, search_term):
        """Obligations of the incidents whose reference or title holds every word, or whose own
        regulator's reference or code holds the term. A typed reference reads the unique index;
        the rest the trigram indexes (migration 0014), combined as one bitmap on the obligations
        (incident ids, regulator's reference, code) instead of a join filtered with OR."""
        term = (search_term or "").strip()
        if not term:
            return queryset, False
        references = incident_references(term)
        if references:
            return queryset.filter(incident__in=Incident.objects.filter(reference__in=references)), False
        incidents = Incident.objects.order_by()
        for word in term.split():
            incidents = incidents.filter(Q(reference__icontains=word) | Q(title__icontains=word))
        most = self.SEARCH_INCIDENT_IDS_MAX
        ids = list(incidents.values_list("pk", flat=True)[: most + 1])
        of_incidents = Q(incident__in=incidents.values("pk")) if len(ids) > most else Q(incident_id__in=ids)
        own = Obligation.objects.order_by().filter(Q(regulator_reference__icontains=term) | Q(code__icontains=term))
        own_ids = list(own.values_list("pk", flat=True)[: most + 1])
        # Few matches on either side are ids (one bitmap over the obligation indexes); many become a
        # subquery, and the page then walks the deadline index, finding its rows quickly.
        of_own = Q(pk__in=own.values("pk")) if len(own_ids) > most else Q(pk__in=own_ids)
        return queryset.filter(of_incidents | of_own), False

    @admin.display(description=_("obligation"))
    def name_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:breach_app_obligation_change", args=[obj.pk]),
                           display.obligation_name_html(obj))

    @admin.display(description=_("required content"))
    def required_content_display(self, obj):
        return format_html_join("", "<li>{}</li>", ((notices.CONTENT_LABELS.get(k, k),) for k in obj.required_content))

    # Actions that need details go through a small form page.

    def _details(self, request, queryset, form_class, title, apply=None, write=None):
        return confirm_each(self, request, queryset, title=title, apply=apply, form_class=form_class,
                            done_message=_("%(n)s obligation(s) updated."),
                            apply_set=(lambda ids: services.obligations_locked(ids=ids), write) if write else None)

    # The three decisions are plain field updates with per-row rules checked in memory: written as a
    # set (services.obligations_*), a thousand obligations in a fixed number of queries.
    @admin.action(description=_("Decide not to notify (record who and why)"), permissions=["change"])
    def decide_not_to_notify(self, request, queryset):
        return self._details(request, queryset, DecisionForm, _("Decide not to notify"), write=lambda rows, data: (
            services.obligations_decide_not_to_notify(obligations=rows, by=request.user, reason=data["reason"],
                                                      legal_basis=data["legal_basis"])))

    @admin.action(description=_("Confirm the proposed decision not to notify"), permissions=["change"])
    def confirm_not_to_notify(self, request, queryset):
        return self._details(request, queryset, None, _("Confirm the decision not to notify"), write=lambda rows, data: (
            services.obligations_confirm_not_to_notify(obligations=rows, by=request.user)))

    @admin.action(description=_("Turn down the proposed decision not to notify"), permissions=["change"])
    def turn_down_not_to_notify(self, request, queryset):
        return self._details(request, queryset, TurnDownForm, _("Turn down the decision not to notify"),
                             write=lambda rows, data: services.obligations_reject_not_to_notify(
                                 obligations=rows, by=request.user, reason=data["reason"]))

    # Marking sent freezes each draft's text and its .docx and PDF and may start other clocks: one
    # service call per obligation. The page before the form checks the whole selection in one query.
    @admin.action(description=_("Mark sent (approved drafts only)"), permissions=["change"])
    def mark_sent(self, request, queryset):
        few = queryset.order_by().values("pk")[: settings.BULK_ACTION_MAX_ROWS + 1].count() <= settings.BULK_ACTION_MAX_ROWS
        if "apply" not in request.POST and few:  # a larger selection is refused by confirm_each
            # Say before the form, not after it is filled in, which obligation has no approved draft.
            selected = list(queryset.select_related("incident"))  # EU-SA's name lists its authorities
            refused = services.obligations_check_sendable(obligations=selected)
            refusals = [format_html("{}: {}", display.obligation_name(obligation), _errors(refused[obligation.pk]))
                        for obligation in selected if obligation.pk in refused]
            if refusals and len(refusals) == len(selected):
                return TemplateResponse(request, "breach_app/admin/action_form.html", {
                    **self.admin_site.each_context(request), "title": _("Mark sent"), "refusals": refusals,
                    "objects": [], "opts": self.model._meta,
                    "back_url": reverse("admin:breach_app_obligation_change", args=[selected[0].pk])
                    if len(selected) == 1 else reverse("admin:breach_app_obligation_changelist"),
                })
        return self._details(request, queryset, SendForm, _("Mark sent"), lambda o, data: (
            services.obligation_mark_sent(obligation=o, by=request.user, channel=data["channel"],
                                          reference=data["reference"], sent_at=data["sent_at"],
                                          late_reason=data["late_reason"])))

    def get_urls(self):
        own = [
            path("<int:pk>/generate-drafts/", self.admin_site.admin_view(self.generate_view),
                 name="breach_app_obligation_generate_drafts"),
        ]
        return own + super().get_urls()

    def generate_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obligation = get_object_or_404(Obligation.objects.select_related("incident"), pk=pk)
        if not self.has_change_permission(request, obligation):
            raise PermissionDenied
        try:
            with transaction.atomic():
                check_loaded_version(request, obligation)
                for language, _name in settings.LANGUAGES:
                    services.notice_draft_generate(obligation=obligation, by=request.user, language=language)
        except ValidationError as exc:
            self.message_user(request, _errors(exc), level=messages.ERROR)
        else:
            self.message_user(request, _("Drafts generated or brought up to date."))
        return HttpResponseRedirect(reverse("admin:breach_app_obligation_change", args=[pk]))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["can_change_obligation"] = self.has_change_permission(request, obj)
            context["waiver_proposed"] = obj.waiver_proposed
            context["send_refusal"] = ""
            if obj.is_live:
                try:
                    services.obligation_check_sendable(obligation=obj)
                except ValidationError as exc:
                    context["send_refusal"] = _errors(exc)
            context["action_checkbox_name"] = admin.helpers.ACTION_CHECKBOX_NAME
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)


# --------------------------------------------------------------------------- drafts


class DraftSentFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("unapproved", _("awaiting approval")), ("approved", _("approved, not sent")), ("sent", _("sent"))]

    def queryset(self, request, queryset):
        if self.value() == "unapproved":
            return queryset.filter(approved_at__isnull=True)
        if self.value() == "approved":
            return queryset.filter(approved_at__isnull=False, sent_at__isnull=True)
        if self.value() == "sent":
            return queryset.filter(sent_at__isnull=False)
        return queryset


@admin.register(NoticeDraft)
class NoticeDraftAdmin(AuditedAdmin):
    change_form_template = "breach_app/admin/noticedraft_change_form.html"
    list_display = ("__str__", "incident_reference", "language", "kind", "phase", "approved_by", "sent_at", "missing")
    list_filter = (DraftSentFilter, "language", "kind", "phase", "obligation__jurisdiction")
    search_fields = ("obligation__code", "obligation__incident__reference", "body")
    list_select_related = ("obligation__incident", "approved_by")
    actions = ("approve",)
    fields = ("obligation", "language", "kind", "phase", "outdated", "missing_facts", "body", "generated_at",
              "approved_by",
              "approved_at", "approved_version", "approved_sha256", "sent_at", "sent_recorded_at", "sent_late_reason",
              "sent_text")
    readonly_fields = ("obligation", "language", "kind", "phase", "outdated", "missing_facts", "generated_at",
                       "approved_by",
                       "approved_at", "approved_version", "approved_sha256", "sent_at", "sent_recorded_at",
                       "sent_late_reason", "sent_text")

    def get_search_results(self, request, queryset, search_term):
        # The text through its trigram index (migration 0015); the obligation's code and its
        # incident's reference through the matching obligations' ids (trigram indexes, 0014).
        return text_or_related_search(
            queryset, search_term, text="body", incident="obligation__incident",
            related=[("obligation_id", lambda word: Obligation.objects.filter(code__icontains=word)),
                     ("obligation_id", lambda word: Obligation.objects.filter(
                         incident__in=Incident.objects.filter(reference__icontains=word).values("pk")))])

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Sent text is frozen: a sent draft opens read-only and a posted change is refused.
        if obj is not None and obj.is_sent:
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # Sent text is frozen: nothing on the form can change it.
        if obj is not None and obj.is_sent:
            return (*self.readonly_fields, "body")
        return self.readonly_fields

    def get_fields(self, request, obj=None):
        if obj is not None and obj.is_sent:
            return [f for f in self.fields if f != "body"]
        return [f for f in self.fields if f != "sent_text"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "body":
            field.widget = forms.Textarea(attrs={"rows": 30, "cols": 100, "style": "font-family:monospace"})
        return field

    @admin.display(description=_("incident"), ordering="obligation__incident__reference")
    def incident_reference(self, obj):
        return obj.obligation.incident.reference

    @admin.display(description=_("missing facts"))
    def missing(self, obj):
        count = len(notices.markers_in(obj.text))
        if not count:
            return "0"
        return badge(DANGER, count, strong=True)

    @admin.display(description=_("missing facts"))
    def missing_facts(self, obj):
        markers = list(dict.fromkeys(notices.markers_in(obj.text)))
        if not markers:
            return "—"
        return format_html_join("", "<li>{}</li>", ((badge(DANGER, m),) for m in markers))

    def save_model(self, request, obj, form, change):
        # Edits go through the service: frozen once sent, approval withdrawn when the text changes.
        services.notice_draft_update(draft=obj, by=request.user, body=form.cleaned_data["body"],
                                     reason=typed_reason(request))

    def save_related(self, request, form, formsets, change):
        pass

    # Who may approve depends on each draft's kind (roles.APPROVALS): a refusal names the permission.
    # Every text is shown first; each approval names the version and SHA-256 of the text shown.
    @admin.action(description=_("Approve selected drafts (each text shown first)"), permissions=["change"])
    def approve(self, request, queryset):
        # The selection is approved as a set, all or nothing (services.notice_drafts_approve): a
        # thousand drafts cost the queries of one; the page reads the drafts with their obligations,
        # which it names.
        return confirm_each(
            self, request, queryset.select_related("obligation"), title=_("Read and approve these texts"),
            show_texts=True, done_message=_("%(n)s draft(s) approved."),
            apply_all=lambda ids, data: self._approve_selection(request, ids))

    def _approve_selection(self, request, ids) -> None:
        try:
            shown = {pk: self._shown(request, version_name=f"{VERSION_FIELD}_{pk}", sha_name=f"_text_sha256_{pk}")
                     for pk in ids}
            result = services.notice_drafts_approve(shown=shown, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, _errors(exc), level=messages.ERROR)
            return
        if result.refused:
            self.message_user(request, _(
                "Nothing was approved: %(refused)s of the %(selected)s selected drafts cannot be approved as shown. "
                "Each is named below; deselect it or correct it, then approve again.")
                % {"refused": localize(len(result.refused)), "selected": localize(len(ids))}, level=messages.ERROR)
            for pk, exc in result.refused.items():
                self.message_user(request, format_html("{}: {}", result.drafts.get(pk, pk), _errors(exc)),
                                  level=messages.ERROR)
            return
        if result.skipped:
            self.message_user(request, format_html(
                "{} {}", _("Already approved, left as they were:"),
                "; ".join(str(draft) for draft in result.skipped)), level=messages.WARNING)
        if result.approved:
            self.message_user(request, _("%(n)s draft(s) approved.") % {"n": len(result.approved)})

    @staticmethod
    def _shown(request, *, version_name, sha_name) -> tuple[int, str]:
        """The version and SHA-256 of the text the page showed (posted back with the form)."""
        try:
            return int(request.POST.get(version_name, "")), request.POST.get(sha_name, "")
        except ValueError:
            raise ValidationError(_("The form was damaged; reload the page and try again."), code="damaged")

    @classmethod
    def _approve_as_shown(cls, request, draft, *, version_name, sha_name):
        version, text_sha256 = cls._shown(request, version_name=version_name, sha_name=sha_name)
        services.notice_draft_approve(draft=draft, by=request.user, version=version, text_sha256=text_sha256)

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("<int:pk>/approve/", view(self.approve_view), name="breach_app_noticedraft_approve"),
            path("<int:pk>/mark-sent/", view(self.mark_sent_view), name="breach_app_noticedraft_mark_sent"),
            path("<int:pk>/regenerate/", view(self.regenerate_view), name="breach_app_noticedraft_regenerate"),
            path("<int:pk>/adopt-generated/", view(self.adopt_generated_view),
                 name="breach_app_noticedraft_adopt_generated"),
            path("<int:pk>/keep-edit/", view(self.keep_edit_view), name="breach_app_noticedraft_keep_edit"),
            path("<int:pk>/download.docx", view(self.docx_view), name="breach_app_noticedraft_docx"),
            path("<int:pk>/download.txt", view(self.text_view), name="breach_app_noticedraft_text"),
            path("<int:pk>/download.pdf", view(self.pdf_view), name="breach_app_noticedraft_pdf"),
        ]
        return own + super().get_urls()

    def _draft(self, request, pk, *, change: bool):
        draft = get_object_or_404(NoticeDraft.objects.select_related("obligation__incident"), pk=pk)
        allowed = self.has_change_permission(request, draft) if change else self.has_view_permission(request, draft)
        if not allowed:
            raise PermissionDenied
        return draft

    def _back(self, draft):
        return HttpResponseRedirect(reverse("admin:breach_app_noticedraft_change", args=[draft.pk]))

    def _write(self, request, draft, write, done) -> None:
        """Run ``write`` if the draft is still the version the page showed; report the outcome."""
        try:
            with transaction.atomic():
                check_loaded_version(request, draft)
                write()
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, _errors(exc), level=messages.ERROR)
        else:
            self.message_user(request, done)

    def approve_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        draft = self._draft(request, pk, change=True)
        try:
            with transaction.atomic():
                try:
                    check_loaded_version(request, draft)
                except ValidationError as exc:
                    # A newer version: the service refuses it too, showing what changed in the text.
                    if exc.code != "stale":
                        raise
                self._approve_as_shown(request, draft, version_name=VERSION_FIELD, sha_name="_text_sha256")
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, _errors(exc), level=messages.ERROR)
        else:
            self.message_user(request, _("Draft approved for sending."))
        return self._back(draft)

    def regenerate_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        draft = self._draft(request, pk, change=True)
        if draft.is_approved or draft.is_sent:
            self.message_user(request, _("An approved or sent draft is not regenerated."), level=messages.WARNING)
            return self._back(draft)
        self._write(request, draft, lambda: services.notice_draft_generate(
            obligation=draft.obligation, by=request.user, language=draft.language, phase=draft.phase),
            _("Draft regenerated from the incident's current facts.") if not draft.is_edited else
            _("Your edited text is kept; any newly generated text is shown beside it for you to choose."))
        return self._back(draft)

    def adopt_generated_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        draft = self._draft(request, pk, change=True)
        self._write(request, draft, lambda: services.notice_draft_adopt_generated(draft=draft, by=request.user),
                    _("The newly generated text replaced the edited one (the edit stays in the history)."))
        return self._back(draft)

    def keep_edit_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        draft = self._draft(request, pk, change=True)
        self._write(request, draft, lambda: services.notice_draft_keep_edit(draft=draft, by=request.user),
                    _("Your edited text is kept; the newly generated text was set aside."))
        return self._back(draft)

    def mark_sent_view(self, request, pk):
        draft = self._draft(request, pk, change=True)
        if request.method == "POST":
            form = SendForm(request.POST)
            if form.is_valid():
                try:
                    with transaction.atomic():
                        check_loaded_version(request, draft, name=version_field(draft))
                        services.notice_draft_mark_sent(draft=draft, by=request.user, **form.cleaned_data)
                except (ValidationError, PermissionDenied) as exc:
                    # The form stays with the person's input and the reason it was refused.
                    form.add_error(None, _errors(exc))
                else:
                    self.message_user(request, _("Marked sent; the text as sent is frozen."))
                    return self._back(draft)
        else:
            form = SendForm()
        return form_page(self, request, draft, title=_("Mark sent"), form=form)

    def _filename(self, draft, ext):
        return f"{draft.obligation.incident.reference}-{slugify(draft.obligation.code)}-{draft.phase}-{draft.language}.{ext}"

    # Letterhead, reference, approver, signature block, page numbers; once sent, the frozen bytes.
    def docx_view(self, request, pk):
        return notice_documents.download(self._draft(request, pk, change=False), "docx")

    def pdf_view(self, request, pk):
        return notice_documents.download(self._draft(request, pk, change=False), "pdf")

    def text_view(self, request, pk):
        draft = self._draft(request, pk, change=False)
        response = HttpResponse(notices.plain_text(draft.text), content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self._filename(draft, "txt")}"'
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["can_change_draft"] = self.has_change_permission(request, obj)
            context["can_approve"] = holds_approval(request.user, obj.kind)
            context["approve_refusal"] = "" if context["can_approve"] else missing_permission_message(approval_permission(obj.kind))
            context["approve_permission_name"] = approval_label(obj.kind)
            context["text_sha256"] = notices.text_sha256(obj.body)
            context["proposed_diff"] = notices.text_diff(
                obj.body, obj.proposed_body, before_label=str(_("your edited text")),
                after_label=str(_("newly generated text"))) if obj.proposed_body and not obj.is_sent else ""
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)


# A word matching more related rows than this filters by a subquery; fewer, by ids.
SEARCH_IDS_MAX = 1000


def text_or_related_search(queryset, search_term, *, text: str, related, incident: str):
    """``queryset`` rows whose ``text`` column holds every word of ``search_term``, or whose id
    column ``column`` points at a row of ``matching(word)`` for a ``(column, matching)`` of
    ``related``, as the admin's search finds them;
    a typed incident reference reads the unique index (through the path ``incident``). Few related
    matches are ids, so the text's trigram index and the id column's index make one bitmap (a join
    filtered with OR reads every row). For the admin's ``get_search_results``."""
    term = (search_term or "").strip()
    if not term:
        return queryset, False
    references = incident_references(term)
    if references:
        return queryset.filter(**{f"{incident}__in": Incident.objects.filter(reference__in=references).values("pk")}), False
    for word in term.split():
        condition = Q(**{f"{text}__icontains": word})
        for column, matching in related:
            rows = matching(word).order_by()
            ids = list(rows.values_list("pk", flat=True)[: SEARCH_IDS_MAX + 1])
            condition |= Q(**{f"{column}__in": rows.values("pk") if len(ids) > SEARCH_IDS_MAX else ids})
        queryset = queryset.filter(condition)
    return queryset, False


@admin.register(TimelineEntry)
class TimelineEntryAdmin(ReadOnlyAdminMixin, StreamingExportMixin, admin.ModelAdmin):
    """Every incident's timeline in one list: append-only, so read here and added on the incident page."""

    resource_classes = [inert_resource_for(TimelineEntry)]
    list_display = ("at", incident_cell, "kind", timeline_text_cell, timeline_note_cell, "by")
    # An entry's own page shows the message in the reader's language, not its message id and params.
    exclude = ("message", "params")
    readonly_fields = (timeline_text,)
    list_filter = ("kind",)
    search_fields = ("incident__reference", "note")
    list_select_related = ("incident", "by")

    def get_search_results(self, request, queryset, search_term):
        """Entries whose note holds every word or whose incident's reference does: a typed reference
        reads the unique index, other words the trigram index on the note (migration 0015), each
        combined with the matching incidents' ids as one bitmap (a join filtered with OR reads
        every entry)."""
        return text_or_related_search(
            queryset, search_term, text="note", incident="incident",
            related=[("incident_id", lambda word: Incident.objects.filter(reference__icontains=word))])
