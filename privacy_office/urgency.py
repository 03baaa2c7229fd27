"""The one set of urgency colours: every clock, count and marker on screen uses these four levels.

The colours live in ``static/privacy_office/urgency.css`` (loaded on every admin page); code only
names a level, so a page never styles urgency inline.
"""

from __future__ import annotations

from django.utils.html import format_html

DANGER = "danger"  # overdue, or under the last threshold
WARN = "warn"      # getting close
OK = "ok"          # comfortably in time
MUTED = "muted"    # no clock running (stopped, closed, not applicable)
LEVELS = (DANGER, WARN, OK, MUTED)


def badge(level: str, text, *, strong: bool = False) -> str:
    """``text`` (escaped) in the colour of ``level``, for list columns and detail pages."""
    if level not in LEVELS:
        raise ValueError(f"unknown urgency level {level!r}; expected one of {LEVELS}")
    tag = "strong" if strong else "span"
    return format_html('<{} class="urgency urgency-{}">{}</{}>', tag, level, text, tag)
