"""Small time helpers shared by the reminder sweeps: the office's 'day' and its morning moment."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model

from .roles import MANAGER


def reminder_zone() -> ZoneInfo:
    return ZoneInfo(settings.REMINDER_TIME_ZONE)


def office_today(now: datetime) -> date:
    return now.astimezone(reminder_zone()).date()


def morning_of(day: date) -> datetime:
    """The instant day-based reminders for ``day`` become due (REMINDER_DAY_HOUR, office zone)."""
    return datetime.combine(day, time(settings.REMINDER_DAY_HOUR), tzinfo=reminder_zone())


def reminder_days_in(since: datetime, now: datetime) -> list[date]:
    """Office days whose reminder hour falls in (since, now]: usually none, at 09:00 one."""
    days, day = [], office_today(since)
    while day <= office_today(now):
        if since < morning_of(day) <= now:
            days.append(day)
        day += timedelta(days=1)
    return days


def catch_up_floor(now: datetime) -> datetime:
    """Day-based reminders older than this are not sent any more (first deployment, long outage)."""
    return now - timedelta(days=settings.REMINDER_CATCH_UP_DAYS)


def manager_ids() -> list[int]:
    return list(
        get_user_model().objects.filter(is_active=True, groups__name=MANAGER).values_list("id", flat=True).distinct()
    )
