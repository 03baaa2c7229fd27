"""Human references for new records (DSAR-2026-000123, INC-2026-0042): the one allocator, with retry."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .history import save_with_reason

ATTEMPTS = 5


def next_reference(model, *, prefix: str, digits: int) -> str:
    """The number after the highest ``reference`` that starts with ``prefix``.

    A range on the unique index rather than LIKE/startswith, so it is an index-only lookup whatever
    the database collation: every string that starts with ``prefix`` sorts between ``prefix`` and
    ``prefix`` with its last character moved on by one.
    """
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    last = (model._default_manager.filter(reference__gte=prefix, reference__lt=upper)
            .order_by("-reference").values_list("reference", flat=True).first())
    number = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{number:0{digits}d}"


def save_with_next_reference(obj, *, prefix: str, digits: int, by, reason: str) -> None:
    """Insert the new ``obj`` under the next free reference, with who and why on its history row.

    Two people registering at the same instant read the same last number; the unique index makes
    the second insert wait for the first transaction and then fail, so it takes the next number.
    Each try runs in a savepoint, so the caller's transaction (the admin's request) goes on.
    """
    model = type(obj)
    for _attempt in range(ATTEMPTS):
        obj.reference = next_reference(model, prefix=prefix, digits=digits)
        try:
            with transaction.atomic():
                save_with_reason(obj, by=by, reason=reason)
            return
        except IntegrityError:
            if not model._default_manager.filter(reference=obj.reference).exists():
                raise  # another constraint failed: not a collision, so not ours to retry
            obj.pk = None
            obj._state.adding = True
    raise ValidationError(_("Could not allocate a reference for the new record; try again."), code="reference")
