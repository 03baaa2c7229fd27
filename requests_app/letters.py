"""Letters to the requester: response drafts made from the templates in
``templates/requests_app/responses/<kind>.<language>.txt`` (first line ``Subject: …``, see
``privacy_office.outgoing``), edited, then frozen when sent; and the texts they are made of (what the
inventory says about the requester's data, the remedies).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

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


def inventory_disclosure(*, services: Iterable, language: str) -> dict:
    """What the access response must list, from the inventory, for the requester's services:
    purposes, data categories, recipients, retention, sources and cross-border transfers."""
    from inventory_app.models import ActivityField, DataField, ProcessingActivity, Transfer

    zh = language.startswith("zh")
    activities = list(
        ProcessingActivity.objects.filter(services__in=list(services)).distinct()
        .prefetch_related("recipients", "storage_locations")
        .order_by("position", "code")
    )
    purposes, retention, recipients, seen_recipients = [], [], [], set()
    for activity in activities:
        name = (activity.name_zh if zh else activity.name_en) or activity.name_zh or activity.name_en
        purpose = (activity.purpose_zh if zh else activity.purpose_en) or activity.purpose_zh or activity.purpose_en
        purposes.append({"name": name, "purpose": purpose})
        if activity.retention:
            retention.append({"name": name, "retention": activity.retention})
        for recipient in activity.recipients.all():
            if recipient.pk not in seen_recipients:
                seen_recipients.add(recipient.pk)
                recipients.append({
                    "name": (recipient.name if zh else recipient.name_en) or recipient.name,
                    "kind": recipient.get_kind_display(),
                    "purpose": recipient.purpose,
                    "country": recipient.country,
                })
    categories = {}
    for use in ActivityField.objects.filter(activity__in=activities).select_related("field").order_by("field__category", "field__code"):
        field = use.field
        label = str(DataField.Category(field.category).label) if field.category in DataField.Category.values else field.category
        entry = categories.setdefault(label, [])
        field_name = (field.name_zh if zh else field.name_en) or field.name_zh or field.name_en
        if field_name not in entry:
            entry.append(field_name)
    transfers = [
        {"country": t.destination_country, "mechanism": t.get_mechanism_display(),
         "recipient": str(t.recipient) if t.recipient_id else ""}
        for t in Transfer.objects.filter(activity__in=activities).select_related("recipient").order_by("destination_country")
    ]
    sign_in = [r["name"] for r in recipients if r["kind"] == str(_("third-party sign-in"))]
    # The inventory has no "source" column: data comes from the requester through the service,
    # except what third-party sign-in providers pass on (listed as recipients of kind sign_in).
    sources = [_("Collected from you when you use %(services)s.") % {"services": ", ".join(str(s) for s in services) or "—"}]
    if sign_in:
        sources.append(_("Provided by the third-party sign-in service you chose: %(names)s.") % {"names": ", ".join(sign_in)})
    return {
        "purposes": purposes,
        "categories": [{"category": k, "fields": v} for k, v in categories.items()],
        "recipients": recipients,
        "retention": retention,
        "sources": sources,
        "transfers": transfers,
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
            "remedies": case.remedy_text or default_remedy_text(case),
            "jurisdiction": case.get_jurisdiction_display(),
            "is_cn": case.jurisdiction == dl.CN,
        }
        if kind == DraftKind.ACCESS_RESPONSE:
            context["inventory"] = inventory_disclosure(services=context["services"], language=lang)
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
    notice's sent time. Refused on an ended case (save for the refusal letter of a refused case),
    and for a refusal letter before the refusal is confirmed."""
    now = now or timezone.now()
    with transaction.atomic():
        draft = ResponseDraft.objects.select_for_update().get(pk=draft.pk)
        if draft.sent_at is not None:
            raise ValidationError(_("This draft has already been sent."), code="sent")
        if not draft.body.strip():
            raise ValidationError(_("The draft is empty."), code="empty")
        case = lock_case(draft.request)
        refuse_if_frozen(case, draft.kind)
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
    return draft
