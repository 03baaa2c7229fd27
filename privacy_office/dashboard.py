"""The admin home's work-at-a-glance panel.

Each domain app may define ``<app>.dashboard.cards(request) -> list[Card]``; the home page shows
them in app order. Counts are computed with indexed queries and may be cached briefly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module

from django.core.cache import cache

from .roles import DOMAIN_APPS


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
    cards: list[Card] = []
    for label in DOMAIN_APPS:
        try:
            module = import_module(f"{label}.dashboard")
        except ModuleNotFoundError as exc:
            if exc.name != f"{label}.dashboard":
                raise
            continue
        cards.extend(module.cards(request))
    return cards


def cached_count(key: str, compute, timeout: int = 30) -> int:
    """Counts for the dashboard: exact, but at most ``timeout`` seconds old."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value
