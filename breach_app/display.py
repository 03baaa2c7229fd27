"""How clocks read on screen: translated time left, in the office's urgency levels (admin and dashboard)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from privacy_office.urgency import DANGER, MUTED, OK, WARN, badge

from . import deadlines

# Below these, a clock turns to "warn", then "danger".
WARN_BELOW = timedelta(hours=24)
DANGER_BELOW = timedelta(hours=4)


# The phrases deadlines.format_time_left writes, listed here so makemessages keeps them in the catalogue.
TIME_LEFT_PHRASES = (
    gettext_noop("%(d)s d %(h)s h"), gettext_noop("%(h)s h %(m)s min"), gettext_noop("%(m)s min"),
    gettext_noop("< 1 min"), gettext_noop("overdue by %(time)s"),
)


def time_left_text(delta: timedelta) -> str:
    """'2 d 4 h', '3 h 12 min', '< 1 min', 'overdue by 1 h 5 min' (truncated), in the reader's language."""
    return deadlines.format_time_left(delta, translate=_)


def urgency(deadline: datetime | None, now: datetime) -> str:
    """The urgency level (``privacy_office.urgency``) of a clock ending at ``deadline``."""
    if deadline is None:
        return MUTED
    left = deadlines.time_left(deadline, now)
    if left < DANGER_BELOW:
        return DANGER
    if left < WARN_BELOW:
        return WARN
    return OK


def deadline_html(deadline: datetime | None, now: datetime | None = None) -> str:
    """Time left to an instant, in its urgency level, with the local deadline as a tooltip."""
    if deadline is None:
        return "—"
    now = now or timezone.now()
    level = urgency(deadline, now)
    return format_html(
        '<span class="breach-time-left" title="{}">{}</span>', localize(timezone.localtime(deadline)),
        badge(level, time_left_text(deadlines.time_left(deadline, now)), strong=level == DANGER),
    )


def obligation_clock_html(obligation, now: datetime | None = None) -> str:
    """The clock as the obligation's kind reads: time left, 'immediately', 'without undue delay'…"""
    if obligation.status in obligation.DONE:
        return badge(MUTED, obligation.get_status_display())
    if obligation.applicability in ("not_required", "obsolete"):
        return badge(MUTED, obligation.get_applicability_display())
    if obligation.deadline_kind == "instant" and obligation.deadline is not None:
        if obligation.unverified:
            # The date rests on a rule the reference marks unverified: it says so where it binds.
            return format_html("{} {}", deadline_html(obligation.deadline, now), badge(WARN, _("unverified")))
        return deadline_html(obligation.deadline, now)
    if obligation.deadline_kind == "immediately":
        return badge(DANGER, _("immediately"), strong=True)
    if obligation.deadline_kind == "without_undue_delay":
        return badge(WARN, _("without undue delay"))
    return badge(MUTED, _("clock not started"))
