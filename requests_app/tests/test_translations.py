"""Everything staff read is available in Chinese."""

from pathlib import Path

import polib
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from requests_app import services
from requests_app.models import Status

from .factories import make_case

PO = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_catalogue_is_complete_and_not_fuzzy():
    catalogue = polib.pofile(str(PO))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []


@pytest.mark.django_db
def test_refusal_message_and_timeline_in_chinese(staff_user):
    case = make_case()
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as excinfo:
            services.dsar_transition(case=case, to_status=Status.CLOSED, by=staff_user)
        assert "不能从“已收到”转为“已结案”" in excinfo.value.messages[0]
        assert "已登记" in case.timeline.first().text
    with translation.override("en"):
        assert case.timeline.first().text.startswith("Registered (e-mail)")


@pytest.mark.django_db
def test_changelist_in_chinese(staff_client):
    make_case()
    response = staff_client.get("/admin/requests_app/rightsrequest/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.content.decode()
    assert "剩余天数" in body and "工作队列" in body
