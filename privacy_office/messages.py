"""Text the system writes into timelines and histories: stored as a message id and its parameters,
translated when read, so each reader sees it in their own language whoever wrote it.

The message id is the English source string, marked with ``gettext_noop`` where it is written so
``makemessages`` finds it; parameters are plain JSON values. A parameter whose value is a choice of
a ``TextChoices`` is shown with that choice's label in the reader's language; one stored in every
language (``{"zh-hans": ..., "en": ...}``, ``in_languages``) is shown in the reader's; one that is
itself a message (``{"message": ..., "params": ...}``, a generated task title) is translated too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import get_language, gettext


def message_text(message: str, params: Mapping | None = None, *,
                 choices: Mapping[str, type[models.TextChoices]] | None = None) -> str:
    """``message`` translated into the active language with ``params`` filled in.

    A stored message whose parameters no longer fit (an old row, a renamed placeholder) is shown
    untranslated rather than breaking the page that lists it.
    """
    values = dict(params or {})
    for key, value in values.items():
        if isinstance(value, Mapping) and set(value) == {"reasons"}:
            values[key] = reasons_text(value["reasons"])
        elif isinstance(value, Mapping) and set(value) == {"message", "params"}:
            values[key] = message_text(value["message"], value["params"], choices=choices)
        elif _is_in_languages(value):
            values[key] = in_reader_language(value)
    for key, choice in (choices or {}).items():
        if values.get(key) in choice.values:
            values[key] = str(choice(values[key]).label)
    if not values:
        return gettext(message)
    try:
        return gettext(message) % values
    except (KeyError, ValueError, TypeError):
        return message


def in_languages(render) -> dict[str, str]:
    """``render()`` called once in each of ``settings.LANGUAGES``: a parameter every reader can read
    in their own language (a service's name, a list of request types), stored as JSON."""
    values = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            values[code] = str(render())
    return values


def _is_in_languages(value) -> bool:
    return isinstance(value, Mapping) and bool(value) and set(value) <= {code for code, _ in settings.LANGUAGES}


def in_reader_language(value: Mapping) -> str:
    """A value stored by ``in_languages``, in the active language (another one if that is missing)."""
    language = get_language() or ""
    for code, text in value.items():
        if text and (language == code or language.split("-")[0] == code.split("-")[0]):
            return text
    return next((text for text in value.values() if text), "")


REASON_WITH_PARAMS = '{"message": '


def reason_with_params(message: str, **params) -> str:
    """A change reason the system writes with values in it (an imported file's name).

    A history row keeps one text, so the message id and its parameters are stored together as
    JSON; ``reason_text`` reads them back in each reader's language.
    """
    return json.dumps({"message": message, "params": params}, ensure_ascii=False)


def reason_text(reason: str | None) -> str:
    """A history row's reason for change in the reader's language.

    The reasons the system writes are message ids (marked with ``gettext_noop``), alone or with
    parameters (``reason_with_params``), and are translated; a reason a person typed is in no
    catalogue, so it is handed back as typed.
    """
    if not reason:
        return ""
    if reason.startswith(REASON_WITH_PARAMS):
        try:
            stored = json.loads(reason)
            return message_text(stored["message"], stored.get("params"))
        except (ValueError, KeyError, TypeError):
            pass  # typed text that merely looks like it: shown as typed
    return gettext(reason)


def reasons_param(reasons) -> dict:
    """Several system-written reasons (message ids, alone or ``reason_with_params``) as one message
    parameter: ``message_text`` shows them in the reader's language, joined as that language joins
    a list."""
    return {"reasons": list(reasons)}


def reasons_text(reasons) -> str:
    """Stored reasons in the reader's language, joined with "; " (English) or "；" (Chinese)."""
    separator = "；" if (get_language() or "").startswith("zh") else "; "
    return separator.join(reason_text(reason) for reason in reasons or ())
