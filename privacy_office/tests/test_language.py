"""The admin in Chinese and English, switched by the user; every translation is complete."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_language_switch_turns_the_admin_chinese_and_back(staff_client):
    assert "Work at a glance" in staff_client.get("/admin/").content.decode()
    response = staff_client.post(reverse("set_language"), {"language": "zh-hans", "next": "/admin/"})
    assert response.status_code == 302
    page = staff_client.get("/admin/").content.decode()
    assert "工作概览" in page
    assert "隐私办公室" in page
    staff_client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    assert "Work at a glance" in staff_client.get("/admin/").content.decode()


def test_browser_language_chooses_chinese(staff_client):
    page = staff_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "工作概览" in page


def test_every_message_has_a_chinese_translation():
    po_files = sorted(Path(settings.BASE_DIR).glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))
    assert po_files, "no zh-hans catalogue"
    missing = []
    for po_file in po_files:
        catalogue = polib.pofile(str(po_file))
        missing += [f"{po_file.parent.parent.parent.parent.name}: {e.msgid}" for e in catalogue.untranslated_entries()]
        missing += [f"{po_file.parent.parent.parent.parent.name} (fuzzy): {e.msgid}" for e in catalogue.fuzzy_entries()]
    assert missing == []


def test_no_translation_was_dropped_by_an_extraction():
    # An obsolete (#~) entry means a string's source moved where makemessages no longer looks:
    # its translation is no longer compiled and the page falls back to English.
    for po_file in sorted(Path(settings.BASE_DIR).glob("*/locale/zh_Hans/LC_MESSAGES/django.po")):
        assert [e.msgid for e in polib.pofile(str(po_file)).obsolete_entries()] == [], po_file
