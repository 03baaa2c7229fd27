"""Demo rights requests: every jurisdiction and every status, built through the services.

Idempotent: each demo case carries a fixed ``account_id`` (``demo-…``); one that exists is left alone.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from . import case_tasks, identity_checks, identity_documents, letters, services
from .identity import opt_out_only
from .models import DraftKind, RightsRequest, Status

# key, jurisdiction, type, days since receipt, target status, name, language of drafts
DEMO_CASES = (
    ("demo-cn-1", "CN", "access", 2, Status.RECEIVED, "王小明", "zh-hans"),
    ("demo-cn-2", "CN", "account_cancellation", 30, Status.IN_PROGRESS, "李娜", "zh-hans"),  # overdue
    ("demo-cn-3", "CN", "deletion", 12, Status.RESPONSE_DRAFTED, "张伟", "zh-hans"),
    ("demo-cn-4", "CN", "explanation", 20, Status.CLOSED, "刘洋", "zh-hans"),
    ("demo-eu-1", "EU", "access", 25, Status.IN_PROGRESS, "Anna Schmidt", "en"),  # due soon
    ("demo-eu-2", "EU", "deletion", 45, Status.IN_PROGRESS, "Luca Rossi", "en"),  # overdue
    ("demo-eu-3", "EU", "objection", 10, Status.REJECTED, "Marie Dubois", "en"),
    ("demo-uk-1", "UK", "access", 6, Status.AWAITING_IDENTITY, "Oliver Smith", "en"),  # clock waits for ID
    ("demo-uk-2", "UK", "correction", 8, Status.AWAITING_CLARIFICATION, "Amelia Jones", "en"),
    # ID asked for, arrived 4 days before it was checked: the clock starts on its arrival.
    ("demo-uk-3", "UK", "access", 20, Status.IN_PROGRESS, "George Taylor", "en"),
    ("demo-uk-4", "UK", "complaint", 5, Status.RECEIVED, "Isla Brown", "en"),  # acknowledge within 30 days
    ("demo-ca-1", "US-CA", "access", 40, Status.IN_PROGRESS, "Emily Johnson", "en"),  # due within 7 days
    ("demo-ca-2", "US-CA", "ccpa_opt_out", 3, Status.RESPONDED, "Michael Brown", "en"),
    ("demo-sg-1", "SG", "access", 5, Status.WITHDRAWN, "Tan Wei Ling", "en"),
    ("demo-kr-1", "KR", "access", 4, Status.IN_PROGRESS, "Kim Min-jun", "en"),
    ("demo-ru-2", "RU", "access", 9, Status.IN_PROGRESS, "Ivan Petrov", "en"),
    ("demo-ru-1", "RU", "access", 9, Status.DUPLICATE, "Ivan Petrov", "en"),
    ("demo-br-1", "BR", "deletion", 7, Status.AWAITING_IDENTITY, "Ana Souza", "en"),
    ("demo-br-2", "BR", "confirmation", 0, Status.RECEIVED, "João Lima", "en"),  # immediately
    ("demo-jp-1", "JP", "access", 3, Status.IN_PROGRESS, "Sato Haruto", "en"),
    ("demo-tx-1", "US-TX", "access", 10, Status.IN_PROGRESS, "Jacob Miller", "en"),
    ("demo-tx-2", "US-TX", "appeal", 2, Status.RECEIVED, "Sophia Davis", "en"),
    ("demo-ny-1", "US-NY", "deletion", 6, Status.IN_PROGRESS, "Liam Wilson", "en"),  # no state law
)

# Identity asked for, the proof's arrival, the decision: days before now (demo-uk-3).
IDENTITY_TIMELINE = {"demo-uk-3": (19, 16, 12)}


def _user(username):
    return get_user_model().objects.filter(username=username).first()


def _verify(case, by):
    identity_checks.dsar_record_identity_check(
        case=case, by=by, method="data_points", data_points=["email", "account id", "device name"],
        signed_declaration=True,
    )


def load_demo(*, stdout) -> None:
    staff, manager = _user("staff"), _user("manager")
    now = timezone.now()
    created = 0
    try:
        from inventory_app.models import Controller, Service

        # A mainland-China requester uses the Chinese entities' services, everyone else the global ones.
        services_by_region = {
            region: list(Service.objects.filter(controller__serves=region).order_by("code")[:2])
            for region in Controller.Serves.values
        }
    except Exception:  # inventory not migrated / empty: cases without services
        services_by_region = {}
    for key, jurisdiction, request_type, days, target, name, language in DEMO_CASES:
        if RightsRequest.objects.filter(account_id=key).exists():
            continue
        assignee = manager if key.endswith("-3") else staff
        case = services.dsar_register(
            requester_name=name, requester_email=f"{key}@example.com", requester_phone="+86 138 0000 0000",
            account_id=key, jurisdiction=jurisdiction, request_type=request_type,
            received_at=now - timedelta(days=days, hours=2), channel="email",
            services=services_by_region.get(letters.controllers_serving(jurisdiction), []),
            assignee=assignee, by=manager, description="[demo]",
        )
        created += 1
        letters.draft_generate(case=case, kind=DraftKind.ACKNOWLEDGEMENT, language=language, by=assignee)
        if target == Status.RECEIVED:
            continue
        if target == Status.AWAITING_IDENTITY:
            identity_checks.dsar_request_identity(case=case, by=assignee)
            letters.draft_generate(case=case, kind=DraftKind.IDENTITY_REQUEST, language=language, by=assignee)
            continue
        if target == Status.WITHDRAWN:
            services.dsar_withdraw(case=case, by=assignee, note="Requester withdrew by e-mail.")
            continue
        if target == Status.REJECTED:
            # Proposed by staff, confirmed by a second person (the manager).
            services.dsar_propose_rejection(
                case=case, by=staff, reasons="The objection concerns processing required to perform the contract.")
            services.dsar_confirm_rejection(case=case, by=manager)
            letters.draft_generate(case=case, kind=DraftKind.REFUSAL, language=language, by=assignee)
            continue
        if key in IDENTITY_TIMELINE:
            asked, arrived, decided = (now - timedelta(days=d) for d in IDENTITY_TIMELINE[key])
            identity_checks.dsar_request_identity(case=case, by=assignee, now=asked)
            identity_checks.dsar_record_identity_check(
                case=case, by=assignee, method="data_points", data_points=["email", "account id", "device name"],
                proof_received_at=arrived, decided_at=decided, now=decided,
            )
        elif opt_out_only(case.all_types):
            # No proof of identity may be asked for (11 CCR §7026(d)): work starts at once.
            services.dsar_start_work(case=case, by=assignee)
        else:
            _verify(case, assignee)
        if target == Status.DUPLICATE:
            original = RightsRequest.objects.filter(account_id="demo-ru-2").first()
            if original is not None:
                services.dsar_mark_duplicate(case=case, duplicate_of=original, by=assignee)
            continue
        case_tasks.tasks_create_for_services(case=case, by=assignee)
        if not case.tasks.exists():
            case_tasks.task_create(case=case, by=assignee, owner=assignee, title="Export the account data",
                                 due_on=case.due_on)
        if not opt_out_only(case.all_types):
            identity_documents.dsar_upload_identity_document(
                case=case, by=assignee, file=ContentFile(b"%PDF-1.4 demo identity document\n", name="passport.pdf"),
            )
        if target == Status.IN_PROGRESS:
            continue
        if target == Status.AWAITING_CLARIFICATION:
            services.dsar_request_clarification(case=case, by=assignee, note="Which account does the request concern?")
            continue
        if opt_out_only(case.all_types):
            draft = letters.draft_generate(
                case=case, kind=DraftKind.RESPONSE, language=language, by=assignee,
                reasons="We no longer sell or share your personal information, and we have told the advertising "
                        "partners we shared it with to stop as well.")
        else:
            kind = DraftKind.ACCESS_RESPONSE if request_type == "access" else DraftKind.DELETION_CONFIRMATION
            draft = letters.draft_generate(case=case, kind=kind, language=language, by=assignee)
        services.dsar_mark_response_drafted(case=case, by=assignee)
        if target == Status.RESPONSE_DRAFTED:
            continue
        for task in case.tasks.filter(done=False):
            case_tasks.task_set_done(task=task, by=assignee)
        letters.draft_mark_sent(draft=draft, by=assignee)  # sending the reply marks the case responded
        if target == Status.CLOSED:
            services.dsar_close(case=case, by=assignee)
    stdout.write(_("Rights requests: %(n)d demo cases created.") % {"n": created})
