"""The form renderer writes ``<select>`` widgets in Python (an activity's page renders one per field
row): the HTML is Django's own, byte for byte, in both languages, for plain, grouped, multiple and
pre-selected choices, escaped labels and lazy ones."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from privacy_office.form_renderer import PlainInputRenderer

WIDGETS = [
    (forms.Select(choices=[("", "---"), ("a", "A & <b>"), (1, gettext_lazy("required")), (None, "none")]), "a"),
    (forms.Select(choices=[("", "---"), ("a", "A")]), 1),  # a value among none of the choices
    (forms.Select(choices=[("g", [("x", "X"), ("y", "Y<")]), ("z", "Z")],
                  attrs={"class": "c", "data-flag": True, "off": False, "title": 'say "hi"'}), "y"),
    (forms.SelectMultiple(choices=[("a", "A"), ("b", mark_safe("<b>B</b>"))]), ["a", "b"]),
    (forms.NullBooleanSelect(), None),
    (forms.Select(choices=[]), None),
]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("widget, value", WIDGETS)
def test_a_select_renders_as_django_renders_it(widget, value, language):
    with override(language):
        ours = widget.render("f", value, attrs={"id": "id_f"}, renderer=PlainInputRenderer())
        django = widget.render("f", value, attrs={"id": "id_f"}, renderer=DjangoTemplates())
    assert ours == django


def test_an_option_with_a_template_of_its_own_renders_through_it():
    class Starred(forms.Select):
        def create_option(self, *args, **kwargs):
            option = super().create_option(*args, **kwargs)
            option["template_name"] = "django/forms/widgets/input.html"
            option["type"] = "hidden"
            return option

    widget = Starred(choices=[("a", "A")])
    assert (widget.render("f", "a", renderer=PlainInputRenderer())
            == widget.render("f", "a", renderer=DjangoTemplates()))


class LabelledForm(forms.Form):
    required_css_class = "required"
    name = forms.CharField(label=gettext_lazy("required"))
    note = forms.CharField(label="A & <b>", required=False)
    flags = forms.MultipleChoiceField(choices=[("a", "A")], widget=forms.CheckboxSelectMultiple, required=False)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("auto_id", ["id_%s", False])
def test_labels_and_error_lists_render_as_django_renders_them(language, auto_id):
    """Labels (with and without an id, a class, escaped and lazy text, another tag) and error lists
    (empty, which write nothing, and not) are written in Python too: the same HTML as Django's."""
    def html(renderer):
        form = LabelledForm({"note": "x"}, auto_id=auto_id, renderer=renderer)
        form.is_valid()
        return [(field.label_tag(), field.label_tag(attrs={"class": "x"}, tag="legend"), field.errors.as_ul(),
                 str(field.errors)) for field in form]

    with override(language):
        ours, django = html(PlainInputRenderer()), html(DjangoTemplates())
    assert ours == django
    assert any(errors for _label, _legend, errors, _default in ours)  # the required field's error is shown
