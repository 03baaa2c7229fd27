"""Text the clocks build in English (reasons, citations, rules), shown in the reader's language phrase
by phrase: one machine for both engines, each with its own phrase catalogue
(``breach_app/statement_phrases.py``, ``requests_app/rule_phrases.py``).

A rule or reason is assembled from a statute's citation (kept as the proper name it is, "Cal. Civ.
Code §1798.82"), numbers, dates, time zones and a fixed set of phrases marked with ``gettext_noop``.
``translate_phrases`` first puts each pattern's translation in place (a phrase with a number or a
date in it, whose words the other language orders differently), then each phrase's translation, the
longest phrase first and whole words only; what no catalogue holds - citations, names, numbers -
stays as written. In English nothing changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext


class Pattern:
    """A phrase with values in it: ``regex`` finds it (named groups), ``message`` is its message id
    with the same names as ``%(name)s`` placeholders (marked with ``gettext_noop`` by the caller)."""

    def __init__(self, regex: str, message: str):
        self.regex = re.compile(regex)
        self.message = message


def longest_first(phrases: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(phrases, key=len, reverse=True))


def translate_phrases(text: str, phrases: tuple[str, ...], patterns: tuple[Pattern, ...] = ()) -> str:
    """``text`` with every pattern and phrase in the active language (``phrases`` longest first, see
    ``longest_first``); unchanged where the catalogue has no translation (English)."""
    out = text
    for pattern in patterns:
        translated = gettext(pattern.message)
        if translated != pattern.message:
            out = pattern.regex.sub(lambda m, t=translated: t % m.groupdict(), out)
    for phrase in phrases:
        if phrase not in out:
            continue
        translated = gettext(phrase)
        if translated != phrase:
            # whole words only: "days" is not the end of "holidays"
            before = r"(?<![A-Za-z])" if phrase[0].isalpha() else ""
            after = r"(?![A-Za-z])" if phrase[-1].isalpha() else ""
            out = re.sub(before + re.escape(phrase) + after, lambda _m, t=translated: t, out)
    return out
