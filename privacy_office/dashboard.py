"""The admin home's work-at-a-glance panel.

Each app may define ``<app>.dashboard.cards(request) -> list[Card]`` (found by ``app_modules``); the
home page shows them in INSTALLED_APPS order. Counts are computed with indexed queries and may be cached briefly.

Above the cards, "my work next": each app may define ``<app>.dashboard.my_work(request, *, limit)
-> MyWork``, the signed-in person's own next items (at most ``limit``, with a fixed number of
queries whatever their number) and the link to all of them; ``collect_my_work`` merges them, the
duties due "immediately" first, then by the instant each is due.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache

from .app_modules import app_functions


@dataclass
class CardItem:
    label: str
    value: int | str
    url: str = ""
    tone: str = ""  # "", "warn", "danger", "ok"
    detail: str = ""


@dataclass
class Card:
    title: str
    items: list[CardItem] = field(default_factory=list)


@dataclass
class WorkItem:
    """One row of "my work next": what, for which record, due when, how long is left."""

    reference: str
    what: str
    url: str
    # 0 "immediately" (PIPL Art. 57 立即: due since discovery, before any running clock), 1 a clock
    # with a due instant, 2 "without undue delay", 3 no clock running yet (breach_app Obligation.urgency).
    rank: int
    due: datetime | None = None  # shown in the reader's time zone
    time_left: str = ""
    tone: str = ""  # privacy_office.urgency level, or ""


@dataclass
class MyWork:
    items: list[WorkItem] = field(default_factory=list)
    all_label: str = ""
    all_url: str = ""


# The home page shows this many rows of "my work next"; the links lead to the full lists.
MY_WORK_ROWS = 10


def collect_my_work(request, *, limit: int = MY_WORK_ROWS) -> tuple[list[WorkItem], list[MyWork]]:
    """(the first ``limit`` rows across the apps, most urgent first; each app's part, for its link)."""
    parts = [app_work(request, limit=limit) for app_work in app_functions("dashboard", "my_work")]
    parts = [part for part in parts if part is not None]
    items = sorted((item for part in parts for item in part.items), key=_sort_key)
    return items[:limit], parts


def _sort_key(item: WorkItem) -> tuple:
    # Aware instants compare across time zones; a row without a clock sorts after those with one.
    due = item.due.timestamp() if item.due is not None else float("inf")
    return (item.rank, due, item.reference)


def collect_cards(request) -> list[Card]:
    return [card for app_cards in app_functions("dashboard", "cards") for card in app_cards(request)]


def cached_count(key: str, compute, timeout: int = 30) -> int:
    """Counts for the dashboard: exact, but at most ``timeout`` seconds old."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value
