"""Shared builders for the rights-request tests (real database, through the services)."""

from __future__ import annotations

from datetime import datetime, timezone as dt_timezone

from requests_app import identity_checks, letters, services
from requests_app.models import DraftKind

UTC = dt_timezone.utc


def at(y, m, d, hh=10, mm=0) -> datetime:
    """A UTC instant."""
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def make_case(*, now=None, by=None, **overrides):
    values = {
        "requester_name": "Anna Schmidt",
        "requester_email": "anna@example.com",
        "requester_phone": "+49 30 1234 5678",
        "account_id": "",
        "jurisdiction": "EU",
        "request_type": "access",
        "received_at": at(2026, 3, 2),
        "channel": "email",
    }
    values.update(overrides)
    now = now or max(values["received_at"], at(2026, 3, 2, 12))
    return services.dsar_register(by=by, now=now, **values)


def verified_case(by, **overrides):
    """A case whose requester's identity was verified on receipt: a reply may be sent on it (sending
    the reply moves the case to "responded", and work starts only once identity is verified)."""
    case = make_case(**overrides)
    decided = max(case.received_at, at(2026, 3, 2, 12))
    identity_checks.dsar_record_identity_check(case=case, by=by, method="session_reauth", decided_at=decided,
                                               now=decided)
    case.refresh_from_db()
    return case


def extend(case, *, by, reasons, now=None, language="en"):
    """Decide the extension and send its notice at ``now``: the extension takes effect then."""
    notice = services.dsar_extend(case=case, by=by, reasons=reasons, language=language, now=now)
    letters.draft_mark_sent(draft=notice, by=by, now=now)
    case.refresh_from_db()
    return notice


def send_reply(case, *, by, now=None, kind=DraftKind.ACCESS_RESPONSE, language="en"):
    """Generate the reply and mark it sent at ``now`` (the case's response time)."""
    draft = letters.draft_generate(case=case, kind=kind, language=language, by=by, now=now)
    return letters.draft_mark_sent(draft=draft, by=by, now=now)


def refuse(case, *, by, confirmed_by, reasons, remedies="", now=None):
    """A refusal proposed by ``by`` and confirmed by a second person, ``confirmed_by``."""
    services.dsar_propose_rejection(case=case, by=by, reasons=reasons, remedies=remedies, now=now)
    return services.dsar_confirm_rejection(case=case, by=confirmed_by, now=now)


def make_inventory(*, service_code="aqara-home", serves="global"):
    """A small inventory: one service, one activity with a purpose, fields, a processor and a transfer.
    ``serves``: whose requests its controller answers (``Controller.serves``)."""
    from inventory_app.models import (
        ActivityField, Controller, DataField, ProcessingActivity, Recipient, Service, Transfer,
    )

    controller = Controller.objects.create(code=f"ctl-{service_code}", name_zh="绿米", name_en="Lumi United",
                                           serves=serves)
    service = Service.objects.create(code=service_code, name_zh="Aqara Home 应用", name_en="Aqara Home app", controller=controller)
    other = Service.objects.create(code=f"{service_code}-other", name_zh="其他服务", name_en="Other service", controller=controller)
    processor = Recipient.objects.create(code=f"{service_code}-cloud", name="云服务商", name_en="Cloud Hosting Ltd",
                                         kind="processor", purpose="hosting", country="DE")
    unrelated = Recipient.objects.create(code=f"{service_code}-ads", name="广告商", name_en="Ad Network Inc",
                                         kind="advertising", purpose="ads")
    activity = ProcessingActivity.objects.create(
        code=f"{service_code}-account", name_zh="账号注册", name_en="Account registration",
        purpose_zh="为您创建并管理账号", purpose_en="To create and manage your account",
        controller=controller, pipl_basis="contract", retention="Until the account is cancelled",
    )
    activity.services.add(service)
    activity.recipients.add(processor)
    email = DataField.objects.create(code=f"{service_code}-email", name_zh="邮箱", name_en="E-mail address", category="contact")
    ActivityField.objects.create(activity=activity, field=email)
    Transfer.objects.create(activity=activity, destination_country="DE", mechanism="scc", recipient=processor)
    other_activity = ProcessingActivity.objects.create(
        code=f"{service_code}-marketing", name_zh="营销", name_en="Marketing", purpose_en="To show adverts",
        controller=controller, pipl_basis="consent",
    )
    other_activity.services.add(other)
    other_activity.recipients.add(unrelated)
    return service, processor
