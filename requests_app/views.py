"""The rights-request admin's own pages: the case page's action buttons, the logged identity-document
download, and the confirmation pages of the list's bulk actions (assign, erase).

Registered by ``RightsRequestAdmin.get_urls`` (and its actions) inside the admin site, so every
page keeps the admin's sign-in, permissions and look; each one calls a service and reports.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from privacy_office.admin_base import VERSION_FIELD, check_loaded_version, selection_too_large
from privacy_office.middleware import client_ip
from privacy_office.roles import holds_approval

from . import case_tasks, erasure, identity_checks, identity_documents, letters, services
from .forms import (
    AssignForm,
    DraftForm,
    DuplicateForm,
    ErasureForm,
    ExtendForm,
    IdentityCheckForm,
    IdentityReceivedForm,
    NoteForm,
    ReopenForm,
    RejectForm,
    UploadForm,
)
from .identity import opt_out_only
from .models import ENDED_STATUSES, OPEN_STATUSES, IdentityDocument, RightsRequest, Status


def _split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


# Case actions: name -> (label, form, handler(case, user, data), statuses it is offered in).
CASE_ACTIONS = {
    "request_identity": (gettext_lazy("Request proof of identity"), None,
                         lambda c, u, d: identity_checks.dsar_request_identity(case=c, by=u),
                         (Status.RECEIVED, Status.AWAITING_IDENTITY)),
    "identity_received": (gettext_lazy("Proof of identity received"), IdentityReceivedForm,
                          lambda c, u, d: identity_checks.dsar_record_identity_received(
                              case=c, by=u, received_at=d["received_at"]),
                          OPEN_STATUSES),
    "record_identity": (gettext_lazy("Record identity check"), IdentityCheckForm,
                        lambda c, u, d: identity_checks.dsar_record_identity_check(
                            case=c, by=u, method=d["method"], data_points=_split(d["data_points"]),
                            signed_declaration=d["signed_declaration"], authority_confirmed=d["authority_confirmed"],
                            specific_pieces=d["specific_pieces"], corrected_fields=_split(d["corrected_fields"]),
                            verified=d["verified"], note=d["note"], proof_received_at=d["proof_received_at"]),
                        OPEN_STATUSES),
    "upload_document": (gettext_lazy("Upload identity document"), UploadForm,
                        lambda c, u, d: identity_documents.dsar_upload_identity_document(case=c, file=d["file"], by=u),
                        OPEN_STATUSES),
    "start_work": (gettext_lazy("Start work"), None, lambda c, u, d: services.dsar_start_work(case=c, by=u),
                   (Status.RECEIVED, Status.AWAITING_IDENTITY, Status.RESPONSE_DRAFTED)),
    "request_clarification": (gettext_lazy("Ask for clarification"), NoteForm,
                              lambda c, u, d: services.dsar_request_clarification(case=c, by=u, note=d["note"]),
                              (Status.IN_PROGRESS,)),
    "receive_clarification": (gettext_lazy("Clarification received"), None,
                              lambda c, u, d: services.dsar_receive_clarification(case=c, by=u),
                              (Status.AWAITING_CLARIFICATION,)),
    # Prepares the extension notice; the extension takes effect when that notice is marked sent.
    "extend": (gettext_lazy("Extend the deadline"), ExtendForm,
               lambda c, u, d: services.dsar_extend(case=c, by=u, reasons=d["reasons"], language=d["language"]),
               OPEN_STATUSES),
    "create_tasks": (gettext_lazy("Create tasks for services and processors"), None,
                     lambda c, u, d: case_tasks.tasks_create_for_services(case=c, by=u), OPEN_STATUSES),
    "generate_draft": (gettext_lazy("Generate a response draft"), DraftForm,
                       lambda c, u, d: letters.draft_generate(case=c, kind=d["kind"], language=d["language"],
                                                              reasons=d["reasons"], by=u),
                       (*OPEN_STATUSES, Status.RESPONDED, Status.REJECTED)),
    "mark_drafted": (gettext_lazy("Response drafted"), None,
                     lambda c, u, d: services.dsar_mark_response_drafted(case=c, by=u), (Status.IN_PROGRESS,)),
    "mark_responded": (gettext_lazy("Mark responded"), None,
                       lambda c, u, d: services.dsar_mark_responded(case=c, by=u), (Status.RESPONSE_DRAFTED,)),
    "close": (gettext_lazy("Close"), None, lambda c, u, d: services.dsar_close(case=c, by=u), (Status.RESPONDED,)),
    # A refusal is proposed by one person and confirmed (or declined) by a second one.
    "reject": (gettext_lazy("Propose refusal"), RejectForm,
               lambda c, u, d: services.dsar_propose_rejection(case=c, by=u, reasons=d["reasons"],
                                                               remedies=d["remedies"]),
               OPEN_STATUSES),
    "confirm_rejection": (gettext_lazy("Confirm the refusal"), None,
                          lambda c, u, d: services.dsar_confirm_rejection(case=c, by=u), OPEN_STATUSES),
    "decline_rejection": (gettext_lazy("Decline the refusal"), NoteForm,
                          lambda c, u, d: services.dsar_decline_rejection(case=c, by=u, note=d["note"]),
                          OPEN_STATUSES),
    "withdraw": (gettext_lazy("Withdrawn by the requester"), NoteForm,
                 lambda c, u, d: services.dsar_withdraw(case=c, by=u, note=d["note"]), OPEN_STATUSES),
    "duplicate": (gettext_lazy("Mark as duplicate"), DuplicateForm,
                  lambda c, u, d: services.dsar_mark_duplicate(case=c, duplicate_of=d["reference"], by=u),
                  (Status.RECEIVED, Status.AWAITING_IDENTITY, Status.IN_PROGRESS)),
    "reopen": (gettext_lazy("Re-open the case"), ReopenForm,
               lambda c, u, d: services.dsar_reopen(case=c, by=u, reason=d["reason"]), ENDED_STATUSES),
}
# Actions offered only to holders of an approval (privacy_office.roles.APPROVALS); the services check it.
ACTION_APPROVALS = {"confirm_rejection": "reject_request", "decline_rejection": "reject_request",
                    "reopen": "reopen_case"}


def _action_applies(case: RightsRequest, name: str, user) -> bool:
    if name in ACTION_APPROVALS and not holds_approval(user, ACTION_APPROVALS[name]):
        return False
    if name == "reject":
        return not case.rejection_pending
    if name in ("confirm_rejection", "decline_rejection"):
        return case.rejection_pending
    if name == "request_identity" and opt_out_only(case.all_types):
        return False  # 11 CCR §7026(d): the service refuses it (services.refuse_identity_demand)
    if name in ("request_identity", "record_identity"):
        return case.verified_on is None
    if name == "identity_received":
        return case.verified_on is None and case.identity_requested_at is not None and case.identity_received_at is None
    if name == "extend":
        return not case.extended and case.extension_deadline is not None
    if name == "start_work":
        return Status.IN_PROGRESS in RightsRequest.TRANSITIONS[case.status]
    return True


def available_actions(case: RightsRequest, *, user) -> list[tuple[str, str]]:
    """(name, label) of the action buttons the case page offers ``user`` for the case as it is now."""
    return [
        (name, label) for name, (label, _form, _handler, statuses) in CASE_ACTIONS.items()
        if case.status in statuses and _action_applies(case, name, user)
    ]


def action_details(case: RightsRequest, action: str) -> list[tuple[str, str]]:
    """What the person confirming an action must read first: the proposed refusal, as proposed."""
    if action not in ("confirm_rejection", "decline_rejection") or not case.rejection_pending:
        return []
    field = RightsRequest._meta.get_field
    proposed = _("%(user)s, %(when)s") % {
        "user": case.rejection_proposed_by, "when": timezone.localtime(case.rejection_proposed_at).strftime("%Y-%m-%d %H:%M")}
    return [
        (field("rejection_proposed_by").verbose_name, proposed),
        (field("rejection_reasons").verbose_name, case.rejection_reasons),
        (field("remedy_text").verbose_name, case.remedy_text),
    ]


def case_action(request, object_id, action, *, model_admin):
    """One action button: its form (or a confirmation page), then the service."""
    case = model_admin.get_object(request, object_id)
    if case is None:
        raise Http404
    if action not in CASE_ACTIONS:
        raise Http404
    if not model_admin.may_act(request, case):
        raise PermissionDenied
    label, form_class, handler, _statuses = CASE_ACTIONS[action]
    change_url = reverse("admin:requests_app_rightsrequest_change", args=[case.pk])
    form = None
    if request.method == "POST":
        form = form_class(request.POST, request.FILES) if form_class else None
        if form is None or form.is_valid():
            try:
                with transaction.atomic():
                    try:
                        # The version the page showed, checked with the row locked until the write ends.
                        check_loaded_version(request, case)
                    except ValidationError as exc:
                        messages.error(request, " ".join(exc.messages))
                        return HttpResponseRedirect(change_url)
                    handler(case, request.user, form.cleaned_data if form else {})
            except PermissionDenied as exc:
                messages.error(request, str(exc) or _("You may not do this."))
                return HttpResponseRedirect(change_url)
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
                if form is None:
                    return HttpResponseRedirect(change_url)
                form.add_error(None, exc)
            else:
                messages.success(request, _("%(action)s: done.") % {"action": label})
                return HttpResponseRedirect(change_url)
    elif form_class is not None:
        # Actions without input still need a POST (CSRF): they show a confirmation page.
        form = form_class()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"{case.reference}: {label}",
        "opts": model_admin.model._meta,
        "original": case,
        "case": case,
        "form": form,
        "action_label": label,
        "details": action_details(case, action),
        "change_url": change_url,
        "loaded_version_field": VERSION_FIELD,
        "multipart": bool(form and form.is_multipart()),
    }
    return TemplateResponse(request, "requests_app/admin/case_action.html", context)


def identity_document(request, object_id, document_id, *, model_admin):
    """Streams an identity document after the access rule; every view is logged."""
    document = get_object_or_404(IdentityDocument.objects.select_related("request"), pk=document_id, request_id=object_id)
    try:
        handle = identity_documents.identity_document_open(
            document=document, by=request.user, ip_address=client_ip(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(reverse("admin:requests_app_rightsrequest_change", args=[object_id]))
    # Always a download, typed as recognised at upload: a browser never renders (or sniffs)
    # what a requester sent inside the admin's origin.
    response = FileResponse(
        handle, as_attachment=True,
        filename=identity_documents.download_name(document.original_name, document.content_type),
        content_type=identity_documents.served_type(document.content_type),
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _bulk_page_context(model_admin, request, *, title: str, form, action: str) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.model._meta,
        "form": form,
        "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across") == "1",
        "action": action,
    }


def version_field_name(case: RightsRequest) -> str:
    """The hidden input carrying the version of ``case`` a bulk page showed (one per case)."""
    return f"{VERSION_FIELD}_{case.pk}"


# The erasure confirmation lists each selected case with whether, and why not, it may be erased.
ERASURE_PAGE_MAX_ROWS = 200


def bulk_selection_too_large(model_admin, request, queryset, *, limit: int | None = None) -> bool:
    """Refuse (with a message) a bulk action on more cases than ``limit`` (default
    ``BULK_ACTION_MAX_ROWS``)."""
    return selection_too_large(model_admin, request, queryset, limit=limit, message=_(
        "More than %(limit)s cases are selected; a bulk action works on at most %(limit)s at a time. Nothing was "
        "changed: narrow the list with a filter (e.g. a queue or a deadline) and try again."))


def stale_versions(request, cases) -> list[RightsRequest]:
    """The cases changed since the bulk page showed them (or whose version it did not post), read in
    one locking query; call inside the transaction that writes."""
    current = dict(RightsRequest.objects.select_for_update().filter(pk__in=[case.pk for case in cases])
                   .values_list("pk", "version"))
    return [case for case in cases
            if str(request.POST.get(version_field_name(case), "")).strip() != str(current.get(case.pk, case.version))]


def assign_cases(model_admin, request, queryset, *, to_self: bool = False):
    """The "assign to me" and "assign to…" actions: the cases (with the versions shown), the
    assignee (chosen, or the person acting), then the service; a case changed since is refused.
    Up to ``BULK_ACTION_MAX_ROWS`` cases, written as a set (``services.dsar_assign``)."""
    if bulk_selection_too_large(model_admin, request, queryset):
        return None
    cases = list(queryset.select_related("assignee").order_by("reference"))
    form = None if to_self else AssignForm(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and (form is None or form.is_valid()):
        assignee = request.user if to_self else form.cleaned_data["assignee"]
        try:
            with transaction.atomic():
                stale = stale_versions(request, cases)
                if stale:
                    # Who changed what, for the first of them (as a single case's page says it).
                    check_loaded_version(request, stale[0], name=version_field_name(stale[0]))
                    raise ValidationError(_(
                        "Nothing was assigned: someone changed these cases after you opened the list, or the page "
                        "did not say which version you saw: %(references)s. Reload the list and try again."
                    ) % {"references": ", ".join(case.reference for case in stale)}, code="stale")
                count = services.dsar_assign(cases=cases, assignee=assignee, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            model_admin.message_user(request, text, level=messages.ERROR)
            return None
        model_admin.message_user(
            request, ngettext("%(n)d case assigned.", "%(n)d cases assigned.", count) % {"n": count})
        return None
    action = "assign_to_me" if to_self else "assign_to_user"
    title = _("Assign these cases to me") if to_self else _("Assign cases")
    context = {
        **_bulk_page_context(model_admin, request, title=title, form=form, action=action),
        "cases": [(case, version_field_name(case)) for case in cases],
    }
    return TemplateResponse(request, "requests_app/admin/assign.html", context)


def erase_personal_data(model_admin, request, queryset):
    """A confirmation page listing which selected cases may be erased and why not; then the service.
    A larger selection is refused with a message (it used to be cut to the first 200 silently)."""
    if bulk_selection_too_large(model_admin, request, queryset, limit=ERASURE_PAGE_MAX_ROWS):
        return None
    cases = list(queryset.select_related(None).order_by("reference"))
    form = ErasureForm(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        erased, refused = [], []
        for case in cases:
            try:
                with transaction.atomic():
                    check_loaded_version(request, case, name=version_field_name(case))
                    erasure.dsar_erase_personal_data(case=case, by=request.user, reason=form.cleaned_data["reason"])
                erased.append(case.reference)
            except ValidationError as exc:
                refused.append(" ".join(exc.messages))
        if erased:
            model_admin.message_user(
                request, _("Personal data erased; the cases are kept as records without it: %(refs)s.")
                % {"refs": ", ".join(erased)})
        for message in refused:
            model_admin.message_user(request, message, level=messages.ERROR)
        return None
    now = timezone.now()
    context = {
        **_bulk_page_context(model_admin, request, title=_("Erase personal data after the retention period"),
                             form=form, action="erase_personal_data"),
        "rows": [(case, erasure.dsar_erasure_blocker(case=case, now=now), version_field_name(case)) for case in cases],
        "retention_days": settings.CASE_RETENTION_DAYS,
    }
    return TemplateResponse(request, "requests_app/admin/erase_confirm.html", context)
