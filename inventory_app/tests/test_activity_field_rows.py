"""An activity's field rows are written from each form's cells (ActivityFieldInline.row_cells), not
through Django's generic tabular template: the same names, ids and classes (so "add another" still
copies the empty row), the read-only "sensitive" cell as the admin shows it, and Django's read-only
rows for someone who may only read the activity."""

import pytest
from django.urls import reverse

from .test_flat_queries import _more_fields, make_activities

pytestmark = pytest.mark.django_db


def test_field_rows_keep_the_inline_scripts_names_and_a_reader_sees_them_read_only(staff_client, auditor_client):
    activity = make_activities(1, fields_each=0)[0]
    _more_fields(activity)(3, start=0)
    url = reverse("admin:inventory_app_processingactivity_change", args=[activity.pk])
    first = activity.fields.order_by("position", "id").first()

    page = staff_client.get(url).content.decode()
    assert 'id="fields-group"' in page and 'data-inline-type="tabular"' in page
    assert '<tr class="form-row has_original" id="fields-0">' in page
    assert '<tr class="form-row empty-form" id="fields-empty">' in page
    assert 'name="fields-0-id"' in page and 'name="fields-__prefix__-field"' in page
    assert '<td class="field-field_sensitive"><p><img src="/static/admin/img/icon-no.svg" alt="False"></p></td>' in page
    assert 'class="field-position"><input type="number" name="fields-0-position"' in page
    assert f'name="fields-0-id" value="{first.pk}" id="id_fields-0-id"' in page

    read_only = auditor_client.get(url).content.decode()
    assert 'name="fields-0-position"' not in read_only and "fields-empty" not in read_only
    assert 'class="field-position"' in read_only
