"""The public request form: a person outside the office files a rights request themself.

The path of a request (``public_views`` draws the pages, this module decides):

1. ``submission_create`` checks what was sent (the same rules as a case typed by staff, plus the
   proof an agent or a relative must attach) and keeps it as a ``PublicSubmission``, files in
   private storage; ``submission_send_link`` e-mails a signed link to the address given.
2. ``submission_confirm``, when the link is used, registers the case (exactly once, however often
   the link is used) with the confirmation as its receipt time, moves the files to the case's
   identity documents, forgets the submission's personal data, and queues the acknowledgement
   (``acknowledgement_send``), in the requester's language, recorded on the case as sent.
3. ``submissions_delete_expired`` (beat, hourly) deletes what was never confirmed.

Choice (receipt): the request counts as received when its sender confirms the address, not when
the form was sent: until then the office cannot tell the request from one typed with someone
else's address, and a request nobody confirms never becomes a case. Both instants are on the
case's timeline. The receipt date is then the earlier of the requester's and the office's local
dates (``deadlines.receipt_date``, legal-rules.md "General principles"), with the browser's time
zone as the requester's.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from privacy_office import outgoing
from privacy_office.jurisdictions import local_date

from . import deadlines as dl
from . import identity_documents, letters, outbound_mail, services
from .case_writes import timeline_add
from .models import (
    Channel, DraftKind, PublicAttachment, PublicSubmission, Relationship, ResponseDraft, RightsRequest,
    TimelineEntry, available_time_zones,
)

log = logging.getLogger(__name__)

# The e-mail that carries the confirmation link (templates/requests_app/public/<kind>.<language>.txt).
MAILS = outgoing.Family("requests_app/public", has_subject=True)
SIGNING_SALT = "requests_app.public_form.confirm"

# Who may file: the data subject, or someone acting for them who proves it: an authorised agent
# (11 CCR §7063: written permission), a guardian, or a close relative of a deceased user (PIPL
# Art. 49). Everyone but the data subject attaches the proof.
RELATIONSHIPS = (Relationship.SELF, Relationship.AGENT, Relationship.GUARDIAN, Relationship.DECEASED_RELATIVE)

MAX_DESCRIPTION_CHARS = 5000


class LinkExpired(Exception):
    """The confirmation link is past its validity; the submission was (or will be) deleted."""


class LinkInvalid(Exception):
    """The link was altered, or names no submission."""


@dataclass(frozen=True)
class RateLimited(Exception):
    """Too many submissions from one e-mail address or one client address in the window."""

    scope: str  # "email" or "ip"
    retry_after: int  # seconds until the window ends

    @property
    def minutes(self) -> int:
        return max(1, -(-self.retry_after // 60))


# ------------------------------------------------------------------------------------------------
# what the form offers
# ------------------------------------------------------------------------------------------------


def jurisdiction_options(*, now: datetime | None = None) -> list[tuple[str, str, tuple[str, ...]]]:
    """(code, name in the active language, request types offered today) for every jurisdiction a
    case can be filed under. A US state's types depend on whether its privacy law is in force
    today in that state (``deadlines.request_types``)."""
    from .models import Jurisdiction

    now = now or timezone.now()
    return [
        (code, str(label), dl.request_types(code, received_on=local_date(now, code)))
        for code, label in Jurisdiction.choices
    ]


def link_lifetime() -> timedelta:
    return timedelta(hours=settings.PUBLIC_FORM_CONFIRM_HOURS)


# ------------------------------------------------------------------------------------------------
# rate limits: fixed windows in the cache (Redis in production: INCR is atomic across workers)
# ------------------------------------------------------------------------------------------------


def rate_limit_key(*, scope: str, value: str, now: datetime | None = None) -> str:
    """The cache key counting ``value``'s attempts in the window around ``now``: a digest, so no
    e-mail or client address is ever written to the cache."""
    bucket = int((now or timezone.now()).timestamp()) // settings.PUBLIC_FORM_RATE_WINDOW_SECONDS
    digest = hashlib.sha256(f"{scope}:{value}".encode()).hexdigest()[:32]
    return f"public-form:{scope}:{digest}:{bucket}"


def rate_limit_count(*, scope: str, value: str, limit: int, now: datetime | None = None) -> None:
    """Count one attempt for ``value`` (an e-mail address or a client address) in the current
    window; ``RateLimited`` when it is over ``limit``. The key holds a digest, never the address."""
    now = now or timezone.now()
    window = settings.PUBLIC_FORM_RATE_WINDOW_SECONDS
    stamp = int(now.timestamp())
    bucket = stamp // window
    key = rate_limit_key(scope=scope, value=value, now=now)
    cache.add(key, 0, timeout=window + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window + 60)
        count = 1
    if count > limit:
        raise RateLimited(scope=scope, retry_after=(bucket + 1) * window - stamp)


def rate_limit_ip(ip_address: str | None, *, now: datetime | None = None) -> None:
    """Every form sent from one client address counts, valid or not."""
    rate_limit_count(scope="ip", value=ip_address or "unknown", limit=settings.PUBLIC_FORM_MAX_PER_IP, now=now)


def rate_limit_email(email: str, *, now: datetime | None = None) -> None:
    """Every valid submission for one e-mail address counts (each sends that address a mail)."""
    rate_limit_count(scope="email", value=services.normalise_email(email), limit=settings.PUBLIC_FORM_MAX_PER_EMAIL,
                     now=now)


# ------------------------------------------------------------------------------------------------
# 1. the submission
# ------------------------------------------------------------------------------------------------


def submission_check(
    *, requester_name: str, requester_email: str, jurisdiction: str, request_type: str, relationship: str,
    data_subject_name: str = "", description: str = "", requester_time_zone: str = "",
    identity_files=(), authority_files=(), now: datetime | None = None,
) -> dict:
    """The submission's values in their stored form; one ``ValidationError`` keyed by field (in the
    active language) listing every broken rule."""
    now = now or timezone.now()
    errors: dict[str, ValidationError] = {}
    name = (requester_name or "").strip()
    if not name:
        errors["requester_name"] = ValidationError(_("Enter your name."), code="required")
    email = services.normalise_email(requester_email)
    try:
        validate_email(email)
    except ValidationError:
        errors["requester_email"] = ValidationError(
            _("Enter the e-mail address where we can reach you: we send a confirmation link there."), code="email")
    zone = (requester_time_zone or "").strip()
    if zone not in available_time_zones():
        zone = ""  # set by the page's script from the browser; an unknown one is ignored, not refused
    if relationship not in RELATIONSHIPS:
        errors["relationship"] = ValidationError(_("Choose who is making the request."), code="relationship")
    subject_name = (data_subject_name or "").strip()
    if relationship != Relationship.SELF:
        if not subject_name:
            errors["data_subject_name"] = ValidationError(
                _("Enter the name of the person you act for (or of the deceased user)."), code="required")
        if not authority_files:
            errors["authority_files"] = ValidationError(
                _("Attach the proof that you may act for this person: a signed authorisation or power of attorney, "
                  "a guardianship document, or the death certificate and proof of your relationship."),
                code="required")
    if request_type == dl.DECEASED_RELATIVE and relationship != Relationship.DECEASED_RELATIVE:
        errors["relationship"] = ValidationError(
            _("A request about a deceased user's information is made by a close relative (PIPL Art. 49): choose "
              "“close relative of a deceased user” and attach the proof."), code="relationship")
    if jurisdiction not in dl.CASE_JURISDICTIONS:
        errors["jurisdiction"] = ValidationError(_("Choose where you live."), code="jurisdiction")
    else:
        try:
            services.validate_request_types(
                jurisdiction=jurisdiction, request_type=request_type,
                received_on=services.receipt_local_date(received_at=now, jurisdiction=jurisdiction,
                                                        requester_time_zone=zone),
            )
        except ValidationError as exc:
            errors["request_type"] = exc
    if len(description or "") > MAX_DESCRIPTION_CHARS:
        errors["description"] = ValidationError(
            _("Please keep the description under %(limit)d characters; attach a file for more.")
            % {"limit": MAX_DESCRIPTION_CHARS}, code="too_long")
    files = [*identity_files, *authority_files]
    if len(files) > settings.PUBLIC_FORM_MAX_FILES:
        errors["identity_files"] = ValidationError(
            _("Attach at most %(limit)d files in all.") % {"limit": settings.PUBLIC_FORM_MAX_FILES}, code="files")
    else:
        for field, group in (("identity_files", identity_files), ("authority_files", authority_files)):
            problems = []
            for file in group:
                try:
                    identity_documents.identity_document_check(file)
                except ValidationError as exc:
                    problems.append(f"{getattr(file, 'name', '')}: {exc.messages[0]}")
            if problems:
                errors[field] = ValidationError(problems, code="file")
    if errors:
        raise ValidationError(errors)
    return {
        "requester_name": name, "requester_email": email, "jurisdiction": jurisdiction,
        "request_type": request_type, "relationship": relationship,
        "data_subject_name": subject_name if relationship != Relationship.SELF else "",
        "description": (description or "").strip(), "requester_time_zone": zone,
    }


def submission_create(
    *, language: str, requester_name: str, requester_email: str, jurisdiction: str, request_type: str,
    relationship: str = Relationship.SELF, data_subject_name: str = "", account_id: str = "",
    description: str = "", requester_time_zone: str = "", identity_files=(), authority_files=(),
    now: datetime | None = None,
) -> tuple[PublicSubmission, str]:
    """Keep a checked submission (``submission_check``) and its files; returns it with the token of
    its confirmation link. Counts against the e-mail address's rate limit (``RateLimited``)."""
    now = now or timezone.now()
    values = submission_check(
        requester_name=requester_name, requester_email=requester_email, jurisdiction=jurisdiction,
        request_type=request_type, relationship=relationship, data_subject_name=data_subject_name,
        description=description, requester_time_zone=requester_time_zone, identity_files=identity_files,
        authority_files=authority_files, now=now,
    )
    rate_limit_email(values["requester_email"], now=now)
    with transaction.atomic():
        submission = PublicSubmission.objects.create(
            nonce=secrets.token_hex(16), language=letters.letter_language(language),
            account_id=(account_id or "").strip()[:100], submitted_at=now, expires_at=now + link_lifetime(), **values,
        )
        for purpose, group in ((PublicAttachment.Purpose.IDENTITY, identity_files),
                               (PublicAttachment.Purpose.AUTHORITY, authority_files)):
            for file in group:
                content_type = identity_documents.identity_document_check(file)
                attachment = PublicAttachment(
                    submission=submission, purpose=purpose, content_type=content_type,
                    original_name=(getattr(file, "name", "") or "document").replace("\\", "/").rsplit("/", 1)[-1][:255],
                    size=getattr(file, "size", 0) or 0,
                )
                attachment.file.save(secrets.token_hex(16), File(file), save=False)
                attachment.save()
    return submission, submission_token(submission)


def submission_token(submission: PublicSubmission) -> str:
    return signing.dumps({"s": submission.pk, "n": submission.nonce}, salt=SIGNING_SALT)


def confirmation_url(submission: PublicSubmission, token: str) -> str:
    path = reverse("public_request:confirm", kwargs={"language": submission.language, "token": token})
    return settings.SITE_URL.rstrip("/") + path


def submission_send_link(*, submission: PublicSubmission, token: str) -> None:
    """E-mail the confirmation link, in the submission's language. When the mail cannot be sent
    the submission is deleted (nobody could ever confirm it) and the error is raised: the page
    tells the sender at once instead of leaving them waiting for a mail that never comes."""
    with translation.override(submission.language):
        mail = outgoing.render_plain_text(MAILS, "confirm_link", language=submission.language, context={
            "submission": submission,
            "link": confirmation_url(submission, token),
            "hours": settings.PUBLIC_FORM_CONFIRM_HOURS,
            "type": services.request_type_label(submission.request_type),
            "jurisdiction": submission.get_jurisdiction_display(),
        })
    try:
        EmailMessage(subject=mail.subject, body=mail.body, from_email=settings.PUBLIC_FORM_FROM_EMAIL,
                     to=[submission.requester_email]).send(fail_silently=False)
    except Exception:
        log.exception("public form: the confirmation link of submission %s could not be sent", submission.pk)
        submission_delete(submission)
        raise


def submission_delete(submission: PublicSubmission) -> None:
    """Delete an unconfirmed submission, its files first."""
    for attachment in submission.attachments.all():
        attachment.file.delete(save=False)
    submission.delete()


# ------------------------------------------------------------------------------------------------
# 2. the confirmation
# ------------------------------------------------------------------------------------------------


def submission_for_token(token: str, *, now: datetime | None = None) -> PublicSubmission:
    """The submission a link names; ``LinkExpired`` or ``LinkInvalid`` otherwise. A confirmed
    submission is returned whatever its age (its page shows the case's reference)."""
    now = now or timezone.now()
    try:
        # Without max_age here: an old link of a confirmed submission still shows its reference.
        data = signing.loads(token, salt=SIGNING_SALT)
    except signing.BadSignature:
        raise LinkInvalid() from None
    if not isinstance(data, dict):
        raise LinkInvalid()
    submission = (PublicSubmission.objects.select_related("case")
                  .filter(pk=data.get("s"), nonce=data.get("n")).first())
    if submission is None:
        # A valid signature for a row that is gone: the hourly clean-up deleted it after expiry.
        raise LinkExpired()
    if submission.case_id is None and now >= submission.expires_at:
        raise LinkExpired()
    return submission


def submission_confirm(*, token: str, now: datetime | None = None) -> RightsRequest:
    """Register the submission's case, received now; returns the case. Exactly once: the row is
    locked, and a second use of the link (a double click, a mail scanner, a second tab) returns
    the case the first one created."""
    now = now or timezone.now()
    submission = submission_for_token(token, now=now)
    with transaction.atomic():
        submission = PublicSubmission.objects.select_for_update().get(pk=submission.pk)
        if submission.case_id is not None:
            return submission.case
        if now >= submission.expires_at:
            raise LinkExpired()
        case = services.dsar_register(
            requester_name=submission.requester_name, requester_email=submission.requester_email,
            account_id=submission.account_id, relationship=submission.relationship,
            data_subject_name=submission.data_subject_name, jurisdiction=submission.jurisdiction,
            request_type=submission.request_type, requester_time_zone=submission.requester_time_zone,
            description=submission.description, channel=Channel.WEB_FORM, received_at=now, by=None, now=now,
        )
        attachments = list(submission.attachments.all())
        proofs = sum(1 for a in attachments if a.purpose == PublicAttachment.Purpose.AUTHORITY)
        timeline_add(
            case=case, kind=TimelineEntry.Kind.REGISTERED,
            message=gettext_noop("Sent with the public request form at %(submitted)s; the requester confirmed the "
                                 "e-mail address at %(confirmed)s, which is the time of receipt."),
            params={"submitted": _office_time(submission.submitted_at), "confirmed": _office_time(now)}, at=now,
        )
        if submission.relationship != Relationship.SELF:
            timeline_add(
                case=case, kind=TimelineEntry.Kind.IDENTITY,
                message=gettext_noop("Made by someone acting for the data subject (%(relationship)s), with "
                                     "%(count)d file(s) of proof of authority among the identity documents."),
                params={"relationship": submission.relationship, "count": proofs}, at=now,
            )
        for attachment in attachments:
            with attachment.file.open("rb") as handle:
                identity_documents.dsar_upload_identity_document(
                    case=case, file=File(handle, name=attachment.original_name), by=None, now=now)
        acknowledgement = letters.draft_generate(
            case=case, kind=DraftKind.ACKNOWLEDGEMENT, language=submission.language, by=None, now=now)
        stored = [attachment.file.name for attachment in attachments]
        storage = attachments[0].file.storage if attachments else None
        submission.attachments.all().delete()
        # What the requester typed now lives on the case (where retention and erasure reach it).
        submission.requester_name = submission.requester_email = submission.account_id = ""
        submission.data_subject_name = submission.description = submission.requester_time_zone = ""
        submission.case, submission.confirmed_at = case, now
        submission.save()
        if stored:
            transaction.on_commit(lambda: [storage.delete(name) for name in stored])
        transaction.on_commit(lambda: _queue_acknowledgement(acknowledgement.pk))
    return case


def _office_time(instant: datetime) -> str:
    return timezone.localtime(instant).strftime("%Y-%m-%d %H:%M %Z")


def _queue_acknowledgement(draft_id: int) -> None:
    from .tasks import send_public_acknowledgement

    send_public_acknowledgement.delay(draft_id)


def acknowledgement_send(*, draft_id: int, now: datetime | None = None) -> str:
    """E-mail the acknowledgement of a case filed with the public form and record it sent
    (``letters.draft_mark_sent``: the case's acknowledged time, and "sent to the requester" on its
    timeline). It gives the reference and what happens next; for a CCPA request to know, delete
    or correct it is the confirmation of receipt owed within 10 business days (11 CCR §7021(a)),
    sent at once. Under the draft's row lock: two workers never both send it; an error is raised
    (nothing recorded) so the task retries. Returns what happened."""
    with transaction.atomic():
        draft = ResponseDraft.objects.select_for_update().filter(pk=draft_id).first()
        if draft is None:
            return "missing"
        if draft.sent_at is not None:
            return "already sent"
        case = draft.request
        if case.erased_at is not None or not case.requester_email:
            return "no address"
        try:
            letters.refuse_if_frozen(case, draft.kind)
        except ValidationError:
            return "case ended"
        # Sent as every letter is (outbound_mail): our Message-ID and the reference in the subject,
        # so the requester's answer threads back to the case; the sent e-mail is recorded.
        outbound_mail.draft_send_email(draft=draft, by=None, now=now)
    return "sent"


# ------------------------------------------------------------------------------------------------
# 3. clean-up
# ------------------------------------------------------------------------------------------------


def submissions_delete_expired(*, now: datetime | None = None) -> int:
    """Delete every unconfirmed submission past its link's validity, with its files (data
    minimisation: a request nobody confirmed is nobody's). Returns how many were deleted."""
    now = now or timezone.now()
    deleted = 0
    expired = PublicSubmission.objects.filter(case__isnull=True, expires_at__lte=now).order_by("expires_at", "id")
    for submission in expired.iterator(chunk_size=500):
        with transaction.atomic():
            locked = PublicSubmission.objects.select_for_update().filter(pk=submission.pk, case__isnull=True).first()
            if locked is None:
                continue  # confirmed meanwhile
            submission_delete(locked)
        deleted += 1
    return deleted
