"""A task's owner is typed by login name and offered from one list of the office's staff on the case
page, not from a select of every staff member on every task row (46 options a row in an office of
46 made a busy case page 1,800 elements)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.forms import modelform_factory
from django.urls import reverse
from django.utils import translation

from privacy_office.admin_base import staff_login_field
from requests_app.forms import TaskRowForm
from requests_app.models import Task

from .factories import make_case

pytestmark = pytest.mark.django_db


def row_form(**kwargs):
    staff = get_user_model().objects.filter(is_staff=True, is_active=True)
    RowForm = modelform_factory(
        Task, form=TaskRowForm, fields=("title", "owner", "due_on"),
        formfield_callback=lambda f, **kw: staff_login_field(staff, label="owner") if f.name == "owner" else f.formfield(**kw))
    return RowForm(**kwargs)


def test_the_staff_list_is_on_the_page_once_whatever_the_number_of_task_rows(staff_client, staff_user):
    User = get_user_model()
    colleagues = User.objects.bulk_create(User(username=f"officer{i:02d}", first_name=f"Officer {i}", is_staff=True)
                                          for i in range(30))
    User.objects.create(username="left-the-office", is_staff=True, is_active=False)
    case = make_case(assignee=staff_user)
    Task.objects.bulk_create(Task(request=case, title=f"task {i}", owner=colleagues[i]) for i in range(10))
    html = staff_client.get(reverse("admin:requests_app_rightsrequest_change", args=[case.pk])).content.decode()
    assert html.count('<datalist id="office-staff">') == 1
    listed = re.findall(r'<option value="([^"]+)">', html.split('<datalist id="office-staff">')[1].split("</datalist>")[0])
    assert "officer00" in listed and "officer29" in listed and staff_user.username in listed
    assert "left-the-office" not in listed
    # Each row shows its owner's login name in a text box tied to that list; no row carries a select.
    for i in range(10):
        assert re.search(rf'<input type="text" name="tasks-{i}-owner" value="officer0{i}" list="office-staff"', html), i
    assert 'select name="tasks-0-owner"' not in html


def test_a_typed_owner_is_saved_and_an_unknown_name_is_refused_in_the_readers_language(staff_user):
    case = make_case()
    task = Task.objects.create(request=case, title="Export the account", owner=staff_user)
    form = row_form(instance=task)
    assert form["owner"].value() == staff_user.username
    # Left as it is, nothing changed.
    data = {"title": "Export the account", "owner": staff_user.username, "due_on": ""}
    assert not row_form(data=data, instance=task).has_changed()
    colleague = get_user_model().objects.create(username="li.wei", is_staff=True)
    bound = row_form(data={**data, "owner": "li.wei"}, instance=task)
    assert bound.is_valid(), bound.errors
    assert bound.save().owner == colleague
    for language, message in (("en", "No active staff member signs in as “nobody”."),
                              ("zh-hans", "没有以“nobody”登录的在职员工。")):
        with translation.override(language):
            bound = row_form(data={**data, "owner": "nobody"}, instance=task)
            assert not bound.is_valid()
            assert bound.errors["owner"] == [message]
