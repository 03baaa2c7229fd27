"""The privacy mailbox's records: every message read from an IMAP mailbox (``InboundMessage``) and
every letter sent by e-mail from a case (``OutboundEmail``). Imported by ``models.py``.

Exactly once: a message is identified by (mailbox, its Message-ID) - or, when it has none, a hash
of its raw bytes - and a unique constraint on that pair makes a second import (two workers polling
at once, a poll repeated after a dropped connection) a no-op (mailbox_intake.intake_message).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy_office.history import audited_history

from .models import Jurisdiction, RequestType, ResponseDraft, RightsRequest, private_storage


def raw_message_path(instance, filename):
    # No personal data in the path (the sender's address stays out of file names and logs).
    return f"mailbox/{instance.mailbox}/{timezone.now():%Y%m%d%H%M%S}-{filename[-60:]}"


class InboundMessage(models.Model):
    class Kind(models.TextChoices):
        REQUEST = "request", _("new request (a case was opened)")
        REPLY = "reply", _("reply on a case")
        AUTO_REPLY = "auto_reply", _("automatic reply (not a request)")
        BOUNCE = "bounce", _("delivery failure report (not a request)")
        SPAM = "spam", _("spam (not a request)")
        REVIEW = "review", _("could not be filed: needs review")

    class Awaited(models.TextChoices):
        """What the case was waiting for from the requester when the message arrived."""
        NONE = "", _("nothing")
        IDENTITY = "identity", _("proof of identity")
        CLARIFICATION = "clarification", _("clarification")

    id = models.BigAutoField(primary_key=True)
    mailbox = models.CharField(_("mailbox"), max_length=50)
    # The Message-ID without its angle brackets, or "sha256:<hex>" of the raw bytes when it has none.
    message_key = models.CharField(_("message key"), max_length=255)
    imap_uid = models.CharField(_("IMAP UID"), max_length=20, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    received_at = models.DateTimeField(_("received at"))
    imported_at = models.DateTimeField(_("imported at"))
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    from_name = models.CharField(_("sender name"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    body = models.TextField(_("text"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    in_reply_to = models.CharField(_("in reply to"), max_length=255, blank=True)
    references = models.TextField(_("references"), blank=True)
    # What happened to each attachment: [{name, content_type, size, outcome, document}].
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    request = models.ForeignKey(
        RightsRequest, verbose_name=_("rights request"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="inbound_messages",
    )
    # Kept only when something could not be filed (review queue), so nothing is ever lost.
    raw = models.FileField(_("raw message"), upload_to=raw_message_path, storage=private_storage, max_length=300,
                           blank=True)
    review_reason = models.CharField(_("why it needs review"), max_length=300, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    # A reply that arrived while the case waited for proof of identity or a clarification; one
    # click records it with this message's received time (mailbox_intake.intake_record_answer).
    awaited = models.CharField(_("case was waiting for"), max_length=16, choices=Awaited.choices, blank=True)
    answer_recorded_at = models.DateTimeField(_("answer recorded at"), null=True, blank=True)
    answer_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answer recorded by"),
                                           null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # A new request: jurisdiction and type are suggested from the message until staff confirm them.
    suggested_jurisdiction = models.CharField(_("suggested jurisdiction"), max_length=8, blank=True,
                                              choices=Jurisdiction.choices)
    suggested_type = models.CharField(_("suggested request type"), max_length=32, blank=True,
                                      choices=RequestType.choices)
    suggestion_reasons = models.JSONField(_("why suggested"), default=list, blank=True)
    suggestion_confirmed_at = models.DateTimeField(_("suggestion confirmed at"), null=True, blank=True)
    suggestion_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("suggestion confirmed by"),
                                                null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    history = audited_history(excluded_fields=["body", "references"])

    class Meta:
        verbose_name = _("received e-mail")
        verbose_name_plural = _("received e-mails")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["request", "received_at"], name="dsar_inbound_case_idx"),
            models.Index(fields=["received_at"], name="dsar_inbound_review_idx",
                         condition=~Q(review_reason="") & Q(reviewed_at__isnull=True)),
        ]
        constraints = [
            # Exactly once per mailbox, whoever polls and however often.
            models.UniqueConstraint(fields=["mailbox", "message_key"], name="dsar_inbound_once"),
            models.CheckConstraint(
                condition=~Q(kind__in=["request", "reply"]) | Q(request__isnull=False), name="dsar_inbound_filed_on_case",
            ),
        ]

    def __str__(self):
        return f"{self.mailbox}: {self.subject[:60] or '—'}"

    @property
    def in_review(self) -> bool:
        return bool(self.review_reason) and self.reviewed_at is None

    @property
    def answer_pending(self) -> bool:
        return bool(self.awaited) and self.answer_recorded_at is None


class OutboundEmail(models.Model):
    """A letter as it was actually sent by e-mail: what went over SMTP, never edited."""

    id = models.BigAutoField(primary_key=True)
    draft = models.ForeignKey(ResponseDraft, verbose_name=_("letter"), on_delete=models.PROTECT, related_name="emails")
    request = models.ForeignKey(RightsRequest, verbose_name=_("rights request"), on_delete=models.PROTECT,
                                related_name="outbound_emails")
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    in_reply_to = models.CharField(_("in reply to"), max_length=255, blank=True)
    sent_at = models.DateTimeField(_("sent at"))
    from_address = models.CharField(_("from"), max_length=254)
    recipients = models.JSONField(_("recipients"), default=list)
    subject = models.CharField(_("subject"), max_length=500)
    text = models.TextField(_("text"))
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("sent e-mail")
        verbose_name_plural = _("sent e-mails")
        ordering = ["-sent_at", "-id"]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.sent_at:%Y-%m-%d %H:%M} {self.subject[:60]}"
