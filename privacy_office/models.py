import zoneinfo

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .history import audited_history
from .messages import message_text


class VersionedModel(models.Model):
    """Optimistic concurrency for regulated records.

    The admin form carries the version the user loaded; a save against a newer row is refused
    with what changed (see ``admin_base.AuditedAdmin``). Every save moves the version on.
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            self.version = (self.version or 0) + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "version" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "version"]
        super().save(*args, **kwargs)


class TimelineEntryBase(models.Model):
    """The shape of every timeline (a case's, an incident's): append-only rows, never versioned.

    ``message`` is an untranslated English message id written by the system (marked with
    ``gettext_noop``) and ``params`` its values, so each reader sees the entry in their own language;
    ``note`` holds a person's own words, shown as typed. Subclasses add the foreign key to their
    record, the ``Kind`` choices and ``PARAM_CHOICES`` (parameter name -> TextChoices shown by label).
    """

    PARAM_CHOICES: dict = {}

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("when"))
    message = models.CharField(_("message"), max_length=300, blank=True)
    params = models.JSONField(_("details"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    # PROTECT: who did what stays on the record; staff accounts are deactivated, never deleted.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["at", "id"]
        default_permissions = ("view",)

    def __str__(self):
        return (self.text or self.note)[:80]

    @property
    def text(self) -> str:
        """The system's message in the reader's language (empty for an entry that is only a note)."""
        return message_text(self.message, self.params, choices=self.PARAM_CHOICES) if self.message else ""


class AuditLogEntry(models.Model):
    """One change to one regulated record, copied from its simple-history row with the diff.

    The per-model history tables stay the source of truth; this table is the index managers
    read across all models, newest first, filtered by model, user and date.
    """

    class Action(models.TextChoices):
        CREATED = "+", _("created")
        CHANGED = "~", _("changed")
        DELETED = "-", _("deleted")

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("when"), db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", db_constraint=False,
    )
    # The actor's username when the entry was written: staff accounts are deactivated, not deleted,
    # but if one is removed by other means the entry (and the history page) still says who acted.
    user_name = models.CharField(_("user name"), max_length=150, blank=True)
    content_type = models.ForeignKey(ContentType, verbose_name=_("record type"), on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(_("record id"), max_length=64)
    object_repr = models.CharField(_("record"), max_length=300)
    action = models.CharField(_("action"), max_length=1, choices=Action.choices)
    reason = models.TextField(_("reason for change"), blank=True)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    # Empty for changes to staff accounts (auth users keep no per-model history; see services.py).
    history_id = models.BigIntegerField(_("history id"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["-at", "-id"], name="audit_at_idx"),
            models.Index(fields=["user", "-at", "-id"], name="audit_user_at_idx"),
            models.Index(fields=["content_type", "-at", "-id"], name="audit_ct_at_idx"),
            models.Index(fields=["content_type", "object_id", "-at"], name="audit_object_idx"),
            # The "action" filter (e.g. deleted: a few rows among millions) in the list's order.
            models.Index(fields=["action", "-at", "-id"], name="audit_action_at_idx"),
            # Lookup by record name (the list's exact search, "=object_repr").
            models.Index(fields=["object_repr", "-at"], name="audit_repr_idx"),
        ]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.object_repr}"


class AuditReview(VersionedModel):
    """A manager's attestation that they reviewed the audit log for a period, through the filters
    they read it with.

    Recorded once by ``audit_reviews.audit_review_record`` with the number of audit entries the
    period and filters covered and a digest of them, and never edited or deleted: a correction is
    a new review that names the one it supersedes.
    """

    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    # The audit log's filters the review covered, as fields (empty: every user, type or action).
    filter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changes by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    filter_record_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    filter_action = models.CharField(_("action"), max_length=1, choices=AuditLogEntry.Action.choices, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.PROTECT, related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), auto_now_add=True)
    # Null on reviews recorded before the count and digest were kept (migration 0009): what they
    # covered then cannot be known now, so nothing is computed for them after the fact.
    entry_count = models.PositiveIntegerField(_("audit entries covered"), null=True, blank=True, editable=False)
    digest = models.CharField(_("digest of the entries covered (SHA-256)"), max_length=64, blank=True, editable=False)
    supersedes = models.ForeignKey(
        "self", verbose_name=_("corrects (supersedes)"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    # The audit log's query string, as reviews recorded before the filters were fields kept it.
    scope = models.CharField(_("filters as recorded before they were fields"), max_length=300, blank=True,
                             editable=False)
    remark = models.TextField(_("remark"), blank=True)

    history = audited_history()

    class Meta:
        verbose_name = _("audit review")
        verbose_name_plural = _("audit reviews")
        ordering = ["-reviewed_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="audit_review_period_order"
            ),
            # A review is corrected once; a later correction supersedes the correction.
            models.UniqueConstraint(fields=["supersedes"], name="audit_review_superseded_once"),
        ]

    def __str__(self):
        return f"{self.period_start} – {self.period_end}"

    def clean(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period must end on or after its start.")})


def validate_time_zone_name(value: str) -> None:
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(zone)s” is not a time zone name (e.g. Europe/Berlin, Asia/Shanghai)."),
                              params={"zone": value}, code="time_zone")


class StaffProfile(models.Model):
    """Per-person settings the office needs: the language reminders and digests are written in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="privacy_profile"
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    # Blank: the office's zone (TIME_ZONE). A manager in Berlin reads and types the 72-hour EU
    # clock in Berlin time, not Shanghai time.
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_time_zone_name],
        help_text=_("Times are shown and entered in this zone (e.g. Europe/Berlin). Empty: the office's zone."),
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self):
        return str(self.user)


def user_time_zone_name(user) -> str:
    """The zone ``user`` reads and types times in (their profile, else the office's)."""
    profile = getattr(user, "privacy_profile", None) if user is not None else None
    return (profile.time_zone if profile is not None else "") or settings.TIME_ZONE


def user_language(user) -> str:
    """The language to write to ``user`` in (their profile, else the site default)."""
    profile = getattr(user, "privacy_profile", None) if user is not None else None
    return profile.language if profile is not None else settings.LANGUAGE_CODE


class ReminderQuerySet(models.QuerySet):
    def unsent(self):
        return self.filter(status__in=(Reminder.Status.PENDING, Reminder.Status.RETRYING, Reminder.Status.FAILED))


class ReminderKind(models.TextChoices):
    """Every kind of reminder, named for the reminder log. The field keeps the code (each app's
    reminders.py registers the kinds it sends and ``templates/reminders/<kind>.*.txt`` words them);
    a code missing here shows as it is."""

    DSAR_ACK_DUE = "dsar_ack_due", _("case: acknowledgement due")
    DSAR_DUE_BEFORE = "dsar_due_before", _("case: due soon")
    DSAR_DUE_TODAY = "dsar_due_today", _("case: due today")
    DSAR_OVERDUE = "dsar_overdue", _("case: overdue")
    DSAR_OVERDUE_ESCALATION = "dsar_overdue_escalation", _("case: overdue, escalated to the manager")
    DSAR_IDENTITY_CHASER = "dsar_identity_chaser", _("case: identity proof still missing")
    DSAR_EXTENSION_LAST_CHANCE = "dsar_extension_last_chance", _("case: last day to extend")
    OBLIGATION_WINDOW = "obligation_window", _("notification: share of the time used")
    OBLIGATION_EXPIRED = "obligation_expired", _("notification: deadline passed")
    OBLIGATION_IMMEDIATE = "obligation_immediate", _("notification: due immediately")
    PIA_OUTDATED = "pia_outdated", _("impact assessment: outdated")
    PIA_REVIEW_DUE = "pia_review_due", _("impact assessment: review due")
    XB_FILING_DUE = "xb_filing_due", _("cross-border: filing due")
    XB_RENEWAL_WINDOW = "xb_renewal_window", _("cross-border: renewal window open")
    AUDIT_REMEDIATION_DUE = "audit_remediation_due", _("audit: remediation due")
    AUDIT_REMEDIATION_OVERDUE = "audit_remediation_overdue", _("audit: remediation overdue")
    AUDIT_DEADLINE_BEFORE = "audit_deadline_before", _("audit: deadline soon")
    AUDIT_DEADLINE_TODAY = "audit_deadline_today", _("audit: deadline today")
    AUDIT_DEADLINE_OVERDUE = "audit_deadline_overdue", _("audit: deadline passed")
    WEEKLY_DIGEST = "weekly_digest", _("weekly digest")
    MANAGER_SUMMARY = "manager_summary", _("manager's summary")

    @classmethod
    def label_of(cls, code: str) -> str:
        return str(cls(code).label) if code in cls.values else code


class Reminder(models.Model):
    """One reminder e-mail to one person about one thing at one threshold, recorded once.

    The unique constraint is what makes reminders exactly-once: a sweep that runs twice, two
    beat instances, or a retried task can only ever find the row that is already there.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        RETRYING = "retrying", _("retrying")
        FAILED = "failed", _("failed")

    id = models.BigAutoField(primary_key=True)
    content_type = models.ForeignKey(ContentType, verbose_name=_("about"), on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField(_("record id"))
    kind = models.CharField(_("kind"), max_length=40)
    threshold = models.CharField(_("threshold"), max_length=40, blank=True, default="")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    enqueued_at = models.DateTimeField(_("enqueued at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    late = models.BooleanField(_("sent late"), default=False, help_text=_("Its moment passed while the system was down."))
    language = models.CharField(_("language"), max_length=10, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)

    target = GenericForeignKey("content_type", "object_id")
    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminder log")
        ordering = ["-due_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind", "threshold", "recipient"], name="reminder_once",
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-due_at"], name="reminder_target_idx"),
            models.Index(fields=["status", "due_at"], name="reminder_status_idx"),
            # What the sweep hands to the broker: the few unsent among millions sent.
            models.Index(fields=["due_at"], name="reminder_unsent_idx",
                         condition=models.Q(status__in=["pending", "retrying", "failed"])),
            # The reminder log in its order, and its "kind" filter.
            models.Index(fields=["-due_at", "-id"], name="reminder_log_idx"),
            models.Index(fields=["kind", "-due_at", "-id"], name="reminder_kind_idx"),
        ]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.kind} {self.threshold} → {self.recipient_id}"


class SweepState(models.Model):
    """How far the reminder sweep has looked, so each minute reads only what a new moment concerns."""

    name = models.CharField(max_length=40, primary_key=True)
    swept_until = models.DateTimeField()
    reconciled_at = models.DateTimeField()

    class Meta:
        verbose_name = _("reminder sweep state")
        default_permissions = ()


class RulesFingerprint(models.Model):
    """The digest of the legal rules (clock modules, rule tables, holiday calendars) that the stored
    due dates and obligation deadlines were last computed with; ``recompute_clocks
    --if-rules-changed`` (run on deploy) recomputes every open clock when it differs."""

    name = models.CharField(max_length=40, primary_key=True)
    digest = models.CharField(max_length=64)
    applied_at = models.DateTimeField()

    class Meta:
        verbose_name = _("legal rules fingerprint")
        default_permissions = ()


class ExportJob(models.Model):
    """An admin export too large to build while the person waits: written by the Celery worker to
    private storage, downloaded by the person who asked (and nobody else) until it expires.

    Keeps what the export was of (the admin list's filters and search as its query string, the
    resource, the ticked columns, the format) so the file holds exactly what the list showed, in
    the language and time zone of the page it was asked from."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("being written")
        DONE = "done", _("ready to download")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("expired (file deleted)")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    id = models.BigAutoField(primary_key=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"))
    content_type = models.ForeignKey(ContentType, verbose_name=_("records"), on_delete=models.PROTECT, related_name="+")
    query = models.TextField(_("filters and search"), blank=True)
    resource_index = models.PositiveSmallIntegerField(default=0)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    # The ids ticked on the list (the export action), else null: the whole filtered list.
    selected_ids = models.JSONField(null=True, blank=True)
    file_format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    language = models.CharField(_("language"), max_length=10)
    time_zone = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("available until"), null=True, blank=True)
    # Never the exception's text (it can quote a record's content): the record type and id only.
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "-requested_at"], name="export_owner_idx"),
            models.Index(fields=["expires_at"], name="export_expiry_idx", condition=models.Q(status="done")),
        ]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.content_type.model} {self.file_format} #{self.pk}"


class SentDocumentQuerySet(models.QuerySet):
    def for_record(self, record):
        return self.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)

    # What went out is evidence (GDPR Art. 5(2), Art. 33(5); PIPL Art. 54 audits): never changed,
    # never removed, not even in bulk.
    def update(self, **kwargs):
        raise ValidationError(_("A document as sent is never changed."), code="frozen")

    def delete(self):
        raise ValidationError(_("A document as sent is never deleted."), code="frozen")

    def erase_personal_data(self, *, now) -> int:
        """The one change a sent document allows: its bytes go when its case's personal data is
        erased after the retention period (GDPR Art. 5(1)(e), PIPL Art. 47); the row, the
        hashes (proof of what was sent) and the time of erasure stay."""
        return models.QuerySet.update(self, docx=b"", pdf=b"", erased_at=now)


class SentDocument(models.Model):
    """The .docx and PDF of a letter, notice or report exactly as sent, frozen when it was marked
    sent (``services.sent_document_freeze``): every later download serves these bytes, whatever
    changes afterwards in the inventory's letterhead or in the templates. One row per sent draft;
    a row is written once and then refuses every change and deletion, save the erasure of a
    case's personal data after retention (``SentDocumentQuerySet.erase_personal_data``)."""

    content_type = models.ForeignKey(ContentType, verbose_name=_("record type"), on_delete=models.PROTECT,
                                     related_name="+")
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    language = models.CharField(_("language"), max_length=10)
    file_name = models.CharField(_("file name (without extension)"), max_length=200)
    docx = models.BinaryField(_(".docx as sent"))
    pdf = models.BinaryField(_("PDF as sent"))
    docx_sha256 = models.CharField(_("SHA-256 of the .docx"), max_length=64)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)
    frozen_at = models.DateTimeField(_("frozen at"))
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("frozen by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    objects = SentDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document as sent")
        verbose_name_plural = _("documents as sent")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="sent_document_one_per_record"),
        ]

    def __str__(self):
        return self.file_name

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("A document as sent is never changed."), code="frozen")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A document as sent is never deleted."), code="frozen")
