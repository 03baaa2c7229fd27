"""Demo incidents: one touching CN, EU, US-CA and SG with its obligations and drafts (Aqara also acted
as processor for an installer there), two more in later statuses, and a product vulnerability under
the EU Cyber Resilience Act with no personal data. Idempotent: an incident whose title exists is left
alone."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from . import services
from .models import Incident, NoticeDraft, Obligation

MAIN_TITLE = "Customer-service ticket store exposed to the internet"
LAPTOP_TITLE = "Engineer's laptop with an encrypted backup lost"
EMAIL_TITLE = "Order confirmation sent to the wrong customer (Korea)"
HUB_TITLE = "Hub firmware: local API vulnerability exploited"
# The ticket store also held tickets Aqara+ installers opened for their own customers' projects:
# for those Aqara is the installer's processor (受托方) and tells the installer.
INSTALLER = "Brightline Smart Homes GmbH (Aqara+ installer, Munich)"

CONTACT = "Aqara Privacy Office, privacy@lumiunited.com, +86 755 0000 0000 (DPO: Privacy Office lead)"


def _activities():
    try:
        from inventory_app.models import ProcessingActivity, Service
    except ImportError:  # inventory not installed: incidents still load
        return [], []
    return list(ProcessingActivity.objects.all()[:3]), list(Service.objects.all()[:2])


def load_demo(*, stdout) -> None:
    User = get_user_model()
    staff = User.objects.filter(username="staff").first()
    manager = User.objects.filter(username="manager").first()
    now = timezone.now().replace(second=0, microsecond=0)
    activities, service_rows = _activities()
    created = 0

    if not Incident.objects.filter(title=MAIN_TITLE).exists():
        discovered = now - timedelta(hours=1, minutes=20)
        incident = services.incident_create(
            by=staff, title=MAIN_TITLE, discovered_at=discovered, aware_at=discovered + timedelta(minutes=40),
            occurred_from=now - timedelta(days=6), occurred_to=discovered - timedelta(hours=2),
            description=("A misconfigured object-storage bucket holding customer-service tickets was readable "
                         "from the internet without authentication. Access logs show downloads from two "
                         "unknown IP addresses."),
            cause="Access policy changed during a storage migration; the change was not peer-reviewed.",
            confidentiality=True, unauthorised_disclosure=True, unauthorised_access=True,
            risk_level=Incident.RiskLevel.HIGH,
            risk_reasoning="Names, phone numbers and home addresses with device locations enable phishing and "
                           "physical targeting; data was actually downloaded.",
            likely_consequences="Phishing calls and messages impersonating Aqara support; exposure of home "
                                "addresses linked to smart-home devices.",
            measures_taken="Bucket made private within 35 minutes of discovery; access keys rotated; the "
                           "downloading IP addresses blocked.",
            measures_planned="Mandatory review of storage policy changes; weekly automated exposure scan.",
            self_protection_advice="Be wary of calls or messages claiming to be Aqara support; Aqara never asks "
                                   "for your password or verification code. Change your Aqara Home password.",
            remedies="Free identity-protection service for 12 months; dedicated support line.",
            contact_point=CONTACT,
            system_overview="Aqara customer-service ticketing system (SaaS, hosted in Shanghai and Frankfurt).",
            significant_harm=True, sg_assessed_at=discovered + timedelta(minutes=50),
            populations={
                "CN": {"people_min": 1_200_000, "people_max": 1_300_000, "records": 2_400_000, "estimate": True},
                "EU": {"people_min": 3_400, "records": 6_100},
                "US-CA": {"people_min": 620, "records": 700},
                "SG": {"people_min": 800, "records": 820},
            },
            activities=activities, services=service_rows, extra_data_categories="Support ticket free text",
            aqara_role=Incident.AqaraRole.BOTH, customers=INSTALLER,
            # No main establishment in the Union recorded: each concerned authority (GDPR Art. 56, 60).
            eu_affected_states="DE, FR, NL",
        )
        services.incident_change_status(incident=incident, by=staff, to_status=Incident.Status.ASSESSING)
        services.incident_generate_drafts(incident=incident, by=staff)
        if manager is not None:
            cac = incident.obligations.get(code="CN-CAC-INCIDENT")
            for draft in cac.drafts.all():
                services.notice_draft_approve(draft=draft, by=manager)
            services.obligation_mark_sent(obligation=cac, by=staff, channel="Provincial CAC reporting portal",
                                          reference="GD-CAC-2026-0815")
            eu = incident.obligations.get(code="EU-SA")
            services.notice_draft_approve(draft=eu.drafts.get(language="en"), by=manager)
        services.incident_change_status(incident=incident, by=staff, to_status=Incident.Status.NOTIFYING)
        created += 1

    if not Incident.objects.filter(title=LAPTOP_TITLE).exists():
        discovered = now - timedelta(days=3)
        incident = services.incident_create(
            by=staff, title=LAPTOP_TITLE, discovered_at=discovered, aware_at=discovered,
            description="A laptop holding an encrypted backup of device pairing logs was left on a train.",
            cause="Loss of equipment.", loss=True, availability=True, encrypted=True,
            risk_level=Incident.RiskLevel.NONE,
            risk_reasoning="Full-disk encryption (AES-256) with a key not stored on the device; remote wipe sent.",
            likely_consequences="None expected: data unintelligible without the key.",
            measures_taken="Remote wipe; credentials of the engineer rotated.", contact_point=CONTACT,
            populations={"EU": {"people_min": 40, "people_max": 60, "estimate": True}},
            eu_affected_states="DE",
        )
        services.incident_change_status(incident=incident, by=staff, to_status=Incident.Status.ASSESSING)
        services.incident_change_status(incident=incident, by=staff, to_status=Incident.Status.MONITORING,
                                        note="Encrypted: no notification required (GDPR Art. 33(1)); recorded under Art. 33(5).")
        created += 1

    if not Incident.objects.filter(title=EMAIL_TITLE).exists():
        # Handled within the day: the notice goes out when it is approved (now), never before its
        # approval, so the demo shows no back-dated send.
        discovered = now - timedelta(hours=6)
        incident = services.incident_create(
            by=staff, title=EMAIL_TITLE, discovered_at=discovered, aware_at=discovered,
            occurred_from=discovered - timedelta(hours=3),
            description="An order confirmation with a name and delivery address was e-mailed to another customer.",
            cause="Manual error when re-sending a confirmation.", confidentiality=True, unauthorised_disclosure=True,
            risk_level=Incident.RiskLevel.RISK, risk_reasoning="One person; the recipient confirmed deletion.",
            likely_consequences="Low: one delivery address disclosed to one person.",
            measures_taken="The recipient deleted the e-mail and confirmed it in writing.",
            measures_planned="Re-sending confirmations now only from the order page.",
            self_protection_advice="No action needed; contact us if you receive unexpected parcels or messages.",
            remedies="Apology and a service voucher.", contact_point=CONTACT,
            contained_at=discovered + timedelta(hours=5),
            extra_data_categories="Name\nDelivery address\nOrder number",
            populations={"KR": {"people_min": 1, "records": 1}},
        )
        services.incident_change_status(incident=incident, by=staff, to_status=Incident.Status.ASSESSING)
        services.incident_generate_drafts(incident=incident, by=staff)
        if manager is not None:
            notice = incident.obligations.get(code="KR-IND")
            for draft in notice.drafts.filter(phase=NoticeDraft.Phase.INITIAL):
                services.notice_draft_approve(draft=draft, by=manager)
            services.obligation_mark_sent(obligation=notice, by=staff, channel="e-mail")
            services.incident_change_status(incident=incident, by=staff, to_status=Incident.Status.MONITORING)
            services.incident_change_status(incident=incident, by=staff, to_status=Incident.Status.CLOSED)
        created += 1

    if not Incident.objects.filter(title=HUB_TITLE).exists():
        # An actively exploited vulnerability in a product sold in the EU: CRA Art. 14(2) early
        # warning (24 h) and notification (72 h) to the CSIRT and ENISA, users informed; no personal
        # data, so no breach notification. The fix is not out yet: the final report's clock waits.
        aware = now - timedelta(hours=5)
        incident = services.incident_create(
            by=staff, title=HUB_TITLE, kind=Incident.Kind.PRODUCT_SECURITY,
            discovered_at=aware - timedelta(hours=2), aware_at=aware,
            description=("A crafted packet on the local network makes the hub's LAN API run code of the sender's "
                         "choosing. Our honeypot hubs recorded the exploit being used from compromised routers."),
            cause="Missing length check in the mDNS service parser of the hub firmware.",
            affected_products="Aqara Hub M3, firmware 4.1.0 to 4.1.3; Aqara Hub M2, firmware 4.0.5",
            vulnerability="Heap buffer overflow in the mDNS parser (internal id AQ-PSIRT-2026-017, CVE requested).",
            actively_exploited=True, severe_incident=False, malicious_act_suspected=True,
            malicious_actor="A botnet of compromised home routers scanning for port 5353; attribution unknown.",
            member_states="DE, FR, NL, IT, ES, PL",
            user_measures="Until the update is installed: turn off 'LAN control' in the Aqara Home app.",
            sensitivity="High until the update is out: the exploit details stay restricted to the CSIRT.",
            severity_and_impact="CVSS 8.8; a compromised hub can be used to attack other devices on the home LAN.",
            measures_taken="Cloud-side block of the exploit's scanning sources; firmware 4.1.4 in staged roll-out.",
            contact_point=CONTACT,
        )
        services.incident_change_status(incident=incident, by=staff, to_status=Incident.Status.ASSESSING)
        created += 1

    live = Obligation.objects.live().count()
    stdout.write(_("Incidents: %(created)d demo incidents created; %(total)d incidents, %(live)d obligations "
                   "still to do.") % {"created": created, "total": Incident.objects.count(), "live": live})
