"""Import/export resources : rows match on natural keys, never on ids.

The headline file is the field spreadsheet (``ActivityFieldResource``): one row per activity ×
field, carrying the field's names, category and sensitivity too. It is built for 10,000-row files:
natural keys are looked up in dicts loaded once in ``before_import`` (the default path runs one
query per row and per foreign key), rows are written with ``bulk_create``/``bulk_update`` plus
their history rows in bulk, and the audit log gets one insert with a diff computed from the
values loaded up front (``bulk_*`` sends no signal, so nothing else would log them).
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from import_export import fields, resources, widgets
from import_export.results import RowResult

from privacy_office.audit import MAX_VALUE_LENGTH
from privacy_office.history import set_change_reason
from privacy_office.messages import reason_with_params
from privacy_office.models import AuditLogEntry
from privacy_office.spreadsheets import InertExportMixin

from .columns import (
    FALSE_WORDS, TRUE_WORDS, ChoiceWidget, YesNoWidget, field_heading, heading_aliases, unknown_codes,
    unknown_codes_message,
)
from .models import (
    ActivityField,
    Controller,
    DataField,
    DataLocation,
    ProcessingActivity,
    Recipient,
    Service,
    Transfer,
    TransferVolume,
)

DB_BATCH = 1000


def parse_bool(value, *, column: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = "" if value is None else str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(_("“%(value)s” is not a yes/no value for %(column)s (use 1 or 0).") % {"value": value, "column": column})


def _cell(row, column) -> str:
    value = row.get(column)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _short(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= MAX_VALUE_LENGTH else text[: MAX_VALUE_LENGTH - 1] + "…"


def import_change_reason(file_name: str) -> str:
    """The change reason on every row an import writes, as a message id with the file's name
    (translated when read; the name itself is kept as it was uploaded)."""
    if not file_name:
        return gettext_noop("imported from a file")
    return reason_with_params(gettext_noop("imported from %(file)s"), file=file_name)


class ChangedFieldsDiff:
    """The preview of one row: for an update only the columns whose value changes, as (heading, old,
    new); for a new row the columns it fills. Replaces the library's ``Diff`` (which lists every
    column of every row as HTML) through ``get_diff_class``."""

    def __init__(self, resource, instance, new):
        self.resource = resource
        self.new = new
        self.left = self.values(instance)
        self.right = []

    def values(self, instance) -> list[str]:
        if instance is None:
            return [""] * len(self.resource.get_import_fields())
        values = []
        for field in self.resource.get_import_fields():
            try:
                value = field.export(instance)
            except ValueError:  # a many-to-many of a row not saved yet
                value = ""
            values.append("" if value is None else str(value))
        return values

    def compare_with(self, resource, instance):
        self.right = self.values(instance)

    def as_html(self) -> list[dict]:
        changes = []
        for field, old, new in zip(self.resource.get_import_fields(), self.left, self.right):
            if self.new:
                old = ""
            if old != new:
                changes.append({"code": field.column_name, "column": self.resource.heading(field), "old": old, "new": new})
        return changes


class AuditedResourceMixin:
    """Who and why on the history rows an import writes: the importing user (``import_data``'s
    ``user``) and the file. Rows saved one by one get them through ``save()`` (whose signals
    log them); bulk writers read ``import_by`` and ``import_reason``.

    Also what every inventory import file shares (``columns``): headings and values in either
    language, unknown codes as errors of their row, and row numbers as the spreadsheet shows them
    (the header is row 1, so the first data row is row 2, and blank rows the reader skipped count)."""

    import_by = None
    import_reason = gettext_noop("imported")
    file_rows = None

    # An empty cell of an XLSX arrives as None. django-import-export reads it as "" only for a
    # blank CharField; a blank TextField (a description) got None and the row failed on NOT NULL,
    # so an unchanged export could not be imported back.
    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        if getattr(f, "choices", None):
            return ChoiceWidget
        if isinstance(f, models.BooleanField):
            return YesNoWidget
        if isinstance(f, models.TextField):
            return widgets.CharWidget
        return super().widget_from_django_field(f, default)

    @classmethod
    def widget_kwargs_for_field(cls, field_name, django_field):
        kwargs = super().widget_kwargs_for_field(field_name, django_field)
        if getattr(django_field, "choices", None):
            kwargs["choices"] = django_field.choices
        if isinstance(django_field, models.TextField) and django_field.blank:
            kwargs.update({"coerce_to_string": True, "allow_blank": True})
        return kwargs

    # -- headings in the export's language, either language read back ---------------------------
    def heading(self, field) -> str:
        return field_heading(self._meta.model, field)

    def export_headings(self, fields) -> list[str]:
        return [self.heading(field) for field in fields]

    def column_codes(self, headers) -> list:
        aliases = heading_aliases(self._meta.model, list(self.fields.values()))
        return [aliases.get(str(header).strip().lower(), header) if header is not None else header
                for header in headers]

    # -- row numbers as the spreadsheet shows them ----------------------------------------------
    def file_row(self, number):
        """The spreadsheet row of the dataset's ``number``-th data row (1-based)."""
        if number is None:
            return None
        rows = self.file_rows
        if rows is not None and 0 < number <= len(rows):
            return rows[number - 1]
        return number + 1

    def import_data(self, dataset, *args, **kwargs):
        self.file_rows = getattr(dataset, "file_rows", None)
        result = super().import_data(dataset, *args, **kwargs)
        for invalid in result.invalid_rows:
            invalid.number = self.file_row(invalid.number)
        for error_row in result.error_rows:
            error_row.number = self.file_row(error_row.number)
        return result

    def import_row(self, row, instance_loader, **kwargs):
        kwargs["row_number"] = self.file_row(kwargs.get("row_number"))
        row_result = super().import_row(row, instance_loader, **kwargs)
        row_result.number = kwargs["row_number"]
        return row_result

    def get_diff_class(self):
        return ChangedFieldsDiff

    def before_import(self, dataset, **kwargs):
        if dataset.headers:
            dataset.headers = self.column_codes(dataset.headers)
        by = kwargs.get("user")
        self.import_by = by if getattr(by, "pk", None) else None
        self.import_reason = import_change_reason(kwargs.get("file_name") or "")
        return super().before_import(dataset, **kwargs)

    # -- unknown codes are errors of their row ---------------------------------------------------
    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        try:
            return super().import_field(field, instance, row, is_m2m, **kwargs)
        except ObjectDoesNotExist:
            # ForeignKeyWidget's lookup of a code that names no record.
            raise ValueError(unknown_codes_message(self.heading(field), [str(row.get(field.column_name)).strip()]))

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                unknown = unknown_codes(field.widget, row[field.column_name])
                if unknown:
                    errors.setdefault(field.attribute, []).append(
                        ValidationError(unknown_codes_message(self.heading(field), unknown), code="unknown_code"))
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        set_change_reason(instance, by=self.import_by, reason=self.import_reason)
        return super().before_save_instance(instance, row, **kwargs)


class CodeResource(AuditedResourceMixin, InertExportMixin, resources.ModelResource):
    """A record matched on its code; its subclasses' ``Meta`` add the model and its columns (in
    export order) and inherit the rest."""

    class Meta:
        import_id_fields = ("code",)
        skip_unchanged = True
        clean_model_instances = True


def _fk(model, column, **kw):
    return fields.Field(attribute=column, column_name=column, widget=widgets.ForeignKeyWidget(model, "code"), **kw)


def _m2m(model, column):
    return fields.Field(attribute=column, column_name=column, widget=widgets.ManyToManyWidget(model, separator=",", field="code"))


class ControllerResource(CodeResource):
    class Meta:
        model = Controller
        fields = ("code", "name_zh", "name_en", "role", "address", "address_en", "contact", "dpo_name", "dpo_email",
                  "serves",
                  "eu_representative", "eu_representative_contact")


class DataLocationResource(CodeResource):
    class Meta:
        model = DataLocation
        fields = ("code", "name_zh", "name_en", "country", "description")


class ServiceResource(CodeResource):
    controller = _fk(Controller, "controller")

    class Meta:
        model = Service
        fields = ("code", "name_zh", "name_en", "audience", "region", "url", "controller")


class DataFieldResource(CodeResource):
    class Meta:
        model = DataField
        fields = ("code", "name_zh", "name_en", "category", "sensitive", "description", "normalised_name_zh",
                  "normalised_name_en")


class RecipientResource(CodeResource):
    fields_shared = _m2m(DataField, "fields_shared")

    class Meta:
        model = Recipient
        fields = ("code", "name", "name_en", "kind", "purpose", "fields_shared", "country", "policy_url", "purpose_en",
                  "sale_or_sharing")


class ProcessingActivityResource(CodeResource):
    controller = _fk(Controller, "controller")
    services = _m2m(Service, "services")
    storage_locations = _m2m(DataLocation, "storage_locations")
    recipients = _m2m(Recipient, "recipients")

    class Meta:
        model = ProcessingActivity
        fields = (
            "code", "position", "name_zh", "name_en", "purpose_zh", "purpose_en", "controller", "services",
            "data_subjects", "processing_method", "pipl_basis", "separate_consent_required", "gdpr_basis",
            "retention", "storage_locations", "recipients", "security_measures", "automated_decision",
            "pia_completed_on", "source", "retention_en",
        )

    def get_queryset(self):
        return super().get_queryset().select_related("controller").prefetch_related(
            "services", "storage_locations", "recipients"
        )


class TransferResource(CodeResource):
    activity = _fk(ProcessingActivity, "activity")
    recipient = _fk(Recipient, "recipient")
    location = _fk(DataLocation, "location")

    class Meta:
        model = Transfer
        import_id_fields = ("activity", "destination_country")
        fields = ("activity", "destination_country", "mechanism", "recipient", "location", "note")

    def get_queryset(self):
        return super().get_queryset().select_related("activity", "recipient", "location")


# --- The field spreadsheet -----------------------------------------------------------------

AF_VALUE_ATTRS = ("group_en", "detail_zh", "required", "position", "note")
DF_VALUE_ATTRS = ("name_zh", "name_en", "category", "sensitive")
CATEGORY_WIDGET = ChoiceWidget(DataField.Category.choices)


def _category_code(value: str) -> str:
    """The category's code, from its code or its label in any language (a Chinese export writes labels)."""
    code = CATEGORY_WIDGET.clean(value)
    if code in DataField.Category.values:
        return code
    raise ValueError(
        _("Unknown category “%(value)s”; use one of: %(codes)s.")
        % {"value": value, "codes": ", ".join(DataField.Category.values)}
    )


class ActivityFieldResource(AuditedResourceMixin, InertExportMixin, resources.ModelResource):
    """One row per activity × field (× heading). Fast path: see the module docstring."""

    activity = fields.Field(attribute="activity__code", column_name="activity")
    activity_name_zh = fields.Field(attribute="activity__name_zh", column_name="activity_name_zh", readonly=True)
    field = fields.Field(attribute="field__code", column_name="field")
    field_name_zh = fields.Field(attribute="field__name_zh", column_name="field_name_zh")
    field_name_en = fields.Field(attribute="field__name_en", column_name="field_name_en")
    category = fields.Field(attribute="field__category", column_name="category",
                            widget=CATEGORY_WIDGET)
    sensitive = fields.Field(attribute="field__sensitive", column_name="sensitive", widget=YesNoWidget())
    group_zh = fields.Field(attribute="group_zh", column_name="group_zh")
    group_en = fields.Field(attribute="group_en", column_name="group_en")
    detail_zh = fields.Field(attribute="detail_zh", column_name="detail_zh")
    required = fields.Field(attribute="required", column_name="required", widget=YesNoWidget())
    position = fields.Field(attribute="position", column_name="position", widget=widgets.IntegerWidget())
    note = fields.Field(attribute="note", column_name="note")

    class Meta:
        model = ActivityField
        import_id_fields = ("activity", "field", "group_zh")
        fields = (
            "activity", "activity_name_zh", "field", "field_name_zh", "field_name_en", "category", "sensitive",
            "group_zh", "group_en", "detail_zh", "required", "position", "note",
        )
        export_order = fields
        use_bulk = True
        batch_size = None  # one flush at the end: DataFields first, then the rows that use them
        skip_unchanged = True
        report_skipped = True
        # The library's diff deep-copies every instance and exports every column twice (~40 %
        # of a 10,000-row import); ``import_row`` builds a cheaper preview from the row instead.
        skip_diff = True

    # -- export ------------------------------------------------------------------------------
    def get_queryset(self):
        return ActivityField.objects.select_related("activity", "field").order_by(
            "activity__position", "activity__code", "position", "id"
        )

    # -- import: preload -----------------------------------------------------------------------
    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._activities = {a.code: a for a in ProcessingActivity.objects.only("id", "code", "name_zh", "version")}
        self._fields = {f.code: f for f in DataField.objects.all()}
        self._field_snapshot = {code: {a: getattr(f, a) for a in DF_VALUE_ATTRS} for code, f in self._fields.items()}
        self._field_first_row: dict[str, int] = {}
        self._new_fields: dict[str, DataField] = {}
        self._existing = {}
        self._snapshot = {}
        for af in ActivityField.objects.select_related("activity", "field").only(
            "id", "version", "activity_id", "field_id", "group_zh", *AF_VALUE_ATTRS,
            "activity__code", "activity__name_zh", "field__code",
        ):
            key = (af.activity.code, af.field.code, af.group_zh)
            self._existing[key] = af
            self._snapshot[af.pk] = {a: getattr(af, a) for a in AF_VALUE_ATTRS}
        self._seen_keys: dict[tuple, int] = {}
        self.create_instances = []
        self.update_instances = []

    def get_instance(self, instance_loader, row):
        key = (_cell(row, "activity"), _cell(row, "field"), _cell(row, "group_zh"))
        instance = self._existing.get(key)
        if instance is not None:
            # Reuse the DataField object the import shares, so field edits land on one object.
            field = self._fields.get(key[1])
            if field is not None:
                instance.field = field
        return instance

    # -- import: one row -----------------------------------------------------------------------
    def import_instance(self, instance, row, **kwargs):
        errors = {}
        row_number = kwargs.get("row_number")
        activity_code, field_code, group_zh = _cell(row, "activity"), _cell(row, "field"), _cell(row, "group_zh")

        key = (activity_code, field_code, group_zh)
        if key in self._seen_keys:
            errors["activity"] = ValidationError(
                _("Duplicate of row %(row)s (same activity, field and heading).") % {"row": self._seen_keys[key]}
            )
        else:
            self._seen_keys[key] = row_number

        activity = self._activities.get(activity_code)
        if activity is None:
            errors["activity"] = ValidationError(
                _("Unknown activity code “%(code)s”: import the activity first.") % {"code": activity_code}
            )
        else:
            instance.activity = activity

        values = {}
        try:
            values["name_zh"] = _cell(row, "field_name_zh")
            values["name_en"] = _cell(row, "field_name_en")
            values["category"] = _category_code(_cell(row, "category") or "other")
        except ValueError as exc:
            errors["field__category"] = ValidationError(str(exc))
        try:
            values["sensitive"] = parse_bool(row.get("sensitive"), column="sensitive")
        except ValueError as exc:
            errors["field__sensitive"] = ValidationError(str(exc))
        if not field_code:
            errors["field"] = ValidationError(_("The field code is empty."))
        else:
            try:
                DataField._meta.get_field("code").run_validators(field_code)
            except ValidationError as exc:
                errors["field"] = exc
        if not values.get("name_zh", "x"):
            errors["field__name_zh"] = ValidationError(_("The field needs a Chinese name."))

        try:
            required = parse_bool(row.get("required", "1"), column="required")
        except ValueError as exc:
            errors["required"] = ValidationError(str(exc))
            required = True
        position_text = _cell(row, "position") or "0"
        try:
            position = int(position_text)
            if position < 0:
                raise ValueError
        except ValueError:
            errors["position"] = ValidationError(_("“%(value)s” is not a whole number.") % {"value": position_text})
            position = 0

        for column, limit in (("group_zh", 100), ("group_en", 100), ("detail_zh", 300), ("note", 500)):
            if len(_cell(row, column)) > limit:
                errors[column] = ValidationError(_("At most %(n)s characters.") % {"n": limit})

        if errors:
            raise ValidationError(errors)

        field = self._fields.get(field_code)
        first_row = self._field_first_row.get(field_code)
        if first_row is not None:
            # A field is one field: every row must describe it the same way.
            diffs = [a for a in DF_VALUE_ATTRS if getattr(field, a) != values[a]]
            if diffs:
                raise ValidationError({
                    "field": ValidationError(
                        _("Field “%(code)s” is described differently than in row %(row)s (%(columns)s).")
                        % {"code": field_code, "row": first_row, "columns": ", ".join(diffs)}
                    )
                })
        else:
            self._field_first_row[field_code] = row_number
            if field is None:
                field = DataField(code=field_code, **values)
                self._fields[field_code] = field
                self._new_fields[field_code] = field
            else:
                for attr, value in values.items():
                    setattr(field, attr, value)
        instance.field = field
        instance.group_zh = group_zh
        instance.group_en = _cell(row, "group_en")
        instance.detail_zh = _cell(row, "detail_zh")
        instance.required = required
        instance.position = position
        instance.note = _cell(row, "note")

    def _field_changed(self, field: DataField) -> bool:
        if field.code in self._new_fields:
            return True
        before = self._field_snapshot.get(field.code, {})
        return any(getattr(field, a) != before.get(a) for a in DF_VALUE_ATTRS)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or instance.pk is None:
            return False
        if self._field_first_row.get(instance.field.code) == row.get("__row_number__") and self._field_changed(instance.field):
            return False
        before = self._snapshot.get(instance.pk, {})
        return all(getattr(instance, a) == before.get(a) for a in AF_VALUE_ATTRS)

    def import_row(self, row, instance_loader, **kwargs):
        # As the spreadsheet numbers it (``AuditedResourceMixin.import_row`` passes the same on).
        row["__row_number__"] = self.file_row(kwargs.get("row_number"))
        try:
            row_result = super().import_row(row, instance_loader, **kwargs)
            if row_result.import_type in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE):
                row_result.diff = self._preview(row, row_result)
            elif row_result.import_type == RowResult.IMPORT_TYPE_SKIP:
                row_result.diff = []
        finally:
            row.pop("__row_number__", None)
        return row_result

    PREVIEW_ATTRS = {
        "group_en": "group_en", "detail_zh": "detail_zh", "required": "required", "position": "position", "note": "note",
    }
    PREVIEW_FIELD_ATTRS = {
        "field_name_zh": "name_zh", "field_name_en": "name_en", "category": "category", "sensitive": "sensitive",
    }

    def _shown(self, column: str, value) -> str:
        rendered = self.fields[column].widget.render(value)
        return "" if rendered is None else str(rendered)

    def _preview(self, row, row_result) -> list[dict]:
        """As ``ChangedFieldsDiff``, from the values loaded up front: a new row's filled columns; an
        update's changed columns, old → new (the field's own columns on the row that describes it)."""
        if row_result.import_type == RowResult.IMPORT_TYPE_NEW:
            return [{"code": f.column_name, "column": self.heading(f), "old": "", "new": _cell(row, f.column_name)}
                    for f in self.get_import_fields() if _cell(row, f.column_name)]
        key = (_cell(row, "activity"), _cell(row, "field"), _cell(row, "group_zh"))
        link = self._existing.get(key)
        if link is None:
            return []
        changes = []
        before = self._snapshot.get(link.pk, {})
        for column, attr in self.PREVIEW_ATTRS.items():
            if before.get(attr) != getattr(link, attr):
                changes.append({"code": column, "column": self.heading(self.fields[column]),
                                "old": self._shown(column, before.get(attr)),
                                "new": self._shown(column, getattr(link, attr))})
        if self._field_first_row.get(link.field.code) == row.get("__row_number__"):
            field_before = self._field_snapshot.get(link.field.code, {})
            for column, attr in self.PREVIEW_FIELD_ATTRS.items():
                if field_before.get(attr) != getattr(link.field, attr):
                    changes.append({"code": column, "column": self.heading(self.fields[column]),
                                    "old": self._shown(column, field_before.get(attr)),
                                    "new": self._shown(column, getattr(link.field, attr))})
        return changes

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if import_validation_errors:
            raise ValidationError(import_validation_errors)

    # -- import: bulk writes ---------------------------------------------------------------------
    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        # Everything is written in ``bulk_update`` (called right after) so that DataFields
        # go first and the audit log gets one insert.
        return None

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if (not using_transactions and dry_run) or (result is not None and result.has_validation_errors()):
            # One bad row: nothing is written (the caller reports the rows and rolls back).
            self.create_instances.clear()
            self.update_instances.clear()
            return
        try:
            with transaction.atomic():
                self._write_all()
        except Exception as exc:  # reported as a base error: the whole import rolls back
            self.handle_import_error(result, exc, raise_errors)
        finally:
            self.create_instances.clear()
            self.update_instances.clear()

    def _write_all(self):
        history_kwargs = {
            "default_user": self.import_by, "default_change_reason": self.import_reason, "default_date": timezone.now(),
        }

        new_fields = list(self._new_fields.values())
        changed_fields = [
            f for code, f in self._fields.items()
            if code not in self._new_fields and code in self._field_first_row and self._field_changed(f)
        ]
        # DataFields first: new links refer to new fields.
        log = self._write(DataField, new_fields, changed_fields, DF_VALUE_ATTRS,
                          lambda f: self._field_snapshot[f.code], history_kwargs)
        log += self._write(ActivityField, list(self.create_instances), list(self.update_instances), AF_VALUE_ATTRS,
                           lambda af: self._snapshot[af.pk], history_kwargs)
        if log:
            AuditLogEntry.objects.bulk_create(log, batch_size=DB_BATCH)

    def _write(self, model, creates, updates, attrs, before, history_kwargs) -> list[AuditLogEntry]:
        """Inserts ``creates`` and updates ``attrs`` of ``updates`` (``before(obj)``: an updated
        row's values before the import), each with its history rows; returns their audit-log rows."""
        log: list[AuditLogEntry] = []
        if creates:
            model.objects.bulk_create(creates, batch_size=DB_BATCH)
            rows = model.history.bulk_history_create(creates, batch_size=DB_BATCH, **history_kwargs)
            log += self._entries(rows, creates, model, "+", lambda obj: [])
        if updates:
            for obj in updates:
                obj.version += 1
            model.objects.bulk_update(updates, [*attrs, "version"], batch_size=DB_BATCH)
            rows = model.history.bulk_history_create(updates, batch_size=DB_BATCH, update=True, **history_kwargs)
            log += self._entries(rows, updates, model, "~", lambda obj: self._diff(before(obj), obj, attrs))
        return log

    @staticmethod
    def _diff(before: dict, obj, attrs) -> list[dict]:
        return [
            {"field": a, "old": _short(before.get(a)), "new": _short(getattr(obj, a))}
            for a in attrs if before.get(a) != getattr(obj, a)
        ]

    def _entries(self, history_rows, objs, model, action, changes):
        """Audit-log rows built from values already in memory (``audit.entry_for`` would
        rebuild each instance and run a diff query per row)."""
        # PostgreSQL and SQLite ≥ 3.35 return the ids of bulk-inserted rows.
        by_obj = {h.id: h.pk for h in history_rows}
        content_type = ContentType.objects.get_for_model(model)
        when = history_rows[0].history_date if history_rows else timezone.now()
        return [
            AuditLogEntry(
                at=when,
                user_id=getattr(self.import_by, "pk", None),
                content_type=content_type,
                object_id=str(obj.pk),
                object_repr=_short(self._repr(obj))[:300],
                action=action,
                reason=self.import_reason[:300],
                changes=changes(obj),
                history_id=by_obj.get(obj.pk, 0),
            )
            for obj in objs
        ]

    @staticmethod
    def _repr(obj) -> str:
        if isinstance(obj, ActivityField):
            return f"{obj.activity.code} · {obj.field.name_zh}"
        return str(obj)


def import_summary(result) -> dict[str, int]:
    totals = result.totals
    return {
        "new": totals.get(RowResult.IMPORT_TYPE_NEW, 0),
        "update": totals.get(RowResult.IMPORT_TYPE_UPDATE, 0),
        "skip": totals.get(RowResult.IMPORT_TYPE_SKIP, 0),
        "invalid": totals.get(RowResult.IMPORT_TYPE_INVALID, 0),
        "error": totals.get(RowResult.IMPORT_TYPE_ERROR, 0),
    }


def invalid_row_messages(result):
    """``(row number, column, message)`` for each message of the rows validation refused (the
    column ``—`` for a message about the whole row), in the order of the file."""
    for invalid in result.invalid_rows:
        for column, messages in invalid.error_dict.items():
            for message in messages:
                yield invalid.number, column if column != "__all__" else "—", message


# Every importable record, in the order a full load follows: each refers to rows of the ones
# before it by their codes.
LOAD_ORDER = (
    ControllerResource, DataLocationResource, ServiceResource, DataFieldResource, RecipientResource,
    ProcessingActivityResource, ActivityFieldResource, TransferResource,
)
RESOURCE_BY_MODEL = {resource._meta.model._meta.label_lower: resource for resource in LOAD_ORDER}


def resource_for(model_label: str):
    """The resource that imports the records ``model_label`` ("app_label.model_name") names;
    ``KeyError`` for a model no resource imports."""
    return RESOURCE_BY_MODEL[model_label]


# --- Governance: cross-border volumes per period ----------------------------------------------

class TransferVolumeResource(AuditedResourceMixin, InertExportMixin, resources.ModelResource):
    """One period's count per handler, destination and recipient (令16: cumulative from 1 January).

    Matched on handler + destination + recipient + period start (the row's unique key), so a
    corrected file updates its periods instead of adding them twice. Each row passes the same
    per-period rule as a row typed in the admin (``crossborder.volume_check``), with the message in
    the importer's language. All or nothing: one refused row and nothing is written."""

    controller = _fk(Controller, "controller")
    recipient = _fk(Recipient, "recipient")

    class Meta:
        model = TransferVolume
        import_id_fields = ("controller", "destination_country", "recipient", "period_start")
        fields = ("controller", "destination_country", "recipient", "period_start", "period_end", "people",
                  "sensitive_people", "necessity", "note")
        skip_unchanged = True
        clean_model_instances = True

    def get_queryset(self):
        return super().get_queryset().select_related("controller", "recipient")

    def before_import_row(self, row, **kwargs):
        if row.get("destination_country"):
            row["destination_country"] = str(row["destination_country"]).strip().upper()
        return super().before_import_row(row, **kwargs)

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, collect_failed_rows=False,
                    rollback_on_validation_errors=False, **kwargs):
        # Always in one transaction, and rolled back if any row is refused.
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=True,
                                   collect_failed_rows=collect_failed_rows, rollback_on_validation_errors=True,
                                   **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        from .crossborder import volume_check

        errors = dict(import_validation_errors or {})
        if not ({"period_start", "period_end", "people", "sensitive_people"} & errors.keys()) and \
                instance.period_start and instance.period_end and instance.people is not None:
            try:
                volume_check(period_start=instance.period_start, period_end=instance.period_end,
                             people=instance.people, sensitive_people=instance.sensitive_people or 0)
            except ValidationError as exc:
                # The rule's own message, not the database constraint's name behind it.
                raise ValidationError({**errors, "__all__": exc.messages}) from None
        return super().validate_instance(instance, import_validation_errors=errors or None,
                                         validate_unique=validate_unique)


RESOURCE_BY_MODEL[TransferVolume._meta.label_lower] = TransferVolumeResource
