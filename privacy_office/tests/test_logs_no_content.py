"""Logs name records by id, never by content: a failed export logs no requester's name or ID number.

Before, an audit-log XLSX export of an entry whose text held one control character failed, and
django-import-export logged openpyxl's error, which quotes the whole cell: name and ID-card number.
"""

import io
import logging

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from privacy_office.models import AuditLogEntry
from privacy_office.resources import AuditLogEntryResource
from requests_app.models import RightsRequest

pytestmark = pytest.mark.django_db

NAME = "Wang Fang"
ID_NUMBER = "110101199003071234"
URL_NAME = "admin:privacy_office_auditlogentry_export"


@pytest.fixture
def entry(manager_user):
    return AuditLogEntry.objects.create(
        at=timezone.now(), user=manager_user, content_type=ContentType.objects.get_for_model(RightsRequest),
        object_id="41", object_repr=f"DSAR-2026-0041 {NAME}", action="~", reason="identity checked", history_id=1,
        # A control character pasted with the name (from a scanned form) is what broke the export.
        changes=[{"field": "requester_name", "old": f"{NAME}\x1b", "new": f"{NAME} ({ID_NUMBER})"}],
    )


def post_export(client, file_format):
    form = client.get(reverse(URL_NAME)).context["form"]
    format_index = next(value for value, label in form.fields["format"].choices if label == file_format.upper())
    ticked = {name: "on" for name in form.fields if name.startswith("auditlogentryresource_")}
    return client.post(reverse(URL_NAME), {"format": format_index, "resource": "0", **ticked})


def logged_text(caplog) -> str:
    # Messages, arguments and any traceback, as a log handler would write them.
    handler = logging.Handler()
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    return "\n".join(handler.format(record) for record in caplog.records)


def test_an_entry_with_a_control_character_exports_and_logs_nothing_of_it(entry, manager_client, caplog):
    caplog.set_level(logging.DEBUG)
    response = post_export(manager_client, "xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert f"requester name: {NAME}\ufffd → {NAME} ({ID_NUMBER})" in rows[1]
    text = logged_text(caplog)
    assert NAME not in text and ID_NUMBER not in text


def test_a_failed_export_names_the_entry_and_not_its_content(entry, manager_client, caplog, monkeypatch):
    # A broken row whose error quotes the values, as openpyxl's IllegalCharacterError did.
    def broken(self, row):
        raise TypeError(f"cannot write {row.changes!r}")

    monkeypatch.setattr(AuditLogEntryResource, "dehydrate_changes_text", broken)
    caplog.set_level(logging.DEBUG)
    response = post_export(manager_client, "csv")
    # The reader gets the export page again with a message naming the entry; no server error.
    assert response.status_code == 200
    assert "Content-Disposition" not in response
    message = " ".join(str(m) for m in response.context["messages"])
    assert f"#{entry.pk}" in message and "no file was produced" in message
    assert NAME not in message and ID_NUMBER not in message
    text = logged_text(caplog)
    assert f"privacy_office.AuditLogEntry id={entry.pk}" in text
    assert NAME not in text and ID_NUMBER not in text


def test_a_failed_export_is_reported_in_the_readers_language(entry, manager_client, monkeypatch):
    def broken(self, row):
        raise TypeError("broken")

    monkeypatch.setattr(AuditLogEntryResource, "dehydrate_changes_text", broken)
    response = manager_client.post(reverse(URL_NAME), {"format": "0", "resource": "0", "auditlogentryresource_id": "on",
                                                       "auditlogentryresource_changes_text": "on"},
                                   HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert response.status_code == 200
    message = " ".join(str(m) for m in response.context["messages"])
    assert "未生成文件" in message and f"#{entry.pk}" in message
