"""Exactly-once reminder e-mails: record, enqueue, send.

Apps describe what is due (``ReminderSpec``) with indexed queries; this module records each as a
``Reminder`` row (the unique constraint refuses a second one), hands new and stalled rows to the
``send_reminder`` task, and sends each under a row lock so two workers never both send it.
Kinds render from ``templates/reminders/<kind>.<language>.txt`` (first line ``Subject: …``, see
``privacy_office.outgoing``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation

from . import outgoing
from .models import Reminder, user_language, user_time_zone_name

# A reminder found or sent this long after its moment is marked late (the system was down).
LATE_AFTER = timedelta(minutes=15)
# A row enqueued this long ago and still unsent is handed to the broker again (lost message,
# broker outage, retries exhausted).
REENQUEUE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class ReminderSpec:
    content_type_id: int
    object_id: int
    kind: str
    threshold: str
    recipient_id: int
    due_at: datetime
    grace: timedelta = LATE_AFTER


@dataclass
class RenderedReminder:
    subject: str
    body: str
    context: dict = field(default_factory=dict)


# A reminder is an e-mail: it has a subject.
REMINDER_TEXTS = outgoing.Family("reminders", has_subject=True)

# kind -> callable(reminder) -> dict context (or None if the target no longer warrants it)
CONTEXT_BUILDERS: dict = {}


def register_kind(*kinds: str):
    def decorator(builder):
        for kind in kinds:
            CONTEXT_BUILDERS[kind] = builder
        return builder

    return decorator


def reminders_record(*, specs: Iterable[ReminderSpec], now: datetime) -> int:
    """Insert the reminders that are not yet recorded; returns how many specs were offered.

    The hourly reconcile offers every reminder owed to every open case near a date, nearly all of
    them recorded long ago (about 95,000 an hour at a million cases): the keys already recorded
    are read first (``unrecorded``: one index-only read per ``KEY_CHUNK`` records) and only the
    rest is inserted. The insert still says ON CONFLICT DO NOTHING: between that read and the
    insert another sweep may record the same key, and the unique constraint stays the judge."""
    specs = list(specs)
    rows = [
        Reminder(
            content_type_id=s.content_type_id, object_id=s.object_id, kind=s.kind, threshold=s.threshold,
            recipient_id=s.recipient_id, due_at=s.due_at, late=now > s.due_at + s.grace,
        )
        for s in unrecorded(specs)
    ]
    if rows:
        Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(specs)


# Records whose recorded keys are read in one query (an IN list the unique index serves).
KEY_CHUNK = 2000


def unrecorded(specs: list[ReminderSpec]) -> list[ReminderSpec]:
    """The specs whose key (record, kind, threshold, recipient) is not recorded yet, each once.
    Reads the keys through the ``reminder_once`` unique index, a chunk of records at a time."""
    def key(s):
        return (s.content_type_id, s.object_id, s.kind, s.threshold, s.recipient_id)

    offered: dict[tuple, ReminderSpec] = {}
    for spec in specs:
        offered.setdefault(key(spec), spec)
    by_type: dict[int, set[int]] = {}
    for ct, object_id, *_rest in offered:
        by_type.setdefault(ct, set()).add(object_id)
    recorded: set[tuple] = set()
    for ct, object_ids in by_type.items():
        kinds = {k[2] for k in offered if k[0] == ct}
        ordered = sorted(object_ids)
        for start in range(0, len(ordered), KEY_CHUNK):
            recorded.update(
                (ct, *row) for row in Reminder.objects.filter(
                    content_type_id=ct, object_id__in=ordered[start:start + KEY_CHUNK], kind__in=kinds,
                ).order_by().values_list("object_id", "kind", "threshold", "recipient_id")
            )
    return [spec for k, spec in offered.items() if k not in recorded]


def reminders_enqueue_unsent(*, now: datetime, limit: int = 5000) -> list[int]:
    """Hand every unsent reminder that is new or stalled to the send task (after commit)."""
    from .tasks import send_reminder

    stalled_before = now - REENQUEUE_AFTER
    ids = list(
        Reminder.objects.unsent()
        .filter(due_at__lte=now)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stalled_before))
        .order_by("due_at")
        .values_list("id", flat=True)[:limit]
    )
    if ids:
        Reminder.objects.filter(id__in=ids).update(enqueued_at=now)

        def enqueue():
            # One broker connection for the batch, not one per message.
            with send_reminder.app.producer_or_acquire() as producer:
                for reminder_id in ids:
                    send_reminder.apply_async((reminder_id,), producer=producer)

        transaction.on_commit(enqueue)
    return ids


def sweeps() -> tuple:
    """What the sweep asks: each app's ``<app>.reminders.due_reminders`` (``app_modules``), then the
    weekly digests. Loading them registers their kinds: a worker may send before it ever swept."""
    from . import digest
    from .app_modules import app_functions

    return (*app_functions("reminders", "due_reminders"), digest.due_reminders)


def render_reminder(reminder: Reminder) -> RenderedReminder | None:
    sweeps()
    builder = CONTEXT_BUILDERS.get(reminder.kind)
    if builder is None:
        raise LookupError(f"no reminder kind {reminder.kind!r} is registered")
    language = user_language(reminder.recipient)
    # Times in the text are in the recipient's own zone, as on their pages.
    zone = ZoneInfo(user_time_zone_name(reminder.recipient))
    with translation.override(language), timezone.override(zone):
        context = builder(reminder)
        if context is None:
            return None
        context = {"site_url": settings.SITE_URL.rstrip("/"), "reminder": reminder, "late": reminder.late, **context}
        text = outgoing.render_plain_text(REMINDER_TEXTS, reminder.kind, language=language, context=context)
    return RenderedReminder(subject=text.subject, body=text.body, context={"language": language})


def reminder_send(*, reminder_id: int, now: datetime | None = None) -> str:
    """Send one reminder at most once. Returns what happened: sent / already-sent / obsolete / gone.

    Raises on a mail failure (after recording it) so the task can retry with back-off.
    """
    failure: Exception | None = None
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(of=("self",)).select_related("recipient", "recipient__privacy_profile")
            .filter(pk=reminder_id).first()
        )
        if reminder is None:
            return "gone"
        if reminder.status == Reminder.Status.SENT:
            return "already-sent"
        now = now or timezone.now()
        # Late: the sweep found it after its moment (system down), or delivery took longer than
        # the grace period after it was recorded (mail server or broker down).
        reminder.late = reminder.late or now - reminder.created_at > LATE_AFTER
        rendered = render_reminder(reminder)
        if rendered is None:
            # The case was answered or the obligation met since: nothing to remind about.
            reminder.delete()
            return "obsolete"
        reminder.attempts += 1
        try:
            EmailMessage(
                subject=rendered.subject, body=rendered.body, from_email=settings.REMINDER_FROM_EMAIL,
                to=[reminder.recipient.email],
            ).send(fail_silently=False)
        except Exception as exc:
            reminder.status = Reminder.Status.RETRYING
            reminder.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            reminder.save(update_fields=["attempts", "status", "last_error", "late"])
            failure = exc  # raised once the failure is committed, so the log shows it
        else:
            reminder.status = Reminder.Status.SENT
            reminder.sent_at = now
            reminder.language = rendered.context["language"]
            reminder.subject = rendered.subject[:300]
            reminder.last_error = ""
            reminder.save(update_fields=["attempts", "status", "sent_at", "late", "language", "subject", "last_error"])
            return "sent"
    raise failure


def reminder_mark_failed(*, reminder_id: int, error: str) -> None:
    Reminder.objects.filter(pk=reminder_id).exclude(status=Reminder.Status.SENT).update(
        status=Reminder.Status.FAILED, last_error=error[:2000]
    )


def content_type_id(model) -> int:
    return ContentType.objects.get_for_model(model).pk


# A full look at every open case near a date (not only what the last minute concerns) this often:
# catches a due date moved into the past by an edit, and anything a lost sweep missed.
RECONCILE_EVERY = timedelta(hours=1)


def reminders_sweep(*, now: datetime) -> int:
    """Ask each module what is due since the last sweep and record it; returns the count offered.

    After an outage the window simply starts where the last sweep stopped, so every moment that
    passed meanwhile is still found (and its reminder marked late).
    """
    from .models import SweepState

    state = SweepState.objects.filter(name="reminders").first()
    reconcile = (
        state is None or now - state.reconciled_at >= RECONCILE_EVERY
        or now - state.swept_until > timedelta(days=settings.REMINDER_CATCH_UP_DAYS)
    )
    since = None if reconcile else min(state.swept_until, now)
    offered = 0
    for due_reminders in sweeps():
        offered += reminders_record(specs=due_reminders(now=now, since=since), now=now)
    try:
        with transaction.atomic():
            SweepState.objects.update_or_create(
                name="reminders",
                defaults={"swept_until": max(now, state.swept_until) if state else now,
                          "reconciled_at": now if reconcile else state.reconciled_at},
            )
    except IntegrityError:
        pass  # a second beat created the row at the same moment: its window is as good as ours
    return offered
