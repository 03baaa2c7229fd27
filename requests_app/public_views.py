"""The public request form's pages, outside the admin: no sign-in, CSRF on, scripts only from
static files (the site's Content-Security-Policy).

Each page speaks one language, named in its address (/request/zh-hans/, /request/en/); /request/
sends the browser to the one its Accept-Language (or language cookie) prefers, and every page links
to itself in the other language. The pages call ``public_form`` and report.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_http_methods

from privacy_office.middleware import client_ip

from . import public_form
from .case_writes import request_type_label
from .identity import identity_requirement
from .public_forms import PublicRequestForm

LANGUAGES = dict(settings.LANGUAGES)
# <html lang>: BCP 47 for the page's language.
HTML_LANG = {"zh-hans": "zh-Hans", "en": "en"}


def page_language(language: str) -> str:
    if language not in LANGUAGES:
        raise Http404()
    return language


def other_languages(request, language: str) -> list[dict]:
    """Links to this page in the office's other languages, each named in its own language."""
    match = request.resolver_match
    links = []
    for code, name in settings.LANGUAGES:
        if code != language:
            kwargs = {**match.kwargs, "language": code}
            links.append({"code": code, "name": name, "url": reverse(match.view_name, kwargs=kwargs),
                          "html_lang": HTML_LANG.get(code, code)})
    return links


def show(request, language: str, template: str, context: dict | None = None, *, status: int = 200) -> HttpResponse:
    """Render a page in ``language`` (the caller has it active)."""
    base = {"language": language, "html_lang": HTML_LANG.get(language, language),
            "other_languages": other_languages(request, language)}
    response = render(request, f"public/{template}", {**base, **(context or {})}, status=status)
    response["Content-Language"] = language
    # A confirmation link's page must not be kept by caches. (Its address is not sent to other
    # sites: the site's Referrer-Policy is same-origin; "no-referrer" would make the browser send
    # "Origin: null" with the form, which CSRF protection refuses.)
    response["Cache-Control"] = "no-store"
    return response


def limited(request, language: str, exc: public_form.RateLimited) -> HttpResponse:
    response = show(request, language, "limited.html", {"limit": exc}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def start(request):
    """/request/ -> the form in the browser's language (LocaleMiddleware read Accept-Language)."""
    try:
        language = translation.get_supported_language_variant(request.LANGUAGE_CODE)
    except LookupError:
        language = settings.LANGUAGE_CODE
    return redirect("public_request:form", language=language)


def upload_too_large(request) -> bool:
    """A body larger than every allowed file together, refused before it is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.PUBLIC_FORM_MAX_FILES * settings.IDENTITY_DOCUMENT_MAX_BYTES + 1024 * 1024


@require_http_methods(["GET", "POST"])
def request_form(request, language: str):
    language = page_language(language)
    with translation.override(language):
        if request.method == "POST":
            try:
                public_form.rate_limit_ip(client_ip(request))
            except public_form.RateLimited as exc:
                return limited(request, language, exc)
            if upload_too_large(request):
                return show(request, language, "too_large.html", status=413)
            form = PublicRequestForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    submission, token = public_form.submission_create(language=language, **form.submission_values())
                except public_form.RateLimited as exc:
                    return limited(request, language, exc)
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    try:
                        public_form.submission_send_link(submission=submission, token=token)
                    except Exception:
                        return show(request, language, "unsent.html", status=503)
                    return redirect("public_request:sent", language=language)
        else:
            form = PublicRequestForm()
        return show(request, language, "form.html", {
            "form": form, "types_by_jurisdiction": form.types_by_jurisdiction,
            "hours": settings.PUBLIC_FORM_CONFIRM_HOURS,
        }, status=400 if form.errors else 200)


@require_http_methods(["GET"])
def sent(request, language: str):
    language = page_language(language)
    with translation.override(language):
        return show(request, language, "sent.html", {"hours": settings.PUBLIC_FORM_CONFIRM_HOURS})


@require_http_methods(["GET", "POST"])
def confirm(request, language: str, token: str):
    """GET shows what is to be confirmed and a button (a mail scanner that opens links confirms
    nothing); POST confirms and comes back here, where the case's reference is shown."""
    language = page_language(language)
    with translation.override(language):
        try:
            submission = public_form.submission_for_token(token)
        except public_form.LinkExpired:
            return show(request, language, "expired.html", {"hours": settings.PUBLIC_FORM_CONFIRM_HOURS}, status=410)
        except public_form.LinkInvalid:
            return show(request, language, "invalid.html", status=404)
        if request.method == "POST" and submission.case_id is None:
            try:
                public_form.submission_confirm(token=token)
            except public_form.LinkExpired:
                return show(request, language, "expired.html", {"hours": settings.PUBLIC_FORM_CONFIRM_HOURS},
                            status=410)
            except ValidationError as exc:
                return show(request, language, "refused.html", {"problems": exc.messages}, status=400)
            return redirect(request.path)
        if submission.case_id is not None:
            case = submission.case
            needs_identity = identity_requirement(
                jurisdiction=case.jurisdiction, request_types=case.all_types, relationship=case.relationship).needed
            return show(request, language, "confirmed.html", {
                "case": case, "received_at": timezone.localtime(case.received_at), "needs_identity": needs_identity,
                "types": ", ".join(request_type_label(value) for value in case.all_types),
            })
        return show(request, language, "confirm.html", {"submission": submission})

