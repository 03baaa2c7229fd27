"""The case page's query count does not grow with its tasks, drafts or timeline."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from requests_app import case_tasks, letters
from requests_app.models import DraftKind

from .factories import make_case, make_inventory

pytestmark = pytest.mark.django_db


def page_queries(client, case):
    url = reverse("admin:requests_app_rightsrequest_change", args=[case.pk])
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_case_page_queries_are_constant(staff_client, staff_user):
    service, _processor = make_inventory()
    case = make_case(services=[service], assignee=staff_user)
    case_tasks.task_create(case=case, title="one", by=staff_user, service=service)
    letters.draft_generate(case=case, kind=DraftKind.ACKNOWLEDGEMENT, language="en", by=staff_user)
    page_queries(staff_client, case)
    few = page_queries(staff_client, case)
    for i in range(10):
        case_tasks.task_create(case=case, title=f"task {i}", by=staff_user, service=service, owner=staff_user)
        letters.draft_generate(case=case, kind=DraftKind.ACKNOWLEDGEMENT, language="en", by=staff_user)
    assert page_queries(staff_client, case) == few
