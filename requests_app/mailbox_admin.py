"""Admin for the privacy mailbox: received e-mails (with the review queue) and sent e-mails, the
case page's list of its e-mails, and the one-click acts on a received e-mail (record the proof of
identity or clarification it brought with its date; confirm the suggested jurisdiction and type;
take it out of the review queue). Imported by ``admin.py``; every write calls mailbox_intake.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy_office.admin_base import CappedInlineMixin, LargeTablePaginator, ReadOnlyAdminMixin, ReadOnlyInline
from privacy_office.messages import reasons_text

from . import mailbox_intake
from .models import InboundMessage, OutboundEmail


class ReviewFilter(admin.SimpleListFilter):
    title = gettext_lazy("review queue")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("open", _("Needs review")), ("answers", _("Answers not yet recorded")),
                ("unconfirmed", _("Suggestions not yet confirmed"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.exclude(review_reason="").filter(reviewed_at__isnull=True)
        if self.value() == "answers":
            return queryset.exclude(awaited="").filter(answer_recorded_at__isnull=True)
        if self.value() == "unconfirmed":
            return queryset.filter(kind=InboundMessage.Kind.REQUEST, suggestion_confirmed_at__isnull=True)
        return queryset


def act_buttons(inbound: InboundMessage) -> str:
    """Buttons that post the surrounding form (it carries the CSRF token) to the act's URL."""
    buttons = []
    if inbound.answer_pending and inbound.request_id:
        label = (_("Record the proof of identity as received %(when)s") if inbound.awaited == "identity"
                 else _("Record the clarification as received %(when)s"))
        buttons.append((reverse("admin:requests_app_inboundmessage_act", args=[inbound.pk, "answer"]),
                        label % {"when": f"{timezone.localtime(inbound.received_at):%Y-%m-%d %H:%M}"}))
    if inbound.kind == InboundMessage.Kind.REQUEST and inbound.suggestion_confirmed_at is None:
        buttons.append((reverse("admin:requests_app_inboundmessage_act", args=[inbound.pk, "confirm"]),
                        _("Confirm jurisdiction and request type")))
    if inbound.in_review:
        buttons.append((reverse("admin:requests_app_inboundmessage_act", args=[inbound.pk, "reviewed"]),
                        _("Mark reviewed")))
    if not buttons:
        return "—"
    return format_html_join(
        "", '<button type="submit" class="button" formmethod="post" formaction="{}" formnovalidate>{}</button> ',
        buttons)


class InboundMessageInline(CappedInlineMixin, ReadOnlyInline):
    model = InboundMessage
    fk_name = "request"
    verbose_name_plural = gettext_lazy("received e-mails")
    fields = ("received_at", "sender", "subject", "kind", "waiting_for", "suggestion", "files", "acts")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("request").order_by("-received_at", "-id")

    @admin.display(description=gettext_lazy("from"))
    def sender(self, inbound):
        # Anyone can quote a reference: proof from another address than the requester's is flagged.
        if inbound.request_id and inbound.from_address and inbound.from_address != inbound.request.requester_email:
            return format_html('{} <strong>({})</strong>', inbound.from_address, _("not the requester's address"))
        return inbound.from_address or "—"

    def see_all_url(self, request, obj) -> str:
        return f"{reverse('admin:requests_app_inboundmessage_changelist')}?request={obj.pk}"

    @admin.display(description=gettext_lazy("case was waiting for"))
    def waiting_for(self, inbound):
        if not inbound.awaited:
            return "—"
        if inbound.answer_recorded_at:
            return _("%(what)s — recorded") % {"what": inbound.get_awaited_display()}
        return format_html("<strong>{}</strong>", inbound.get_awaited_display())

    @admin.display(description=gettext_lazy("suggested"))
    def suggestion(self, inbound):
        if inbound.kind != InboundMessage.Kind.REQUEST:
            return "—"
        text = f"{inbound.get_suggested_jurisdiction_display()} / {inbound.get_suggested_type_display()}"
        if inbound.suggestion_confirmed_at is None:
            return format_html("<strong>{}</strong> ({})", text, _("suggested, not confirmed"))
        return _("%(text)s — confirmed") % {"text": text}

    @admin.display(description=gettext_lazy("attachments"))
    def files(self, inbound):
        return "; ".join(f"{a.get('name')}: {a.get('outcome')}" for a in inbound.attachments) or "—"

    @admin.display(description=gettext_lazy("act"))
    def acts(self, inbound):
        return act_buttons(inbound)


class OutboundEmailInline(CappedInlineMixin, ReadOnlyInline):
    model = OutboundEmail
    fk_name = "request"
    verbose_name_plural = gettext_lazy("sent e-mails")
    fields = ("sent_at", "recipients", "subject", "message_id", "attachments", "sent_by")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sent_by").order_by("-sent_at", "-id")


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("received_at", "mailbox", "from_address", "subject", "kind", "request", "review_reason")
    list_select_related = ("request",)
    list_filter = (ReviewFilter, "kind", "mailbox")
    list_per_page = 100
    paginator = LargeTablePaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    ordering = ("-received_at", "-id")
    sortable_by = ()
    search_fields = ("=from_address", "=message_key")
    raw_id_fields = ("request",)
    fields = ("mailbox", "message_key", "imap_uid", "kind", "received_at", "imported_at", "from_name", "from_address",
              "subject", "body", "language", "in_reply_to", "references", "attachments", "request", "awaited",
              "answer_recorded_at", "answer_recorded_by", "suggested_jurisdiction", "suggested_type",
              "suggestion_reasons_text", "suggestion_confirmed_at", "suggestion_confirmed_by", "review_reason",
              "raw_link", "reviewed_at", "reviewed_by", "acts")
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        case = request.GET.get("request")
        return queryset.filter(request_id=case) if case and case.isdigit() else queryset

    @admin.display(description=gettext_lazy("why suggested"))
    def suggestion_reasons_text(self, inbound):
        return reasons_text(inbound.suggestion_reasons)

    @admin.display(description=gettext_lazy("raw message"))
    def raw_link(self, inbound):
        if not inbound.raw:
            return "—"
        url = reverse("admin:requests_app_inboundmessage_act", args=[inbound.pk, "raw"])
        return format_html('<a href="{}">{}</a>', url, _("Download the raw message (.eml)"))

    @admin.display(description=gettext_lazy("act"))
    def acts(self, inbound):
        return act_buttons(inbound)

    def get_urls(self):
        return [
            path("<int:pk>/act/<str:act>/", self.admin_site.admin_view(self.act_view),
                 name="requests_app_inboundmessage_act"),
            *super().get_urls(),
        ]

    def act_view(self, request, pk: int, act: str):
        inbound = get_object_or_404(InboundMessage, pk=pk)
        if act == "raw":
            if not (self.has_view_permission(request, inbound) and request.user.has_perm("requests_app.change_rightsrequest")):
                raise PermissionDenied
            if not inbound.raw:
                raise Http404
            response = FileResponse(inbound.raw.open("rb"), as_attachment=True, filename=f"message-{inbound.pk}.eml",
                                    content_type="message/rfc822")
            response["X-Content-Type-Options"] = "nosniff"
            return response
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        # Working a case's mail is working the case.
        if not request.user.has_perm("requests_app.change_rightsrequest"):
            raise PermissionDenied
        try:
            if act == "answer":
                mailbox_intake.intake_record_answer(inbound=inbound, by=request.user)
                messages.success(request, _("Recorded with the e-mail's date; the clock was recomputed."))
            elif act == "confirm":
                mailbox_intake.intake_confirm_suggestion(inbound=inbound, by=request.user)
                messages.success(request, _("Jurisdiction and request type confirmed."))
            elif act == "reviewed":
                mailbox_intake.intake_mark_reviewed(inbound=inbound, by=request.user)
                messages.success(request, _("Taken out of the review queue."))
            else:
                raise Http404
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        if inbound.request_id:
            return HttpResponseRedirect(reverse("admin:requests_app_rightsrequest_change", args=[inbound.request_id]))
        return HttpResponseRedirect(reverse("admin:requests_app_inboundmessage_change", args=[inbound.pk]))


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("sent_at", "request", "subject", "message_id", "sent_by")
    list_select_related = ("request", "sent_by")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    ordering = ("-sent_at", "-id")
    search_fields = ("=message_id",)
