"""The controller's EU representative (GDPR Art. 27) in the Art. 30(1)(a) record."""

import io

import openpyxl
import pytest

from inventory_app.models import Controller, ProcessingActivity
from inventory_app.records import ropa_export_gdpr

pytestmark = pytest.mark.django_db


def rows_by_heading(content: bytes) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_the_art30_record_names_the_representative_or_says_none(seeded):
    llc = Controller.objects.get(code="aqara-llc")
    llc.eu_representative = "Aqara EU Representative GmbH"
    llc.eu_representative_contact = "Musterstraße 1, 10115 Berlin\neu-rep@example.com"
    llc.save()
    rows = rows_by_heading(ropa_export_gdpr())
    assert len(rows) == ProcessingActivity.objects.count()
    column = "Representative in the EU (Art. 27)"
    llc_rows = [r for r in rows if "Aqara LLC" in r["Controller"]]
    assert llc_rows and {r[column] for r in llc_rows} == {
        "Aqara EU Representative GmbH, Musterstraße 1, 10115 Berlin eu-rep@example.com"}
    others = [r for r in rows if "Aqara LLC" not in r["Controller"]]
    assert others and {r[column] for r in others} == {"None"}
