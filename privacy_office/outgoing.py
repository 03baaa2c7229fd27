"""Text the office sends out: letters to requesters, breach notices and reports, reminder e-mails.

One layout: ``templates/<family>/<kind>.<language>.txt``, one file per language of
``settings.LANGUAGES`` (a fragment that others include starts with ``_``: ``_header.en.txt``).

One subject convention: a text that has a subject opens with the line ``Subject: <text>`` in every
language. The keyword is a fixed marker, not translated, so one parser reads every language and a
translator cannot break it; the subject itself is written in the text's language. Each family
says whether its texts have a subject, and a text that breaks the family's rule is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import translation

SUBJECT_MARKER = "Subject:"


@dataclass(frozen=True)
class Family:
    """A directory of outgoing texts under ``templates/``, and whether its texts open with a subject."""

    directory: str
    has_subject: bool

    def template_name(self, kind: str, language: str) -> str:
        return f"{self.directory}/{kind}.{language}.txt"


@dataclass(frozen=True)
class Outgoing:
    subject: str  # "" when the family has no subject
    body: str  # stripped, ending with one newline


def render_plain_text(family: Family, kind: str, *, language: str, context: dict) -> Outgoing:
    """The text of ``kind`` in ``language``, rendered without HTML escaping, its subject split off.

    Plain text, not HTML: "user's" must not arrive as "user&#x27;s". In one place, so a new template
    cannot forget ``{% autoescape off %}``; an HTML alternative, if one is ever added, renders
    normally (escaped).
    """
    name = family.template_name(kind, language)
    try:
        template = get_template(name)
    except TemplateDoesNotExist as exc:
        languages = ", ".join(code for code, _name in settings.LANGUAGES)
        raise TemplateDoesNotExist(
            f"templates/{name} is missing: every text in templates/{family.directory}/ needs one "
            f"<kind>.<language>.txt file per language of settings.LANGUAGES ({languages})."
        ) from exc
    with translation.override(language):
        text = template.template.render(Context(context, autoescape=False)).strip()
    if not family.has_subject:
        if text.startswith(SUBJECT_MARKER):
            raise ImproperlyConfigured(f"templates/{name} starts with {SUBJECT_MARKER!r}, but the texts in "
                                       f"templates/{family.directory}/ have no subject.")
        return Outgoing(subject="", body=text + "\n")
    first, _newline, body = text.partition("\n")
    if not first.startswith(SUBJECT_MARKER):
        raise ImproperlyConfigured(f"templates/{name} must start with the line '{SUBJECT_MARKER} <subject>' "
                                   f"(the marker in English, the subject in the text's language).")
    return Outgoing(subject=first.removeprefix(SUBJECT_MARKER).strip(), body=body.strip() + "\n")
