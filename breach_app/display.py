"""How clocks read on screen: translated time left, coloured by urgency (admin and dashboard)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from . import deadlines

# Below these, a clock turns orange, then red.
WARN_BELOW = timedelta(hours=24)
DANGER_BELOW = timedelta(hours=4)

COLOURS = {"danger": "#ba2121", "warn": "#b26a00", "ok": "#2b7a0b", "muted": "#666"}


# The phrases deadlines.format_time_left writes, listed here so makemessages keeps them in the catalogue.
TIME_LEFT_PHRASES = (
    gettext_noop("%(d)s d %(h)s h"), gettext_noop("%(h)s h %(m)s min"), gettext_noop("%(m)s min"),
    gettext_noop("< 1 min"), gettext_noop("overdue by %(time)s"),
)


def time_left_text(delta: timedelta) -> str:
    """'2 d 4 h', '3 h 12 min', '< 1 min', 'overdue by 1 h 5 min' (truncated), in the reader's language."""
    return deadlines.format_time_left(delta, translate=_)


def urgency(deadline: datetime | None, now: datetime) -> str:
    if deadline is None:
        return "muted"
    left = deadlines.time_left(deadline, now)
    if left < DANGER_BELOW:
        return "danger"
    if left < WARN_BELOW:
        return "warn"
    return "ok"


def deadline_html(deadline: datetime | None, now: datetime | None = None) -> str:
    """Time left to an instant, coloured, with the local deadline as a tooltip."""
    if deadline is None:
        return "—"
    now = now or timezone.now()
    return format_html(
        '<span class="breach-time-left breach-{}" style="color:{};font-weight:{}" title="{}">{}</span>',
        urgency(deadline, now), COLOURS[urgency(deadline, now)],
        "bold" if urgency(deadline, now) == "danger" else "normal",
        localize(timezone.localtime(deadline)), time_left_text(deadlines.time_left(deadline, now)),
    )


def obligation_clock_html(obligation, now: datetime | None = None) -> str:
    """The clock as the obligation's kind reads: time left, 'immediately', 'without undue delay'…"""
    if obligation.status in obligation.DONE:
        return format_html('<span style="color:{}">{}</span>', COLOURS["muted"], obligation.get_status_display())
    if obligation.applicability in ("not_required", "obsolete"):
        return format_html('<span style="color:{}">{}</span>', COLOURS["muted"], obligation.get_applicability_display())
    if obligation.deadline_kind == "instant" and obligation.deadline is not None:
        return deadline_html(obligation.deadline, now)
    if obligation.deadline_kind == "immediately":
        return format_html('<span style="color:{};font-weight:bold">{}</span>', COLOURS["danger"], _("immediately"))
    if obligation.deadline_kind == "without_undue_delay":
        return format_html('<span style="color:{}">{}</span>', COLOURS["warn"], _("without undue delay"))
    return format_html('<span style="color:{}">{}</span>', COLOURS["muted"], _("clock not started"))
