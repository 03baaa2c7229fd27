"""The registry's jurisdictions (privacy_office/jurisdictions.py, pure Python) as model choices,
named in the reader's language: every model that stores a jurisdiction code builds its choices here."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.functional import lazy
from django.utils.translation import get_language

from . import jurisdictions as registry


def jurisdiction_name(code: str) -> str:
    """The name of ``code`` in the active language (Chinese for any zh, else English)."""
    return registry.display_name(code, chinese=(get_language() or "").startswith("zh"))


def jurisdiction_choices(codes: Iterable[str], *, module: str) -> type[models.TextChoices]:
    """``Jurisdiction`` choices for ``codes``; member names are the codes with "_" for "-"
    (``Jurisdiction.US_TX == "US-TX"``); ``module`` is the defining module (so members pickle)."""
    return models.TextChoices(
        "Jurisdiction",
        [(code.replace("-", "_"), (code, lazy(jurisdiction_name, str)(code))) for code in codes],
        module=module,
    )
