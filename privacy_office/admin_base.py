"""The one admin base every ModelAdmin of the office subclasses, so every page keeps history and reasons the same way.

It gives: per-record history (revert disabled), a "reason for change" recorded with the
history, export (and import where the admin sets a resource), and optimistic concurrency:
a save made against a record someone else changed since it was opened is refused, listing
who changed what, and the user's input stays on the form.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import cached_property

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.contrib import admin
from django.contrib.admin.filters import RelatedFieldListFilter, RelatedOnlyFieldListFilter
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import Model, QuerySet
from django.forms.models import model_to_dict
from django.forms.utils import flatatt
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.forms import SelectableFieldsExportForm
from import_export.signals import post_export
from simple_history.admin import SimpleHistoryAdmin

from .audit import changes_between
from .audit_display import shown_changes
from .exports import export_job_request, export_ready_key, rows_over
from .history import set_change_reason
from .messages import reason_text
from .spreadsheets import (
    column_heading, csv_response, export_columns, export_headers, export_queryset, export_rows, inert_resource_for, xlsx_response,
)

VERSION_FIELD = "_loaded_version"
# After a refusal: the fields both the person and a colleague changed, and per field the choice
# ("mine" or "theirs") posted as KEEP_PREFIX + field name.
CONFLICTS_FIELD = "_edit_conflicts"
KEEP_PREFIX = "_keep__"
REASON_FIELD = "_change_reason"
# The reason is kept with the history forever (a text column since *_change_reason_any_length).
# The bound is for an explanation, not a pasted document; the input carries it as maxlength and
# the form refuses more with a message, keeping what was typed.
CHANGE_REASON_MAX_LENGTH = 2000


def change_reason_error(reason: str) -> ValidationError | None:
    """The error for a reason longer than the form accepts, else None."""
    length = len((reason or "").strip())
    if length <= CHANGE_REASON_MAX_LENGTH:
        return None
    return ValidationError(
        _("The reason for change has %(length)d characters; at most %(max)d are accepted. Shorten it and save "
          "again: your changes are still on this form.") % {"length": length, "max": CHANGE_REASON_MAX_LENGTH},
        code="reason_too_long",
    )


def loaded_version_error(obj, loaded) -> ValidationError | None:
    """Why a write to ``obj`` made against the version ``loaded`` (as posted: a string, or None when
    absent) must be refused, else None. Locks the row (SELECT FOR UPDATE) when it checks, so call it
    inside the transaction that writes. Records without a ``version`` field, and records not yet
    saved, always pass. The stale error (code "stale")
    lists who changed what (no params: its message is HTML, and a "%" in a value must stay as typed)."""
    if obj is None or obj.pk is None or obj._state.adding or not hasattr(obj, "version"):
        return None
    if loaded is None or str(loaded).strip() == "":
        return ValidationError(
            _("This form did not say which version of the record you opened, so nothing was saved "
              "(a save without it could overwrite a colleague's work unseen). Reload the page and try again."),
            code="missing",
        )
    try:
        loaded_version = int(loaded)
    except (TypeError, ValueError):
        return ValidationError(_("The form was damaged; reload the page and try again."), code="damaged")
    current = type(obj)._default_manager.select_for_update().filter(pk=obj.pk).values_list(
        "version", flat=True
    ).first()
    if current is None or current == loaded_version:
        return None
    return ValidationError(
        format_html(
            "{}<ul>{}</ul>",
            _("Someone else saved this record after you opened it, so your changes were not "
              "saved (nothing was overwritten). What changed in the meantime:"),
            describe_conflict(obj, loaded_version),
        ),
        code="stale",
    )


def check_loaded_version(request, obj, *, name: str = VERSION_FIELD) -> None:
    """Refuse a write to ``obj`` unless the POST names the version of ``obj`` the person was shown,
    and that version is still the current one. For custom admin views and actions that change a
    versioned record (one with a ``version`` field); the change form checks this by itself.

    The page that offers the action must post the version it showed, as a hidden input::

        <input type="hidden" name="_loaded_version" value="{{ obj.version }}">

    (the name is ``VERSION_FIELD``; a page acting on several records posts one input per record,
    e.g. ``_loaded_version_<pk>``, and passes that ``name=``). Call it inside the transaction that
    writes, before the service call, and show the error instead of writing::

        try:
            with transaction.atomic():
                check_loaded_version(request, case)
                some_service(case, by=request.user, ...)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))

    Raises ``ValidationError`` in the user's language: code "missing" (no version in the POST),
    "damaged" (not a number) or "stale" (someone saved since; the message lists who changed what,
    times in the user's time zone). The row stays locked until the transaction ends, so nobody can
    commit a newer version between this check and the write. Records without a version pass.
    """
    error = loaded_version_error(obj, request.POST.get(name))
    if error is not None:
        raise error


def changes_since(obj, loaded_version: int) -> list[tuple[str, datetime, list[dict]]]:
    """(who, when, changes) for each history row of ``obj`` after ``loaded_version``, each diffed
    against the row before it the way the audit log diffs (``audit.changes_between``: every field
    the history keeps, raw values). Empty when the history does not hold ``loaded_version``."""
    history = getattr(obj, "history", None)
    if history is None:
        return []
    base = history.filter(version=loaded_version).order_by("-history_date", "-history_id").first()
    if base is None:
        return []
    rows = []
    for record in history.filter(version__gt=loaded_version).order_by("history_date", "history_id"):
        who = str(record.history_user) if record.history_user_id else _("someone")
        rows.append((who, record.history_date, changes_between(record, base)))
        base = record
    return rows


def describe_conflict(obj, loaded_version: int) -> str:
    """Who changed what on ``obj`` since ``loaded_version``, read as the audit log reads it (labels,
    names, times in the reader's zone)."""
    lines = []
    for who, at, changes in changes_since(obj, loaded_version):
        # In the reader's time zone, as the rest of the page (the active one, the office's by default).
        when = localize(timezone.localtime(at))
        shown = shown_changes(type(obj), changes)
        lines += [(who, when, label, old, new) for label, old, new in shown] or [(who, when, "—", "", "")]
    return format_html_join(
        "", "<li>{} ({}): {}: “{}” → “{}”</li>", lines
    )


def admin_reason(request, *, change: bool) -> str:
    """The reason for a save from an admin form: as typed, else the admin's message id."""
    default = gettext_noop("changed in the admin") if change else gettext_noop("added in the admin")
    return typed_reason(request) or default


def typed_reason(request) -> str:
    """The reason for change the person typed on the form ("" if none). Stored as typed; when it is
    empty the admin stores a message id instead, which every reader sees in their own language."""
    return (request.POST.get(REASON_FIELD) or "").strip()


def loaded_record(obj, version: int):
    """``obj`` as it stood at ``version`` (a model instance built from its history), or None when
    the history does not hold that version."""
    history = getattr(obj, "history", None)
    if history is None:
        return None
    record = history.filter(version=version).order_by("-history_date", "-history_id").first()
    return record.instance if record is not None else None


def changed_by_since(obj, loaded_version: int) -> dict[str, list[str]]:
    """Field name → who changed it (in order, without repeats) since ``loaded_version``."""
    people: dict[str, list[str]] = {}
    for who, _at, changes in changes_since(obj, loaded_version):
        for change in changes:
            names = people.setdefault(change["field"], [])
            if who not in names:
                names.append(who)
    return people


def shown_value(form_field, value) -> str:
    """A field's value as a person reads it in a conflict message: choice labels, the names of
    related records, dates in the reader's format and zone; long texts shortened."""
    if isinstance(value, (list, tuple, set, QuerySet)):
        text = ", ".join(str(item) if isinstance(item, Model) else choice_label(form_field, item) for item in value)
    elif isinstance(value, Model):
        text = str(value)
    elif isinstance(form_field, forms.ModelChoiceField) and value not in (None, ""):
        text = str(form_field.queryset.filter(pk=value).first() or value)
    elif isinstance(value, bool):
        text = _("yes") if value else _("no")
    elif isinstance(value, datetime):
        text = localize(timezone.localtime(value) if timezone.is_aware(value) else value)
    elif isinstance(value, date):
        text = localize(value)
    elif value is None:
        text = ""
    else:
        text = choice_label(form_field, value)
    return Truncator(text).chars(200) if text else _("(empty)")


def choice_label(form_field, value) -> str:
    """The label of ``value`` among the field's (possibly grouped) choices, else the value itself."""
    text = str(value)
    if text == "" or isinstance(form_field, forms.ModelChoiceField):
        return text
    for key, label in getattr(form_field, "choices", None) or ():
        for option_key, option_label in label if isinstance(label, (list, tuple)) else [(key, label)]:
            if str(option_key) == text:
                return str(option_label)
    return text


class ConcurrencyFormMixin:
    """Refuses a save whose loaded version is older than the row in the database, or that does not
    say which version it was made against, or whose reason for change is longer than the history
    keeps.

    After a stale refusal the form is shown again so that saving it again loses nothing:
    - the fields the person did not change (compared with the version they loaded, from the
      history) show the record as it is now;
    - the fields they changed keep their input;
    - a field both they and a colleague changed, to different values, gets an error with both
      values and a choice (``edit_conflicts``, rendered by the change form): their input is saved
      only if they choose it, otherwise the colleague's value stays;
    - the form carries the current version (``reloaded_version``), so the next save is checked
      against what they now see.
    """

    def clean(self):
        cleaned = super().clean()
        too_long = change_reason_error(self.data.get(REASON_FIELD, ""))
        if too_long is not None:
            raise too_long
        instance = self.instance
        error = loaded_version_error(instance, self.data.get(VERSION_FIELD))
        if error is None:
            self.apply_conflict_decisions(cleaned)
            return cleaned
        fresh = type(instance)._default_manager.get(pk=instance.pk)
        self.reloaded_version = fresh.version
        if error.code != "stale":
            raise ValidationError(
                format_html(
                    "{} {}",
                    error.message,
                    _("Your input is still on this form, now checked against the record as it is: "
                      "save again to apply it."),
                ),
                code=error.code,
            )
        self.merge_fresh(fresh, int(self.data[VERSION_FIELD]))
        if self.edit_conflicts:
            advice = _("The fields you did not change now show the record as it is now; your own changes "
                       "are still on this form. Where you and a colleague changed the same field, choose "
                       "which value to keep. Then save again to apply your changes on top of theirs.")
        else:
            advice = _("The fields you did not change now show the record as it is now; your own changes "
                       "are still on this form. Save again to apply them on top of the changes above.")
        raise ValidationError(format_html("{}{}", error.message, advice), code="stale")

    def model_field_names(self) -> list[str]:
        """The form's fields that are editable fields of the model (file fields left out)."""
        opts = self._meta.model._meta
        names = []
        for name, field in self.fields.items():
            try:
                model_field = opts.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.disabled or isinstance(field, forms.FileField) or not getattr(model_field, "editable", False):
                continue
            names.append(name)
        return names

    def as_initial(self, name: str, value):
        # As Django's BoundField.initial: no microseconds where the widget does not show them.
        if isinstance(value, (datetime, time)) and not self.fields[name].widget.supports_microseconds:
            return value.replace(microsecond=0)
        return value

    def merge_fresh(self, fresh, loaded_version: int) -> None:
        """Show ``fresh`` (the row now) in every field the person did not change since
        ``loaded_version``, keep their changes, and mark the fields both sides changed."""
        names = self.model_field_names()
        now = {name: self.as_initial(name, value) for name, value in model_to_dict(fresh, fields=names).items()}
        base_obj = loaded_record(fresh, loaded_version)
        many = {f.name for f in self._meta.model._meta.many_to_many}
        # Many-to-many links are not in the history: their loaded value is unknown, so any
        # difference from the row now is asked about rather than guessed.
        base = {}
        if base_obj is not None:
            base = {
                name: self.as_initial(name, value)
                for name, value in model_to_dict(base_obj, fields=[n for n in names if n not in many]).items()
            }
        people = changed_by_since(fresh, loaded_version)
        conflicts = []
        for name in names:
            field = self.fields[name]
            posted = self[name].data
            if name in base:
                mine = field.has_changed(base[name], posted)
                theirs = base[name] != now.get(name)
            else:
                mine = theirs = field.has_changed(now.get(name), posted)
            if not mine:
                # Shown (and saved next time) as the row is now: the colleague's work stays.
                field.bound_data = lambda data, initial, value=now.get(name): value
                continue
            if theirs and field.has_changed(now.get(name), posted):
                conflicts.append(self.conflict(name, fresh, people.get(name, [])))
        self.report_conflicts(conflicts)

    def conflict(self, name: str, current, people: list[str], choice: str | None = None) -> dict:
        field = self.fields[name]
        mine = self.cleaned_data[name] if name in self.cleaned_data else self[name].data
        model_field = self._meta.model._meta.get_field(name)
        theirs = list(getattr(current, name).all()) if model_field.many_to_many else getattr(current, name)
        return {
            "name": name,
            "label": str(field.label or name),
            "mine": shown_value(field, mine),
            "theirs": shown_value(field, theirs),
            "who": ", ".join(people) or _("a colleague"),
            "choice": choice,
        }

    def report_conflicts(self, conflicts: list[dict]) -> None:
        self.edit_conflicts = conflicts
        for item in conflicts:
            self.add_error(item["name"], ValidationError(
                _("You and %(who)s both changed this field. Yours: “%(mine)s” / theirs: “%(theirs)s”. "
                  "Choose which to keep (“Keep which value?” above), then save again."),
                code="edit_conflict",
                params=item,
            ))

    def apply_conflict_decisions(self, cleaned) -> None:
        """A save after a refusal: for each field marked as a conflict, keep the person's input only
        if they chose it ("mine"); "theirs" leaves the row's value; without a choice it is asked
        again. The choices stay on the form if it is shown again for any other error."""
        names = [n for n in (self.data.get(CONFLICTS_FIELD) or "").split(",") if n in self.model_field_names()]
        conflicts, undecided = [], []
        for name in names:
            choice = self.data.get(KEEP_PREFIX + name)
            conflicts.append(self.conflict(name, self.instance, [], choice=choice))
            if choice == "theirs":
                # Not in cleaned_data: the instance (the row as it is now) keeps its value.
                cleaned.pop(name, None)
            elif choice != "mine":
                undecided.append(conflicts[-1])
        self.edit_conflicts = conflicts
        for item in undecided:
            self.add_error(item["name"], ValidationError(
                _("Choose which value to keep: yours “%(mine)s” or theirs “%(theirs)s”."),
                code="edit_conflict_undecided",
                params=item,
            ))


class AuditedModelForm(ConcurrencyFormMixin, forms.ModelForm):
    """The base of every audited admin's form (a custom ``form`` subclasses it): refuses a stale save
    or an over-long reason for change."""


def format_names_in_capitals(form) -> None:
    """A file format is named as people write it, CSV and XLSX, on the import and export forms
    (django-import-export lists tablib's lower-case codes, "csv", "xlsx")."""
    field = form.fields.get("format")
    if field is not None:
        field.choices = [(value, label.upper() if value != "" else label) for value, label in field.choices]


class LanguageExportForm(SelectableFieldsExportForm):
    """The export form, with the language the file is written in (headings and values): the reader's
    choice, not the exporter's page language. Defaults to the page's language; a form posted without
    it (a script, an older page) exports in the page's language too."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        current = translation.get_language() or settings.LANGUAGE_CODE
        choices = [(code, translation.get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]
        # Not "language": a model with a field of that name (letters, notices, reminders) has a
        # selectable-column checkbox the library names after it.
        self.fields["file_language"] = forms.ChoiceField(
            label=_("Language of the file"), choices=choices, required=False,
            initial=next((code for code, _label in choices if code == current), settings.LANGUAGE_CODE),
            help_text=_("Headings and values are written in this language; either language can be imported back."),
        )
        self.order_fields(["resource", "format", "file_language"])
        format_names_in_capitals(self)

    @property
    def media(self):
        # After the library's script, whose toggle function it binds (CSP: no onchange attributes).
        return super().media + forms.Media(js=("privacy_office/export-select-all.js",))

    def _get_field_label(self, resource, field_name: str) -> str:
        """Each column to tick named in the page's language ("名称（中文）"), not its code title-cased
        ("Name Zh"); an English page adds the code, which is the English file's heading."""
        column = resource.fields.get(field_name)
        if column is None:
            return super()._get_field_label(resource, field_name)
        heading = column_heading(resource._meta.model, column)
        if heading == str(column.column_name) or (translation.get_language() or "").startswith("zh"):
            return heading
        return f"{heading} ({column.column_name})"

    def file_language(self) -> str:
        chosen = self.cleaned_data.get("file_language") if hasattr(self, "cleaned_data") else None
        return chosen or translation.get_language() or settings.LANGUAGE_CODE


class StreamingExportMixin(ExportMixin):
    """django-import-export's export page and form, with a file that never sits in memory.

    - CSV is streamed while it is read from the database (UTF-8 with a BOM, every cell inert);
      XLSX is written in openpyxl's write-only mode to a temporary file, then streamed from it.
    - Queries are fixed in number: the columns' related rows are joined (``spreadsheets.export_queryset``),
      many-to-many columns prefetched per chunk, and a resource's ``prepare_export_chunk`` reads what its
      dehydrate methods look up once per chunk.
    - A list of more than ``EXPORT_SYNC_MAX_ROWS`` rows is written by the Celery worker
      (``exports.export_job_request``); the person gets a message now, and an e-mail and a message on
      their next list page when it is ready. Either way the file holds what the list shows (its filters
      and search).

    Other formats go through the library's own export. Reaches into ``ExportMixin._do_file_export``
    (the one place the library turns the form into a file); test_exports_streaming pins the behaviour.
    """

    streamed_formats = {"csv": "csv", "xlsx": "xlsx"}
    export_form_class = LanguageExportForm

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        if not self.has_export_permission(request):
            raise PermissionDenied
        language = export_form.file_language() if isinstance(export_form, LanguageExportForm) else None
        # The file's language for everything written from here: headings, values, the background
        # job's recorded language and the CSV's pieces (read after this view returns).
        with translation.override(language or translation.get_language()):
            return self.write_export(file_format, request, queryset, export_form)

    def write_export(self, file_format, request, queryset, export_form=None):
        kind = self.streamed_formats.get(file_format.get_extension())
        if kind is None:
            return super()._do_file_export(file_format, request, queryset, export_form=export_form)
        resource_index = self.get_resource_index(export_form)
        columns = self.get_export_resource_fields_from_form(export_form)
        if rows_over(queryset, settings.EXPORT_SYNC_MAX_ROWS):
            selected = None
            if export_form is not None and "export_items" in export_form.changed_data:
                selected = export_form.cleaned_data["export_items"]
            export_job_request(by=request.user, model=self.model, query=request.GET.urlencode(),
                               resource_index=resource_index, columns=columns, file_format=kind,
                               selected_ids=selected)
            with translation.override(getattr(request, "LANGUAGE_CODE", None) or translation.get_language()):
                # The page's language, not the file's.
                self.message_user(request, _(
                    "More than %(limit)s rows: the file is being written in the background. You will get an "
                    "e-mail when it is ready, and it will be under “Exports” for %(hours)s hours."
                ) % {"limit": localize(settings.EXPORT_SYNC_MAX_ROWS), "hours": settings.EXPORT_DOWNLOAD_HOURS},
                    messages.INFO)
            url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            return HttpResponseRedirect(url + (f"?{request.GET.urlencode()}" if request.GET else ""))
        headers, rows = self.export_table(request, queryset, resource_index=resource_index, columns=columns,
                                          native=kind == "xlsx")
        filename = self.get_export_filename(request, queryset, file_format)
        if kind == "csv":
            response = csv_response(headers, rows, filename=filename)
        else:
            response = xlsx_response(headers, rows, title=str(self.opts.verbose_name_plural), filename=filename,
                                     column_width=20, freeze="A2")
        post_export.send(sender=None, model=self.model)
        return response

    def export_table(self, request, queryset, *, resource_index: int = 0, columns=None, native: bool):
        """(headers, rows) of the export: the chosen resource, the ticked columns (all if None),
        rows read lazily in chunks with fixed queries, every cell inert."""
        resource = self.get_export_resource_classes(request)[resource_index](
            **self.get_export_resource_kwargs(request))
        fields = export_columns(resource, columns)
        queryset = export_queryset(resource, resource.filter_export(queryset), fields)
        # A resource may name its columns in the file's language (inventory_app.columns).
        headings = resource.export_headings(fields) if hasattr(resource, "export_headings") else export_headers(fields)
        return headings, export_rows(resource, queryset, fields, native=native)

    def changelist_view(self, request, extra_context=None):
        # A background export finished since: say so on the page (a cache entry, no query otherwise).
        finished = cache.get(export_ready_key(request.user.pk))
        if finished:
            self.tell_finished_exports(request, finished)
        return super().changelist_view(request, extra_context)

    def tell_finished_exports(self, request, job_ids) -> None:
        from .models import ExportJob

        cache.delete(export_ready_key(request.user.pk))
        jobs = ExportJob.objects.filter(
            pk__in=job_ids, requested_by=request.user, status__in=(ExportJob.Status.DONE, ExportJob.Status.FAILED),
        ).select_related("content_type").order_by("-finished_at", "-pk")
        for job in jobs:
            model = job.content_type.model_class()
            records = model._meta.verbose_name_plural if model else job.content_type.model
            if job.status == ExportJob.Status.DONE:
                url = reverse("admin:privacy_office_exportjob_download", args=[job.pk])
                self.message_user(request, format_html(
                    '{} <a href="{}">{}</a>',
                    _("Your export of %(records)s (%(rows)s rows) is ready.") % {"records": records,
                                                                                  "rows": job.row_count},
                    url, _("Download")), messages.SUCCESS)
            else:
                self.message_user(request, _("Your export of %(records)s failed: %(error)s") % {
                    "records": records, "error": job.error}, messages.ERROR)


class AuditedAdmin(StreamingExportMixin, SimpleHistoryAdmin):
    """History + change reason + export + optimistic concurrency; no deletion.

    Regulated records are never deleted through the admin, superusers included: a delete cascaded
    into sent notices and timelines, and left identity files on disk where no purge finds them.
    What must go is withdrawn, closed or archived with a reason through a service; the only
    deletions are the identity-document purge and the erasure of a requester's personal data
    after retention (requests_app.erasure), which leaves a tombstone. Without the delete
    permission the admin hides the delete button and action and answers the delete URL with 403.
    """

    form = AuditedModelForm
    change_form_template = "admin/privacy_office/change_form.html"
    object_history_list_template = "admin/privacy_office/object_history_list.html"
    show_change_form_export = False
    history_list_per_page = 50
    # Only rows that are a part of another record's description, whose removal is itself an
    # edit kept in the history (an activity's data-field and transfer links), set this.
    deletable_in_admin = False

    def has_delete_permission(self, request, obj=None):
        return self.deletable_in_admin and super().has_delete_permission(request, obj)

    def get_resource_classes(self, request):
        # An admin without a resource of its own still exports inert cells (spreadsheets.py).
        return super().get_resource_classes(request) if self.resource_classes else [inert_resource_for(self.model)]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not issubclass(form, ConcurrencyFormMixin):
            # Without the mixin a stale save would overwrite a colleague's work: refuse to serve.
            raise ImproperlyConfigured(
                f"{type(self).__name__}.form must subclass privacy_office.admin_base.AuditedModelForm."
            )
        return form

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context.get("adminform") and context["adminform"].form
        conflicts = getattr(form, "edit_conflicts", [])
        context.update({
            "loaded_version_field": VERSION_FIELD,
            "loaded_version": self.version_for_form(request, context, obj),
            "edit_conflicts": conflicts,
            "edit_conflict_names": ",".join(item["name"] for item in conflicts),
            "edit_conflicts_field": CONFLICTS_FIELD,
            "keep_prefix": KEEP_PREFIX,
            "change_reason_field": REASON_FIELD,
            "change_reason_max_length": CHANGE_REASON_MAX_LENGTH,
            "change_reason": request.POST.get(REASON_FIELD, "") if request.method == "POST" else "",
        })
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    @staticmethod
    def version_for_form(request, context, obj):
        """The version the shown form is checked against: after a refusal the current one (the form
        was merged with it); after any other error the one the person loaded, as posted (so a
        colleague's save in between is still caught); else the record's."""
        if obj is None or not hasattr(obj, "version"):
            return None
        form = context.get("adminform") and context["adminform"].form
        reloaded = getattr(form, "reloaded_version", None)
        if reloaded is not None:
            return reloaded
        if request.method == "POST" and request.POST.get(VERSION_FIELD):
            return request.POST[VERSION_FIELD]
        return obj.version

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        # The system's reasons are message ids: each reader sees them in their own language.
        for record in historical_records:
            record.change_reason_text = reason_text(record.history_change_reason)
        # A history row whose user was removed (SET_NULL) still names who acted: the audit-log
        # entry written with it kept the name. One indexed query for the page.
        orphaned = [record for record in historical_records if record.history_user_id is None]
        if not orphaned:
            return
        from django.contrib.contenttypes.models import ContentType

        from .models import AuditLogEntry

        pk_name = self.model._meta.pk.attname
        names = dict(AuditLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model),
            object_id__in={str(getattr(record, pk_name)) for record in orphaned},
            history_id__in=[record.pk for record in orphaned],
        ).values_list("history_id", "user_name"))
        for record in orphaned:
            record.actor_name = names.get(record.pk, "")

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # SIMPLE_HISTORY_REVERT_DISABLED only hides the button: simple-history still saves a
        # POSTed old version. The audit trail is append-only, so a revert is refused outright.
        if request.method == "POST":
            raise PermissionDenied(_("Reverting to an earlier version is disabled; edit the record instead."))
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        set_change_reason(obj, by=request.user, reason=admin_reason(request, change=change))
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        set_change_reason(obj, by=request.user, reason=typed_reason(request) or gettext_noop("deleted in the admin"))
        super().delete_model(request, obj)


class AuditedImportExportAdmin(ImportExportMixin, AuditedAdmin):
    """For the admins whose records staff may also import (needs the import permission)."""


class ReadOnlyAdminMixin:
    """For records nobody edits by hand (logs): view only, whatever the role."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LargeTablePaginator(Paginator):
    """For changelists over millions of rows.

    - Count: unfiltered lists on PostgreSQL use the planner's estimate (pg_class.reltuples);
      filtered lists count exactly up to ``CAP`` rows (COUNT over a LIMITed subquery), so a broad
      filter costs at most CAP index entries. Past CAP, PostgreSQL gives the planner's row
      estimate of the filtered query (EXPLAIN), so every page of a broad filter stays reachable
      (``estimated`` is then True); elsewhere the count stops at CAP. The admin shows no full count.
    - The last page of an estimated count is read from the other end of the ordering, so "last
      page" always shows the true end of the list whatever the estimate.
    - Deep pages: past ``DEEP_OFFSET`` rows the page's ids are found first by a subquery that
      only reads the ordering index (an index-only scan skips rows far faster than a scan that
      fetches each skipped row), then the rows themselves.
    """

    CAP = 50_000
    DEEP_OFFSET = 10_000
    estimated = False

    @cached_property
    def count(self):
        qs = self.object_list
        if connection.vendor == "postgresql" and not qs.query.where:
            with connection.cursor() as cursor:
                cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [qs.model._meta.db_table])
                row = cursor.fetchone()
            if row and row[0] > self.CAP:
                self.estimated = True
                return int(row[0])
        exact = qs.order_by().values("pk")[: self.CAP].count()
        if exact < self.CAP or connection.vendor != "postgresql":
            return exact
        estimate = planner_row_estimate(qs)
        if estimate > exact:
            self.estimated = True
            return estimate
        return exact

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if self.estimated and number > 1 and number == self.num_pages and self.object_list.ordered:
            rows = list(self.object_list.reverse()[: self.per_page])
            return self._get_page(rows[::-1], number, self)
        if bottom >= self.DEEP_OFFSET and self.object_list.query.can_filter():
            ids = self.object_list.values("pk")[bottom:top]
            return self._get_page(self.object_list.filter(pk__in=ids), number, self)
        return self._get_page(self.object_list[bottom:top], number, self)


def planner_row_estimate(queryset) -> int:
    """PostgreSQL's estimate of how many rows ``queryset`` returns (EXPLAIN, nothing is read)."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


# The office's staff, offered once per page to every field where a person is typed by login name.
STAFF_LIST_ID = "office-staff"


def staff_login_field(queryset, *, label, required: bool = False) -> forms.ModelChoiceField:
    """A staff member typed by login name and offered from the page's one ``<datalist>``
    (``STAFF_LIST_ID``, the include admin/privacy_office/includes/staff_datalist.html with
    ``staff_logins()``): a select of every staff member in every row was most of a busy page's
    elements (46 options a task row, for an office of 46)."""
    return forms.ModelChoiceField(
        queryset=queryset, to_field_name="username", required=required, label=label,
        widget=forms.TextInput(attrs={"list": STAFF_LIST_ID, "autocomplete": "off", "size": 12}),
        error_messages={"invalid_choice": _("No active staff member signs in as “%(value)s”.")},
    )


def staff_login_initial(form) -> None:
    """A saved record's person shown by login name in ``staff_login_field`` fields (the form's
    initial is the primary key otherwise). The record's related user should be read with it."""
    for name, field in form.fields.items():
        if getattr(field, "to_field_name", None) == "username" and getattr(form.instance, f"{name}_id", None):
            form.initial[name] = getattr(form.instance, name).username


def staff_logins() -> list[tuple[str, str]]:
    """(login name, name) of every active staff member, from the cache for a minute: a stale list
    only offers a name; the field still checks it."""
    logins = cache.get("office_staff_logins")
    if logins is None:
        from django.contrib.auth import get_user_model

        logins = [(username, f"{first} {last}".strip() or username) for username, first, last in
                  get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")
                  .values_list("username", "first_name", "last_name")]
        cache.set("office_staff_logins", logins, 60)
    return logins


def cached_choices(field, key: str, timeout: int = 60):
    """Give a model choice field the choices of a small, rarely changing table from the cache.

    The staff list, services and recipients appear as selects on many pages; reading them on
    every request costs two queries each (COUNT and the rows). Validation on POST still reads
    the field's queryset, so a stale label can never let a wrong value through.
    """
    if field is None:
        return field
    full_key = f"choices:{key}:{get_language()}"
    choices = cache.get(full_key)
    if choices is None:
        choices = [(str(value), str(label)) for value, label in field.choices]
        cache.set(full_key, choices, timeout)
    field.choices = choices
    return field


class _CachedChoicesMixin:
    def field_choices(self, field, request, model_admin):
        key = f"filter_choices:{type(self).__name__}:{field.model._meta.label}.{field.name}:{get_language()}"
        choices = cache.get(key)
        if choices is None:
            choices = [(str(pk), str(label)) for pk, label in super().field_choices(field, request, model_admin)]
            cache.set(key, choices, 60)
        return choices


class CachedRelatedFieldListFilter(_CachedChoicesMixin, RelatedFieldListFilter):
    """A related-field list filter whose choices (a small table) come from the cache for a minute."""


class CachedRelatedOnlyFieldListFilter(_CachedChoicesMixin, RelatedOnlyFieldListFilter):
    """As ``CachedRelatedFieldListFilter``, limited to the related rows in use."""


class CappedInlineMixin:
    """An inline that shows at most ``shown_max`` rows of a list that can grow without bound (a
    case's reminders, timeline, tasks): the page reads ``shown_max + 1`` rows in one query, whatever
    the record holds, and says so with a link to the whole list (``see_all_url``) when there are more.

    Put the newest first in ``get_queryset``'s ordering: the rows shown are the first ones. Rows
    beyond the cap are not on the form, so an editable capped inline edits only what it shows.
    """

    shown_max = 20
    template = "admin/privacy_office/capped_tabular.html"
    # Rows that have no list of their own (an incident's affected populations are edited only on
    # its page): ``?<show_all_param>=all`` on the record's page shows and edits every row, and the
    # "see them all" link goes there. The form posts back to the same address, so the POST reads
    # the same rows as the page it came from.
    show_all_param = ""

    def see_all_url(self, request, obj) -> str:
        """The filtered list of every row ("" when there is none to link to)."""
        if self.show_all_param:
            return f"?{self.show_all_param}=all"
        return ""

    def shows_all(self, request) -> bool:
        return bool(self.show_all_param) and request.GET.get(self.show_all_param) == "all"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if self.shows_all(request):
            return formset
        cap = self.shown_max

        class CappedFormSet(formset):
            more_rows = False

            def get_queryset(self):
                if not hasattr(self, "_capped"):
                    rows = list(super().get_queryset()[: cap + 1])
                    self.more_rows = len(rows) > cap
                    self._capped = self._queryset = rows[:cap]
                return self._capped

        CappedFormSet.shown_max = cap
        CappedFormSet.see_all_url = self.see_all_url(request, obj) if obj is not None else ""
        return CappedFormSet


class PlainSelect(forms.Select):
    """A ``<select>`` of fixed, ungrouped choices written in Python, the same HTML as Django's
    template: the template includes one sub-template per option and every row's widget evaluates
    each lazy label again, which is what made a page of editable rows slow (an incident's affected
    populations: a jurisdiction select of about 120 options per row). The options' HTML is made
    once per language and set of choices; grouped choices render as Django renders them."""

    options_html: dict = {}  # (language, choices) -> [(value, '<option value="…"', '>label</option>')]

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if self.allow_multiple_selected or any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        values = [str("" if v is None else v) for v, _label in choices]
        # A plain label is part of the key (a renamed colleague shows at once); a lazy one (a
        # model's choices) by identity, with the language.
        key = (get_language(), tuple(zip(values, (label if isinstance(label, str) else id(label)
                                                  for _value, label in choices))))
        options = self.options_html.get(key)
        if options is None:
            options = [(v, format_html('<option value="{}"', v), format_html(">{}</option>", label))
                       for v, (_value, label) in zip(values, choices)]
            if len(self.options_html) > 100:
                self.options_html.clear()
            self.options_html[key] = options
        chosen = next(iter(self.format_value(value)), None)
        parts = []
        for option_value, head, tail in options:
            parts.append(head)
            if option_value == chosen:
                parts.append(" selected")
                chosen = None  # as Django: only the first option with the value is selected
            parts.append(tail)
        final_attrs = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final_attrs), mark_safe("".join(parts)))


class NativeSplitDateTime(forms.SplitDateTimeWidget):
    """A date and a time as the browser's own pickers (``type=date`` / ``type=time``), posted under
    the same ``_0``/``_1`` names as the admin's split widget. The admin's calendar script builds a
    hidden calendar (about a hundred elements) for every date field when the page loads: a record
    with eight dates carried a thousand elements nobody opened. ISO values (what the native inputs
    read and write); seconds kept, so an unchanged time never reads as an edit."""

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, date_format="%Y-%m-%d", time_format="%H:%M:%S",
                         date_attrs={"type": "date"}, time_attrs={"type": "time", "step": "1"})


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """A related list shown on a record's page that is written only through services."""

    extra = 0
    can_delete = False


def staff_choices(*, active_only: bool = True) -> list[tuple[str, str]]:
    """(id, username) of the staff, for filters shown on every list page: cached for a minute."""
    key = f"staff_choices:{active_only}"
    choices = cache.get(key)
    if choices is None:
        User = get_user_model()
        users = User.objects.filter(is_staff=True)
        if active_only:
            users = users.filter(is_active=True)
        choices = [(str(pk), name) for pk, name in users.order_by(User.USERNAME_FIELD).values_list("pk", User.USERNAME_FIELD)[:300]]
        cache.set(key, choices, 60)
    return choices


def selection_too_large(model_admin, request, queryset, *, message, limit: int | None = None) -> bool:
    """Refuse (with ``message``, which names ``%(limit)s``) a bulk action on more than ``limit``
    (default ``BULK_ACTION_MAX_ROWS``) rows, e.g. "select all 1,000,796": one transaction over a
    million rows would hold their locks for hours. Counts at most one row past the limit."""
    limit = settings.BULK_ACTION_MAX_ROWS if limit is None else limit
    if queryset.order_by().values("pk")[: limit + 1].count() <= limit:
        return False
    model_admin.message_user(request, message % {"limit": localize(limit)}, level=messages.ERROR)
    return True
