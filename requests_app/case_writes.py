"""What every module that writes to a rights request shares: the row lock, the refusals once the
requester's data is erased or the case has ended, the case's local date, the label of a request type, and the timeline
entry each write leaves.

The sub-domain modules (``services``, ``clocks``, ``identity_checks``, ``identity_documents``,
``case_tasks``, ``letters``, ``erasure``) all build on this one; it imports none of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy_office.jurisdictions import local_date

from .models import RequestType, RightsRequest, TimelineEntry


def lock_case(case: RightsRequest) -> RightsRequest:
    """Row lock + fresh values: two people acting on the same case are serialised."""
    RightsRequest.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True).first()
    case.refresh_from_db()
    return case


def refuse_if_erased(case: RightsRequest) -> None:
    """Refuse any change to a case whose requester's personal data was erased (a tombstone)."""
    if case.erased_at is not None:
        raise ValidationError(_("The requester's personal data was erased from this case; it can no longer be "
                                "changed."), code="erased")


def refuse_if_ended(case: RightsRequest) -> None:
    """Refuse any change to an ended case (closed, refused, withdrawn, duplicate): what was decided
    and sent stays as it was. A correction after closure re-opens the case first (services.dsar_reopen,
    an approving permission and a reason, recorded in the timeline)."""
    if case.has_ended:
        raise ValidationError(
            _("Case %(reference)s has ended (%(status)s); it can no longer be changed. A correction needs the case "
              "re-opened first, with a reason, by someone who may re-open cases.")
            % {"reference": case.reference, "status": case.get_status_display()},
            code="ended",
        )


def case_today(case: RightsRequest, now: datetime | None = None) -> date:
    """Today's date in the case's jurisdiction (days are counted in the local calendar)."""
    return local_date(now or timezone.now(), case.jurisdiction)


def request_type_label(value: str) -> str:
    """A request type's label in the active language (the code itself if it is not a known type)."""
    return str(RequestType(value).label) if value in RequestType.values else value


def timeline_add(*, case: RightsRequest, kind: str, message: str, params: Mapping | None = None, by=None,
                 at: datetime | None = None, note: str = "") -> TimelineEntry:
    """Append an entry to the case's timeline.

    ``kind`` is a ``TimelineEntry.Kind``; ``message`` a message id marked with ``gettext_noop`` at
    the call site and ``params`` its JSON values (a separate dict, since a draft's entry has a
    parameter called "kind" too), translated when read; ``note`` is a person's own words, kept as typed.
    """
    return TimelineEntry.objects.create(
        request=case, kind=kind, message=message, params=dict(params or {}), note=note or "", by=by,
        at=at or timezone.now(),
    )
