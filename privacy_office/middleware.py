"""Idle session expiry without a database write on every request."""

import ipaddress
import time

from django.conf import settings

_TOUCHED = "_idle_touched"


class IdleSessionMiddleware:
    """Sessions end after SESSION_COOKIE_AGE seconds of inactivity.

    Django's SESSION_SAVE_EVERY_REQUEST does this by writing the session on every request; at
    the admin's scale that is three queries a page. Moving the expiry on at most every
    ``SESSION_IDLE_RESOLUTION`` seconds keeps the idle timeout (to within that resolution) for
    one write a few minutes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty() and getattr(request, "user", None) is not None \
                and request.user.is_authenticated:
            now = int(time.time())
            if now - int(session.get(_TOUCHED, 0)) >= settings.SESSION_IDLE_RESOLUTION:
                session[_TOUCHED] = now  # marks it modified: saved with a fresh expiry
        return response


def client_ip(request) -> str | None:
    """The client's address for the lockout (django-axes' AXES_CLIENT_IP_CALLABLE).

    Each trusted proxy appends the address it received the request from to X-Forwarded-For, so
    the client's address is the TRUSTED_PROXY_COUNT-th entry from the right; whatever the client
    wrote itself sits further left and is never read. Without a trusted proxy the header is ignored.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not count or not forwarded:
        return remote
    entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
    if not entries:
        return remote
    candidate = entries[-count] if len(entries) >= count else entries[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:  # a proxy that writes something else: fall back to the peer
        return remote


class TwoFactorRequiredMiddleware:
    """Where OTP_REQUIRED is on, a signed-in user who has not passed two-factor sign-in reaches
    only the enrollment page (and can sign out). One without an authenticator is sent to set one
    up; one who has an authenticator but whose session was not verified with it (opened before it
    was set up) is signed out, to sign in again with a code.

    The admin site refuses such users too (PrivacyAdminSite.has_permission); this sends them
    where they can act instead of to a login page that says they lack permission.
    """

    ALWAYS_ALLOWED = {"admin:logout", "admin:jsi18n", "set_language"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.OTP_REQUIRED:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and not user.is_verified():
                redirect_to = self._redirect(request, user)
                if redirect_to is not None:
                    return redirect_to
        return self.get_response(request)

    def _redirect(self, request, user):
        from django.contrib.auth import logout
        from django.contrib.auth.views import redirect_to_login
        from django.shortcuts import redirect
        from django.urls import Resolver404, resolve, reverse

        from .two_factor import has_authenticator

        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            return None  # a 404 shows nothing
        if name in self.ALWAYS_ALLOWED:
            return None
        if not has_authenticator(user):
            return None if name == "admin:two_factor" else redirect("admin:two_factor")
        logout(request)
        if name == "admin:login":
            return None
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
