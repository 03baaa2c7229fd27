"""A task title the system generates is shown in each reader's language (every word in
the user's language), wherever it appears: the case page's task rows and timeline, the whole
timeline, the refusal that names open tasks. A title a person typed stays as typed."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from privacy_office.models import StaffProfile
from requests_app import case_tasks, letters
from requests_app.models import DraftKind

from .factories import at, make_case, make_inventory, verified_case

pytestmark = pytest.mark.django_db

def generated_tasks(by, make=make_case):
    service, _processor = make_inventory()
    case = make(services=[service], received_at=at(2026, 11, 16), now=at(2026, 11, 16))
    # Created by a Chinese-speaking officer: the stored text is Chinese, yet each reader sees their own.
    with translation.override("zh-hans"):
        tasks = case_tasks.tasks_create_for_services(case=case, by=by, now=at(2026, 11, 16, 11))
    return case, tasks


def expected(language):
    from requests_app.case_writes import request_type_label

    with translation.override(language):
        types = request_type_label("access")
        return {"service": (f"Aqara Home 应用：执行{types}" if language == "zh-hans" else f"Aqara Home app: carry out {types}"),
                "processor": (f"受托处理者 云服务商：执行{types}" if language == "zh-hans"
                              else f"Processor Cloud Hosting Ltd: carry out {types}")}


def reads_in(client, user, language):
    """``user`` set to read in ``language`` (their staff profile, copied into the session at sign-in)."""
    StaffProfile.objects.update_or_create(user=user, defaults={"language": language})
    client.force_login(user)


def case_page(client, case):
    response = client.get(reverse("admin:requests_app_rightsrequest_change", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_same_generated_task_reads_in_each_readers_language(staff_user, manager_user, staff_client, manager_client):
    reads_in(staff_client, staff_user, "en")
    reads_in(manager_client, manager_user, "zh-hans")
    case, tasks = generated_tasks(manager_user)
    assert {t.title_message for t in tasks} == {case_tasks.SERVICE_TASK, case_tasks.PROCESSOR_TASK}
    english, chinese = expected("en"), expected("zh-hans")
    assert english["service"] != chinese["service"]

    en_page = case_page(staff_client, case)
    zh_page = case_page(manager_client, case)
    for kind in ("service", "processor"):
        # The task row's title field and the timeline's "Task created: …" entry.
        assert f'value="{escape(english[kind])}"' in en_page
        assert f'value="{escape(chinese[kind])}"' in zh_page
        assert escape(chinese[kind]) not in en_page
        assert escape(english[kind]) not in zh_page
    with translation.override("en"):
        assert escape(f"Task created: {english['service']}.") in en_page
    with translation.override("zh-hans"):
        created = translation.gettext("Task created: %(title)s.") % {"title": chinese["service"]}
    assert escape(created) in zh_page

    # The whole timeline, in each reader's language too.
    timeline = reverse("admin:requests_app_timelineentry_changelist") + f"?request={case.pk}"
    assert escape(english["processor"]) in staff_client.get(timeline).content.decode()
    assert escape(chinese["processor"]) in manager_client.get(timeline).content.decode()


def test_saving_the_case_page_unchanged_keeps_the_title_generated(staff_user):
    from django.forms import modelform_factory

    from requests_app.forms import TaskRowForm
    from requests_app.models import Task

    _case, tasks = generated_tasks(staff_user)
    task = next(t for t in tasks if t.service_id)
    RowForm = modelform_factory(Task, form=TaskRowForm, fields=("title", "owner", "due_on"))
    with translation.override("en"):
        form = RowForm(instance=task)
        assert form.initial["title"] == expected("en")["service"]
        posted = {name: form[name].value() for name in ("title", "owner", "due_on")}
        posted["due_on"] = task.due_on.isoformat()
        posted["owner"] = ""
        bound = RowForm(data=posted, instance=task)
        assert bound.is_valid(), bound.errors
        assert "title" not in bound.changed_data
    # Rewritten by a person, it is theirs: kept as typed, in every language.
    case_tasks.task_update(task=task, by=staff_user, changes={"title": "Ask Li Wei to export the account"})
    task.refresh_from_db()
    assert task.title_message == "" and task.title_params == {}
    with translation.override("zh-hans"):
        assert task.title_text == "Ask Li Wei to export the account"


def test_a_typed_title_is_shown_as_typed_in_every_language(staff_user, staff_client, manager_user, manager_client):
    reads_in(staff_client, staff_user, "en")
    reads_in(manager_client, manager_user, "zh-hans")
    case = make_case(received_at=at(2026, 11, 16), now=at(2026, 11, 16))
    task = case_tasks.task_create(case=case, by=staff_user, title="导出账号数据 / export the account")
    assert task.title_message == ""
    for client in (staff_client, manager_client):
        assert f'value="{escape(task.title)}"' in case_page(client, case)


def test_the_refused_reply_names_open_tasks_in_the_readers_language(staff_user):
    case, _tasks = generated_tasks(staff_user, make=lambda **kw: verified_case(staff_user, **kw))
    draft = letters.draft_generate(case=case, kind=DraftKind.ACCESS_RESPONSE, language="en", by=staff_user)
    for language in ("en", "zh-hans"):
        with translation.override(language), pytest.raises(ValidationError) as refused:
            letters.draft_mark_sent(draft=draft, by=staff_user)
        assert expected(language)["service"] in refused.value.messages[0]

