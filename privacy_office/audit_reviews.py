"""Audit reviews: a manager's attestation that they read the audit log for a period, through some
filters. Recorded once with the number of entries covered and a digest of them; never edited.

The digest lets anyone check later that the entries a review attested are still the ones in the
log: SHA-256 over the covered entries in id order, one line each,
``<id>\\t<at as ISO 8601 in UTC>\\t<changes as JSON, keys sorted, no spaces>\\n`` (UTF-8).
An erasure of a requester's personal data after retention blanks diff values, so a review whose
period held such a case no longer matches afterwards: that is expected and shown as such.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .history import save_with_reason
from .models import AuditLogEntry, AuditReview
from .roles import missing_permission_message

RECORD_PERMISSION = "privacy_office.add_auditreview"


def day_start(day: date) -> datetime:
    """Midnight starting ``day`` in the office's time zone (the audit log's date filter and the
    reviews read days the same way)."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def entries_in_period(queryset, *, start: date | None, end: date | None):
    """``queryset`` narrowed to entries from ``start`` to ``end`` inclusive (office days)."""
    if start:
        queryset = queryset.filter(at__gte=day_start(start))
    if end:
        queryset = queryset.filter(at__lt=day_start(end + timedelta(days=1)))
    return queryset


def covered_entries(*, period_start: date, period_end: date, user=None, record_type=None, action: str = ""):
    """The audit entries a review of this period and these filters covers (the audit log's filters)."""
    entries = entries_in_period(AuditLogEntry.objects.all(), start=period_start, end=period_end)
    if user is not None:
        entries = entries.filter(user=user)
    if record_type is not None:
        entries = entries.filter(content_type=record_type)
    if action:
        entries = entries.filter(action=action)
    return entries


def entries_digest(entries) -> tuple[int, str]:
    """(count, SHA-256 hex) of ``entries`` in the form the module docstring gives."""
    digest = hashlib.sha256()
    count = 0
    rows = entries.order_by("id").values_list("id", "at", "changes")
    for entry_id, at, changes in rows.iterator(chunk_size=2000):
        at_utc = at.astimezone(dt_timezone.utc).isoformat()
        line = f"{entry_id}\t{at_utc}\t{json.dumps(changes, sort_keys=True, ensure_ascii=False, separators=(',', ':'))}\n"
        digest.update(line.encode("utf-8"))
        count += 1
    return count, digest.hexdigest()


def review_digest_now(review: AuditReview) -> tuple[int, str]:
    """The count and digest the review's period and filters give today."""
    return entries_digest(covered_entries(
        period_start=review.period_start, period_end=review.period_end, user=review.filter_user,
        record_type=review.filter_record_type, action=review.filter_action,
    ))


def audit_review_check(*, period_start: date | None, period_end: date | None, supersedes: AuditReview | None = None,
                       now: datetime | None = None) -> None:
    """Refuse a review whose period is out of order or not over yet, or a correction of a review
    that was already corrected (correct the correction instead)."""
    errors = {}
    today = timezone.localdate(now or timezone.now(), timezone.get_default_timezone())
    if period_start and period_end and period_end < period_start:
        errors["period_end"] = _("The period must end on or after its start.")
    elif period_end and period_end > today:
        errors["period_end"] = _("The period cannot end after today: the entries of a later day are not written yet.")
    if supersedes is not None and AuditReview.objects.filter(supersedes=supersedes).exists():
        errors["supersedes"] = _("That review was already corrected; correct the latest correction instead.")
    if errors:
        raise ValidationError(errors)


def audit_review_record(*, by, period_start: date, period_end: date, user=None, record_type=None, action: str = "",
                        remark: str = "", supersedes: AuditReview | None = None, reason: str = "",
                        now: datetime | None = None) -> AuditReview:
    """Record an attestation: who, when, the period and filters, and the count and digest of the
    audit entries they cover. A correction names the review it ``supersedes``; nothing is edited.
    ``reason`` is a reason for the history row as typed (else the system's message id)."""
    if by is None or not by.has_perm(RECORD_PERMISSION):
        raise PermissionDenied(missing_permission_message(RECORD_PERMISSION))
    with transaction.atomic():
        if supersedes is not None:
            supersedes = AuditReview.objects.select_for_update().get(pk=supersedes.pk)
        audit_review_check(period_start=period_start, period_end=period_end, supersedes=supersedes, now=now)
        count, digest = entries_digest(covered_entries(
            period_start=period_start, period_end=period_end, user=user, record_type=record_type, action=action))
        review = AuditReview(
            period_start=period_start, period_end=period_end, filter_user=user, filter_record_type=record_type,
            filter_action=action or "", remark=remark or "", reviewed_by=by, entry_count=count, digest=digest,
            supersedes=supersedes,
        )
        review.full_clean()
        reason = reason or (gettext_noop("correction of an audit review recorded") if supersedes
                            else gettext_noop("audit review recorded"))
        save_with_reason(review, by=by, reason=reason)
    return review
