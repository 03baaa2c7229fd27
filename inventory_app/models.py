"""The record of processing activities (GDPR Art. 30, PIPL Art. 55–56).

Every row a regulator could ask about is a ``VersionedModel`` with audited history. Natural keys
(``code``) are what the import files and the seed files match on, so an edited export updates in
place instead of duplicating.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from privacy_office.history import audited_history
from privacy_office.models import VersionedModel


class Controller(VersionedModel):
    """A legal entity that decides why and how personal information is processed."""

    class Serves(models.TextChoices):
        # Which individuals the entity is the controller for: a letter to a requester describes the
        # processing of the entity that serves the requester, under the requester's law.
        MAINLAND_CHINA = "cn", _("individuals in mainland China (PIPL)")
        ELSEWHERE = "global", _("individuals outside mainland China")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    role = models.CharField(
        _("role"), max_length=300, blank=True,
        help_text=_("E.g. personal information handler; operator of value-added telecom services."),
    )
    address = models.TextField(_("address"), blank=True)
    # An English letter or report carries the English address on its letterhead.
    address_en = models.TextField(_("address in English"), blank=True,
                                  help_text=_("Empty: English documents show the address above."))
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    dpo_name = models.CharField(_("DPO / privacy contact"), max_length=200, blank=True)
    dpo_email = models.EmailField(_("DPO / privacy contact e-mail"), blank=True)
    serves = models.CharField(
        _("controller for"), max_length=10, choices=Serves.choices, default=Serves.MAINLAND_CHINA,
        help_text=_("Whose requests it answers: an access reply lists only the activities of the entities "
                    "that serve the requester."),
    )
    # Cross-border facts (governance-cn.md §2.1, §2.2). Unknown (empty) is "not yet assessed": the
    # engine then answers "needs decision", never "exempt".
    cii_operator = models.BooleanField(
        _("critical information infrastructure operator"), null=True, blank=True,
        help_text=_("Empty: not yet assessed."),
    )
    important_data = models.BooleanField(
        _("exports data notified or published as important data"), null=True, blank=True,
        help_text=_("Empty: not yet assessed."),
    )
    # The PI protection officer's report to the city-level CAC (governance-cn.md §4.3, §4.4); the
    # officer is ``dpo_name`` / ``dpo_email``.
    pipo_reported_on = models.DateField(_("officer reported to the CAC on"), null=True, blank=True)
    pipo_changed_on = models.DateField(
        _("officer information changed on"), null=True, blank=True,
        help_text=_("A material change (person, contact details, handler name) to report within 30 working days."),
    )
    pipo_change_reported_on = models.DateField(_("change reported on"), null=True, blank=True)
    # GDPR Art. 27: a controller not established in the Union that offers goods or services to people
    # in it designates in writing a representative in a Member State where they are; the
    # representative is named in the Art. 30(1)(a) record and in breach reports to the authorities.
    eu_representative = models.CharField(
        _("EU representative (GDPR Art. 27)"), max_length=200, blank=True,
        help_text=_("Name of the representative in the Union; empty: none designated (an EU establishment, "
                    "or no offer to people in the EU)."),
    )
    eu_representative_contact = models.TextField(
        _("EU representative's address and contact"), blank=True,
        help_text=_("Postal address in the Member State and e-mail, as given to the supervisory authorities."),
    )

    history = audited_history()

    class Meta:
        verbose_name = _("controller")
        verbose_name_plural = _("controllers")
        ordering = ["code"]

    def __str__(self):
        return self.name_zh or self.name_en

    @property
    def eu_representative_text(self) -> str:
        """The Art. 27 representative with their contact on one line, or "" when none is recorded."""
        contact = " ".join(self.eu_representative_contact.split())
        return ", ".join(part for part in (self.eu_representative.strip(), contact) if part)


class DataLocation(VersionedModel):
    """A data centre where personal information is stored (seed 003: "How We Store")."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    country = models.CharField(_("country (ISO code)"), max_length=2)
    description = models.TextField(_("description"), blank=True)

    history = audited_history()

    class Meta:
        verbose_name = _("data location")
        verbose_name_plural = _("data locations")
        ordering = ["code"]

    def __str__(self):
        return self.name_zh or self.name_en


class Service(VersionedModel):
    class Audience(models.TextChoices):
        INDIVIDUAL = "individual", _("individual users")
        ENTERPRISE = "enterprise", _("enterprise users")
        INSTALLER = "installer", _("installers and service providers")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.INDIVIDUAL)
    region = models.CharField(_("region"), max_length=100, blank=True)
    url = models.URLField(_("URL"), blank=True)
    controller = models.ForeignKey(
        Controller, verbose_name=_("controller"), on_delete=models.PROTECT, related_name="services",
    )

    history = audited_history()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["code"]

    def __str__(self):
        return self.name_zh or self.name_en

    @property
    def region_label(self) -> str:
        """The region in the reader's language where it is one the inventory uses (the seed writes
        中国大陆 and Global); any other region shows as typed."""
        return str(SERVICE_REGION_NAMES.get(self.region.strip().casefold(), self.region))


SERVICE_REGION_NAMES = {
    "中国大陆": _("Mainland China"), "mainland china": _("Mainland China"),
    "global": _("global"), "全球": _("global"),
}


class DataField(VersionedModel):
    """One kind of personal information, as the policy names it. Used by many activities."""

    class Category(models.TextChoices):
        IDENTIFIER = "identifier", _("identifier")
        CONTACT = "contact", _("contact details")
        CREDENTIAL = "credential", _("account credential")
        PROFILE = "profile", _("profile")
        DEVICE = "device", _("device information")
        LOCATION = "location", _("location")
        ENTERPRISE = "enterprise", _("enterprise / KYC")
        FINANCIAL = "financial", _("financial")
        TRANSACTION = "transaction", _("orders and transactions")
        PROJECT = "project", _("project and premises")
        CONTENT = "content", _("content and communications")
        USAGE = "usage", _("usage and logs")
        BIOMETRIC = "biometric", _("biometric")
        OTHER = "other", _("other")

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, db_index=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True, db_index=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.OTHER)
    # PIPL Art. 28: biometrics, religion, specific identity, medical health, financial accounts,
    # whereabouts, minors under 14 — and whatever the policy itself marks (bold-underlined in seed 000).
    sensitive = models.BooleanField(_("sensitive personal information"), default=False)
    description = models.TextField(_("description"), blank=True)
    # Letters to individuals name each kind of information once: the policy's near-duplicates
    # (邮箱地址, 电子邮箱, 电子邮件地址) share one normalised name.
    normalised_name_zh = models.CharField(
        _("normalised name (Chinese)"), max_length=200, blank=True,
        help_text=_("The name letters use; fields with the same normalised name are listed once. Empty: the name."),
    )
    normalised_name_en = models.CharField(_("normalised name (English)"), max_length=200, blank=True)

    history = audited_history()

    class Meta:
        verbose_name = _("data field")
        verbose_name_plural = _("data fields")
        ordering = ["code"]
        indexes = [models.Index(fields=["category", "sensitive"], name="inv_field_cat_sens_idx")]

    def __str__(self):
        return self.name_zh or self.name_en


class Recipient(VersionedModel):
    """Someone personal information is entrusted or provided to (PIPL Art. 21/23, GDPR Art. 30(1)(d))."""

    class Kind(models.TextChoices):
        SDK_VENDOR = "sdk", _("SDK vendor")
        PROCESSOR = "processor", _("processor / service provider")
        SIGN_IN = "sign_in", _("third-party sign-in")
        ADVERTISING = "advertising", _("advertising and analytics provider")
        AFFILIATE = "affiliate", _("affiliate")
        AUTHORITY = "authority", _("public authority")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    purpose = models.TextField(_("purpose"), blank=True, help_text=_("In Chinese."))
    purpose_en = models.TextField(_("purpose (English)"), blank=True)
    # CCPA: selling (Civ. Code §1798.140(ad)) or sharing for cross-context behavioural advertising
    # (§1798.140(ah)); an opt-out is passed on to these recipients (11 CCR §7026(f)).
    sale_or_sharing = models.BooleanField(
        _("personal information sold or shared for advertising"), default=False, db_index=True,
        help_text=_("Sold to it, or shared with it for cross-context behavioural advertising: opt-out requests "
                    "are passed on to it."),
    )
    fields_shared = models.ManyToManyField(
        DataField, verbose_name=_("fields shared"), blank=True, related_name="recipients",
    )
    country = models.CharField(_("country (ISO code)"), max_length=2, blank=True)
    policy_url = models.URLField(_("privacy policy URL"), blank=True)

    history = audited_history()

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["code"]

    def __str__(self):
        return self.name


def pia_triggers(
    *, has_sensitive: bool, has_recipients: bool, has_cross_border: bool, automated_decision: bool
) -> list[str]:
    """The PIPL Art. 55 grounds that make a personal-information impact assessment mandatory.

    Art. 55(1) sensitive personal information; (2) automated decision-making; (3) entrusting
    processing, providing to another handler, or publishing; (4) providing abroad. An empty list
    means no assessment is required by Art. 55 (Art. 55(5) "major impact" stays a human call).
    """
    reasons = []
    if has_sensitive:
        reasons.append(str(_("sensitive personal information (PIPL Art. 55(1))")))
    if automated_decision:
        reasons.append(str(_("automated decision-making (PIPL Art. 55(2))")))
    if has_recipients:
        reasons.append(str(_("entrusted to or provided to others (PIPL Art. 55(3))")))
    if has_cross_border:
        reasons.append(str(_("cross-border provision (PIPL Art. 55(4))")))
    return reasons


class ProcessingActivityQuerySet(models.QuerySet):
    def with_pia_flags(self):
        """Annotates ``has_sensitive``, ``has_recipients``, ``has_cross_border`` and ``pia_required``.

        Computed in SQL from the current fields, recipients and transfers, so it can never go
        stale when a field is re-flagged as sensitive elsewhere.
        """
        sensitive = Exists(ActivityField.objects.filter(activity=OuterRef("pk"), field__sensitive=True))
        recipients = Exists(ProcessingActivity.recipients.through.objects.filter(processingactivity=OuterRef("pk")))
        cross_border = Exists(
            Transfer.objects.filter(activity=OuterRef("pk")).exclude(mechanism=Transfer.Mechanism.NONE)
        )
        return self.annotate(
            has_sensitive=sensitive,
            has_recipients=recipients,
            has_cross_border=cross_border,
        ).annotate(
            pia_required=models.ExpressionWrapper(
                Q(has_sensitive=True) | Q(has_recipients=True) | Q(has_cross_border=True)
                | Q(automated_decision=True),
                output_field=models.BooleanField(),
            )
        )

    def pia_required(self):
        """Activities for which PIPL Art. 55 requires an impact assessment."""
        return self.with_pia_flags().filter(pia_required=True)

    def pia_missing(self):
        """PIA required by PIPL Art. 55 but no completion date recorded."""
        return self.pia_required().filter(pia_completed_on__isnull=True)

    def using_field(self, field):
        """Activities that process ``field`` (a DataField or its pk)."""
        return self.filter(Exists(ActivityField.objects.filter(activity=OuterRef("pk"), field=field)))

    def with_sensitive_fields(self):
        return self.filter(Exists(ActivityField.objects.filter(activity=OuterRef("pk"), field__sensitive=True)))

    def with_cross_border(self):
        return self.filter(
            Exists(Transfer.objects.filter(activity=OuterRef("pk")).exclude(mechanism=Transfer.Mechanism.NONE))
        )

    def for_controller(self, controller):
        return self.filter(controller=controller)

    def for_service(self, service):
        return self.filter(Exists(
            ProcessingActivity.services.through.objects.filter(processingactivity=OuterRef("pk"), service=service)
        ))


class ProcessingActivity(VersionedModel):
    class PiplBasis(models.TextChoices):
        # PIPL Art. 13(1)–(7).
        CONSENT = "consent", _("consent of the individual (PIPL Art. 13(1))")
        CONTRACT = "contract", _("necessary to conclude or perform a contract / HR management (PIPL Art. 13(2))")
        LEGAL_DUTY = "legal_duty", _("necessary to fulfil a statutory duty or obligation (PIPL Art. 13(3))")
        EMERGENCY = "emergency", _("public health emergency or protection of life, health and property (PIPL Art. 13(4))")
        NEWS = "news", _("news reporting and public-opinion supervision in the public interest (PIPL Art. 13(5))")
        PUBLIC_INFO = "public_info", _("information already lawfully made public (PIPL Art. 13(6))")
        OTHER_LAW = "other_law", _("other circumstances provided by law (PIPL Art. 13(7))")

    class GdprBasis(models.TextChoices):
        # GDPR Art. 6(1), as seed 003 states them ("Performance of a contract", "Consent", ...).
        CONTRACT = "contract", _("performance of a contract (GDPR Art. 6(1)(b))")
        CONSENT = "consent", _("consent (GDPR Art. 6(1)(a))")
        LEGITIMATE_INTERESTS = "legitimate_interests", _("legitimate interests (GDPR Art. 6(1)(f))")
        LEGAL_OBLIGATION = "legal_obligation", _("legal obligation (GDPR Art. 6(1)(c))")
        VITAL_INTERESTS = "vital_interests", _("vital interests (GDPR Art. 6(1)(d))")
        PUBLIC_TASK = "public_task", _("public task (GDPR Art. 6(1)(e))")
        NOT_APPLICABLE = "n/a", _("not applicable (no EU processing)")

    code = models.SlugField(_("code"), max_length=80, unique=True)
    position = models.PositiveIntegerField(_("position in the policy"), default=0)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, db_index=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    purpose_zh = models.TextField(_("purpose (Chinese)"), blank=True)
    purpose_en = models.TextField(_("purpose (English)"), blank=True)
    controller = models.ForeignKey(
        Controller, verbose_name=_("controller"), on_delete=models.PROTECT, related_name="activities",
    )
    services = models.ManyToManyField(Service, verbose_name=_("services"), blank=True, related_name="activities")
    data_subjects = models.CharField(_("categories of data subjects"), max_length=300, blank=True)
    processing_method = models.CharField(
        _("processing method"), max_length=300, blank=True,
        help_text=_("PIPL Art. 17: collection, storage, use, provision …"),
    )
    pipl_basis = models.CharField(_("legal basis (PIPL)"), max_length=20, choices=PiplBasis.choices, db_index=True)
    # PIPL Art. 29 (sensitive), 23 (providing to another handler), 39 (abroad) need separate consent.
    separate_consent_required = models.BooleanField(_("separate consent required"), default=False)
    gdpr_basis = models.CharField(
        _("legal basis (GDPR)"), max_length=30, choices=GdprBasis.choices, default=GdprBasis.NOT_APPLICABLE,
        db_index=True,
    )
    retention = models.TextField(_("retention rule / erasure time limit"), blank=True, help_text=_("In Chinese."))
    retention_en = models.TextField(_("retention rule (English)"), blank=True)
    storage_locations = models.ManyToManyField(
        DataLocation, verbose_name=_("storage locations"), blank=True, related_name="activities",
    )
    recipients = models.ManyToManyField(
        Recipient, verbose_name=_("recipients and entrusted processors"), blank=True, related_name="activities",
    )
    security_measures = models.TextField(_("security measures"), blank=True)
    automated_decision = models.BooleanField(_("automated decision-making"), default=False)
    pia_completed_on = models.DateField(_("PIA completed on"), null=True, blank=True, db_index=True)
    source = models.CharField(_("source (policy and section)"), max_length=300, blank=True)

    history = audited_history()
    objects = ProcessingActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")
        ordering = ["position", "code"]
        indexes = [models.Index(fields=["position", "code"], name="inv_activity_order_idx")]

    def __str__(self):
        return self.name_zh or self.name_en

    def pia_reasons(self) -> list[str]:
        """Art. 55 grounds for this row (uses the annotations when the queryset has them)."""
        flags = {}
        for name, compute in (
            ("has_sensitive", lambda: self.fields.filter(field__sensitive=True).exists()),
            ("has_recipients", lambda: self.recipients.exists()),
            ("has_cross_border", lambda: self.transfers.exclude(mechanism=Transfer.Mechanism.NONE).exists()),
        ):
            flags[name] = getattr(self, name) if hasattr(self, name) else compute()
        return pia_triggers(automated_decision=self.automated_decision, **flags)


class ActivityField(VersionedModel):
    """A data field as one activity uses it: required or optional, under which heading."""

    activity = models.ForeignKey(
        ProcessingActivity, verbose_name=_("processing activity"), on_delete=models.CASCADE, related_name="fields",
    )
    field = models.ForeignKey(DataField, verbose_name=_("data field"), on_delete=models.PROTECT, related_name="uses")
    # The heading the policy lists the field under, e.g. 客户信息（姓名、电话、地址）: the same field
    # may appear twice in one activity under different headings (员工信息/企业信息 → 账号信息).
    group_zh = models.CharField(_("heading (Chinese)"), max_length=100, blank=True, default="")
    group_en = models.CharField(_("heading (English)"), max_length=100, blank=True, default="")
    detail_zh = models.CharField(
        _("detail shown in the policy"), max_length=300, blank=True, default="",
        help_text=_("Printed in brackets after the field name, e.g. 省市区."),
    )
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    note = models.CharField(_("note"), max_length=500, blank=True, default="")

    history = audited_history()

    class Meta:
        verbose_name = _("field of an activity")
        verbose_name_plural = _("fields of activities")
        ordering = ["activity", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "field", "group_zh"], name="inv_activity_field_unique"),
        ]
        indexes = [models.Index(fields=["field", "activity"], name="inv_af_field_activity_idx")]

    def __str__(self):
        # Only ids unless the relations are already loaded: bulk paths must not query per row.
        cache = self._state.fields_cache
        activity = cache["activity"].code if "activity" in cache else self.activity_id
        field = cache["field"].name_zh if "field" in cache else self.field_id
        return f"{activity} · {field}"


class SccModule(models.TextChoices):
    # Commission Implementing Decision (EU) 2021/914, Annex, Section I.
    C2C = "c2c", _("Module 1: controller to controller")
    C2P = "c2p", _("Module 2: controller to processor")
    P2P = "p2p", _("Module 3: processor to processor")
    P2C = "p2c", _("Module 4: processor to controller")


class Transfer(VersionedModel):
    """A cross-border provision of personal information (PIPL Ch. III, GDPR Ch. V)."""

    class Mechanism(models.TextChoices):
        SCC = "scc", _("EU Standard Contractual Clauses")
        PIPL_CONTRACT = "pipl_contract", _("PIPL standard contract (PIPL Art. 38(1)(3))")
        CAC_ASSESSMENT = "cac_assessment", _("CAC security assessment (PIPL Art. 38(1)(1))")
        CERTIFICATION = "certification", _("personal information protection certification (PIPL Art. 38(1)(2))")
        ADEQUACY = "adequacy", _("adequacy decision (GDPR Art. 45)")
        NONE = "none", _("none")

    activity = models.ForeignKey(
        ProcessingActivity, verbose_name=_("processing activity"), on_delete=models.CASCADE, related_name="transfers",
    )
    destination_country = models.CharField(_("destination country (ISO code)"), max_length=2)
    mechanism = models.CharField(_("transfer mechanism"), max_length=20, choices=Mechanism.choices, db_index=True)
    recipient = models.ForeignKey(
        Recipient, verbose_name=_("recipient"), null=True, blank=True, on_delete=models.SET_NULL, related_name="transfers",
    )
    location = models.ForeignKey(
        DataLocation, verbose_name=_("data location"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="transfers",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    # GDPR Ch. V outbound (EU/UK data leaving, remote access from China included).
    scc_module = models.CharField(_("SCC module"), max_length=20, choices=SccModule.choices, blank=True)
    tia_done_on = models.DateField(_("transfer impact assessment done on"), null=True, blank=True)
    review_on = models.DateField(_("next review of the transfer"), null=True, blank=True, db_index=True)

    history = audited_history()

    class Meta:
        verbose_name = _("cross-border transfer")
        verbose_name_plural = _("cross-border transfers")
        ordering = ["activity", "destination_country"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "destination_country"], name="inv_transfer_unique"),
        ]

    def __str__(self):
        return f"→ {self.destination_country} ({self.get_mechanism_display()})"


class ImportJob(models.Model):
    """An import too large for one request: read and checked by one task (the preview), confirmed
    by the person who uploaded it, imported by a second task (``inventory_app.imports``).

    It keeps no record content beyond the preview's first changed rows (old → new), which go when
    the job ends with the uploaded file; its error summary keeps the reason of each refused row, not
    the values."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to be read")
        PREVIEWING = "previewing", _("reading and checking")
        READY = "ready", _("ready: confirm to import")
        CONFIRMED = "confirmed", _("waiting to import")
        IMPORTING = "importing", _("importing")
        DONE = "done", _("imported")
        REFUSED = "refused", _("refused: nothing was written")
        FAILED = "failed", _("failed: nothing was written")
        CANCELLED = "cancelled", _("cancelled")

    RUNNING = (Status.QUEUED, Status.PREVIEWING, Status.CONFIRMED, Status.IMPORTING)
    ENDED = (Status.DONE, Status.REFUSED, Status.FAILED, Status.CANCELLED)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+",
    )
    model = models.CharField(_("records"), max_length=100, help_text="app_label.model_name")
    file_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=10)
    file_size = models.PositiveBigIntegerField(_("size (bytes)"))
    # Path in private storage (no URL); emptied, and the file deleted, when the job ends.
    stored_file = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=20)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    totals = models.JSONField(_("counts"), default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    preview = models.JSONField(default=dict, blank=True)
    # Why it was refused or failed: an English message id and its parameters, translated when shown.
    failure = models.CharField(max_length=300, blank=True)
    failure_params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("uploaded at"))
    started_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["done", "refused", "failed", "cancelled"])
                | Q(finished_at__isnull=False, stored_file="", preview={}),
                name="inv_importjob_ended_keeps_no_file",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.file_name}"

    @property
    def running(self) -> bool:
        return self.status in self.RUNNING


# --- Governance: impact assessments (PIPL Arts 55–56, GDPR Art. 35) ------------------------------

class ImpactAssessmentQuerySet(models.QuerySet):
    def current(self):
        """Approved and still describing the processing as it is."""
        return self.filter(status=ImpactAssessment.Status.APPROVED)

    def outdated(self):
        """A covered activity changed after approval: a reassessment is due."""
        return self.filter(status=ImpactAssessment.Status.OUTDATED)

    def reassessment_overdue(self, today):
        return self.outdated().filter(reassessment_due_on__lt=today)


class ImpactAssessment(VersionedModel):
    """A personal information protection impact assessment (PIPIA) / DPIA of some processing activities.

    Written as a draft, pre-filled from the inventory; approved by a second person, which freezes it
    with a snapshot of what was assessed (``snapshot``, ``snapshot_sha256``). When a covered activity
    changes afterwards it is marked outdated with the differences (``outdated_diff``) and a
    reassessment is due. Never deleted: reports are kept at least three years (PIPL Art. 56(2)).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")
        OUTDATED = "outdated", _("outdated: reassessment due")
        SUPERSEDED = "superseded", _("superseded by a reassessment")

    TRANSITIONS = {
        Status.DRAFT: (Status.APPROVED,),
        Status.APPROVED: (Status.OUTDATED, Status.SUPERSEDED),
        Status.OUTDATED: (Status.SUPERSEDED,),
        Status.SUPERSEDED: (),
    }
    FROZEN = (Status.APPROVED, Status.OUTDATED, Status.SUPERSEDED)

    class ResidualRisk(models.TextChoices):
        LOW = "low", _("low")
        MEDIUM = "medium", _("medium")
        HIGH = "high", _("high (consult the supervisory authority before processing, GDPR Art. 36)")

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=300)
    controller = models.ForeignKey(
        Controller, verbose_name=_("controller"), on_delete=models.PROTECT, related_name="impact_assessments",
    )
    activities = models.ManyToManyField(
        ProcessingActivity, verbose_name=_("processing activities assessed"), related_name="impact_assessments",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    supersedes = models.ForeignKey(
        "self", verbose_name=_("reassessment of"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="reassessments",
    )
    # The content PIPL Art. 56(1) and GDPR Art. 35(7) require.
    description = models.TextField(
        _("description of the processing"), blank=True,
        help_text=_("GDPR Art. 35(7)(a). The fields, recipients, locations, transfers, retention and security "
                    "measures of the activities are taken from the inventory and shown below."),
    )
    lawfulness_necessity = models.TextField(
        _("lawfulness, legitimacy and necessity of purpose and method"), blank=True,
        help_text=_("PIPL Art. 56(1)(1); GDPR Art. 35(7)(b): necessity and proportionality."),
    )
    risks = models.TextField(
        _("impact on individuals' rights and security risks"), blank=True,
        help_text=_("PIPL Art. 56(1)(2); GDPR Art. 35(7)(c)."),
    )
    measures = models.TextField(
        _("protective measures"), blank=True,
        help_text=_("PIPL Art. 56(1)(3); GDPR Art. 35(7)(d): whether they are lawful, effective and proportionate to the risk."),
    )
    residual_risk = models.CharField(_("residual risk"), max_length=10, choices=ResidualRisk.choices, blank=True)
    officer_opinion = models.TextField(
        _("opinion of the PI protection officer / DPO"), blank=True, help_text=_("GDPR Art. 35(2)."),
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), on_delete=models.PROTECT, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    report_on = models.DateField(_("report date"), null=True, blank=True, db_index=True)
    retained_until = models.DateField(
        _("kept at least until"), null=True, blank=True,
        help_text=_("PIPL Art. 56(2): at least three years (and three years after the processing ends)."),
    )
    # What was assessed, as approved (inventory_app.governance.assessment_snapshot).
    snapshot = models.JSONField(_("what was assessed"), default=dict, blank=True, editable=False)
    snapshot_sha256 = models.CharField(_("SHA-256 of what was assessed"), max_length=64, blank=True, editable=False)
    outdated_at = models.DateTimeField(_("found outdated at"), null=True, blank=True)
    outdated_diff = models.JSONField(_("changes since approval"), default=list, blank=True, editable=False)
    reassessment_due_on = models.DateField(_("reassessment due"), null=True, blank=True, db_index=True)
    review_due_on = models.DateField(_("next review"), null=True, blank=True, db_index=True)

    history = audited_history()
    objects = ImpactAssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("impact assessment")
        verbose_name_plural = _("impact assessments")
        ordering = ["-created_at", "-id"]
        permissions = [("approve_impactassessment", _("Can approve impact assessments"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(
                    approved_by__isnull=False, approved_at__isnull=False, report_on__isnull=False,
                    retained_until__isnull=False,
                ) & ~Q(snapshot_sha256=""),
                name="inv_pia_frozen_only_if_approved",
            ),
            # A second person: the one who prepared it never approves it.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("prepared_by")),
                name="inv_pia_approver_not_preparer",
            ),
            models.CheckConstraint(
                condition=~Q(status="outdated") | Q(outdated_at__isnull=False, reassessment_due_on__isnull=False),
                name="inv_pia_outdated_has_clock",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"


# --- Governance: cross-border volumes and filings (PIPL Arts 38–40; 令16 of 22 Mar 2024) -------------

class TransferVolume(VersionedModel):
    """How many people's personal information a handler provided abroad in one period, per
    destination and recipient (entered or imported per period). The year's cumulative count from
    1 January decides the mechanism (``inventory_app.crossborder``)."""

    controller = models.ForeignKey(
        Controller, verbose_name=_("handler"), on_delete=models.PROTECT, related_name="transfer_volumes",
    )
    destination_country = models.CharField(_("destination country (ISO code)"), max_length=2)
    recipient = models.ForeignKey(
        Recipient, verbose_name=_("recipient"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    people = models.PositiveIntegerField(
        _("people"), help_text=_("People whose personal information was provided abroad for the first time this year "
                                 "in the period (those with sensitive PI included)."),
    )
    sensitive_people = models.PositiveIntegerField(
        _("of whom sensitive PI"), default=0,
        help_text=_("People whose sensitive personal information was provided (also counted in “people”)."),
    )
    necessity = models.CharField(
        _("necessity exemption"), max_length=20, blank=True,
        choices=[("contract", _("contract with the individual (令16 Art. 5(1))")),
                 ("hr", _("cross-border HR management (令16 Art. 5(2))")),
                 ("emergency", _("emergency for life, health or property (令16 Art. 5(3))"))],
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    history = audited_history()

    class Meta:
        verbose_name = _("cross-border volume")
        verbose_name_plural = _("cross-border volumes")
        ordering = ["-period_start", "controller", "destination_country", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="inv_volume_period_order"),
            # A period lies within one calendar year: the count resets on 1 January (令16 Art. 7, 8).
            models.CheckConstraint(
                condition=Q(period_end__year=models.F("period_start__year")), name="inv_volume_one_year",
            ),
            models.CheckConstraint(condition=Q(people__gte=models.F("sensitive_people")), name="inv_volume_sensitive_counted"),
            models.UniqueConstraint(
                fields=["controller", "destination_country", "recipient", "period_start"], name="inv_volume_unique_period",
            ),
        ]
        indexes = [models.Index(fields=["controller", "period_start"], name="inv_volume_ctrl_period_idx")]

    def __str__(self):
        return f"{self.controller_id} → {self.destination_country} {self.period_start}–{self.period_end}"


class TransferFiling(VersionedModel):
    """A mechanism for a handler's exports and its clocks: a standard contract (and its filing), a
    certification, or a CAC security assessment. Due dates are computed by the service from
    ``governance_rules`` and stored."""

    class Kind(models.TextChoices):
        SCC = "scc", _("PIPL standard contract (filed with the provincial CAC)")
        CERTIFICATION = "certification", _("PI protection certification")
        SECURITY_ASSESSMENT = "security_assessment", _("CAC security assessment")

    controller = models.ForeignKey(
        Controller, verbose_name=_("handler"), on_delete=models.PROTECT, related_name="transfer_filings",
    )
    kind = models.CharField(_("mechanism"), max_length=30, choices=Kind.choices, db_index=True)
    destination_country = models.CharField(
        _("destination country (ISO code)"), max_length=2, blank=True, help_text=_("Empty: every destination."),
    )
    recipient = models.ForeignKey(
        Recipient, verbose_name=_("recipient"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    effective_on = models.DateField(_("in effect from"), help_text=_("Standard contract: the day it takes effect. "
                                                                     "Certificate or assessment: the day it was issued."))
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    filing_due_on = models.DateField(_("filing due"), null=True, blank=True, db_index=True)
    expires_on = models.DateField(_("valid until"), null=True, blank=True, db_index=True)
    renewal_opens_on = models.DateField(_("renewal window opens"), null=True, blank=True)
    provisional = models.BooleanField(
        _("provisional calendar"), default=False,
        help_text=_("A working-day count reaches into a year whose official holiday calendar is not published yet."),
    )
    refile_needed = models.BooleanField(
        _("facts changed: re-file / re-declare"), default=False,
        help_text=_("Purpose, scope, types, sensitivity, method, storage location, overseas retention or the "
                    "recipient changed (令13 Art. 8; 令11 Art. 14; unverified)."),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    history = audited_history()

    class Meta:
        verbose_name = _("cross-border mechanism and filing")
        verbose_name_plural = _("cross-border mechanisms and filings")
        ordering = ["-effective_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(filed_on__isnull=True) | Q(filed_on__gte=models.F("effective_on")),
                                   name="inv_filing_not_before_effect"),
            models.CheckConstraint(condition=~Q(kind="scc") | Q(filing_due_on__isnull=False),
                                   name="inv_filing_scc_has_due_date"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.effective_on}"


# --- Governance: people handled, compliance audits (PIPL Arts 52, 54, 64; 审计办法) --------------

class PeopleCount(VersionedModel):
    """How many natural persons' personal information a handler processes, as counted on a date.
    Drives the officer, audit-frequency and other threshold duties (``governance_rules``)."""

    controller = models.ForeignKey(Controller, verbose_name=_("handler"), on_delete=models.PROTECT,
                                   related_name="people_counts")
    counted_on = models.DateField(_("counted on"))
    people = models.PositiveBigIntegerField(_("people whose PI is processed"),
                                            help_text=_("De-duplicated natural persons, across all products."))
    minors = models.BooleanField(_("includes minors' PI (under 18)"), default=False)
    note = models.CharField(_("note"), max_length=500, blank=True)

    history = audited_history()

    class Meta:
        verbose_name = _("people handled (dated count)")
        verbose_name_plural = _("people handled (dated counts)")
        ordering = ["controller", "-counted_on"]
        constraints = [models.UniqueConstraint(fields=["controller", "counted_on"], name="inv_peoplecount_unique_day")]

    def __str__(self):
        return f"{self.controller_id} {self.counted_on}: {self.people}"


class ComplianceAudit(VersionedModel):
    """A personal information protection compliance audit: periodic (PIPL Art. 54), ordered by a
    regulator (Art. 64), or the yearly audit of minors' PI. Its evidence is computed live for the
    audited period (``inventory_app.audits``)."""

    class Kind(models.TextChoices):
        PERIODIC = "periodic", _("periodic (PIPL Art. 54)")
        ORDERED = "ordered", _("ordered by a regulator (PIPL Art. 64)")
        MINORS = "minors", _("yearly audit of minors' PI")

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    controller = models.ForeignKey(Controller, verbose_name=_("handler"), on_delete=models.PROTECT,
                                   related_name="compliance_audits")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PERIODIC)
    ordered_by = models.CharField(_("ordered by"), max_length=200, blank=True)
    deadline = models.DateField(_("deadline set by the regulator"), null=True, blank=True, db_index=True)
    auditor = models.CharField(_("auditor"), max_length=200, help_text=_("Internal body or professional firm."))
    scope = models.TextField(_("scope"), blank=True)
    period_start = models.DateField(_("audited period from"))
    period_end = models.DateField(_("audited period to"))
    findings = models.TextField(_("findings"), blank=True)
    report_on = models.DateField(_("report date"), null=True, blank=True, db_index=True)
    rectified_on = models.DateField(_("rectification completed on"), null=True, blank=True)
    rectification_report_due_on = models.DateField(_("rectification report due"), null=True, blank=True,
                                                   editable=False, db_index=True)
    rectification_reported_on = models.DateField(_("rectification report submitted on"), null=True, blank=True)

    history = audited_history()

    class Meta:
        verbose_name = _("compliance audit")
        verbose_name_plural = _("compliance audits")
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="inv_audit_period_order"),
            models.CheckConstraint(condition=~Q(kind="ordered") | Q(deadline__isnull=False),
                                   name="inv_audit_ordered_has_deadline"),
        ]

    def __str__(self):
        return f"{self.reference} {self.get_kind_display()}"


class RemediationItemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_on__isnull=True)

    def overdue(self, today):
        return self.open().filter(due_on__lt=today)


class RemediationItem(VersionedModel):
    """Something an audit found that must be put right, by someone, by a date."""

    audit = models.ForeignKey(ComplianceAudit, verbose_name=_("compliance audit"), on_delete=models.PROTECT,
                              related_name="remediation_items")
    title = models.CharField(_("remediation"), max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="+")
    due_on = models.DateField(_("due on"), db_index=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    history = audited_history()
    objects = RemediationItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("remediation item")
        verbose_name_plural = _("remediation items")
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.title
