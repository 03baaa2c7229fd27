"""One state-machine convention for every record with a workflow.

A model declares ``Status`` (TextChoices) and ``TRANSITIONS`` (status -> the statuses that may
follow) as class attributes; its service calls ``check_move`` before anything else and adds the
record's own conditions (open tasks, open notifications, identity not verified) after it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def check_move(record, *, to_status: str, label: str) -> None:
    """Refuse a move ``type(record).TRANSITIONS`` does not allow, naming the allowed next steps.

    ``label`` names the record to the reader (its reference, or an obligation's code).
    """
    model = type(record)
    statuses = model.Status
    if to_status not in statuses.values:
        raise ValidationError(_("Unknown status %(status)s.") % {"status": to_status}, code="status")
    following = model.TRANSITIONS[record.status]
    if to_status not in following:
        allowed = ", ".join(str(statuses(s).label) for s in following) or _("none (it has ended)")
        raise ValidationError(
            _("%(record)s cannot move from “%(from)s” to “%(to)s”. Allowed next steps: %(allowed)s.")
            % {"record": label, "from": statuses(record.status).label, "to": statuses(to_status).label,
               "allowed": allowed},
            code="illegal_transition",
        )
