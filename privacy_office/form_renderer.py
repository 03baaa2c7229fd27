"""The form renderer: Django's own templates, except that the plain ``<input>`` and ``<textarea>``
widgets are written in Python, with the same HTML.

A page of editable rows renders hundreds of them (an incident's affected populations, a case's
tasks, every read-only inline's hidden ids), and each one through the template engine costs three
template renders (``text.html`` → ``input.html`` → ``attrs.html``): most of a long change page's
time. Every other template (selects, split dates, the admin's widget wrappers, labels, errors)
renders as Django renders it.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, escape

INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "number", "email", "url", "password", "hidden", "checkbox", "date", "datetime",
                 "time", "search", "tel", "color")
)
TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"
# A ``<select>`` (the autocompletes included): an activity's page renders one per field row, each
# through three templates per option. Options of another template render as Django renders them.
SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
# Every field's label, and every field's error list even when empty (``{{ field.errors.as_ul }}``
# in each cell of a tabular inline renders a template that writes nothing): two more templates per
# field of every row.
LABEL_TEMPLATE = "django/forms/label.html"
ERROR_LIST_TEMPLATES = frozenset(("django/forms/errors/list/default.html", "django/forms/errors/list/ul.html"))


def attrs_html(attrs) -> str:
    """As ``django/forms/widgets/attrs.html``: in order, False left out, True as a bare name."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items() if value is not False
    )


class PlainInputRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name in INPUT_TEMPLATES:
            widget = context["widget"]
            value = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
            return f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{value}{attrs_html(widget["attrs"])}>'
        if template_name == TEXTAREA_TEMPLATE:
            widget = context["widget"]
            text = conditional_escape(widget["value"]) if widget["value"] else ""
            return f'<textarea name="{escape(widget["name"])}"{attrs_html(widget["attrs"])}>\n{text}</textarea>'
        if template_name == SELECT_TEMPLATE:
            html = select_html(context["widget"])
            if html is not None:
                return html
        if template_name == LABEL_TEMPLATE:
            label = conditional_escape(context["label"])
            if not context["use_tag"]:
                return label.strip()  # as DjangoTemplates strips what it renders
            tag = escape(context["tag"])
            return f"<{tag}{attrs_html(context['attrs'] or {})}>{label}</{tag}>"
        if template_name in ERROR_LIST_TEMPLATES and not context["errors"]:
            return ""
        return super().render(template_name, context, request)


def select_html(widget) -> str | None:
    """As ``select.html`` with ``select_option.html`` (whose file ends with a line break, kept after
    each option), or None when an option has a template of its own."""
    parts = [f'<select name="{escape(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION_TEMPLATE:
                return None
            parts.append(f'\n  <option value="{escape(option["value"])}"{attrs_html(option["attrs"])}>'
                         f'{conditional_escape(option["label"])}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)
