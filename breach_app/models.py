"""Security incidents, their per-jurisdiction notification obligations, notice drafts and timeline.

Every incident is kept, notified or not (GDPR Art. 33(5) register): one recorded in error is
withdrawn with a reason, never deleted, and the foreign keys of its obligations, drafts, populations
and timeline PROTECT it, so any attempt to delete one fails instead of cascading into sent notices.
Writes with rules live in ``services.py``; the legal clocks are the pure functions of ``deadlines.py``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import localize
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


from privacy_office import eu_authorities
from privacy_office.history import audited_history
from privacy_office.jurisdiction_choices import jurisdiction_choices
from privacy_office.messages import message_text
from privacy_office.models import TimelineEntryBase, VersionedModel

from . import deadlines


# Every breach jurisdiction of the registry (deadlines.JURISDICTIONS: the main jurisdictions, JP,
# every US state, DC, PR), named by the one registry in the reader's language.
Jurisdiction = jurisdiction_choices(deadlines.JURISDICTIONS, module=__name__)
JURISDICTION_MAX_LENGTH = 5

def eea_country_name(code: str) -> str:
    """An EU/EEA state by its ISO 3166-1 alpha-2 code (Greece is GR, not the EU's "EL"), named in the
    reader's language."""
    return eu_authorities.get(code).country_name(chinese=(get_language() or "").startswith("zh"))


# lazy() builds a class on each call: once here, not once per state each time a form is built.
lazy_eea_country_name = lazy(eea_country_name, str)

# Reg. (EU) 2024/2847 (CRA) Art. 14(2)(a), (4)(a): the early warning names the Member States where
# the product is made available (the Union's, not the EEA's), named from privacy_office/eu_authorities.py.
EU_MEMBER_STATES = {code: lazy_eea_country_name(code) for code in eu_authorities.EU_COUNTRIES}


def parse_member_states(value: str) -> list[str]:
    """"de, fr;NL" -> ["DE", "FR", "NL"]: commas, semicolons or spaces between codes, any case."""
    return list(dict.fromkeys(code.upper() for code in re.split(r"[\s,;]+", value or "") if code))


def refuse_unknown_states(value: str, known, message, code: str) -> None:
    """Refuse ``value`` if it names a code outside ``known``, listing the unknown ones in ``message``."""
    unknown = [state for state in parse_member_states(value) if state not in known]
    if unknown:
        raise ValidationError(message, code=code, params={"codes": ", ".join(unknown)})


def validate_member_states(value: str) -> None:
    refuse_unknown_states(
        value, EU_MEMBER_STATES, code="member_state",
        message=_("Not an EU Member State code: %(codes)s. Use ISO 3166 two-letter codes separated by commas "
                  "(e.g. DE, FR, NL; Greece is GR)."))


def eea_state_choices():
    """The EU/EEA Member States (privacy_office/eu_authorities.py), named in the reader's language."""
    return [(a.country, lazy_eea_country_name(a.country)) for a in eu_authorities.AUTHORITIES.values()]


def validate_eea_states(value: str) -> None:
    refuse_unknown_states(
        value, eu_authorities.AUTHORITIES, code="eea_state",
        message=_("Not an EU/EEA Member State code: %(codes)s. Use ISO 3166 two-letter codes separated by commas "
                  "(e.g. DE, FR, NL; Greece is GR)."))


# --------------------------------------------------------------------------- incident


class IncidentQuerySet(models.QuerySet):
    def open(self):
        """Incidents not closed (or withdrawn) yet."""
        return self.exclude(status__in=(Incident.Status.CLOSED, Incident.Status.WITHDRAWN))

    def with_overdue_obligation(self, now):
        """Incidents whose nearest live deadline has passed (stored ``next_deadline``, indexed)."""
        return self.filter(next_deadline__lt=now)


class Incident(VersionedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ASSESSING = "assessing", _("assessing")
        NOTIFYING = "notifying", _("notifying")
        MONITORING = "monitoring", _("monitoring")
        CLOSED = "closed", _("closed")
        # Recorded in error (not a security incident, a duplicate, a test): kept in the register
        # with who and why, never deleted (GDPR Art. 33(5)); see services.incident_withdraw.
        WITHDRAWN = "withdrawn", _("withdrawn (recorded in error)")

    # Which status may follow which; ``services.incident_change_status`` enforces it.
    TRANSITIONS = {
        Status.OPEN: (Status.ASSESSING, Status.CLOSED, Status.WITHDRAWN),
        Status.ASSESSING: (Status.NOTIFYING, Status.MONITORING, Status.CLOSED, Status.WITHDRAWN),
        Status.NOTIFYING: (Status.MONITORING, Status.ASSESSING),
        Status.MONITORING: (Status.NOTIFYING, Status.CLOSED, Status.WITHDRAWN),
        Status.CLOSED: (Status.ASSESSING,),
        Status.WITHDRAWN: (Status.ASSESSING,),
    }

    class Kind(models.TextChoices):
        PERSONAL_DATA = "personal_data", _("personal data breach")
        PRODUCT_SECURITY = "product_security", _("product vulnerability or product security incident (EU CRA)")
        BOTH = "both", _("both")

    # Which clocks the incident runs: the personal-data breach laws, the EU CRA Art. 14 reports, or both.
    PERSONAL_DATA_KINDS = (Kind.PERSONAL_DATA, Kind.BOTH)
    PRODUCT_KINDS = (Kind.PRODUCT_SECURITY, Kind.BOTH)

    class AqaraRole(models.TextChoices):
        CONTROLLER = "controller", _("controller (Aqara decides why and how)")
        PROCESSOR = "processor", _("processor (Aqara processed the data for customers)")
        BOTH = "both", _("both controller and processor")

    class RiskLevel(models.TextChoices):
        NONE = "none", _("no risk")
        RISK = "risk", _("risk")
        HIGH = "high", _("high risk")

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("kind of incident"), max_length=16, choices=Kind.choices, default=Kind.PERSONAL_DATA,
        help_text=_("A product vulnerability or product security incident may involve no personal data at all: it "
                    "runs the EU Cyber Resilience Act reports instead of (or, for “both”, besides) the breach "
                    "notifications."),
    )

    # Breach type: the CIA classification and the GDPR Art. 4(12) wording.
    confidentiality = models.BooleanField(_("confidentiality breach"), default=False)
    integrity = models.BooleanField(_("integrity breach"), default=False)
    availability = models.BooleanField(_("availability breach"), default=False)
    destruction = models.BooleanField(_("destruction"), default=False)
    loss = models.BooleanField(_("loss"), default=False)
    alteration = models.BooleanField(_("alteration"), default=False)
    unauthorised_disclosure = models.BooleanField(_("unauthorised disclosure"), default=False)
    unauthorised_access = models.BooleanField(_("unauthorised access"), default=False)

    occurred_from = models.DateTimeField(_("occurred from"), null=True, blank=True)
    occurred_to = models.DateTimeField(_("occurred until"), null=True, blank=True)
    discovered_at = models.DateTimeField(_("discovered at"))
    aware_at = models.DateTimeField(
        _("became aware at"), null=True, blank=True,
        help_text=_("When we were reasonably certain personal data was compromised (GDPR, PIPA, LGPD clocks)."),
    )
    contained_at = models.DateTimeField(_("contained at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="owned_incidents",
    )

    # Facts the clocks depend on (see deadlines.IncidentFacts).
    encrypted = models.BooleanField(
        _("data encrypted / unintelligible"), default=False,
        help_text=_("The data is unintelligible to anyone not authorised to access it."),
    )
    cii_operator = models.BooleanField(
        _("CII operator"), default=False,
        help_text=_("Aqara is a critical-information-infrastructure operator for the affected system (CN: 1 h report)."),
    )
    unencrypted_pi_acquired = models.BooleanField(
        _("unencrypted personal information acquired (US-CA)"), null=True, blank=True,
        help_text=_("Unknown: assumed acquired unless the data was encrypted."),
    )
    unique_identifier_data = models.BooleanField(_("unique identifier data involved (KR)"), default=False)
    external_illegal_access = models.BooleanField(_("external illegal access (KR)"), default=False)
    significant_harm = models.BooleanField(
        _("significant harm (SG)"), null=True, blank=True, help_text=_("Unknown: not yet assessed."),
    )
    later_measures_remove_high_risk = models.BooleanField(
        _("later measures remove the high risk"), default=False,
    )
    individual_notice_disproportionate = models.BooleanField(
        _("individual notice disproportionate (public notice instead)"), default=False,
    )
    ssn_or_id_number_involved = models.BooleanField(
        _("SSN, driver's licence or ID number involved"), default=False,
        help_text=_("California notices then list the credit-bureau contacts."),
    )
    law_enforcement_delay = models.BooleanField(_("notice delayed at law enforcement's request"), default=False)

    # China: the 指南 grading criteria besides the people count (governance-cn.md §6B). None = not
    # assessed, which keeps the CAC 4-hour report at "needs a decision", never "not required".
    direct_economic_loss_cny = models.PositiveBigIntegerField(
        _("direct economic loss (CNY)"), null=True, blank=True,
        help_text=_("Empty: not assessed yet. From ¥5,000,000 the incident is graded 较大 (relatively major) or "
                    "above and the CAC 4-hour report is required."),
    )
    system_outage_at_grade = models.BooleanField(
        _("system outage reaches 较大 (CN)"), null=True, blank=True,
        help_text=_("Does the interruption of the affected systems or services reach the grade 较大 (relatively "
                    "major) of the national incident grading guide? Unknown: not assessed yet."),
    )
    important_data_at_grade = models.BooleanField(
        _("important data threatened at 较大 (CN)"), null=True, blank=True,
        help_text=_("Is important data leaked, tampered with or threatened to the extent of the grade 较大 "
                    "(relatively major)? Unknown: not assessed yet."),
    )
    social_impact_at_grade = models.BooleanField(
        _("social impact reaches 较大 (CN)"), null=True, blank=True,
        help_text=_("Does the impact on society, public order or the public interest reach the grade 较大 "
                    "(relatively major)? Unknown: not assessed yet."),
    )

    # In which role Aqara acted: its business platforms (Aqara+, 智装大狮, IIAP, hotel projects)
    # process installers', shops' and hotels' data as processor (受托方), who must tell them.
    aqara_role = models.CharField(
        _("Aqara's role"), max_length=10, choices=AqaraRole.choices, default=AqaraRole.CONTROLLER,
        help_text=_("As processor, Aqara tells each controller (customer) without undue delay (GDPR Art. 33(2), "
                    "PIPL Art. 21); the customers notify the regulators and people themselves."),
    )
    customers = models.TextField(
        _("controllers (customers) concerned"), blank=True,
        help_text=_("One per line: the installers, shops, hotels… for whom Aqara processed the data."),
    )

    # Japan (APPI Rules Art. 7): reportable-breach categories. None = not assessed.
    jp_financial_damage_risk = models.BooleanField(
        _("risk of financial damage (JP)"), null=True, blank=True,
        help_text=_("Data whose misuse may cause financial damage (e.g. card or bank details). Unknown: not "
                    "assessed yet."),
    )
    jp_wrongful_purpose = models.BooleanField(
        _("possibly caused for a wrongful purpose (JP)"), null=True, blank=True,
        help_text=_("E.g. an attack or theft by an insider. Unknown: not assessed yet. Yes: 60 days for the "
                    "final report."),
    )

    # EU Cyber Resilience Act, Art. 14 (a product with digital elements, personal data or not).
    actively_exploited = models.BooleanField(
        _("actively exploited"), null=True, blank=True,
        help_text=_("Reliable evidence that a malicious actor exploited the vulnerability (CRA Art. 3(42)). "
                    "Unknown: not assessed yet."),
    )
    severe_incident = models.BooleanField(
        _("severe incident affecting the product's security"), null=True, blank=True,
        help_text=_("It harms the availability, authenticity, integrity or confidentiality of the product's "
                    "data or functions, or lets malicious code in (CRA Art. 14(5)). Unknown: not assessed yet."),
    )
    malicious_act_suspected = models.BooleanField(
        _("unlawful or malicious act suspected"), null=True, blank=True,
        help_text=_("Said in the early warning of a severe incident (CRA Art. 14(4)(a))."),
    )
    fix_available_at = models.DateTimeField(
        _("fix available at"), null=True, blank=True,
        help_text=_("When a security update or other corrective measure became available: the final report on "
                    "the vulnerability is due 14 days later."),
    )
    member_states = models.CharField(
        _("EU Member States where the product is sold"), max_length=120, blank=True,
        validators=[validate_member_states],
        help_text=_("ISO 3166 two-letter codes separated by commas, e.g. DE, FR, NL (Greece is GR)."),
    )

    risk_level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.RISK)
    # GDPR Art. 33(1): a notification after 72 hours is accompanied by the reasons for the delay;
    # PDPA s.26D likewise for a late notice to the PDPC. Drafts made after a deadline flag it.

    affected_activities = models.ManyToManyField(
        "inventory_app.ProcessingActivity", verbose_name=_("affected processing activities"), blank=True,
        related_name="incidents",
    )
    affected_services = models.ManyToManyField(
        "inventory_app.Service", verbose_name=_("affected services"), blank=True, related_name="incidents",
    )
    extra_sensitive = models.BooleanField(
        _("additional data includes sensitive personal information"), default=False,
    )

    sg_assessed_at = models.DateTimeField(
        _("SG assessment concluded at"), null=True, blank=True,
        help_text=_("When the assessment concluded the breach is notifiable (starts the PDPC 3-day clock)."),
    )
    resident_notice_sent_at = models.DateTimeField(
        _("California resident notice sent at"), null=True, blank=True,
        help_text=_("Starts the Attorney General's 15-day clock."),
    )
    handling_ended_at = models.DateTimeField(
        _("handling ended at"), null=True, blank=True, help_text=_("Starts the CAC 30-day final report clock."),
    )
    # Withdrawing an incident whose REQUIRED notifications are still open removes those duties: it
    # is proposed (who, when, why) and takes effect only when a second person holding
    # breach_app.approve_waive_notification confirms it (services.incident_confirm_withdrawal).
    withdrawal_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("withdrawal proposed by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", editable=False,
    )
    withdrawal_proposed_at = models.DateTimeField(_("withdrawal proposed at"), null=True, blank=True, editable=False)
    withdrawal_reason = models.TextField(_("why withdrawal is proposed"), blank=True, editable=False)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # Derived, stored and indexed: the earliest deadline among the live
    # obligations, kept by services.incident_refresh_next_deadline whenever an obligation changes,
    # so the list sorts and filters on it without aggregating every obligation (100,000 incidents).
    next_deadline = models.DateTimeField(_("nearest deadline"), null=True, blank=True, editable=False)
    # GDPR one-stop shop (Arts 4(16), 56, 60; privacy_office/eu_authorities.py): where the EU people
    # affected live, and whether Aqara has a main establishment in the Union, decide which supervisory
    # authority the EU-SA notification goes to: the lead authority, or each concerned authority.
    eu_affected_states = models.CharField(
        _("EU/EEA Member States of the people affected"), max_length=120, blank=True,
        validators=[validate_eea_states],
        help_text=_("ISO 3166 two-letter codes separated by commas, e.g. DE, FR, NL (Greece is GR; Iceland, "
                    "Liechtenstein and Norway too)."),
    )
    eu_main_establishment = models.CharField(
        _("Aqara's main establishment in the EU"), max_length=2, blank=True, choices=eea_state_choices,
        help_text=_("The Member State of Aqara's main establishment in the Union (GDPR Art. 4(16)): its authority "
                    "leads. Empty: no establishment in the Union; every concerned authority is notified (a "
                    "representative under Art. 27 does not make one lead)."),
    )

    history = audited_history(excluded_fields=["created_at", "next_deadline"])
    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-discovered_at", "-id"]
        # A closed incident is frozen; re-opening it (with a reason) is a decision of its own.
        permissions = [("reopen_incident", _("Can re-open a closed incident"))]
        indexes = [
            models.Index(fields=["status", "-discovered_at"], name="incident_status_idx"),
            models.Index(fields=["-discovered_at", "-id"], name="incident_discovered_idx"),
            # The list sorted by nearest deadline (ascending with empty clocks last, and its reverse)
            # with the admin's tie-break on -id: read in index order, not a sort of every incident.
            # PostgreSQL's b-tree puts NULLs last ascending and first descending, as those orders do
            # (written without NULLS clauses, which SQLite indexes refuse). The ascending one also
            # serves the overdue filter (next_deadline < now).
            models.Index(fields=["next_deadline", "-id"], name="incident_nearest_deadline_idx"),
            models.Index(fields=["-next_deadline", "-id"], name="incident_latest_deadline_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(occurred_to__isnull=True) | Q(occurred_from__isnull=True)
                | Q(occurred_to__gte=models.F("occurred_from")),
                name="incident_occurred_range_order",
            ),
            models.CheckConstraint(
                condition=Q(aware_at__isnull=True) | Q(aware_at__gte=models.F("discovered_at")),
                name="incident_aware_after_discovery",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "assessing", "notifying", "monitoring", "closed", "withdrawn"]),
                name="incident_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["personal_data", "product_security", "both"]), name="incident_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(aqara_role__in=["controller", "processor", "both"]), name="incident_aqara_role_valid",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    # ---- single-row derived values

    BREACH_TYPE_FIELDS = (
        "confidentiality", "integrity", "availability", "destruction", "loss", "alteration",
        "unauthorised_disclosure", "unauthorised_access",
    )

    @property
    def breach_types(self) -> list[str]:
        return [str(self._meta.get_field(name).verbose_name) for name in self.BREACH_TYPE_FIELDS
                if getattr(self, name)]

    @property
    def withdrawal_pending(self) -> bool:
        """A withdrawal was proposed and waits for a second person's confirmation."""
        return self.withdrawal_proposed_at is not None and self.status != self.Status.WITHDRAWN

    @property
    def customer_list(self) -> list[str]:
        """The controllers (customers) to tell, one per line of ``customers``."""
        return [line.strip() for line in self.customers.splitlines() if line.strip()]

    @property
    def member_state_list(self) -> list[str]:
        """The EU Member State codes of ``member_states`` (upper case, in the order given)."""
        return parse_member_states(self.member_states)

    @property
    def eu_affected_state_list(self) -> list[str]:
        """The EU/EEA Member State codes of ``eu_affected_states`` (upper case, in the order given)."""
        return parse_member_states(self.eu_affected_states)

    @property
    def eu_breach_authorities(self) -> eu_authorities.BreachAuthorities:
        """The lead authority, or each concerned one, of the GDPR Art. 33 notification."""
        states = [c for c in self.eu_affected_state_list if c in eu_authorities.AUTHORITIES]
        main = self.eu_main_establishment if self.eu_main_establishment in eu_authorities.AUTHORITIES else ""
        return eu_authorities.breach_authorities(main_establishment=main, affected_states=states)

    @property
    def has_personal_data(self) -> bool:
        return self.kind in self.PERSONAL_DATA_KINDS

    @property
    def is_product_security(self) -> bool:
        return self.kind in self.PRODUCT_KINDS

    def clean(self):
        super().clean()
        # Stored as typed codes normalised: "de; fr" -> "DE, FR" (the validator refuses unknown ones).
        if self.member_states and not any(c not in EU_MEMBER_STATES for c in self.member_state_list):
            self.member_states = ", ".join(self.member_state_list)
        if self.eu_affected_states and all(c in eu_authorities.AUTHORITIES for c in self.eu_affected_state_list):
            self.eu_affected_states = ", ".join(self.eu_affected_state_list)


class AffectedPopulation(VersionedModel):
    """People and records affected in one jurisdiction; counts may be a range or an estimate."""

    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.PROTECT,
                                 related_name="populations")
    jurisdiction = models.CharField(_("jurisdiction"), max_length=JURISDICTION_MAX_LENGTH, choices=Jurisdiction.choices)
    people_min = models.PositiveIntegerField(_("people (at least)"), default=0)
    people_max = models.PositiveIntegerField(
        _("people (at most)"), null=True, blank=True, help_text=_("Empty: no known upper bound."),
    )
    records = models.PositiveBigIntegerField(_("records"), null=True, blank=True)
    estimate = models.BooleanField(_("estimate"), default=False)

    history = audited_history()

    class Meta:
        verbose_name = _("affected population")
        verbose_name_plural = _("affected populations")
        ordering = ["incident", "jurisdiction"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "jurisdiction"], name="population_one_per_jurisdiction"),
            models.CheckConstraint(
                condition=Q(people_max__isnull=True) | Q(people_max__gte=models.F("people_min")),
                name="population_range_order",
            ),
        ]

    def __str__(self):
        return f"{self.jurisdiction}: {self.people_text}"

    @property
    def people_text(self) -> str:
        if self.people_max == self.people_min:
            text = f"{self.people_min:,}"
        elif self.people_max is None:
            text = f"≥ {self.people_min:,}"
        else:
            text = f"{self.people_min:,}–{self.people_max:,}"
        return f"~{text}" if self.estimate else text

    def as_affected(self) -> deadlines.Affected:
        return deadlines.Affected(self.people_min, self.people_max, records=self.records, estimate=self.estimate)


# --------------------------------------------------------------------------- facts per language


# The languages an incident's narrative facts may be written in: the office's (settings.LANGUAGES)
# and the official EU languages a notice to people or an authority in a Member State needs
# (GDPR Art. 34(2) "clear and plain language" is the language of the people told).
EU_LANGUAGES = ("bg", "cs", "da", "de", "el", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt", "lv",
                "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv")


def narrative_language_choices():
    from django.conf import global_settings

    names = dict(global_settings.LANGUAGES)
    office = list(settings.LANGUAGES)
    names["mt"] = "Maltese"  # an official EU language Django does not translate into
    return office + [(code, _(names[code])) for code in EU_LANGUAGES if code not in dict(office)]


class IncidentNarrative(VersionedModel):
    """The incident's narrative facts in one language, as they are written into the notices and
    reports in that language: a draft in a language takes its paragraphs only from that language's
    row, and flags those missing there (never another language's paragraph)."""

    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.PROTECT,
                                 related_name="narratives")
    language = models.CharField(_("language"), max_length=8, choices=narrative_language_choices())

    description = models.TextField(_("what happened"), blank=True)
    cause = models.TextField(_("cause"), blank=True)
    risk_reasoning = models.TextField(_("risk reasoning"), blank=True)
    likely_consequences = models.TextField(_("likely consequences"), blank=True)
    measures_taken = models.TextField(_("measures taken"), blank=True)
    measures_planned = models.TextField(_("measures planned"), blank=True)
    self_protection_advice = models.TextField(_("what individuals can do"), blank=True)
    remedies = models.TextField(_("remedies offered to individuals"), blank=True)
    contact_point = models.TextField(_("contact point (DPO or other)"), blank=True)
    delay_reasons = models.TextField(_("reasons for a late notification"), blank=True)
    system_overview = models.TextField(_("reporting unit and system overview"), blank=True)
    pending_items = models.TextField(_("items not yet known (to be reported later)"), blank=True)
    investigation_results = models.TextField(_("investigation results"), blank=True)
    responsible_persons = models.TextField(_("persons responsible, if identified"), blank=True)
    accountability = models.TextField(_("accountability / disciplinary handling"), blank=True)
    lessons_learned = models.TextField(_("lessons learned"), blank=True)
    affected_products = models.TextField(
        _("products concerned"), blank=True,
        help_text=_("Products, models and firmware versions concerned."),
    )
    vulnerability = models.TextField(
        _("vulnerability"), blank=True,
        help_text=_("What the vulnerability is and how it is exploited; CVE or internal identifier."),
    )
    malicious_actor = models.TextField(
        _("malicious actor"), blank=True, help_text=_("What is known of whoever exploited the vulnerability."),
    )
    security_update = models.TextField(
        _("security update or corrective measure"), blank=True,
        help_text=_("The update or other corrective or mitigating measure made available."),
    )
    user_measures = models.TextField(
        _("what users can do"), blank=True,
        help_text=_("Corrective or mitigating measures users can take (told to them and to the CSIRT)."),
    )
    sensitivity = models.TextField(
        _("sensitivity of the information"), blank=True,
        help_text=_("How sensitive Aqara considers the reported information (CRA Art. 14(2)(b))."),
    )
    severity_and_impact = models.TextField(_("severity and impact"), blank=True)
    extra_data_categories = models.TextField(
        _("additional data categories"), blank=True, help_text=_("One per line, in this language: exposed data the inventory does not list."),
    )

    history = audited_history()

    class Meta:
        verbose_name = _("facts in one language")
        verbose_name_plural = _("facts per language")
        ordering = ["incident", "language"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "language"], name="narrative_one_per_language"),
        ]

    def __str__(self):
        return f"{self.incident_id} · {self.language}"

    @property
    def extra_category_list(self) -> list[str]:
        return [line.strip() for line in self.extra_data_categories.splitlines() if line.strip()]


# Every narrative fact, in the order the admin shows them.
NARRATIVE_FIELDS = tuple(
    f.name for f in IncidentNarrative._meta.local_fields
    if isinstance(f, models.TextField)
)


class ExposedDataField(VersionedModel):
    """An inventory data field staff decided was exposed in the incident: the drafts list exactly
    these (and the free categories of each language's facts), never every field of a service."""

    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.PROTECT,
                                 related_name="exposed_fields")
    field = models.ForeignKey("inventory_app.DataField", verbose_name=_("data field"), on_delete=models.PROTECT,
                              related_name="exposures")

    history = audited_history()

    class Meta:
        verbose_name = _("exposed data field")
        verbose_name_plural = _("exposed data fields")
        ordering = ["incident", "field"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "field"], name="exposed_field_once"),
        ]

    def __str__(self):
        return f"{self.incident_id} · {self.field_id}"


# --------------------------------------------------------------------------- obligation


class ObligationQuerySet(models.QuerySet):
    def live(self):
        """Obligations that still need work: applicable (or to be decided) and neither sent nor declined."""
        return self.filter(Obligation.live_q())

    def overdue(self, now):
        """Past their deadline instant (``now`` passed in, as the clocks are)."""
        return self.filter(deadline__lt=now)

    def due_within(self, hours: int, now):
        return self.filter(deadline__gte=now, deadline__lt=now + timedelta(hours=hours))


class Obligation(VersionedModel):
    """One notification duty (jurisdiction × recipient) of an incident, with its own clock and workflow.

    ``applicability``/``deadline``/``citation`` are recomputed from the incident's facts by
    ``services.incident_recompute_obligations``; ``status`` is the office's workflow and survives
    every recomputation.
    """

    class Recipient(models.TextChoices):
        REGULATOR = "regulator", _("regulator")
        INDIVIDUALS = "individuals", _("individuals")
        ATTORNEY_GENERAL = "attorney_general", _("attorney general")
        PUBLIC_NOTICE = "public_notice", _("public notice")
        CREDIT_BUREAUS = "credit_bureaus", _("credit bureaus")
        CONTROLLER = "controller", _("controller (Aqara acted as processor)")

    class Applicability(models.TextChoices):
        # "required" alone is a form's "必填" in another catalogue: this one says a duty applies.
        REQUIRED = "required", pgettext_lazy("obligation applies", "required")
        NOT_REQUIRED = "not_required", _("not required")
        NEEDS_DECISION = "needs_decision", _("needs a decision")
        OBSOLETE = "obsolete", _("no longer applies (facts changed)")

    class DeadlineKind(models.TextChoices):
        INSTANT = "instant", _("by a set time")
        IMMEDIATELY = "immediately", _("immediately")
        WITHOUT_UNDUE_DELAY = "without_undue_delay", _("without undue delay")
        PENDING_TRIGGER = "pending_trigger", _("clock not started")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DRAFTED = "drafted", _("drafted")
        APPROVED = "approved", _("approved")
        SENT = "sent", _("sent")
        NOT_NOTIFIED = "not_notified", _("decided not to notify")

    TRANSITIONS = {
        Status.PENDING: (Status.DRAFTED, Status.NOT_NOTIFIED),
        Status.DRAFTED: (Status.APPROVED, Status.NOT_NOTIFIED, Status.PENDING),
        Status.APPROVED: (Status.SENT, Status.DRAFTED, Status.NOT_NOTIFIED),
        Status.SENT: (),
        Status.NOT_NOTIFIED: (Status.PENDING,),
    }
    DONE = (Status.SENT, Status.NOT_NOTIFIED)

    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.PROTECT,
                                 related_name="obligations")
    code = models.CharField(_("code"), max_length=20)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=JURISDICTION_MAX_LENGTH, choices=Jurisdiction.choices)
    recipient = models.CharField(_("recipient"), max_length=20, choices=Recipient.choices)
    applicability = models.CharField(_("applies"), max_length=16, choices=Applicability.choices)
    # The clocks' reasoning (English, as the reference words it) or a message id the service wrote;
    # ``reason_text`` shows it in the reader's language.
    reason = models.TextField(_("why"), blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True, db_index=True)
    deadline_kind = models.CharField(_("deadline kind"), max_length=20, choices=DeadlineKind.choices)
    clock_start = models.DateTimeField(_("clock started"), null=True, blank=True)
    citation = models.CharField(_("citation"), max_length=300)
    required_content = models.JSONField(_("required content"), default=list, blank=True)
    # The deadline or threshold rests on a rule the reference marks U (unverified): shown beside the
    # clock wherever it binds a date (legal-rules.md 2026-11); ``reason`` names the rule.
    unverified = models.BooleanField(_("rule unverified"), default=False, editable=False)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=200, blank=True,
                               help_text=_("How it was sent: portal, e-mail, letter, push…"))
    regulator_reference = models.CharField(_("regulator's reference number"), max_length=100, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("why not notified"), blank=True)
    # A decision not to notify a REQUIRED obligation removes a legal duty: it is proposed (who, why,
    # on what legal basis) and takes effect only when a second person with the permission confirms it.
    waiver_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decision not to notify proposed by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+")
    waiver_proposed_at = models.DateTimeField(_("decision not to notify proposed at"), null=True, blank=True)
    waiver_reason = models.TextField(_("proposed reasons not to notify"), blank=True)
    waiver_legal_basis = models.TextField(_("legal basis for not notifying"), blank=True)
    # How urgent the duty is, for every list: 0 "immediately" (PIPL Art. 57 立即: due since discovery,
    # so before any clock that still runs), 1 a set time (then by ``deadline``), 2 "without undue
    # delay", 3 clock not started, 4 done (sent or decided), 5 not required or obsolete (last, quiet).
    # Generated by the database, so no write path (service, bulk update, import) can leave it stale.
    urgency = models.GeneratedField(
        expression=models.Case(
            models.When(applicability__in=["not_required", "obsolete"], then=models.Value(5)),
            models.When(status__in=["sent", "not_notified"], then=models.Value(4)),
            models.When(deadline_kind="immediately", then=models.Value(0)),
            models.When(deadline_kind="instant", then=models.Value(1)),
            models.When(deadline_kind="without_undue_delay", then=models.Value(2)),
            default=models.Value(3),
        ),
        output_field=models.PositiveSmallIntegerField(), db_persist=True, verbose_name=_("urgency"),
    )
    URGENCY_ORDER = ("urgency", "deadline", "id")

    history = audited_history(excluded_fields=["urgency"])
    objects = ObligationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification obligation")
        verbose_name_plural = _("notification obligations")
        ordering = ["incident", "urgency", "deadline", "code"]
        permissions = [("approve_waive_notification",
                        _("Can confirm a decision not to notify a required notification"))]
        indexes = [
            # The obligation list's order (deadline, id) unfiltered and under each list filter, so a
            # page (deep ones too: the paginator reads ids index-only) never sorts 300,000 rows.
            models.Index(fields=["deadline", "id"], name="obligation_deadline_id_idx"),
            models.Index(fields=["status", "deadline", "id"], name="obligation_status_order_idx"),
            models.Index(fields=["jurisdiction", "deadline", "id"], name="obligation_jur_order_idx"),
            models.Index(fields=["applicability", "deadline", "id"], name="obligation_appl_order_idx"),
            models.Index(fields=["recipient", "deadline", "id"], name="obligation_recipient_order_idx"),
            models.Index(fields=["deadline", "id"], name="obligation_unverified_idx", condition=Q(unverified=True)),
            # The list's default order: the most urgent first (immediately, then by deadline).
            models.Index(fields=["urgency", "deadline", "id"], name="obligation_urgency_idx"),
            models.Index(fields=["incident", "urgency", "deadline"], name="obligation_inc_urgency_idx"),
            # The live obligations with a clock (dashboard, overdue filter, reminder sweep): a few
            # rows among hundreds of thousands sent or decided.
            models.Index(
                fields=["deadline"], name="obligation_live_deadline_idx",
                condition=Q(applicability__in=["required", "needs_decision"]) & ~Q(status__in=["sent", "not_notified"]),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["incident", "code"], name="obligation_one_per_code"),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="obligation_sent_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="not_notified") | (Q(decided_by__isnull=False) & ~Q(decision_reason="")),
                name="obligation_not_notified_has_who_and_why",
            ),
        ]

    def __str__(self):
        return f"{self.code} ({self.get_recipient_display()})"

    @staticmethod
    def live_q(prefix: str = "") -> Q:
        return Q(**{f"{prefix}applicability__in": ["required", "needs_decision"]}) & ~Q(
            **{f"{prefix}status__in": ["sent", "not_notified"]})

    @property
    def reason_text(self) -> str:
        return gettext(self.reason) if self.reason else ""

    @property
    def is_live(self) -> bool:
        return self.applicability in ("required", "needs_decision") and self.status not in self.DONE

    @property
    def waiver_proposed(self) -> bool:
        """A decision not to notify awaits a second person's confirmation."""
        return self.waiver_proposed_at is not None and self.status != self.Status.NOT_NOTIFIED


# --------------------------------------------------------------------------- notice drafts



class NoticeDraft(VersionedModel):
    """A regulator report or notice for one obligation, in one language; approved, then sent and frozen."""

    class Kind(models.TextChoices):
        REGULATOR_REPORT = "regulator_report", _("regulator report")
        USER_NOTICE = "user_notice", _("user notice")
        PUBLIC_NOTICE = "public_notice", _("public notice")
        AG_SAMPLE = "ag_sample", _("attorney general submission with sample notice")
        CONTROLLER_NOTICE = "controller_notice", _("notice to the controller (customer)")
        CREDIT_BUREAU_NOTICE = "credit_bureau_notice", _("notice to consumer reporting agencies")
        CSIRT_REPORT = "csirt_report", _("CRA report to the CSIRT / ENISA")

    class Phase(models.TextChoices):
        INITIAL = "initial", _("initial")
        FOLLOW_UP = "follow_up", _("follow-up")
        FINAL = "final", _("final")

    obligation = models.ForeignKey(Obligation, verbose_name=_("obligation"), on_delete=models.PROTECT,
                                   related_name="drafts")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices, default=Phase.INITIAL)
    body = models.TextField(_("text"))
    # The machine's text as last generated: a body that differs from it was edited by a person and is
    # never overwritten by a regeneration; the new machine text waits in ``proposed_body`` instead.
    generated_body = models.TextField(_("text as generated"), blank=True)
    proposed_body = models.TextField(_("newly generated text (not adopted)"), blank=True)
    proposed_at = models.DateTimeField(_("newly generated at"), null=True, blank=True)
    missing_content = models.JSONField(_("missing facts"), default=list, blank=True)
    # The exposed data (or the free categories) changed after the text was generated: the draft lists
    # what was decided then, so it cannot be approved until regenerated (services.notice_draft_approve).
    outdated = models.BooleanField(_("out of date (exposed data changed)"), default=False)
    generated_at = models.DateTimeField(_("generated at"), default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # The approval names the exact text the approver was shown: its version and SHA-256.
    approved_version = models.PositiveIntegerField(_("approved version"), null=True, blank=True)
    approved_sha256 = models.CharField(_("SHA-256 of the approved text"), max_length=64, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # When the send was entered here; a claimed send time well before it needs a reason.
    sent_recorded_at = models.DateTimeField(_("sending recorded at"), null=True, blank=True)
    sent_late_reason = models.TextField(_("why the sending was recorded late"), blank=True)
    sent_text = models.TextField(_("text as sent"), blank=True)

    history = audited_history()

    class Meta:
        verbose_name = _("notice draft")
        verbose_name_plural = _("notice drafts")
        ordering = ["obligation", "phase", "language"]
        permissions = [("approve_noticedraft", _("Can approve notice drafts for sending"))]
        constraints = [
            models.UniqueConstraint(fields=["obligation", "language", "phase"], name="draft_one_per_language_phase"),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True, approved_by__isnull=True)
                | Q(approved_at__isnull=False, approved_by__isnull=False),
                name="draft_approval_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(approved_at__isnull=False), name="draft_sent_only_if_approved",
            ),
        ]

    def __str__(self):
        # The enums' labels, not get_FOO_display(), which builds the field's choices dict on every
        # call: a set approval names each of 1,000 drafts three times in the audit log.
        kind = self.Kind(self.kind).label if self.kind in self.Kind.values else self.kind
        phase = self.Phase(self.phase).label if self.phase in self.Phase.values else self.phase
        return f"{self.obligation.code} · {kind} · {phase} · {self.language}"

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def is_edited(self) -> bool:
        """A person changed the text the machine generated."""
        return bool(self.generated_body) and self.body != self.generated_body

    @property
    def text(self) -> str:
        """The text that counts: as sent once sent, else the current body."""
        return self.sent_text if self.is_sent else self.body


# --------------------------------------------------------------------------- timeline


def _local_instant_text(value):
    """An ISO instant parameter in the office's local time, as the admin shows times; anything
    else (a deadline kind, "—") is returned as stored."""
    try:
        instant = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    if instant.tzinfo is None:
        return value
    return localize(timezone.localtime(instant))


def incident_change_label(name: str) -> str:
    """What a changed fact is called on the timeline, in the reader's language.

    The timeline stores the field names (``populations`` for the affected populations as a whole,
    ``population:<code>`` for one jurisdiction's), so each reader sees the labels in their language.
    """
    if name == "populations":
        return str(_("affected populations"))
    if name.startswith("population:"):
        return f"{_('affected population')} {name.split(':', 1)[1]}"
    if name.startswith("narrative:"):
        language = name.split(":", 1)[1]
        return f"{_('facts')} ({dict(narrative_language_choices()).get(language, language)})"
    if name == "exposed_fields":
        return str(_("exposed data"))
    try:
        return str(Incident._meta.get_field(name).verbose_name)
    except (FieldDoesNotExist, AttributeError):
        return name


class TimelineEntry(TimelineEntryBase):
    """A fact learned or a decision taken, with who and when (the incident's register): append-only."""

    class Kind(models.TextChoices):
        FACT = "fact", _("fact")
        DECISION = "decision", _("decision")
        NOTIFICATION = "notification", _("notification")
        NOTE = "note", _("note")

    # Parameters stored as a choice's value and shown with its label in the reader's language.
    PARAM_CHOICES = {"from": Incident.Status, "to": Incident.Status, "kind": NoticeDraft.Kind,
                     "phase": NoticeDraft.Phase,
                     "from_applicability": Obligation.Applicability, "to_applicability": Obligation.Applicability,
                     "from_deadline": Obligation.DeadlineKind, "to_deadline": Obligation.DeadlineKind}
    # Parameters stored as an ISO instant and shown in the office's local time.
    PARAM_INSTANTS = ("from_deadline", "to_deadline")

    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.PROTECT,
                                 related_name="timeline")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.FACT)
    # ``at`` is when it happened, as claimed; ``recorded_at`` when it was entered. An ``at`` before
    # the entry was made needs ``late_reason`` (services.check_claimed_time).
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    late_reason = models.TextField(_("why recorded late"), blank=True)

    class Meta(TimelineEntryBase.Meta):
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline")
        ordering = ["incident", "at", "id"]
        indexes = [models.Index(fields=["incident", "at"], name="timeline_incident_at_idx")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {(self.text or self.note)[:60]}"

    @property
    def text(self) -> str:
        """The system's message in the reader's language; a list of changed facts is shown by their labels."""
        if not self.message:
            return ""
        params = dict(self.params or {})
        for name in self.PARAM_INSTANTS:
            if name in params:
                params[name] = _local_instant_text(params[name])
        if isinstance(params.get("fields"), list):
            params["fields"] = ", ".join(incident_change_label(name) for name in params["fields"])
        return message_text(self.message, params, choices=self.PARAM_CHOICES)
