"""Declarative admins on the shared audited base (history, change reason, export, concurrency)."""

from __future__ import annotations

import copy
import logging

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import AdminReadonlyField
from django.contrib.auth import get_permission_codename
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, models, transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from import_export.formats import base_formats
from import_export.forms import ImportForm

from privacy_office.admin_base import (
    admin_reason,
    AuditedAdmin,
    AuditedImportExportAdmin,
    AuditedModelForm,
    CappedInlineMixin,
    CachedRelatedFieldListFilter,
    CachedRelatedOnlyFieldListFilter,
    LargeTablePaginator,
    check_loaded_version,
    format_names_in_capitals,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
)

from privacy_office.roles import missing_permission_message
from privacy_office.spreadsheets import csv_response, xlsx_response

from . import audits, crossborder, governance, governance_display, imports
from .imports import ImportRefused

from .models import (
    ActivityField,
    Controller,
    DataField,
    DataLocation,
    ImpactAssessment,
    ImportJob,
    ProcessingActivity,
    TransferFiling,
    TransferVolume,
    ComplianceAudit,
    PeopleCount,
    RemediationItem,
    Recipient,
    Service,
    Transfer,
)
from .resources import (
    ActivityFieldResource,
    ControllerResource,
    DataFieldResource,
    DataLocationResource,
    ProcessingActivityResource,
    RecipientResource,
    ServiceResource,
    TransferResource,
    TransferVolumeResource,
    resource_for,
)
from .policy_text import collection_list_render, policy_compare
from .records import activities_for_collection_list, activities_for_record, ropa_response

logger = logging.getLogger(__name__)


# --- Imports within limits (inventory_app.imports) ------------------------------------------

class LimitedCSV(base_formats.CSV):
    """CSV read within the import limits."""

    def create_dataset(self, in_stream):
        return imports.dataset_read(content=in_stream, file_format="csv")


class LimitedXLSX(base_formats.XLSX):
    """XLSX read within the import limits (openpyxl read-only, after the zip checks)."""

    def create_dataset(self, in_stream):
        return imports.dataset_read(content=in_stream, file_format="xlsx")


class LimitedImportForm(ImportForm):
    """Refuses, on the form, what the cheap checks can refuse before the file is read."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["import_file"].help_text = gettext(
            "CSV (UTF-8) or XLSX, at most %(size)s and %(rows)s rows. Files of more than %(background)s rows "
            "are checked and imported in the background: you will see their progress."
        ) % {
            "size": filesizeformat(settings.IMPORT_MAX_BYTES),
            "rows": number_format(settings.IMPORT_MAX_ROWS, force_grouping=True),
            "background": number_format(settings.IMPORT_BACKGROUND_ROWS, force_grouping=True),
        }
        self.inspection = self.content = None
        format_names_in_capitals(self)

    def clean(self):
        cleaned = super().clean()
        upload, choice = cleaned.get("import_file"), cleaned.get("format")
        if upload is None or choice is None:
            return cleaned
        file_format = str(dict(self.fields["format"].choices).get(choice, "")).lower()
        try:
            imports.file_size_check(upload.size)  # before reading it into memory
            upload.seek(0)
            content = upload.read()
            upload.seek(0)
            self.inspection = imports.file_inspect(content=content, file_format=file_format)
            self.content = content
        except ImportRefused as refusal:
            self.add_error("import_file", refusal.message)
        return cleaned


class InventoryAdmin(AuditedImportExportAdmin):
    """CSV and XLSX only; an import with one invalid row writes nothing. Imports are read within
    the limits of ``inventory_app.imports``; large ones run as an ``ImportJob`` in the background."""

    formats = [base_formats.CSV, base_formats.XLSX]
    import_formats = [LimitedCSV, LimitedXLSX]
    import_form_class = LimitedImportForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # Built for 100k-row tables: a full COUNT and facet counts would scan the table on every page.
    paginator = LargeTablePaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    import_template_name = "inventory_app/admin/import.html"

    def get_import_data_kwargs(self, **kwargs):
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    # -- the importable export and the template (roles.py: "importfile") ------------------------
    def has_importfile_permission(self, request) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.importfile_{opts.model_name}")

    def has_export_permission(self, request):
        # Exporting what one may import, in the importable format, is part of working the inventory;
        # other exports (the Art. 30 record) need the export permission itself.
        return super().has_export_permission(request) or self.has_importfile_permission(request)

    def has_record_export_permission(self, request) -> bool:
        return super().has_export_permission(request)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("import/template/<str:file_format>/", self.admin_site.admin_view(self.import_template_view),
                 name="%s_%s_import_template" % info),
            *super().get_urls(),
        ]

    def import_template_view(self, request, file_format: str):
        """The import file's heading row, in the page's language (either language imports)."""
        if not self.has_importfile_permission(request) or not self.has_import_permission(request):
            raise PermissionDenied
        if file_format not in ("csv", "xlsx"):
            raise Http404
        resource = self.get_import_resource_classes(request)[0]()
        headings = resource.export_headings([f for f in resource.get_import_fields() if not f.readonly])
        name = f"{self.opts.model_name}-import-template.{file_format}"
        if file_format == "csv":
            return csv_response(headings, [], filename=name)
        return xlsx_response(headings, [], title=str(self.opts.verbose_name_plural), filename=name,
                             column_width=20, freeze="A2")

    def get_import_context_data(self, **kwargs):
        info = self.opts.app_label, self.opts.model_name
        return {**super().get_import_context_data(**kwargs), "template_urls": [
            (label, reverse("admin:%s_%s_import_template" % info, args=[kind])) for kind, label in (("xlsx", "XLSX"), ("csv", "CSV"))
        ]}

    # -- approved impact assessments follow the inventory (inventory_app.governance) ------------
    def assessed_activity_ids(self, obj):
        """The activities an edit of ``obj`` can change; None: any (a shared row such as a field)."""
        return None

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.check_assessments(request, self.assessed_activity_ids(form.instance))

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self.check_assessments(request, self.assessed_activity_ids(obj))

    def check_assessments(self, request, activity_ids):
        for assessment in governance.assessments_check_current(activity_ids=activity_ids, by=request.user):
            messages.warning(request, gettext(
                "Impact assessment %(ref)s covers this and is now outdated: a reassessment is due on %(due)s."
            ) % {"ref": assessment.reference, "due": assessment.reassessment_due_on.isoformat()})

    def import_action(self, request, **kwargs):
        # A large file becomes a job and the request ends here: no request outlives the web
        # server's timeout. Small files keep the library's preview-and-confirm in the request.
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid() and imports.import_runs_in_background(inspection=form.inspection, content=form.content):
                job = imports.import_job_create(
                    by=request.user, model_label=self.model._meta.label_lower,
                    file_name=form.cleaned_data["import_file"].name, file_format=form.inspection.file_format,
                    content=form.content,
                )
                return HttpResponseRedirect(reverse("admin:inventory_app_importjob_change", args=[job.pk]))
        return super().import_action(request, **kwargs)

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ImportRefused):
            form.add_error("import_file", e.message)
        else:
            logger.error("inventory import: file unreadable: %s", type(e).__name__)
            form.add_error("import_file", gettext("The file cannot be read; check that the format chosen matches it."))

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except ImportRefused as refusal:
            messages.error(request, refusal.message)
        except DatabaseError as exc:
            # The import's transaction rolled back (or died with its connection): nothing was
            # written. No traceback for the user, no values in the log.
            logger.error("inventory import of %s by user %s failed: %s (nothing was written)",
                         self.model._meta.label_lower, request.user.pk, type(exc).__name__)
            messages.error(request, gettext(imports.import_failure_message_id(exc)))
        return HttpResponseRedirect(reverse("admin:%s_%s_import" % self.get_model_info()))

    def process_result(self, result, request):
        # The library would report "Import finished: N new" for an import that rolled back.
        if result.has_errors() or result.has_validation_errors():
            problem = imports.import_result_exception(result)
            if problem is not None:
                logger.error("inventory import of %s by user %s failed: %s (nothing was written)",
                             self.model._meta.label_lower, request.user.pk, type(problem).__name__)
                messages.error(request, gettext(imports.import_failure_message_id(problem)))
            else:
                messages.error(request, gettext(imports.REFUSED_ROWS_CHANGED))
            return HttpResponseRedirect(reverse("admin:%s_%s_import" % self.get_model_info()))
        response = super().process_result(result, request)
        self.check_assessments(request, None)
        return response


@admin.register(Controller)
class ControllerAdmin(InventoryAdmin):
    resource_classes = [ControllerResource]
    list_display = ("code", "name_zh", "name_en", "role", "dpo_email", "cii_operator", "important_data")
    search_fields = ("code", "name_zh", "name_en")
    readonly_fields = ("crossborder_display", "programme_display")

    def save_model(self, request, obj, form, change):
        if change:
            changed_on = audits.officer_change_date(controller=obj, changed_fields=form.changed_data,
                                                    today=timezone.localdate())
            if changed_on:
                obj.pipo_changed_on = changed_on
                messages.info(request, gettext(
                    "The officer's details changed: report the change to the city-level CAC by %(due)s.")
                    % {"due": audits.rules.pipo_change_report_due(changed_on).due_on.isoformat()})
        super().save_model(request, obj, form, change)

    @admin.display(description=_("people handled: audit frequency and threshold duties"))
    def programme_display(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return programme_html(audits.audit_programme(controller=obj))

    @admin.display(description=_("cross-border this year (PIPL Art. 38; 令16)"))
    def crossborder_display(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return crossborder_position_html(crossborder.handler_position(controller=obj, as_of=timezone.localdate()))


@admin.register(DataLocation)
class DataLocationAdmin(InventoryAdmin):
    resource_classes = [DataLocationResource]
    list_display = ("code", "name_zh", "name_en", "country")
    search_fields = ("code", "name_zh", "name_en", "country")


@admin.register(Service)
class ServiceAdmin(InventoryAdmin):
    resource_classes = [ServiceResource]
    list_display = ("code", "name_zh", "name_en", "audience", "region_label", "controller", "url")
    list_filter = ("audience", "controller")
    list_select_related = ("controller",)
    search_fields = ("code", "name_zh", "name_en")
    autocomplete_fields = ("controller",)

    @admin.display(description=_("region"), ordering="region")
    def region_label(self, service):
        return service.region_label


@admin.register(Recipient)
class RecipientAdmin(InventoryAdmin):
    resource_classes = [RecipientResource]
    list_display = ("code", "name", "kind", "country", "policy_url", "sale_or_sharing")
    list_filter = ("kind", "sale_or_sharing")
    search_fields = ("code", "name", "name_en", "fields_shared__name_zh", "fields_shared__name_en")
    autocomplete_fields = ("fields_shared",)


# Rows an inventory inline shows on a page; the rest are one click away in the filtered list.
INLINE_ROWS_SHOWN = 50


def activity_field_list_url(**lookup) -> str:
    """The field spreadsheet's list filtered to one activity or one field."""
    (name, pk), = lookup.items()
    return f"{reverse('admin:inventory_app_activityfield_changelist')}?{name}__id__exact={pk}"


class LoadedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete whose chosen option is the row its inline already read with ``select_related``.

    Django's widget reads the chosen option with a query of its own, once per inline row: an
    activity with 501 fields cost 510 queries. Any other value (a choice changed on a form sent back
    with an error) is read as Django reads it."""

    loaded = None

    def optgroups(self, name, value, attr=None):
        chosen = [str(v) for v in value if v not in self.choices.field.empty_values]
        obj = self.loaded
        if obj is None or chosen != [str(obj.pk)]:
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        options.append(self.create_option(name, obj.pk, self.choices.field.label_from_instance(obj), True,
                                          len(options)))
        return [(None, options, 0)]


class LoadedAutocompleteInlineMixin:
    """An inline whose ``autocomplete_fields`` show the rows its ``get_queryset`` joined (no query per row)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = LoadedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        names = [name for name in self.get_autocomplete_fields(request) if name in formset.form.base_fields]

        class LoadedForm(formset.form):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                for name in names:
                    widget = self.fields[name].widget
                    widget = getattr(widget, "widget", widget)
                    if self.instance.pk and getattr(self.instance, self.instance._meta.get_field(name).attname):
                        widget.loaded = getattr(self.instance, name)

        LoadedForm.__name__ = formset.form.__name__
        formset.form = LoadedForm
        return formset


class FieldUseInline(CappedInlineMixin, ReadOnlyInline):
    """The activities that use the field (read-only: edit the link on the activity's page), the first
    ``INLINE_ROWS_SHOWN`` by activity code, with a link to all of them (a field used by 1,001
    activities rendered them all)."""

    model = ActivityField
    fk_name = "field"
    fields = ("activity", "group_zh", "required", "detail_zh", "note")
    readonly_fields = fields
    verbose_name = _("activity using this field")
    verbose_name_plural = _("activities using this field")
    shown_max = INLINE_ROWS_SHOWN

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("activity").order_by("activity__code", "position", "id")

    def see_all_url(self, request, obj) -> str:
        return activity_field_list_url(field=obj.pk)


class UsedByCountFilter(admin.SimpleListFilter):
    title = _("used by activities")
    parameter_name = "used"

    def lookups(self, request, model_admin):
        return (("yes", _("used")), ("no", _("not used by any activity")))

    def queryset(self, request, queryset):
        used = Exists(ActivityField.objects.filter(field=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(used)
        if self.value() == "no":
            return queryset.exclude(used)
        return queryset


@admin.register(DataField)
class DataFieldAdmin(InventoryAdmin):
    resource_classes = [DataFieldResource]
    list_display = ("code", "name_zh", "name_en", "category", "sensitive", "activity_count")
    list_filter = ("sensitive", "category", UsedByCountFilter)
    search_fields = ("code", "name_zh", "name_en")
    inlines = [FieldUseInline]

    def get_queryset(self, request):
        # A correlated subquery: computed for the page's rows only, not a join over every field.
        uses = (ActivityField.objects.filter(field=OuterRef("pk")).order_by().values("field")
                .annotate(n=Count("activity", distinct=True)).values("n"))
        return super().get_queryset(request).annotate(_activity_count=Coalesce(Subquery(uses), 0))

    @admin.display(description=_("activities"), ordering="_activity_count")
    def activity_count(self, obj):
        return obj._activity_count


class ActivityFieldInline(CappedInlineMixin, LoadedAutocompleteInlineMixin, admin.TabularInline):
    """The activity's fields in the policy's order, the first ``INLINE_ROWS_SHOWN`` editable here and
    every one in the field spreadsheet's list (an activity with 501 fields rendered 501 forms)."""

    model = ActivityField
    fk_name = "activity"
    fields = ("position", "field", "field_sensitive", "group_zh", "detail_zh", "required", "note")
    readonly_fields = ("field_sensitive",)
    autocomplete_fields = ("field",)
    extra = 0
    shown_max = INLINE_ROWS_SHOWN

    # Each row's cells are listed from its form (row_cells): the generic tabular template walked
    # fieldsets, lines and admin fields for every cell of fifty rows, most of the activity's page.
    template = "admin/privacy_office/fast_tabular.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("field").order_by("position", "id")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        inline, names = self, list(self.get_fields(request, obj))
        readonly = set(self.get_readonly_fields(request, obj))

        def with_cells(form):
            form.row_cells = [
                (name, None, AdminReadonlyField(form, name, False, model_admin=inline).contents()) if name in readonly
                else (name, form[name], "") for name in names
            ]
            return form

        class CellsFormSet(formset):
            def _construct_form(self, i, **kwargs):
                return with_cells(super()._construct_form(i, **kwargs))

            @property
            def empty_form(self):
                return with_cells(super().empty_form)

        return CellsFormSet

    def see_all_url(self, request, obj) -> str:
        return activity_field_list_url(activity=obj.pk)

    @admin.display(description=_("sensitive"), boolean=True)
    def field_sensitive(self, obj):
        return obj.field.sensitive if obj.field_id else None


class TransferInline(LoadedAutocompleteInlineMixin, admin.TabularInline):
    model = Transfer
    fields = ("destination_country", "mechanism", "recipient", "location", "scc_module", "tia_done_on", "review_on", "note")
    autocomplete_fields = ("recipient", "location")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recipient", "location")


class YesNoFilter(admin.SimpleListFilter):
    """Activities that ``matching`` keeps, or those it does not."""

    def matching(self, queryset):
        raise NotImplementedError

    def lookups(self, request, model_admin):
        return (("yes", _("yes")), ("no", _("no")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return self.matching(queryset)
        if self.value() == "no":
            return queryset.exclude(pk__in=self.matching(ProcessingActivity.objects.all()).values("pk"))
        return queryset


class SensitiveFieldsFilter(YesNoFilter):
    title = _("has sensitive fields")
    parameter_name = "sensitive"

    def matching(self, queryset):
        return queryset.with_sensitive_fields()


class CrossBorderFilter(YesNoFilter):
    title = _("has cross-border transfer")
    parameter_name = "cross_border"

    def matching(self, queryset):
        return queryset.with_cross_border()


class PiaFilter(admin.SimpleListFilter):
    title = _("impact assessment (PIPL Art. 55)")
    parameter_name = "pia"

    def lookups(self, request, model_admin):
        return (("missing", _("PIA required but missing")), ("required", _("PIA required")))

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(pk__in=ProcessingActivity.objects.pia_missing().values("pk"))
        if self.value() == "required":
            return queryset.filter(pk__in=ProcessingActivity.objects.pia_required().values("pk"))
        return queryset


class RecordExportForm(forms.Form):
    layout = forms.ChoiceField(
        label=_("layout"),
        choices=(("gdpr", _("GDPR Art. 30(1) record")), ("pipl", _("PIPL record (Chinese headings)"))),
    )
    controller = forms.ModelChoiceField(label=_("controller"), queryset=Controller.objects.all(), required=False)
    service = forms.ModelChoiceField(label=_("service"), queryset=Service.objects.all(), required=False)


class PolicyCompareForm(forms.Form):
    text = forms.CharField(
        label=_("policy text"), required=False, widget=forms.Textarea(attrs={"rows": 14, "cols": 100}),
        help_text=_("Paste the policy or just its 个人信息收集清单."),
    )
    upload = forms.FileField(label=_("or upload the policy (.txt, .md, .docx)"), required=False)
    controller = forms.ModelChoiceField(
        label=_("controller"), queryset=Controller.objects.all(), required=False,
        help_text=_("Activities the text must cover; leave both empty to compare only the activities the text names."),
    )
    service = forms.ModelChoiceField(label=_("service"), queryset=Service.objects.all(), required=False)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload:
            name = upload.name.lower()
            data = upload.read()
            if name.endswith(".docx"):
                import io

                import docx

                try:
                    document = docx.Document(io.BytesIO(data))
                except Exception:
                    raise forms.ValidationError(_("The file is not a readable .docx document."))
                lines = [p.text for p in document.paragraphs]
                for table in document.tables:
                    for row in table.rows:
                        lines.append("\t".join(cell.text for cell in row.cells))
                cleaned["text"] = "\n".join(lines)
            else:
                try:
                    cleaned["text"] = data.decode("utf-8-sig")
                except UnicodeDecodeError:
                    raise forms.ValidationError(_("The file is not UTF-8 text."))
        if not (cleaned.get("text") or "").strip():
            raise forms.ValidationError(_("Paste the policy text or upload a file."))
        return cleaned


@admin.register(ProcessingActivity)
class ProcessingActivityAdmin(InventoryAdmin):
    resource_classes = [ProcessingActivityResource]
    change_list_template = "inventory_app/admin/processingactivity_change_list.html"
    list_display = (
        "code", "name_zh", "controller", "pipl_basis", "gdpr_basis", "sensitive_display", "cross_border_display",
        "pia_display", "pia_completed_on",
    )
    list_display_links = ("code", "name_zh")
    list_select_related = ("controller",)
    list_filter = (
        ("services", CachedRelatedOnlyFieldListFilter), ("controller", CachedRelatedFieldListFilter),
        "pipl_basis", "gdpr_basis",
        SensitiveFieldsFilter, CrossBorderFilter, PiaFilter,
    )
    search_fields = (
        "code", "name_zh", "name_en", "purpose_zh", "purpose_en",
        "fields__field__name_zh", "fields__field__name_en", "fields__field__code",
    )
    autocomplete_fields = ("controller", "services", "storage_locations", "recipients")
    readonly_fields = ("pia_reasons_display",)
    inlines = [ActivityFieldInline, TransferInline]
    actions = ["export_gdpr_record", "export_pipl_record", "start_impact_assessment"]
    fieldsets = (
        (None, {"fields": ("code", "position", "name_zh", "name_en", "controller", "services", "source")}),
        (_("Purpose and legal basis"), {"fields": (
            "purpose_zh", "purpose_en", "data_subjects", "processing_method", "pipl_basis",
            "separate_consent_required", "gdpr_basis", "automated_decision",
        )}),
        (_("Storage, recipients and security"), {"fields": (
            "retention", "retention_en", "storage_locations", "recipients", "security_measures",
        )}),
        (_("Impact assessment (PIPL Art. 55)"), {"fields": ("pia_reasons_display", "pia_completed_on")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).with_pia_flags()

    def get_search_results(self, request, queryset, search_term):
        """An activity's exact code finds that activity through its unique index (the autocomplete
        answers a pasted code without a substring search); any other term searches codes, names,
        purposes and field names as before (PostgreSQL: trigram indexes, migration 0009)."""
        term = search_term.strip()
        if term and " " not in term:
            exact = queryset.filter(code=term)
            if exact.exists():
                return exact, False
        return super().get_search_results(request, queryset, search_term)

    def assessed_activity_ids(self, obj):
        return [obj.pk]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "has_record_export_permission": self.has_record_export_permission(request)}
        return super().changelist_view(request, extra_context)

    def has_start_assessment_permission(self, request):
        return request.user.has_perm("inventory_app.add_impactassessment")

    @admin.action(description=_("Start an impact assessment of the selected activities"), permissions=["start_assessment"])
    def start_impact_assessment(self, request, queryset):
        try:
            assessment = governance.assessment_create_from_activities(activities=list(queryset), by=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), level=messages.ERROR)
            return None
        self.message_user(request, gettext("Impact assessment %(ref)s started, pre-filled from the inventory.")
                          % {"ref": assessment.reference})
        return HttpResponseRedirect(reverse("admin:inventory_app_impactassessment_change", args=[assessment.pk]))

    @admin.display(description=_("sensitive"), boolean=True, ordering="has_sensitive")
    def sensitive_display(self, obj):
        return obj.has_sensitive

    @admin.display(description=_("cross-border"), boolean=True, ordering="has_cross_border")
    def cross_border_display(self, obj):
        return obj.has_cross_border

    @admin.display(description=_("PIA"))
    def pia_display(self, obj):
        if not obj.pia_required:
            return gettext("not required")
        return gettext("done") if obj.pia_completed_on else gettext("missing")

    @admin.display(description=_("PIA required because"))
    def pia_reasons_display(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return "; ".join(obj.pia_reasons()) or gettext("not required by PIPL Art. 55")

    # -- record of processing activities ------------------------------------------------------
    @admin.action(description=_("Export selected as GDPR Art. 30 record (XLSX)"), permissions=["record_export"])
    def export_gdpr_record(self, request, queryset):
        return ropa_response("gdpr", activities=queryset)

    @admin.action(description=_("Export selected as PIPL record (XLSX)"), permissions=["record_export"])
    def export_pipl_record(self, request, queryset):
        return ropa_response("pipl", activities=queryset)

    def get_urls(self):
        urls = super().get_urls()
        extra = [
            path("record/", self.admin_site.admin_view(self.record_view), name="inventory_app_record"),
            path("policy-tools/", self.admin_site.admin_view(self.policy_tools_view), name="inventory_app_policy_tools"),
        ]
        return extra + urls

    def record_view(self, request):
        if not self.has_record_export_permission(request):
            # The refusal page names what is missing (privacy_office/errors.py).
            raise PermissionDenied(missing_permission_message(
                f"{self.opts.app_label}.{get_permission_codename(settings.IMPORT_EXPORT_EXPORT_PERMISSION_CODE, self.opts)}"))
        form = RecordExportForm(request.GET or None)
        if form.is_bound and form.is_valid():
            return ropa_response(form.cleaned_data["layout"], controller=form.cleaned_data["controller"],
                                 service=form.cleaned_data["service"])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Export the record of processing activities"),
            "form": form,
        }
        return TemplateResponse(request, "inventory_app/record_export.html", context)

    def policy_tools_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        comparison = None
        form = PolicyCompareForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            scope = None
            controller, service = form.cleaned_data["controller"], form.cleaned_data["service"]
            if controller or service:
                scope = activities_for_record(controller=controller, service=service)
            comparison = policy_compare(text=form.cleaned_data["text"], activities=scope)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Policy tools: 个人信息收集清单"),
            "form": form,
            "comparison": comparison,
            "generated": collection_list_render(activities=activities_for_collection_list(
                controller=form.cleaned_data.get("controller") if form.is_bound and form.is_valid() else None,
                service=form.cleaned_data.get("service") if form.is_bound and form.is_valid() else None,
            )),
        }
        return TemplateResponse(request, "inventory_app/policy_tools.html", context)


@admin.register(ActivityField)
class ActivityFieldAdmin(InventoryAdmin):
    """The field spreadsheet (one row per activity × field): the headline import file."""

    # A link is part of its activity's description: removing it is an edit (kept in the history).
    # The inventory's own records are never deleted here (cases and incidents point at them).
    deletable_in_admin = True
    resource_classes = [ActivityFieldResource]
    list_display = ("activity", "field", "field_sensitive", "group_zh", "required", "position")
    list_select_related = ("activity", "field")
    list_filter = ("required", "field__sensitive", "field__category", "activity__controller")
    search_fields = ("activity__code", "activity__name_zh", "field__code", "field__name_zh", "field__name_en", "group_zh")
    autocomplete_fields = ("activity", "field")

    @admin.display(description=_("sensitive"), boolean=True, ordering="field__sensitive")
    def field_sensitive(self, obj):
        return obj.field.sensitive

    def assessed_activity_ids(self, obj):
        return [obj.activity_id]


@admin.register(Transfer)
class TransferAdmin(InventoryAdmin):
    deletable_in_admin = True  # as ActivityFieldAdmin: part of an activity's description
    resource_classes = [TransferResource]
    list_display = ("activity", "destination_country", "mechanism", "recipient", "location", "scc_module",
                    "tia_done_on", "review_on")
    list_select_related = ("activity", "recipient", "location")
    list_filter = ("mechanism", "destination_country", "scc_module")
    # A destination is a two-letter code: matched exactly (a substring of two letters finds nothing
    # more useful, and no index serves it); the activity's code and name through their trigram indexes.
    search_fields = ("activity__code", "activity__name_zh", "=destination_country")
    autocomplete_fields = ("activity", "recipient", "location")

    def assessed_activity_ids(self, obj):
        return [obj.activity_id]



@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Large imports: their progress, preview and confirmation (``inventory_app.imports``)."""

    list_display = ("id", "file_name", "records", "status", "rows_total", "created_by", "created_at", "finished_at")
    list_display_links = ("id", "file_name")
    list_select_related = ("created_by",)
    list_filter = ("status",)
    ordering = ("-created_at", "-id")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    @admin.display(description=_("records"))
    def records(self, job):
        try:
            return resource_for(job.model)._meta.model._meta.verbose_name_plural
        except KeyError:
            return job.model

    def get_urls(self):
        return [
            path("<int:job_id>/confirm/", self.admin_site.admin_view(self.confirm_view),
                 name="inventory_app_importjob_confirm"),
            path("<int:job_id>/cancel/", self.admin_site.admin_view(self.cancel_view),
                 name="inventory_app_importjob_cancel"),
            *super().get_urls(),
        ]

    @staticmethod
    def _may_decide(request, job) -> bool:
        """The uploader, while they may still import these records."""
        app_label, model_name = job.model.split(".", 1)
        return job.created_by_id == request.user.pk and request.user.has_perm(f"{app_label}.import_{model_name}")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        if job is None:
            raise Http404
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        model = resource_for(job.model)._meta.model
        own = job.created_by_id == request.user.pk
        progress = imports.import_job_progress(job) if job.running else {}
        # The rows that change, as the import page shows them (only the uploader sees the rows).
        preview_rows = imports.import_job_preview_rows(job) if own else []
        preview_changing = (job.preview or {}).get("changing")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Import #%(id)s: %(file)s") % {"id": job.pk, "file": job.file_name},
            "job": job,
            "records": model._meta.verbose_name_plural,
            "records_url": reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"),
            "import_url": reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_import"),
            "progress": progress,
            "progress_done": number_format(progress.get("done", 0), force_grouping=True),
            "progress_total": number_format(progress.get("total", 0), force_grouping=True),
            "rows_total": number_format(job.rows_total, force_grouping=True) if job.rows_total is not None else "",
            "failure": imports.refusal_text(job.failure, job.failure_params),
            "counts": [
                (label, number_format(count, force_grouping=True)) for label, count in (
                    (gettext("new"), job.totals.get("new", 0)),
                    (gettext("changed"), job.totals.get("update", 0)),
                    (gettext("unchanged"), job.totals.get("skip", 0)),
                    (gettext("errors"), job.error_count),
                )
            ] if job.totals or job.error_count else [],
            "preview_rows": preview_rows,
            "preview_changing": preview_changing if own else None,
            "preview_changing_text": number_format(preview_changing or 0, force_grouping=True),
            "may_decide": self._may_decide(request, job),
        }
        return TemplateResponse(request, "inventory_app/import_job.html", context)

    def _decision(self, request, job_id, service, done_message):
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:inventory_app_importjob_change", args=[job_id]))
        job = ImportJob.objects.filter(pk=job_id).first()
        if job is None:
            raise Http404
        if not self._may_decide(request, job):
            raise PermissionDenied
        try:
            service(job=job, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, done_message)
        return HttpResponseRedirect(reverse("admin:inventory_app_importjob_change", args=[job_id]))

    def confirm_view(self, request, job_id):
        return self._decision(request, job_id, imports.import_job_confirm,
                              gettext("Import confirmed: it runs in the background; this page shows its progress."))

    def cancel_view(self, request, job_id):
        return self._decision(request, job_id, imports.import_job_cancel,
                              gettext("Import cancelled; the uploaded file was deleted."))


# --- Impact assessments (inventory_app.governance) --------------------------------------------

class ImpactAssessmentForm(AuditedModelForm):
    """The assessor's judgement; everything else comes from the inventory or the approval."""

    class Meta:
        model = ImpactAssessment
        fields = ("title", "description", "lawfulness_necessity", "risks", "measures", "residual_risk", "officer_opinion")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.status != ImpactAssessment.Status.DRAFT:
            raise ValidationError(_("An approved assessment is not edited: start a reassessment instead."), code="frozen")
        return cleaned


@admin.register(ImpactAssessment)
class ImpactAssessmentAdmin(AuditedAdmin):
    form = ImpactAssessmentForm
    change_form_template = "inventory_app/admin/impactassessment_change_form.html"
    list_display = ("reference", "title", "controller", "status", "residual_risk", "report_on", "retained_until",
                    "reassessment_due_on")
    list_display_links = ("reference", "title")
    list_select_related = ("controller",)
    list_filter = ("status", "residual_risk", ("controller", CachedRelatedFieldListFilter))
    search_fields = ("reference", "title", "activities__code", "activities__name_zh")
    STATE_FIELDS = ("reference", "controller", "status", "supersedes", "prepared_by", "created_at", "approved_by",
                    "approved_at", "report_on", "retained_until", "review_due_on", "outdated_at", "reassessment_due_on")
    fieldsets = (
        (None, {"fields": ("reference", "title", "controller", "status", "supersedes", "triggers_display")}),
        (_("What is assessed (from the inventory)"), {"fields": ("activities_display",)}),
        (_("Assessment (PIPL Art. 56; GDPR Art. 35(7))"), {"fields": (
            "description", "lawfulness_necessity", "risks", "measures", "residual_risk", "officer_opinion",
        )}),
        (_("Approval and retention"), {"fields": (
            "prepared_by", "created_at", "approved_by", "approved_at", "report_on", "retained_until", "review_due_on",
        )}),
        (_("Changes since approval"), {"fields": ("outdated_at", "reassessment_due_on", "diff_display")}),
    )

    def has_add_permission(self, request):
        return False  # started from the processing activities (action "Start an impact assessment …")

    def get_readonly_fields(self, request, obj=None):
        display = ("triggers_display", "activities_display", "diff_display")
        if obj is not None and obj.status != ImpactAssessment.Status.DRAFT:
            return (*self.STATE_FIELDS, *display, *ImpactAssessmentForm.Meta.fields)
        return (*self.STATE_FIELDS, *display)

    @admin.display(description=_("assessment required because (PIPL Art. 55)"))
    def triggers_display(self, obj):
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in governance_display.triggers(obj)))

    @admin.display(description=_("processing activities assessed"))
    def activities_display(self, obj):
        blocks = []
        for activity in governance_display.snapshot_rows(governance_display.assessed_snapshot(obj)):
            rows = format_html_join("", "<tr><th>{}</th><td style=\"white-space:pre-line\">{}</td></tr>", activity["rows"])
            blocks.append(format_html("<h4>{}</h4><table>{}</table>", activity["code"], rows))
        note = (gettext("Frozen at approval (SHA-256 %(digest)s).") % {"digest": obj.snapshot_sha256}
                if obj.snapshot_sha256 else gettext("The inventory as it is now; frozen when approved."))
        return format_html("<p>{}</p>{}", note, mark_safe("".join(str(b) for b in blocks)))

    @admin.display(description=_("changes since approval"))
    def diff_display(self, obj):
        if not obj.outdated_diff:
            return "—"
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td style=\"white-space:pre-line\">{}</td>"
                "<td style=\"white-space:pre-line\">{}</td></tr>",
            ((d["activity"], d["item"], d["old"], d["new"]) for d in governance_display.diff_rows(obj.outdated_diff)),
        )
        return format_html("<table class=\"pia-diff\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
                           "<tbody>{}</tbody></table>", gettext("activity"), gettext("item"), gettext("at approval"),
                           gettext("now"), rows)

    def get_urls(self):
        return [
            path("<int:pk>/approve/", self.admin_site.admin_view(self.approve_view),
                 name="inventory_app_impactassessment_approve"),
            path("<int:pk>/reassess/", self.admin_site.admin_view(self.reassess_view),
                 name="inventory_app_impactassessment_reassess"),
            path("<int:pk>/document/<str:language>/", self.admin_site.admin_view(self.document_view),
                 name="inventory_app_impactassessment_document"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update({
                "may_approve": obj.status == ImpactAssessment.Status.DRAFT
                and governance.holds_assessment_approval(request.user) and obj.prepared_by_id != request.user.pk,
                "may_reassess": obj.status in (ImpactAssessment.Status.APPROVED, ImpactAssessment.Status.OUTDATED)
                and self.has_change_permission(request, obj),
                "may_export": self.has_export_permission(request),
                "document_languages": settings.LANGUAGES,
            })
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def _post_on_version(self, request, pk, write, done):
        if request.method != "POST":
            raise PermissionDenied
        assessment = ImpactAssessment.objects.filter(pk=pk).first()
        if assessment is None:
            raise Http404
        if not self.has_change_permission(request, assessment):
            raise PermissionDenied
        try:
            with transaction.atomic():
                check_loaded_version(request, assessment)
                result = write(assessment)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
            return HttpResponseRedirect(reverse("admin:inventory_app_impactassessment_change", args=[pk]))
        messages.success(request, done % {"ref": result.reference})
        return HttpResponseRedirect(reverse("admin:inventory_app_impactassessment_change", args=[result.pk]))

    def approve_view(self, request, pk):
        return self._post_on_version(
            request, pk, lambda a: governance.assessment_approve(assessment=a, by=request.user),
            gettext("Impact assessment %(ref)s approved; what it assessed is frozen."))

    def reassess_view(self, request, pk):
        return self._post_on_version(
            request, pk, lambda a: governance.assessment_reassess(assessment=a, by=request.user),
            gettext("Reassessment %(ref)s started as a draft."))

    def document_view(self, request, pk, language):
        if language not in dict(settings.LANGUAGES):
            raise Http404
        if not self.has_export_permission(request):
            raise PermissionDenied
        assessment = ImpactAssessment.objects.select_related("controller", "prepared_by", "approved_by").filter(pk=pk).first()
        if assessment is None:
            raise Http404
        content = governance_display.assessment_document(assessment=assessment, language=language)
        response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        response["Content-Disposition"] = f'attachment; filename="{assessment.reference}.{language}.docx"'
        return response


# --- Cross-border volumes and filings (inventory_app.crossborder) ------------------------------

MECHANISM_LABELS = {
    "exempt": _("exempt"),
    "scc_or_certification": _("standard contract filing or certification"),
    "security_assessment": _("CAC security assessment"),
    "needs_decision": _("needs decision"),
}


def crossborder_position_html(position) -> str:
    decision = position.decision
    crossings = format_html_join("", "<li>{}</li>", (
        (gettext("%(n)s people%(kind)s → %(mechanism)s: %(when)s") % {
            "n": number_format(c.threshold, force_grouping=True),
            "kind": gettext(" with sensitive PI") if c.sensitive else "",
            "mechanism": MECHANISM_LABELS[c.mechanism],
            "when": c.on.isoformat() if c.on else gettext("not this year at the current rate"),
        },) for c in position.crossings))
    destinations = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
        (country, recipient, number_format(people, force_grouping=True), number_format(sensitive, force_grouping=True))
        for country, recipient, people, sensitive in position.destinations))
    return format_html(
        "<p><strong>{}</strong> — {}{}</p><p>{}</p><p>{}</p><ul>{}</ul>"
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
        MECHANISM_LABELS[decision.mechanism], "; ".join(gettext(r) for r in decision.reasons),
        gettext(" (unverified)") if decision.unverified else "",
        gettext("Since 1 January %(year)s: %(people)s people, %(sensitive)s with sensitive PI.") % {
            "year": position.as_of.year, "people": number_format(position.people, force_grouping=True),
            "sensitive": number_format(position.sensitive_people, force_grouping=True)},
        gettext("Covered by a mechanism in force.") if position.covered
        else gettext("NOT covered: the required mechanism is not in force."),
        crossings,
        gettext("destination"), gettext("recipient"), gettext("people"), gettext("of whom sensitive PI"), destinations,
    )


class TransferVolumeForm(AuditedModelForm):
    class Meta:
        model = TransferVolume
        fields = ("controller", "destination_country", "recipient", "period_start", "period_end", "people",
                  "sensitive_people", "necessity", "note")

    def clean(self):
        cleaned = super().clean()
        if all(cleaned.get(k) is not None for k in ("period_start", "period_end", "people", "sensitive_people")):
            crossborder.volume_check(period_start=cleaned["period_start"], period_end=cleaned["period_end"],
                                     people=cleaned["people"], sensitive_people=cleaned["sensitive_people"])
        if cleaned.get("destination_country"):
            cleaned["destination_country"] = cleaned["destination_country"].upper()
        return cleaned


@admin.register(TransferVolume)
class TransferVolumeAdmin(InventoryAdmin):
    """Volumes are typed here or imported per period (CSV/XLSX, all or nothing)."""

    form = TransferVolumeForm
    resource_classes = [TransferVolumeResource]

    def assessed_activity_ids(self, obj):
        return ()  # volumes are not part of what an assessment froze
    list_display = ("controller", "destination_country", "recipient", "period_start", "period_end", "people",
                    "sensitive_people", "necessity")
    list_select_related = ("controller", "recipient")
    list_filter = ("controller", "destination_country", "necessity")
    autocomplete_fields = ("recipient",)
    date_hierarchy = "period_start"


class TransferFilingForm(AuditedModelForm):
    class Meta:
        model = TransferFiling
        fields = ("controller", "kind", "destination_country", "recipient", "effective_on", "filed_on",
                  "refile_needed", "note")

    def clean(self):
        cleaned = super().clean()
        effective, filed = cleaned.get("effective_on"), cleaned.get("filed_on")
        if effective and filed and filed < effective:
            self.add_error("filed_on", gettext("A filing is made after the contract takes effect, not before."))
        if filed and filed > timezone.localdate():
            self.add_error("filed_on", gettext("A filing date cannot be in the future."))
        return cleaned


@admin.register(TransferFiling)
class TransferFilingAdmin(AuditedAdmin):
    form = TransferFilingForm
    list_display = ("controller", "kind", "destination_country", "effective_on", "filing_due_on", "filed_on",
                    "expires_on", "renewal_opens_on", "provisional", "refile_needed")
    list_select_related = ("controller",)
    list_filter = ("kind", "controller", "refile_needed")
    readonly_fields = ("filing_due_on", "expires_on", "renewal_opens_on", "provisional")
    autocomplete_fields = ("recipient",)

    def save_model(self, request, obj, form, change):
        crossborder.filing_clocks(obj)  # stored due dates follow the effective date
        super().save_model(request, obj, form, change)


# --- People handled, compliance audits (inventory_app.audits) ---------------------------------

def clock_text(clock) -> str:
    if clock is None:
        return ""
    text = gettext("due %(date)s — %(rule)s (%(citation)s)") % {
        "date": clock.due_on.isoformat(), "rule": gettext(clock.rule), "citation": gettext(clock.citation)}
    if clock.unverified:
        text += gettext(" (unverified)")
    if clock.provisional:
        text += gettext(" (provisional calendar)")
    return text


def programme_html(programme) -> str:
    if programme.count is None:
        return gettext("No dated count of the people handled yet.")
    duties = format_html_join("", "<li>{}{}</li>", (
        (gettext(d.label), (" — " + clock_text(d.clock)) if d.clock else
         (gettext(" (unverified)") if d.unverified else "")) for d in programme.duties))
    return format_html(
        "<p>{}</p><p>{}</p><ul>{}</ul>",
        gettext("%(people)s people on %(date)s.") % {
            "people": number_format(programme.count.people, force_grouping=True),
            "date": programme.count.counted_on.isoformat()},
        gettext("Next periodic compliance audit: %(clock)s") % {"clock": clock_text(programme.next_audit)},
        duties,
    )


class PeopleCountForm(AuditedModelForm):
    class Meta:
        model = PeopleCount
        fields = ("controller", "counted_on", "people", "minors", "note")


@admin.register(PeopleCount)
class PeopleCountAdmin(AuditedAdmin):
    form = PeopleCountForm
    list_display = ("controller", "counted_on", "people", "minors")
    list_select_related = ("controller",)
    list_filter = ("controller",)


class RemediationItemInline(admin.TabularInline):
    model = RemediationItem
    fields = ("title", "owner", "due_on", "done_on", "note")
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            from django.contrib.auth import get_user_model

            kwargs["queryset"] = get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ComplianceAuditForm(AuditedModelForm):
    class Meta:
        model = ComplianceAudit
        fields = ("controller", "kind", "ordered_by", "deadline", "auditor", "scope", "period_start", "period_end",
                  "findings", "report_on", "rectified_on", "rectification_reported_on")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", gettext("The period ends before it starts."))
        if cleaned.get("kind") == ComplianceAudit.Kind.ORDERED and not cleaned.get("deadline"):
            self.add_error("deadline", gettext("An audit ordered by a regulator has the deadline the regulator set."))
        today = timezone.localdate()
        for name in ("report_on", "rectified_on", "rectification_reported_on"):
            if cleaned.get(name) and cleaned[name] > today:
                self.add_error(name, gettext("This date cannot be in the future."))
        if self.instance.pk:
            # A reported audit is frozen (audits.audit_check_not_frozen): refused here, before the save.
            candidate = copy.copy(self.instance)
            for name in self._meta.fields:
                if name in cleaned:
                    setattr(candidate, name, cleaned[name])
            try:
                audits.audit_check_not_frozen(candidate)
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


@admin.register(ComplianceAudit)
class ComplianceAuditAdmin(AuditedAdmin):
    form = ComplianceAuditForm
    change_form_template = "inventory_app/admin/complianceaudit_change_form.html"
    inlines = [RemediationItemInline]
    # The audited period is on the audit's page: the list shows what is due (deadline, report,
    # open items) and fits a 1,400 px window.
    list_display = ("reference", "controller", "kind", "auditor", "deadline", "report_on", "open_items")
    list_display_links = ("reference",)
    list_select_related = ("controller",)
    list_filter = ("kind", "controller")
    search_fields = ("reference", "auditor", "scope")
    readonly_fields = ("reference", "rectification_report_due_display", "evidence_display")
    fieldsets = (
        (None, {"fields": ("reference", "controller", "kind", "ordered_by", "deadline", "auditor", "scope",
                           "period_start", "period_end")}),
        (_("Findings and report"), {"fields": ("findings", "report_on", "rectified_on",
                                               "rectification_report_due_display", "rectification_reported_on")}),
        (_("Evidence from the office's own records, computed now"), {"fields": ("evidence_display",)}),
    )

    @admin.display(description=_("open remediation items"))
    def open_items(self, obj):
        return obj.remediation_items.open().count()

    @admin.display(description=_("rectification report due"))
    def rectification_report_due_display(self, obj):
        if obj is None or obj.rectification_report_due_on is None:
            return "—"
        return obj.rectification_report_due_on.isoformat() + gettext(" (unverified)")

    @admin.display(description=_("evidence"))
    def evidence_display(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", governance_display.evidence_rows(audits.audit_evidence(audit=obj)))

    def save_model(self, request, obj, form, change):
        audits.audit_clocks(obj)
        if not change:
            audits.audit_save(audit=obj, by=request.user, reason=admin_reason(request, change=False))
            return
        super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path("<int:pk>/report/<str:language>/", self.admin_site.admin_view(self.report_view),
                 name="inventory_app_complianceaudit_report"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update({"may_export": self.has_export_permission(request), "document_languages": settings.LANGUAGES})
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def report_view(self, request, pk, language):
        if language not in dict(settings.LANGUAGES):
            raise Http404
        if not self.has_export_permission(request):
            raise PermissionDenied
        audit = ComplianceAudit.objects.select_related("controller").filter(pk=pk).first()
        if audit is None:
            raise Http404
        content = governance_display.audit_document(audit=audit, language=language)
        response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        response["Content-Disposition"] = f'attachment; filename="{audit.reference}.{language}.docx"'
        return response

