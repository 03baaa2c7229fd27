"""The columns of the inventory's import files: headings and values in either language, codes checked.

- An export is written in the language chosen on the export form. In English (``CODE_LANGUAGE``) the
  headings are the column codes (``name_zh``) and the values the stored codes (``individual``, 1/0),
  as every file and script made so far uses them; in Chinese the headings are the fields' names
  (代码, 名称（中文）…) and choices and yes/no read as words (个人用户, 是/否). An import reads
  either: a heading may be the code or the field's name in any language of ``settings.LANGUAGES``,
  a choice its code or its label, a yes/no 1/0 or a word.
- A code in a foreign-key or many-to-many column that names no record is an error of the row, in
  the importer's language, naming the column and the unknown code(s) (``AuditedResourceMixin``). django-import-export's
  ``ManyToManyWidget`` silently drops unknown codes and ``ForeignKeyWidget`` fails the whole row
  with a database exception; either way a typo used to import as "no link" or as a traceback.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import widgets

from privacy_office.spreadsheets import column_heading

# Exports in this language keep the column codes and the stored values (the machine format).
CODE_LANGUAGE = "en"
# "必要"/"可选" are the words the admin shows for an activity's required field (necessary personal
# information, PIPL Art. 6); "必填"/"选填" are kept for sheets written before.
TRUE_WORDS = {"1", "true", "yes", "y", "x", "是", "必要", "必填", "required", "t"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "", "可选", "非必要", "选填", "optional", "f", "none"}


def words_in_use() -> bool:
    """Whether the active language writes headings and values as words rather than codes."""
    return (translation.get_language() or CODE_LANGUAGE).lower() != CODE_LANGUAGE


def field_heading(model, column) -> str:
    """A column's heading in the active language: its code in ``CODE_LANGUAGE``, else the name of the
    model field it holds (prefixed with the relation's name when it is read through one)."""
    if not words_in_use():
        return str(column.column_name)
    return column_heading(model, column)


def heading_aliases(model, columns) -> dict[str, str]:
    """Every heading an import accepts (lower-cased), mapped to its column code: the code itself and
    the field's name in each language of ``settings.LANGUAGES``."""
    aliases: dict[str, str] = {}
    for column in columns:
        aliases[str(column.column_name).strip().lower()] = column.column_name
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for column in columns:
                aliases.setdefault(column_heading(model, column).strip().lower(), column.column_name)
    return aliases


def column_label(column) -> str:
    """How an error names a column: its heading as the importer reads it."""
    return getattr(column, "heading", None) or str(column.column_name)


def choice_labels(choices, code) -> str:
    return next((str(label) for value, label in choices if str(value) == str(code)), str(code))


class ChoiceWidget(widgets.CharWidget):
    """A choice column: the code, or in a word language its label; reads either, in any language."""

    def __init__(self, choices=(), **kwargs):
        self.choices = list(choices)
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        value = super().clean(value, row, **kwargs)
        text = (value or "").strip() if isinstance(value, str) else value
        if not text:
            return value
        codes = {str(code) for code, _label in self.choices}
        if text in codes:
            return text
        wanted = text.lower()
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                for code, label in self.choices:
                    if str(label).strip().lower() == wanted:
                        return code
        return text  # the model's own validation refuses it, naming the allowed values

    def render(self, value, obj=None, **kwargs):
        if value not in (None, "") and words_in_use():
            return choice_labels(self.choices, value)
        return super().render(value, obj, **kwargs)


def yes_no_value(value):
    """True, False or None (empty) from 1/0, yes/no or 是/否; ValueError for anything else."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text == "":
        return None
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(_("“%(value)s” is not a yes/no value (use 1 or 0).") % {"value": value})


class YesNoWidget(widgets.BooleanWidget):
    """A yes/no column: 1/0, or in a word language 是/否 (yes/no); reads all of them."""

    def clean(self, value, row=None, **kwargs):
        return yes_no_value(value)

    def render(self, value, obj=None, **kwargs):
        if isinstance(value, bool) and words_in_use():
            return _("yes") if value else _("no")
        return super().render(value, obj, **kwargs)


def unknown_codes(widget: widgets.ManyToManyWidget, value) -> list[str]:
    """The codes of a many-to-many cell (split as the widget splits them) that name no record."""
    if value is None or value == "":
        return []
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    codes = [code.strip() for code in str(value).split(widget.separator) if code.strip()]
    if not codes:
        return []
    known = {str(code) for code in widget.model.objects.filter(**{f"{widget.field}__in": codes}).values_list(
        widget.field, flat=True)}
    return [code for code in dict.fromkeys(codes) if code not in known]


def unknown_codes_message(column: str | None, codes: list[str]) -> str:
    return _("Column “%(column)s”: no record has the code %(codes)s.") % {
        "column": column or "", "codes": ", ".join(f"“{code}”" for code in codes),
    }
