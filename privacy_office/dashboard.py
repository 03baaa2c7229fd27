"""The admin home's work-at-a-glance panel.

Each app may define ``<app>.dashboard.cards(request) -> list[Card]`` (found by ``app_modules``); the
home page shows them in INSTALLED_APPS order. Counts are computed with indexed queries and may be cached briefly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


def collect_cards(request) -> list[Card]:
    return [card for app_cards in app_functions("dashboard", "cards") for card in app_cards(request)]


def cached_count(key: str, compute, timeout: int = 30) -> int:
    """Counts for the dashboard: exact, but at most ``timeout`` seconds old."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value
