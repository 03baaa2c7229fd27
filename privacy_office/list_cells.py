"""Cells of the list pages that stay narrow: a list has to fit a 1,400 px window next to its filters
(tests/e2e/test_list_pages_fit.py), so a long text shows its beginning and the whole text on hover."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.text import Truncator

# About two lines of a list cell; the CSS class clamps whatever still runs longer.
CELL_CHARS = 120


def long_text(text, *, chars: int = CELL_CHARS) -> str:
    """``text`` shortened for a list cell, the full text in the title (hover), "—" when empty."""
    text = str(text or "").strip()
    if not text:
        return "—"
    return format_html('<span class="list-cell-long" title="{}">{}</span>', text, Truncator(text).chars(chars))


def incident_reference(incident) -> str:
    """An incident as its reference (INC-2026-0042), its title on hover: the full title would take
    the widest column of every list that names the incident."""
    if incident is None:
        return "—"
    return format_html('<span title="{}">{}</span>', incident.title, incident.reference)
