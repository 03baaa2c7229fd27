"""Rights requests (DSARs): the case, its clock inputs, identity checks, documents, tasks, drafts.

A case is never deleted: it ends (closed, refused, withdrawn, duplicate) and, after the retention
period, its requester's personal data is erased, leaving a tombstone (erasure.dsar_erase_personal_data).
Its children's foreign keys PROTECT it, so an attempt to delete one fails instead of cascading into
its timeline and leaving identity files on disk.

The due date is STORED (and indexed) on the case: reminders, the overdue list and the dashboard
read it with one indexed query. ``clocks.dsar_recompute_due`` recomputes it from the pure clock
in ``deadlines.py`` whenever an input changes, so lists sort and filter on an index.
"""

from __future__ import annotations

import functools
import zoneinfo
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _

from privacy_office.jurisdiction_choices import jurisdiction_choices
from privacy_office.messages import message_text
from privacy_office.history import audited_history
from privacy_office.models import TimelineEntryBase, VersionedModel

from . import deadlines as dl
from .rule_phrases import rule_display


# Every jurisdiction a case can be filed under (deadlines.CASE_JURISDICTIONS: the statutes of
# response_due, then every US state, DC and PR), named by the one registry in the reader's language.
Jurisdiction = jurisdiction_choices(dl.CASE_JURISDICTIONS, module=__name__)


class RequestType(models.TextChoices):
    ACCESS = dl.ACCESS, _("access / copy")
    CORRECTION = dl.CORRECTION, _("correction / supplement")
    DELETION = dl.DELETION, _("deletion / erasure")
    # RU 152-FZ Art. 21(1) blocking and KR PIPA Art. 37 suspension are filed as restriction.
    RESTRICTION = dl.RESTRICTION, _("restriction / blocking / suspension")
    # RU 152-FZ Art. 21(5.1) demand to stop processing and JP APPI Art. 35 cessation of use.
    OBJECTION = dl.OBJECTION, _("objection / demand to stop processing (incl. direct marketing)")
    PORTABILITY = dl.PORTABILITY, _("portability / transfer to another handler")
    WITHDRAW_CONSENT = dl.WITHDRAW_CONSENT, _("withdraw consent")
    EXPLANATION = dl.EXPLANATION, _("explanation of processing rules")
    AUTOMATED_DECISION_REVIEW = dl.AUTOMATED_DECISION_REVIEW, _("human review of an automated decision")
    ACCOUNT_CANCELLATION = dl.ACCOUNT_CANCELLATION, _("account cancellation (注销)")
    DECEASED_RELATIVE = dl.DECEASED_RELATIVE, _("deceased user's close relative (PIPL Art. 49)")
    CCPA_OPT_OUT = dl.CCPA_OPT_OUT, _("CCPA opt-out of sale/sharing")
    CCPA_LIMIT_SENSITIVE = dl.CCPA_LIMIT_SENSITIVE, _("CCPA limit use of sensitive personal information")
    COMPLAINT = dl.COMPLAINT, _("enquiry / complaint")
    CONFIRMATION = dl.CONFIRMATION, _("confirmation that personal data is processed (LGPD Art. 19(I))")
    OPT_OUT = dl.OPT_OUT, _("opt-out of sale, targeted advertising or profiling (US state laws)")
    APPEAL = dl.APPEAL, _("appeal against a decision on a request (US state laws)")


class DueKind(models.TextChoices):
    """What the binding obligation's date means (deadlines.DueDate.kind)."""

    DATE = dl.DATE, _("a legal last day")
    IMMEDIATELY = dl.IMMEDIATELY, _("immediately (due on the day of receipt)")
    WITHOUT_UNDUE_DELAY = dl.WITHOUT_UNDUE_DELAY, _("without undue delay (the date is an outer limit)")


def validate_time_zone(value: str) -> None:
    """An IANA time-zone name the server knows (zoneinfo), e.g. America/Los_Angeles."""
    if value and value not in available_time_zones():
        raise ValidationError(
            _("“%(zone)s” is not a known time zone; enter an IANA name such as America/Los_Angeles or "
              "Europe/Paris.") % {"zone": value},
            code="time_zone",
        )


@functools.cache
def available_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    IN_APP = "in_app", _("in-app")
    WEB_FORM = "web_form", _("web form")
    PHONE = "phone", _("phone")
    LETTER = "letter", _("letter")


class Relationship(models.TextChoices):
    SELF = "self", _("the data subject themself")
    AGENT = "agent", _("authorised agent")
    GUARDIAN = "guardian", _("guardian")
    DECEASED_RELATIVE = "deceased_relative", _("close relative of a deceased user (PIPL Art. 49)")


class Status(models.TextChoices):
    RECEIVED = "received", _("received")
    AWAITING_IDENTITY = "awaiting_identity", _("awaiting identity")
    IN_PROGRESS = "in_progress", _("in progress")
    AWAITING_CLARIFICATION = "awaiting_clarification", _("awaiting requester clarification")
    RESPONSE_DRAFTED = "response_drafted", _("response drafted")
    RESPONDED = "responded", _("responded")
    CLOSED = "closed", _("closed")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")
    DUPLICATE = "duplicate", _("duplicate")


# A case is "open" (its clock matters) until it has been answered or ended.
OPEN_STATUSES = (
    Status.RECEIVED,
    Status.AWAITING_IDENTITY,
    Status.IN_PROGRESS,
    Status.AWAITING_CLARIFICATION,
    Status.RESPONSE_DRAFTED,
)
# Ended: closed_at is set (the identity-document retention clock starts here).
ENDED_STATUSES = (Status.CLOSED, Status.REJECTED, Status.WITHDRAWN, Status.DUPLICATE)



class PrivateStorage(LazyObject):
    """``storages["private"]``, looked up when first used and again after the STORAGES setting
    changes (tests point it at a temporary folder), as Django's own ``default_storage`` does. The
    file field names the callable below, so migrations never hard-code a location."""

    def _setup(self):
        self._wrapped = storages["private"]


PRIVATE_STORAGE = PrivateStorage()


@receiver(setting_changed)
def forget_private_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        PRIVATE_STORAGE._wrapped = empty


def private_storage():
    # Referenced by the migration as a callable: identity documents never use the default storage.
    return PRIVATE_STORAGE


class RightsRequestQuerySet(models.QuerySet):
    def open(self):
        """Cases whose legal clock still runs (not yet answered or ended)."""
        return self.filter(status__in=OPEN_STATUSES)

    def due_within(self, days: int, *, today: date | None = None):
        """Open cases due from today up to ``days`` days ahead (inclusive); uses the partial
        ``dsar_open_due_idx``. ``today`` is the office's date: a case due on D is treated as due
        by the end of D in the office's time zone (Asia/Shanghai runs ahead of most of the
        jurisdictions, so this errs early)."""
        today = today or timezone.localdate()
        return self.open().filter(due_on__gte=today, due_on__lte=today + timedelta(days=days))

    def overdue(self, *, today: date | None = None):
        """Open cases past their due date whose clock is not stopped (a paused case is waiting
        for the requester, not for us)."""
        today = today or timezone.localdate()
        return self.open().filter(due_on__lt=today, clock_paused=False)

    def awaiting_identity(self):
        return self.filter(status=Status.AWAITING_IDENTITY)

    def assigned_to(self, user):
        return self.filter(assignee=user)


class RightsRequest(VersionedModel):
    Status = Status
    # The allowed moves (privacy_office.states.check_move); anything else is refused.
    TRANSITIONS = {
        Status.RECEIVED: (Status.AWAITING_IDENTITY, Status.IN_PROGRESS, Status.REJECTED, Status.WITHDRAWN, Status.DUPLICATE),
        Status.AWAITING_IDENTITY: (Status.IN_PROGRESS, Status.REJECTED, Status.WITHDRAWN, Status.DUPLICATE),
        Status.IN_PROGRESS: (
            Status.AWAITING_CLARIFICATION, Status.RESPONSE_DRAFTED, Status.REJECTED, Status.WITHDRAWN, Status.DUPLICATE,
        ),
        Status.AWAITING_CLARIFICATION: (Status.IN_PROGRESS, Status.REJECTED, Status.WITHDRAWN),
        Status.RESPONSE_DRAFTED: (Status.IN_PROGRESS, Status.RESPONDED, Status.REJECTED, Status.WITHDRAWN),
        Status.RESPONDED: (Status.CLOSED,),
        Status.CLOSED: (),
        Status.REJECTED: (),
        Status.WITHDRAWN: (),
        Status.DUPLICATE: (),
    }

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)

    requester_name = models.CharField(_("requester name"), max_length=200)
    # Stored lower-case (a DB constraint holds it) so the exact-match search uses the index.
    requester_email = models.EmailField(_("requester e-mail"), max_length=254, blank=True)
    # Stored normalised: "+" and digits only (see services.normalise_phone).
    requester_phone = models.CharField(_("requester phone"), max_length=32, blank=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    relationship = models.CharField(
        _("relationship to the data subject"), max_length=20, choices=Relationship.choices, default=Relationship.SELF
    )
    data_subject_name = models.CharField(
        _("data subject (when acting for someone else)"), max_length=200, blank=True
    )

    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=8, choices=Jurisdiction.choices,
        help_text=_("Where the requester lives. A US resident is filed under their state (e.g. Texas): its "
                    "privacy law, if one is in force, and Aqara's own one-month commitment apply, the earlier "
                    "first; in a state without such a law only Aqara's commitment applies, counted from receipt."),
    )
    request_type = models.CharField(
        _("request type"), max_length=32, choices=RequestType.choices,
        help_text=_("Each jurisdiction has its own types; another one is refused with the list. Russia: a demand to "
                    "stop processing is an objection, blocking a restriction; US states: opt-out and appeal (an "
                    "appeal is a case of its own, received when the appeal arrived)."),
    )
    extra_types = models.JSONField(
        _("further request types"), default=list, blank=True,
        help_text=_("Other rights asked for in the same request; each must exist in the jurisdiction."),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    received_at = models.DateTimeField(_("received at"))
    # Optional: where the requester's local date differs from the office's, the earlier one is the
    # receipt date (legal-rules.md 2026-11; deadlines.receipt_date).
    requester_time_zone = models.CharField(
        _("requester's time zone"), max_length=64, blank=True, validators=[validate_time_zone],
        help_text=_("Optional IANA name, e.g. America/Los_Angeles. If the requester's local date at receipt is "
                    "earlier than the office's, the earlier date is the receipt date."),
    )
    received_on = models.DateField(_("received on (local date)"), editable=False)
    services = models.ManyToManyField(
        "inventory_app.Service", verbose_name=_("services concerned"), blank=True, related_name="rights_requests"
    )
    description = models.TextField(_("request as received"), blank=True)

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="assigned_rights_requests",
    )
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.RECEIVED)

    # Identity (reminders chase identity_requested_at until the proof arrives). UK GDPR Art. 12A:
    # the clock restarts when requested proof ARRIVES (identity_received_at), not when staff decide
    # (verified_on, which feeds Aqara's own commitments only).
    identity_requested_at = models.DateTimeField(
        _("identity proof requested at"), null=True, blank=True,
        help_text=_("Set by “Request proof of identity”. UK: the clock then waits for the proof to arrive."),
    )
    identity_received_at = models.DateTimeField(
        _("identity proof received at"), null=True, blank=True,
        help_text=_("When the proof of identity that was asked for arrived (recorded with the identity check). UK: "
                    "the one-month clock starts on that day."),
    )
    verified_on = models.DateField(
        _("identity verified on"), null=True, blank=True,
        help_text=_("The day identity was decided. It starts Aqara's own commitments (one month; in China 15 days), "
                    "not the UK clock, which starts when asked-for proof arrives."),
    )
    fee_paid_at = models.DateTimeField(
        _("fee paid at"), null=True, blank=True,
        help_text=_("UK only: when a fee charged under UK GDPR Art. 12(5) was paid; the clock starts then if it is "
                    "the latest of receipt, identity proof and fee."),
    )
    clock_paused = models.BooleanField(_("clock stopped"), default=False, editable=False)

    # The clock: stored, indexed, recomputed by clocks.dsar_recompute_due.
    due_on = models.DateField(_("due on"), editable=False)
    due_rule = models.CharField(_("rule that set the due date"), max_length=1000, editable=False)
    due_kind = models.CharField(
        _("kind of due date"), max_length=24, choices=DueKind.choices, default=DueKind.DATE, editable=False,
    )
    # The binding rule rests on a reference row marked U (unverified): shown wherever the date is.
    due_unverified = models.BooleanField(_("rule unverified"), default=False, editable=False)
    due_provisional = models.BooleanField(_("provisional calendar"), default=False, editable=False)
    original_due_on = models.DateField(_("original due date"), null=True, blank=True, editable=False)
    acknowledgement_due_on = models.DateField(_("acknowledgement due on"), null=True, blank=True, editable=False)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    extension_deadline = models.DateField(
        _("last day to extend"), null=True, blank=True, editable=False,
        help_text=_("The extension notice must reach the requester by this date (the original deadline)."),
    )
    extended = models.BooleanField(_("extended"), default=False, editable=False)
    extension_reasons = models.TextField(_("extension reasons"), blank=True, editable=False)
    extension_notice_sent_at = models.DateTimeField(_("extension notice sent at"), null=True, blank=True, editable=False)
    # The notice that told the requester: the extension takes effect when it is marked sent, and
    # its sent time (not the click on "extend") is the notice time (letters.draft_mark_sent).
    extension_notice = models.ForeignKey(
        "ResponseDraft", verbose_name=_("extension notice"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", editable=False,
    )

    rejection_reasons = models.TextField(_("reasons for refusal"), blank=True, editable=False)
    remedy_text = models.TextField(_("remedies given to the requester"), blank=True, editable=False)
    # A refusal removes the duty to answer: staff propose it (the reasons and remedies above), and it
    # takes effect only when a second person holding requests_app.approve_reject_request confirms it.
    rejection_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("refusal proposed by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", editable=False,
    )
    rejection_proposed_at = models.DateTimeField(_("refusal proposed at"), null=True, blank=True, editable=False)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("duplicate of"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )
    # The time the reply was sent, taken from the sent reply (``reply``), not from the click on
    # "mark responded".
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True, editable=False)
    reply = models.ForeignKey(
        "ResponseDraft", verbose_name=_("reply sent"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", editable=False,
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The tombstone: after the retention period the requester's personal data is erased
    # (erasure.dsar_erase_personal_data); reference, jurisdiction, types, dates and outcome stay.
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True, editable=False)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("personal data erased by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", editable=False,
    )
    erasure_reason = models.TextField(_("reason for the erasure"), blank=True, editable=False)

    history = audited_history()
    objects = RightsRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("rights request")
        verbose_name_plural = _("rights requests")
        ordering = ["due_on", "id"]
        permissions = [
            # Who holds it: privacy_office/roles.py APPROVALS.
            ("approve_erase_personal_data", "Can erase a requester's personal data after the retention period"),
            ("approve_reject_request", "Can confirm the refusal of a rights request proposed by someone else"),
            ("approve_reopen_case", "Can re-open an ended rights request"),
        ]
        indexes = [
            # The changelist's default ordering and the "overdue" / "due within" filters.
            models.Index(fields=["due_on", "id"], name="dsar_due_idx"),
            models.Index(
                fields=["due_on", "id"], name="dsar_open_due_idx",
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
            ),
            # Covering (PostgreSQL; SQLite ignores INCLUDE): the overdue count, the dashboard and the
            # reminder reconcile read only these columns of the open cases, so an index-only scan
            # answers them without visiting the table.
            models.Index(
                fields=["due_on"], name="dsar_open_due_cover_idx", include=["id", "assignee", "created_at", "clock_paused"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
            ),
            models.Index(fields=["status", "due_on", "id"], name="dsar_status_due_idx"),
            models.Index(fields=["jurisdiction", "due_on", "id"], name="dsar_jur_due_idx"),
            models.Index(fields=["request_type", "due_on", "id"], name="dsar_type_due_idx"),
            models.Index(fields=["assignee", "due_on", "id"], name="dsar_assignee_due_idx"),
            models.Index(fields=["requester_email"], name="dsar_email_idx"),
            models.Index(fields=["requester_phone"], name="dsar_phone_idx"),
            models.Index(fields=["account_id"], name="dsar_account_idx"),
            # The minute reminder sweep reads these: acknowledgement owed, identity chaser, extension window.
            models.Index(
                fields=["acknowledgement_due_on"], name="dsar_ack_due_idx",
                condition=Q(acknowledged_at__isnull=True, acknowledgement_due_on__isnull=False),
            ),
            models.Index(
                fields=["identity_requested_at"], name="dsar_identity_wait_idx",
                condition=Q(status="awaiting_identity"),
            ),
            models.Index(
                fields=["extension_deadline"], name="dsar_ext_deadline_idx",
                condition=Q(extended=False, extension_deadline__isnull=False, status__in=[s.value for s in OPEN_STATUSES]),
            ),
            # The reminder sweep's minute window: open cases registered since the last sweep.
            models.Index(
                fields=["created_at"], name="dsar_open_created_idx",
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
            ),
            # Name-prefix search: the PostgreSQL expression index UPPER(name::text) text_pattern_ops
            # is created in migration 0002 (PostgreSQL only); this one serves SQLite and exact names.
            models.Index(fields=["requester_name"], name="dsar_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(requester_email=Lower("requester_email")), name="dsar_email_lowercase"),
            models.CheckConstraint(condition=Q(due_on__gte=F("received_on")), name="dsar_due_after_receipt"),
            models.CheckConstraint(
                condition=Q(verified_on__isnull=True) | Q(verified_on__gte=F("received_on")),
                name="dsar_verified_after_receipt",
            ),
            # Only proof that was asked for moves the UK clock, and it cannot arrive before it was asked for.
            models.CheckConstraint(
                condition=Q(identity_received_at__isnull=True)
                | Q(identity_requested_at__isnull=False, identity_received_at__gte=F("identity_requested_at")),
                name="dsar_identity_received_after_requested",
            ),
            models.CheckConstraint(
                condition=Q(fee_paid_at__isnull=True) | Q(fee_paid_at__gte=F("received_at")),
                name="dsar_fee_paid_after_receipt",
            ),
            models.CheckConstraint(
                condition=Q(extended=False) | (~Q(extension_reasons="") & Q(extension_notice_sent_at__isnull=False)),
                name="dsar_extension_has_reasons",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | (~Q(rejection_reasons="") & ~Q(remedy_text="")),
                name="dsar_rejection_has_reasons",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ENDED_STATUSES], closed_at__isnull=False)
                | (~Q(status__in=[s.value for s in ENDED_STATUSES]) & Q(closed_at__isnull=True)),
                name="dsar_closed_at_iff_ended",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="dsar_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(jurisdiction__in=[j.value for j in Jurisdiction]), name="dsar_jurisdiction_valid"
            ),
            models.CheckConstraint(
                condition=Q(erased_at__isnull=True)
                | Q(status__in=[s.value for s in ENDED_STATUSES], erased_by__isnull=False),
                name="dsar_erased_only_when_ended",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def all_types(self) -> list[str]:
        return [self.request_type, *[t for t in (self.extra_types or []) if t != self.request_type]]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def has_ended(self) -> bool:
        """Closed, refused, withdrawn or a duplicate: frozen until re-opened (services.dsar_reopen)."""
        return self.status in ENDED_STATUSES

    @property
    def rejection_pending(self) -> bool:
        """A refusal was proposed and waits for a second person's confirmation."""
        return self.rejection_proposed_at is not None and self.status != Status.REJECTED

    def days_left(self, today: date | None = None) -> int:
        return (self.due_on - (today or timezone.localdate())).days


class ClockPause(VersionedModel):
    class Reason(models.TextChoices):
        # UK GDPR Art. 12A: a clarification request stops the clock until answered.
        CLARIFICATION = "clarification", _("waiting for the requester's clarification")
        # UK (ICO): the clock only starts when the requested ID arrives; this row shows the wait.
        IDENTITY = "identity", _("waiting for proof of identity")

    request = models.ForeignKey(RightsRequest, verbose_name=_("rights request"), on_delete=models.PROTECT, related_name="pauses")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    # Text: the note comes from the "ask for clarification" form, whatever its length.
    note = models.TextField(_("note"), blank=True)
    started_on = models.DateField(_("stopped on"))
    ended_on = models.DateField(_("restarted on"), null=True, blank=True)

    history = audited_history()

    class Meta:
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")
        ordering = ["started_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")), name="dsar_pause_order"
            ),
            models.UniqueConstraint(
                fields=["request"], condition=Q(ended_on__isnull=True), name="dsar_one_open_pause"
            ),
        ]

    def __str__(self):
        return f"{self.started_on} – {self.ended_on or '…'}"


class IdentityMethod(models.TextChoices):
    SESSION_REAUTH = "session_reauth", _("signed-in app session with re-authentication")
    SMS_CODE = "sms_code", _("SMS code to the registered phone")
    EMAIL_LINK = "email_link", _("e-mail link to the registered address")
    DATA_POINTS = "data_points", _("matching data points against the account")
    IDENTITY_DOCUMENT = "identity_document", _("identity document")
    AUTHORITY_PROOF = "authority_proof", _("agent / relative authority proof")


class IdentityCheck(VersionedModel):
    class Outcome(models.TextChoices):
        PENDING = "pending", _("pending")
        VERIFIED = "verified", _("verified")
        FAILED = "failed", _("not verified")

    request = models.ForeignKey(
        RightsRequest, verbose_name=_("rights request"), on_delete=models.PROTECT, related_name="identity_checks"
    )
    method = models.CharField(_("method"), max_length=20, choices=IdentityMethod.choices, blank=True)
    data_points = models.JSONField(_("data points matched"), default=list, blank=True)
    signed_declaration = models.BooleanField(_("signed declaration under penalty of perjury"), default=False)
    authority_confirmed = models.BooleanField(_("authority to act confirmed"), default=False)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    note = models.TextField(_("note"), blank=True)
    requested_at = models.DateTimeField(_("proof requested at"), null=True, blank=True)
    proof_received_at = models.DateTimeField(_("proof received at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    history = audited_history()

    class Meta:
        verbose_name = _("identity check")
        verbose_name_plural = _("identity checks")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="pending") | Q(decided_at__isnull=False, decided_by__isnull=False),
                name="dsar_identity_decided",
            ),
        ]

    def __str__(self):
        return f"{self.get_method_display() or '—'}: {self.get_outcome_display()}"


def identity_document_path(instance, filename):
    # No personal data in the path: the requester's name stays out of file names and logs.
    return f"identity/{instance.request_id}/{timezone.now():%Y%m%d%H%M%S}-{filename[-80:]}"


class IdentityDocument(VersionedModel):
    request = models.ForeignKey(
        RightsRequest, verbose_name=_("rights request"), on_delete=models.PROTECT, related_name="identity_documents"
    )
    file = models.FileField(_("file"), upload_to=identity_document_path, storage=private_storage, max_length=300, blank=True)
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))
    deleted_at = models.DateTimeField(_("file deleted at"), null=True, blank=True)
    deletion_reason = models.CharField(_("deletion reason"), max_length=200, blank=True)
    # When the retention period of the file starts: the case's closure or the start of the office
    # day after its verification, whichever is earlier (set by identity_documents_schedule_purge
    # whenever either changes). The hourly purge reads by it (dsar_doc_purge_idx) instead of
    # joining every case; the period itself (IDENTITY_DOCUMENT_RETENTION_DAYS) is applied when read,
    # so changing the setting needs no rewrite. Not in the history: a schedule, not a fact.
    retention_starts_at = models.DateTimeField(_("retention starts at"), null=True, blank=True, editable=False)

    history = audited_history(excluded_fields=["retention_starts_at"])

    class Meta:
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        ordering = ["uploaded_at", "id"]
        permissions = [
            # Who holds it: privacy_office/roles.py APPROVALS. View the documents of any case.
            ("approve_view_any_identity_document", "Can view the identity documents of any case"),
        ]
        indexes = [
            models.Index(fields=["request"], name="dsar_doc_live_idx", condition=Q(deleted_at__isnull=True)),
            models.Index(fields=["retention_starts_at"], name="dsar_doc_purge_idx",
                         condition=Q(deleted_at__isnull=True, retention_starts_at__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True) | Q(file=""), name="dsar_doc_deleted_has_no_file"
            ),
        ]

    def __str__(self):
        return self.original_name


class DocumentAccessLog(models.Model):
    """Who viewed which identity document, when. Append-only; never edited."""

    id = models.BigAutoField(primary_key=True)
    document = models.ForeignKey(
        IdentityDocument, verbose_name=_("identity document"), on_delete=models.PROTECT, related_name="access_log"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("viewed at"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("document access")
        verbose_name_plural = _("document access log")
        ordering = ["-at", "-id"]
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["document", "-at"], name="dsar_doclog_doc_idx"),
            models.Index(fields=["user", "-at"], name="dsar_doclog_user_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} → {self.document_id}"


class Task(VersionedModel):
    """Work for one system/service owner or processor on one case.

    A title the system generates (``case_tasks.tasks_create_for_services``) is stored as a message id
    and its parameters and shown in the reader's language (``title_text``); ``title`` then keeps it
    as rendered for whoever created it (history, search). A title a person typed has no message id
    and is shown as typed; editing a generated title makes it typed."""

    request = models.ForeignKey(RightsRequest, verbose_name=_("rights request"), on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField(_("task"), max_length=300)
    title_message = models.CharField(_("title (message id)"), max_length=300, blank=True, editable=False)
    title_params = models.JSONField(_("title (details)"), default=dict, blank=True, editable=False)
    service = models.ForeignKey(
        "inventory_app.Service", verbose_name=_("service"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    processor = models.ForeignKey(
        "inventory_app.Recipient", verbose_name=_("processor / recipient"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="rights_request_tasks",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    history = audited_history()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["done", "due_on", "id"]
        indexes = [
            models.Index(fields=["request"], name="dsar_task_open_idx", condition=Q(done=False)),
            models.Index(fields=["owner", "due_on"], name="dsar_task_owner_idx", condition=Q(done=False)),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(done=False) | Q(done_at__isnull=False), name="dsar_task_done_at"),
        ]

    def __str__(self):
        return self.title_text

    @property
    def title_text(self) -> str:
        """The title in the reader's language (a generated one), or as typed."""
        if not self.title_message:
            return self.title
        return message_text(self.title_message, self.title_params) or self.title

    @property
    def title_param(self) -> str | dict:
        """The title as a timeline parameter: the message itself when generated, so each reader of
        "Task created: %(title)s" sees it in their language."""
        if not self.title_message:
            return self.title
        return {"message": self.title_message, "params": dict(self.title_params or {})}


class DraftKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("acknowledgement")
    IDENTITY_REQUEST = "identity_request", _("request for proof of identity")
    EXTENSION_NOTICE = "extension_notice", _("extension notice")
    ACCESS_RESPONSE = "access_response", _("access response")
    DELETION_CONFIRMATION = "deletion_confirmation", _("deletion confirmation")
    # The answer to every other request type (correction, objection, portability, opt-out, …):
    # what was done, in the staff member's words.
    RESPONSE = "response", _("response (what was done)")
    REFUSAL = "refusal", _("refusal")


class ResponseDraft(VersionedModel):
    request = models.ForeignKey(RightsRequest, verbose_name=_("rights request"), on_delete=models.PROTECT, related_name="drafts")
    kind = models.CharField(_("kind"), max_length=24, choices=DraftKind.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    # Frozen copy of what was sent: the editable body may differ only while nothing is sent.
    sent_subject = models.CharField(_("subject as sent"), max_length=300, blank=True, editable=False)
    sent_body = models.TextField(_("body as sent"), blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = audited_history()

    class Meta:
        verbose_name = _("response draft")
        verbose_name_plural = _("response drafts")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | ~Q(sent_body=""), name="dsar_draft_sent_is_frozen"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.language})"


def letter_attachment_path(instance, filename):
    # A random name: neither the requester's name nor the uploaded file's name reaches the disk.
    import uuid

    return f"letters/{instance.draft_id}/{uuid.uuid4().hex}"


class ResponseDraftAttachment(VersionedModel):
    """A file a letter names ("Attachment 1: ..." / "附件一：..."), e-mailed with it: the copy of the
    personal information of an access response, for instance. Added while the letter is unsent;
    frozen with it once sent (``letter_attachments``)."""

    draft = models.ForeignKey(
        ResponseDraft, verbose_name=_("response draft"), on_delete=models.PROTECT, related_name="attachments"
    )
    position = models.PositiveSmallIntegerField(_("attachment number"), default=1)
    name = models.CharField(_("name shown to the requester"), max_length=200)
    file = models.FileField(_("file"), upload_to=letter_attachment_path, storage=private_storage, max_length=300,
                            blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.PROTECT,
        related_name="+", editable=False,
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), null=True, editable=False)

    history = audited_history()

    class Meta:
        verbose_name = _("letter attachment")
        verbose_name_plural = _("letter attachments")
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class TimelineEntry(TimelineEntryBase):
    """Everything that happened to a case, in order. Append-only, written by the services
    (``case_writes.timeline_add``); the shape (message id, params, note, by) is the office's one timeline."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("registered")
        STATUS = "status", _("status changed")
        ASSIGNED = "assigned", _("assigned")
        IDENTITY = "identity", _("identity")
        DOCUMENT = "document", _("document")
        CLOCK = "clock", _("clock")
        EXTENSION = "extension", _("extension")
        TASK = "task", _("task")
        DRAFT = "draft", _("draft")
        EDIT = "edit", _("edited")
        ERASURE = "erasure", _("personal data erased")
        REFUSAL = "refusal", _("refusal")
        REOPENED = "reopened", _("re-opened")
        MAIL = "mail", _("e-mail")

    # Parameters stored as a choice's value and shown with its label in the reader's language.
    PARAM_CHOICES = {
        "from_status": Status, "to_status": Status, "kind": DraftKind, "method": IdentityMethod,
        "outcome": IdentityCheck.Outcome, "channel": Channel,
        "relationship": Relationship,
    }

    request = models.ForeignKey(RightsRequest, verbose_name=_("rights request"), on_delete=models.PROTECT, related_name="timeline")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)

    @property
    def text(self) -> str:
        """The system's message in the reader's language, the rule it quotes too (stored as the clocks
        wrote it, in English: rule_phrases.py)."""
        if not self.message:
            return ""
        params = dict(self.params or {})
        if isinstance(params.get("rule"), str):
            params["rule"] = rule_display(params["rule"])
        return message_text(self.message, params, choices=self.PARAM_CHOICES)

    class Meta(TimelineEntryBase.Meta):
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline")
        indexes = [models.Index(fields=["request", "at", "id"], name="dsar_timeline_idx")]


# ------------------------------------------------------------------------------------------------
# the public request form (requests_app/public_form.py): a submission waits for its sender to
# confirm the e-mail address; only then does it become a case, received at the confirmation
# ------------------------------------------------------------------------------------------------


class PublicSubmission(models.Model):
    """A request sent with the public form, waiting for the link in the e-mail to be confirmed.

    Unconfirmed, it is deleted (files too) once it expires (``public_form.submissions_delete_expired``).
    Confirmed, it keeps only the link to its case: the requester's details live on the case, where
    the retention and erasure rules reach them, so nothing personal stays here."""

    # The signed link names the row and this random value: a link for a deleted and re-used id fails.
    nonce = models.CharField(_("nonce"), max_length=32, unique=True, editable=False)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    requester_name = models.CharField(_("requester name"), max_length=200, blank=True)
    requester_email = models.EmailField(_("requester e-mail"), max_length=254, blank=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    relationship = models.CharField(
        _("relationship to the data subject"), max_length=20, choices=Relationship.choices, default=Relationship.SELF
    )
    data_subject_name = models.CharField(_("data subject (when acting for someone else)"), max_length=200, blank=True)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=8, choices=Jurisdiction.choices)
    request_type = models.CharField(_("request type"), max_length=32, choices=RequestType.choices)
    requester_time_zone = models.CharField(_("requester's time zone"), max_length=64, blank=True)
    description = models.TextField(_("request as received"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    expires_at = models.DateTimeField(_("link expires at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    case = models.OneToOneField(
        RightsRequest, verbose_name=_("rights request"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="public_submission",
    )

    class Meta:
        verbose_name = _("public form submission")
        verbose_name_plural = _("public form submissions")
        default_permissions = ()
        indexes = [
            models.Index(fields=["expires_at"], name="dsar_public_unconfirmed_idx", condition=Q(case__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=True, confirmed_at__isnull=True)
                | Q(case__isnull=False, confirmed_at__isnull=False),
                name="dsar_public_confirmed_iff_case",
            ),
        ]

    def __str__(self):
        return f"{self.pk} ({self.case or '…'})"


class PublicAttachment(models.Model):
    """A file sent with a submission: an identity document or the proof of authority of an agent or a
    relative. It becomes an identity document of the case when the submission is confirmed."""

    class Purpose(models.TextChoices):
        IDENTITY = "identity", _("identity document")
        AUTHORITY = "authority", _("proof of authority")

    submission = models.ForeignKey(
        PublicSubmission, verbose_name=_("public form submission"), on_delete=models.CASCADE, related_name="attachments",
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    # A random name: neither the requester's name nor the sender's file name reaches the disk.
    file = models.FileField(_("file"), upload_to="public-form/", storage=private_storage, max_length=300)
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))

    class Meta:
        verbose_name = _("public form attachment")
        verbose_name_plural = _("public form attachments")
        default_permissions = ()
        ordering = ["id"]

    def __str__(self):
        return self.original_name


# The privacy mailbox's records (received and sent e-mail) live in their own module.
from .mailbox_models import InboundMessage, OutboundEmail  # noqa: E402,F401
