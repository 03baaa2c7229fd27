"""Each signed-in person's language and time zone, on every page.

Django picks the language from the browser and shows times in the server's zone. A privacy office
is not like that: staff in Shenzhen work in Chinese whatever their browser says, and a manager in
Berlin must read and type the 72-hour EU clock in Berlin time. The staff profile holds both; they
are copied into the session at sign-in (and when changed here), so a page costs no extra query.
"""

import zoneinfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.auth.signals import user_logged_in
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .models import StaffProfile

SESSION_KEY = "privacy_preferences"


def preferences_of(user) -> dict | None:
    """What the session should hold for ``user``: None for a user without a staff profile (the
    browser's language and the office's zone apply)."""
    profile = StaffProfile.objects.filter(user=user).first()
    if profile is None:
        return None
    return {"language": profile.language, "time_zone": profile.time_zone or settings.TIME_ZONE}


def remember_preferences(request, user) -> None:
    preferences = preferences_of(user)
    if preferences is None:
        request.session.pop(SESSION_KEY, None)
    else:
        request.session[SESSION_KEY] = preferences


def remember_at_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        remember_preferences(request, user)


def connect_signals() -> None:
    user_logged_in.connect(remember_at_sign_in, dispatch_uid="privacy_office_remember_preferences")


class StaffPreferencesMiddleware:
    """After authentication: the signed-in person's language and zone for this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        preferences = session.get(SESSION_KEY) if session is not None else None
        if not preferences:
            timezone.deactivate()
            return self.get_response(request)
        language = preferences.get("language") or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            timezone.activate(zoneinfo.ZoneInfo(preferences.get("time_zone") or settings.TIME_ZONE))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name and not name.startswith("Etc/")]


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(
        label=_("time zone"), choices=(),
        help_text=_("Every time in the back-office is shown and typed in this zone, with its name beside it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()


def profile_update(*, user, language: str, time_zone: str) -> StaffProfile:
    """Save ``user``'s own language and zone (a blank zone field means the office's)."""
    profile, _created = StaffProfile.objects.get_or_create(user=user, defaults={"language": language})
    profile.language = language
    profile.time_zone = "" if time_zone == settings.TIME_ZONE else time_zone
    profile.full_clean()
    profile.save(update_fields=["language", "time_zone"])
    return profile


def preferences_view(request, admin_site):
    """Each person sets their own language and zone (staff cannot edit user accounts)."""
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    initial = {"language": translation.get_language(), "time_zone": timezone.get_current_timezone_name()}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        profile_update(user=user, language=form.cleaned_data["language"], time_zone=form.cleaned_data["time_zone"])
        remember_preferences(request, user)
        with translation.override(form.cleaned_data["language"]):
            messages.success(request, _("Your language and time zone are saved."))
        return HttpResponseRedirect(reverse("admin:preferences"))
    context = {**admin_site.each_context(request), "title": _("My language and time zone"), "form": form}
    return TemplateResponse(request, "admin/privacy_office/preferences.html", context)


@require_POST
def set_language(request):
    """The header's language list: Django's cookie for anyone, and the staff profile of whoever is
    signed in (the profile wins over the cookie on every later page)."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language not in dict(settings.LANGUAGES):
        return response
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        current = StaffProfile.objects.filter(user=user).values_list("time_zone", flat=True).first()
        profile_update(user=user, language=language, time_zone=current or settings.TIME_ZONE)
        remember_preferences(request, user)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                        samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    return response
