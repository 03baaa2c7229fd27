"""Letters to the requester: response drafts made from the templates in
``templates/requests_app/responses/<kind>.<language>.txt`` (first line ``Subject: …``, see
``privacy_office.outgoing``), edited, then frozen when sent; and the texts they are made of (what the
inventory says about the requester's data, the remedies).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from privacy_office import outgoing
from privacy_office.history import save_with_reason

from . import deadlines as dl
from .clocks import dsar_extension_take_effect, extended_preview, validate_extension_in_time
from .models import DraftKind, ResponseDraft, RightsRequest, Status, TimelineEntry
from .case_writes import lock_case, refuse_if_ended, refuse_if_erased, request_type_label, timeline_add
from . import letter_documents

# A letter goes out by e-mail or post under a subject line.
LETTERS = outgoing.Family("requests_app/responses", has_subject=True)

# The letters that answer the request: the latest one sent gives the case its response time.
REPLY_KINDS = (DraftKind.ACCESS_RESPONSE, DraftKind.DELETION_CONFIRMATION, DraftKind.RESPONSE)


def sent_reply(case: RightsRequest) -> ResponseDraft | None:
    """The latest reply (``REPLY_KINDS``) sent to the requester, or None."""
    return (case.drafts.filter(kind__in=REPLY_KINDS, sent_at__isnull=False)
            .order_by("-sent_at", "-id").first())


def refuse_if_frozen(case: RightsRequest, kind: str) -> None:
    """A letter on an ended case is refused, except the refusal letter of a refused case (it can
    only be sent once the refusal is confirmed); a refusal letter is refused before that."""
    refuse_if_erased(case)
    if kind == DraftKind.REFUSAL and case.status == Status.REJECTED:
        return
    refuse_if_ended(case)
    if kind == DraftKind.REFUSAL:
        raise ValidationError(
            _("The refusal has not been confirmed by a second person; the refusal letter can be sent only after."),
            code="rejection_unconfirmed",
        )


def draft_editable(draft: ResponseDraft) -> bool:
    """Whether the draft's text may still be edited: not sent, and its case not ended (save for
    the refusal letter of a refused case)."""
    if draft.sent_at is not None:
        return False
    case = draft.request
    if case.erased_at is not None:
        return False
    return not case.has_ended or (draft.kind == DraftKind.REFUSAL and case.status == Status.REJECTED)


def letter_language(language: str) -> str:
    """The office language (``settings.LANGUAGES``) a letter asked for in ``language`` is written in
    ("zh", "zh-cn" -> "zh-hans"); refused when the office writes no such language."""
    try:
        return translation.get_supported_language_variant(language)
    except LookupError:
        raise ValidationError(_("Unknown language %(language)s.") % {"language": language}, code="language") from None


def default_remedy_text(case: RightsRequest) -> str:
    """GDPR Art. 12(4): complaint to a supervisory authority and judicial remedy; PIPL Art. 50: sue."""
    if case.jurisdiction == dl.CN:
        return _("You may complain to the competent cyberspace administration authority, and under PIPL Art. 50 "
                 "you may bring a lawsuit in a people's court.")
    return _("You may lodge a complaint with a data protection supervisory authority and seek a judicial remedy "
             "(GDPR Art. 12(4) and the equivalent rules of your jurisdiction).")


def remedy_text_for_letter(case: RightsRequest) -> str:
    """The remedies a letter states (once): the officer's own text, or the default in the letter's
    (active) language when the case holds the default as written in another office language."""
    text = (case.remedy_text or "").strip()
    defaults = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            defaults.add(default_remedy_text(case))
    return default_remedy_text(case) if not text or text in defaults else text


# What each law lets a requester's access reply name as the safeguard of a transfer abroad: PIPL
# Art. 38(1) (security assessment, certification, standard contract) for the Chinese entities;
# GDPR Art. 45/46 (adequacy, standard contractual clauses) for the others. A transfer recorded
# under the other law's mechanism is still disclosed (the stricter reading: the requester learns
# of every transfer), its safeguard left for the officer to confirm before sending.
PIPL_MECHANISMS = ("cac_assessment", "certification", "pipl_contract")
GDPR_MECHANISMS = ("adequacy", "scc")

# Outgoing text computed here rather than in a template, in each office language.
LETTER_WORDS = {
    "zh": {
        "confirm_mechanism": "【请确认该项跨境提供依据的机制】",
        "methods": {"collect": "收集", "store": "存储", "use": "使用", "entrust": "委托处理",
                    "provide": "向其他个人信息处理者提供", "publish": "公开（社区内展示）", "abroad": "向境外提供"},
        "sep": "、",
    },
    "en": {
        "confirm_mechanism": "[confirm the safeguard of this transfer]",
        "methods": {"collect": "collection", "store": "storage", "use": "use", "entrust": "entrusted processing",
                    "provide": "provision to other controllers", "publish": "publication (shown in the community)",
                    "abroad": "transfer abroad"},
        "sep": ", ",
    },
}

# ISO codes of the inventory's countries, named as a letter names them.
COUNTRY_NAMES = {
    "CN": ("中国", "China"), "US": ("美国", "United States"), "SG": ("新加坡", "Singapore"),
    "KR": ("韩国", "South Korea"), "RU": ("俄罗斯", "Russia"), "DE": ("德国", "Germany"),
    "GB": ("英国", "United Kingdom"), "JP": ("日本", "Japan"), "BR": ("巴西", "Brazil"),
    "IE": ("爱尔兰", "Ireland"), "NL": ("荷兰", "Netherlands"), "HK": ("中国香港", "Hong Kong, China"),
}


def country_name(code: str, *, zh: bool) -> str:
    names = COUNTRY_NAMES.get((code or "").upper())
    if names is None:
        return code
    return names[0] if zh else names[1]


def controllers_serving(jurisdiction: str) -> str:
    """Which controllers (``Controller.serves``) answer a requester of ``jurisdiction``: the
    Chinese entities for mainland China (PIPL), the global entity for everyone else."""
    from inventory_app.models import Controller

    return Controller.Serves.MAINLAND_CHINA if jurisdiction == dl.CN else Controller.Serves.ELSEWHERE


def in_language(zh_text: str, en_text: str, *, zh: bool) -> str:
    """The text in the letter's language; the other one only when that one is missing (the officer
    sees it in the draft and translates it before sending)."""
    return (zh_text if zh else en_text) or zh_text or en_text or ""


def inventory_disclosure(*, services: Iterable, language: str, jurisdiction: str | None = None) -> dict:
    """What the access reply must list, from the inventory, for the requester's services, each
    item once: the controllers, purposes, methods, categories (one line per category, one name per
    normalised field), recipients, retention, sources, transfers (one line per destination and
    safeguard), automated decisions.

    With ``jurisdiction``, only the activities of the controllers that serve a requester of that
    jurisdiction (``controllers_serving``): a mainland-China requester reads the Chinese entities'
    processing under PIPL, never the global entity's."""
    from inventory_app.models import ActivityField, DataField, ProcessingActivity, Recipient, Transfer

    zh = language.startswith("zh")
    words = LETTER_WORDS["zh" if zh else "en"]
    services = list(services)
    activities_qs = ProcessingActivity.objects.filter(services__in=services)
    if jurisdiction is not None:
        activities_qs = activities_qs.filter(controller__serves=controllers_serving(jurisdiction))
    activities = list(
        activities_qs.distinct().select_related("controller").prefetch_related("recipients")
        .order_by("position", "code")
    )
    controllers, purposes, seen_purposes = [], [], set()
    retention_by_text: dict[str, list[str]] = {}
    recipients, seen_recipients = [], set()
    automated = []
    methods = {"collect", "store", "use"}
    for activity in activities:
        if activity.controller not in controllers:
            controllers.append(activity.controller)
        name = in_language(activity.name_zh, activity.name_en, zh=zh)
        purpose = in_language(activity.purpose_zh, activity.purpose_en, zh=zh)
        if (name, purpose) not in seen_purposes:
            seen_purposes.add((name, purpose))
            purposes.append({"name": name, "purpose": purpose})
        retention = in_language(activity.retention, activity.retention_en, zh=zh)
        if retention:
            names = retention_by_text.setdefault(retention, [])
            if name not in names:
                names.append(name)
        if activity.automated_decision:
            automated.append(name)
        if "公开" in activity.processing_method:
            methods.add("publish")
        for recipient in activity.recipients.all():
            methods.add("entrust" if recipient.kind in (Recipient.Kind.SDK_VENDOR, Recipient.Kind.PROCESSOR)
                        else "provide")
            if recipient.pk not in seen_recipients:
                seen_recipients.add(recipient.pk)
                recipients.append({
                    "name": in_language(recipient.name, recipient.name_en, zh=zh),
                    "kind": recipient.get_kind_display(),
                    "purpose": in_language(recipient.purpose, recipient.purpose_en, zh=zh),
                    "country": country_name(recipient.country, zh=zh) if recipient.country else "",
                })
    categories: dict[str, list[str]] = {}
    uses = (ActivityField.objects.filter(activity__in=activities).select_related("field")
            .order_by("field__category", "field__code"))
    for use in uses:
        field = use.field
        label = str(DataField.Category(field.category).label) if field.category in DataField.Category.values else field.category
        entry = categories.setdefault(label, [])
        field_name = (in_language(field.normalised_name_zh, field.normalised_name_en, zh=zh)
                      or in_language(field.name_zh, field.name_en, zh=zh))
        if field_name not in entry:
            entry.append(field_name)
    allowed = PIPL_MECHANISMS if jurisdiction == dl.CN else GDPR_MECHANISMS
    grouped: dict[tuple[str, str], list[str]] = {}
    transfers_qs = (Transfer.objects.filter(activity__in=activities).exclude(mechanism=Transfer.Mechanism.NONE)
                    .select_related("recipient").order_by("destination_country", "mechanism"))
    for transfer in transfers_qs:
        methods.add("abroad")
        if jurisdiction is None or transfer.mechanism in allowed:
            mechanism = transfer.get_mechanism_display()
        else:
            mechanism = words["confirm_mechanism"]
        names = grouped.setdefault((transfer.destination_country, str(mechanism)), [])
        if transfer.recipient_id:
            recipient_name = in_language(transfer.recipient.name, transfer.recipient.name_en, zh=zh)
            if recipient_name not in names:
                names.append(recipient_name)
    transfers = [
        {"country": country_name(country, zh=zh), "mechanism": mechanism, "recipient": words["sep"].join(names)}
        for (country, mechanism), names in grouped.items()
    ]
    sign_in = [r["name"] for r in recipients if r["kind"] == str(_("third-party sign-in"))]
    service_names = words["sep"].join(in_language(s.name_zh, s.name_en, zh=zh) for s in services)
    # The inventory has no "source" column: data comes from the requester through the service,
    # except what third-party sign-in providers pass on (listed as recipients of kind sign_in).
    sources = [_("Collected from you when you use %(services)s.") % {"services": service_names or "—"}]
    if sign_in:
        sources.append(_("Provided by the third-party sign-in service you chose: %(names)s.")
                       % {"names": words["sep"].join(sign_in)})
    if len(retention_by_text) == 1:
        retention = [{"names": "", "retention": next(iter(retention_by_text))}]
    else:
        retention = [{"names": words["sep"].join(names), "retention": text} for text, names in retention_by_text.items()]
    order = ("collect", "store", "use", "entrust", "provide", "publish", "abroad")
    return {
        "controllers": [{"name": in_language(c.name_zh, c.name_en, zh=zh),
                         "contact": c.dpo_email or c.contact} for c in controllers],
        "purposes": purposes,
        "methods": words["sep"].join(words["methods"][m] for m in order if m in methods) if activities else "",
        "categories": [{"category": k, "fields": v} for k, v in categories.items()],
        "recipients": recipients,
        "retention": retention,
        "sources": sources,
        "transfers": transfers,
        "automated": automated,
    }


def draft_render(*, case: RightsRequest, kind: str, language: str, reasons: str = "") -> tuple[str, str]:
    """(subject, body) from templates/requests_app/responses/<kind>.<language>.txt."""
    if kind not in DraftKind.values:
        raise ValidationError(_("Unknown draft kind %(kind)s.") % {"kind": kind}, code="kind")
    lang = letter_language(language)
    if kind == DraftKind.EXTENSION_NOTICE and not case.extended and case.extension_deadline is not None:
        # The notice announces the new date; the extension takes effect when the notice is sent.
        case = extended_preview(case)
    with translation.override(lang):
        context = {
            "case": case,
            "types": [request_type_label(t) for t in case.all_types],
            "services": list(case.services.all()),
            "reasons": reasons or case.extension_reasons or case.rejection_reasons,
            "remedies": remedy_text_for_letter(case),
            "jurisdiction": case.get_jurisdiction_display(),
            "is_cn": case.jurisdiction == dl.CN,
        }
        if kind == DraftKind.ACCESS_RESPONSE:
            context["inventory"] = inventory_disclosure(services=context["services"], language=lang,
                                                        jurisdiction=case.jurisdiction)
        letter = outgoing.render_plain_text(LETTERS, kind, language=lang, context=context)
    return letter.subject, letter.body


def draft_generate(*, case: RightsRequest, kind: str, language: str, by, reasons: str = "",
                   now: datetime | None = None) -> ResponseDraft:
    """A new editable draft from the template."""
    now = now or timezone.now()
    refuse_if_erased(case)
    if not (kind == DraftKind.REFUSAL and case.status == Status.REJECTED):
        refuse_if_ended(case)
    if kind == DraftKind.EXTENSION_NOTICE and not case.extended:
        if case.extension_deadline is None:
            raise ValidationError(_("No extension exists for this request."), code="no_extension")
        validate_extension_in_time(case, now=now)
    if kind == DraftKind.IDENTITY_REQUEST:
        from .services import refuse_identity_demand

        refuse_identity_demand(case)
    if kind == DraftKind.REFUSAL and not (reasons or case.rejection_reasons):
        raise ValidationError(_("Give the reasons for refusing the request."), code="rejection_reasons")
    if kind == DraftKind.RESPONSE and not (reasons or "").strip():
        raise ValidationError(_("Say what was done on the request: the response tells the requester."),
                              code="response_text")
    subject, body = draft_render(case=case, kind=kind, language=language, reasons=reasons)
    draft = ResponseDraft(request=case, kind=kind, language=letter_language(language),
                          subject=subject[:300], body=body)
    save_with_reason(draft, by=by, reason=gettext_noop("draft generated"))
    timeline_add(
        case=case, kind=TimelineEntry.Kind.DRAFT, message=gettext_noop("Draft generated: %(kind)s (%(language)s)."),
        params={"kind": kind, "language": draft.language}, by=by, at=now,
    )
    return draft


def draft_edit(*, draft: ResponseDraft, by, subject: str | None = None, body: str | None = None) -> ResponseDraft:
    """Save the edited text of a draft not yet sent (a sent draft is frozen, and so are the drafts
    of an ended case, save for the refusal letter of a refused case)."""
    if draft.sent_at is not None:
        raise ValidationError(_("This draft was sent on %(when)s; the sent version is frozen. Generate a new draft.")
                              % {"when": timezone.localtime(draft.sent_at).strftime("%Y-%m-%d %H:%M")}, code="sent")
    if not draft_editable(draft):
        refuse_if_ended(draft.request)
    if subject is not None:
        draft.subject = subject
    if body is not None:
        draft.body = body
    save_with_reason(draft, by=by, reason=gettext_noop("draft edited"))
    return draft


def draft_mark_sent(*, draft: ResponseDraft, by, now: datetime | None = None) -> ResponseDraft:
    """Freeze the text as sent. An acknowledgement marks the case acknowledged; an extension notice
    makes the decided extension take effect (``clocks.dsar_extension_take_effect``), with this
    notice's sent time; the reply (``REPLY_KINDS``) on an open case moves it to "responded" with
    this sent time (``services.dsar_move_on_reply``), refused - and nothing sent - while a task is
    open. Refused on an ended case (save for the refusal letter of a refused case), and for a
    refusal letter before the refusal is confirmed."""
    now = now or timezone.now()
    with transaction.atomic():
        draft = ResponseDraft.objects.select_for_update().get(pk=draft.pk)
        if draft.sent_at is not None:
            raise ValidationError(_("This draft has already been sent."), code="sent")
        if not draft.body.strip():
            raise ValidationError(_("The draft is empty."), code="empty")
        case = lock_case(draft.request)
        refuse_if_frozen(case, draft.kind)
        moves_case = draft.kind in REPLY_KINDS and case.is_open
        if moves_case:
            from .services import refuse_reply_with_open_tasks

            refuse_reply_with_open_tasks(case)
        draft.sent_subject, draft.sent_body, draft.sent_at, draft.sent_by = draft.subject, draft.body, now, by
        save_with_reason(draft, by=by, reason=gettext_noop("sent"))
        # The .docx and PDF as sent are kept: downloads serve them forever, whatever changes later.
        letter_documents.letter_freeze(draft=draft, by=by)
        if draft.kind == DraftKind.EXTENSION_NOTICE:
            dsar_extension_take_effect(case=case, notice=draft, by=by)
        if draft.kind == DraftKind.ACKNOWLEDGEMENT and case.acknowledged_at is None:
            case.acknowledged_at = now
            save_with_reason(case, by=by, reason=gettext_noop("acknowledged"), update_fields=["acknowledged_at"])
        timeline_add(
            case=case, kind=TimelineEntry.Kind.DRAFT,
            message=gettext_noop("Sent to the requester: %(kind)s (%(language)s)."),
            params={"kind": draft.kind, "language": draft.language}, by=by, at=now,
        )
        if moves_case:
            from .services import dsar_move_on_reply

            dsar_move_on_reply(case=case, by=by, now=now)
    return draft
