"""Case tasks: the work a rights request hands to service owners and processors, created from the
inventory or by hand, marked done or reopened. (Not ``tasks.py``: that name holds Celery tasks.)"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from privacy_office.history import save_with_reason
from privacy_office.messages import in_languages, message_text

from .models import RightsRequest, Task, TimelineEntry
from .case_writes import refuse_if_ended, refuse_if_erased, request_type_label, timeline_add


# The titles the system writes: stored as these message ids with their parameters
# (``Task.title_message`` / ``title_params``, names and request types in every language) and shown
# in each reader's language.
SERVICE_TASK = gettext_noop("%(service)s: carry out %(types)s")
PROCESSOR_TASK = gettext_noop("Processor %(name)s: carry out %(types)s")
# 11 CCR §7026(f): a business must notify the third parties it sold or shared the data with of the
# consumer's opt-out and direct them to comply.
THIRD_PARTY_TASK = gettext_noop(
    "Third party %(name)s: tell it of the %(types)s and direct it to comply (11 CCR §7026(f))")


def task_create(*, case: RightsRequest, title: str = "", by, owner=None, service=None, processor=None,
                due_on: date | None = None, now: datetime | None = None,
                title_message: str = "", title_params: Mapping | None = None) -> Task:
    """A task on the case, for an owner, a service or a processor (refused on an ended case).

    ``title`` is a person's words, kept as typed; a generated title is ``title_message`` (marked
    with ``gettext_noop``) and its JSON ``title_params``, shown in each reader's language."""
    refuse_if_erased(case)
    refuse_if_ended(case)
    if title_message:
        title = message_text(title_message, title_params)[:300]
    if not (title or "").strip():
        raise ValidationError(_("Give the task a title."), code="title")
    if due_on and due_on < case.received_on:
        raise ValidationError(_("A task cannot be due before the request was received."), code="due_on")
    task = Task(request=case, title=title.strip(), title_message=title_message, title_params=dict(title_params or {}),
                owner=owner, service=service, processor=processor, due_on=due_on)
    save_with_reason(task, by=by, reason=gettext_noop("task created"))
    timeline_add(
        case=case, kind=TimelineEntry.Kind.TASK, message=gettext_noop("Task created: %(title)s."),
        params={"title": task.title_param}, by=by, at=now,
    )
    return task


def task_set_done(*, task: Task, by, done: bool = True, now: datetime | None = None) -> Task:
    """Mark the task done (or reopen it, while the case is open)."""
    now = now or timezone.now()
    refuse_if_ended(task.request)
    if not done and not task.request.is_open:
        raise ValidationError(_("The case has ended; its tasks cannot be reopened."), code="closed")
    task.done = done
    task.done_at = now if done else None
    save_with_reason(task, by=by, reason=gettext_noop("task done") if done else gettext_noop("task reopened"))
    timeline_add(
        case=task.request, kind=TimelineEntry.Kind.TASK,
        message=gettext_noop("Task done: %(title)s.") if done else gettext_noop("Task reopened: %(title)s."),
        params={"title": task.title_param}, by=by, at=now,
    )
    return task


def tasks_create_for_services(*, case: RightsRequest, by, now: datetime | None = None) -> list[Task]:
    """One task per service concerned and per processor those services' activities use (from the
    inventory), due a few days before the case; existing open tasks for the same target are kept.

    An opt-out or limit request (``identity.opt_out_only``) goes instead to the services and to the
    third parties the inventory marks as buying or receiving the data for advertising
    (``Recipient.sale_or_sharing``): 11 CCR §7026(f) requires telling them of the opt-out and
    directing them to comply; service providers are not "third parties" and get no task. Their
    tasks are due by the case's own date (15 business days, §7026(f)), so the notification is
    tracked on the clock."""
    from inventory_app.models import ProcessingActivity, Recipient

    from .identity import opt_out_only
    from .letters import controllers_serving

    opt_out = opt_out_only(case.all_types)
    due_on = case.due_on if opt_out else max(case.received_on, case.due_on - timedelta(days=3))
    created = []
    services = list(case.services.all())
    existing_services = set(case.tasks.filter(done=False, service__isnull=False).values_list("service_id", flat=True))
    existing_processors = set(case.tasks.filter(done=False, processor__isnull=False).values_list("processor_id", flat=True))
    types = case.all_types
    kinds = in_languages(lambda: ", ".join(request_type_label(t) for t in types))
    for service in services:
        if service.pk not in existing_services:
            created.append(task_create(case=case, by=by, now=now, service=service, due_on=due_on,
                                       title_message=SERVICE_TASK,
                                       title_params={"service": _names(service.name_zh, service.name_en), "types": kinds}))
    activities = ProcessingActivity.objects.filter(services__in=services)
    if opt_out:
        recipients = Recipient.objects.filter(
            sale_or_sharing=True,
            activities__in=activities.filter(controller__serves=controllers_serving(case.jurisdiction)),
        )
        title_message = THIRD_PARTY_TASK
    else:
        recipients = Recipient.objects.filter(kind=Recipient.Kind.PROCESSOR, activities__in=activities)
        title_message = PROCESSOR_TASK
    for recipient in recipients.distinct().order_by("code"):
        if recipient.pk not in existing_processors:
            created.append(task_create(case=case, by=by, now=now, processor=recipient, due_on=due_on,
                                       title_message=title_message,
                                       title_params={"name": _names(recipient.name, recipient.name_en), "types": kinds}))
    return created


def _names(name_zh: str, name_en: str) -> dict[str, str]:
    """A service's or recipient's name for each language: the other one where one is missing."""
    from .letters import in_language

    return {code: in_language(name_zh, name_en, zh=code.startswith("zh")) for code, _name in settings.LANGUAGES}


def task_update(*, task: Task, by, changes: Mapping[str, Any], now: datetime | None = None) -> Task:
    """Edit a task's details (title, owner, service, processor, due date); a change of ``done``
    marks it done or reopens it through ``task_set_done``, which saves the other changes with it."""
    refuse_if_ended(task.request)
    changes = dict(changes)
    done = changes.pop("done", None)
    if "title" in changes and changes["title"] != task.title_text:
        # A generated title a person rewrote is theirs now: kept as typed.
        task.title_message, task.title_params = "", {}
    for name, value in changes.items():
        setattr(task, name, value)
    if done is not None:
        return task_set_done(task=task, by=by, done=bool(done), now=now)
    save_with_reason(task, by=by, reason=gettext_noop("task edited"))
    return task
