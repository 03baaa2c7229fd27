"""Which writing system a text is in, by Unicode script: a Chinese letter must not carry an English
paragraph, nor an English one a Chinese paragraph.

Pure functions, no Django: the notice and letter tests of every app check their generated texts
with them, and ``detect_language`` sorts text typed before the facts were held per language.
"""

from __future__ import annotations

import re

# CJK Unified Ideographs (and extension A, compatibility ideographs) and the CJK punctuation and
# full-width forms a Chinese sentence uses (。，：（）【】).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]{2,}")


def has_han(text: str) -> bool:
    """Does the text contain a Chinese character (ideograph)?"""
    return bool(HAN.search(text or ""))


def detect_language(text: str) -> str:
    """"zh-hans" for a text with Chinese characters, else "en" (texts typed before the facts were held
    per language: the office writes Chinese or English)."""
    return "zh-hans" if has_han(text) else "en"


def _without(line: str, allowed) -> str:
    for name in sorted(allowed, key=len, reverse=True):
        line = line.replace(name, " ")
    return line


def han_lines(text: str, *, allowed=()) -> list[str]:
    """The lines of an English (or other Latin-script) text that contain Chinese characters, once the
    ``allowed`` proper names (a company's registered Chinese name, a grade such as 较大) are taken out."""
    return [line for line in (text or "").splitlines() if has_han(_without(line, allowed))]


def latin_only_lines(text: str, *, allowed=()) -> list[str]:
    """The lines of a Chinese text written in Latin letters only: a sentence left in English.

    A line with no Chinese character that still has Latin words once the ``allowed`` names and codes
    are taken out (Aqara, GDPR, a reference INC-2026-0001, an e-mail address, a URL, a law's citation
    such as "Cal. Civ. Code §1798.82") is reported. Lines of digits, dates and punctuation pass."""
    found = []
    for line in (text or "").splitlines():
        if has_han(line):
            continue
        rest = _without(line, allowed)
        rest = re.sub(r"\S+@\S+|https?://\S+|www\.\S+|\b[A-Z]{2,}[-\w]*\b", " ", rest)
        if LATIN_WORD.search(rest):
            found.append(line)
    return found


def english_fragments(text: str, *, allowed=()) -> list[str]:
    """Runs of three or more English words inside the Chinese lines of a Chinese text (a sentence
    or clause pasted into a Chinese paragraph), once the ``allowed`` names are taken out."""
    found = []
    for line in (text or "").splitlines():
        if not has_han(line):
            continue
        rest = _without(line, allowed)
        found += [m.group(0) for m in re.finditer(r"[A-Za-z][A-Za-z'’-]*(?:[ ,;:]+[A-Za-z][A-Za-z'’-]*){2,}", rest)]
    return found
