"""Two-factor sign-in: an authenticator app (TOTP) plus single-use recovery codes, with django-otp.

Whoever has set up two-factor sign-in gives a code at every sign-in; where OTP_REQUIRED is on
(production) everyone must set it up before reaching any page (middleware.TwoFactorRequiredMiddleware).
The services here are the only writes to the devices; the views only collect input.
"""

from __future__ import annotations

import logging
from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

logger = logging.getLogger(__name__)

TOTP_DIGITS = 6


# --- Reads ----------------------------------------------------------------------------------
def has_two_factor(user) -> bool:
    """The user has a confirmed authenticator or recovery codes: sign-in asks for a code."""
    return user_has_device(user, confirmed=True)


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _normalise(code: str) -> str:
    # People type codes with the spaces or dashes their app shows.
    return "".join(code.split()).replace("-", "").lower()


# --- Services -------------------------------------------------------------------------------
def code_verify(*, user, code: str) -> Device | None:
    """The device that accepts this code (a recovery code is used up), or None.

    A six-digit code is checked against the authenticator, anything else against the recovery
    codes, so a wrong code counts against one device's throttle only (django-otp's advice).
    """
    code = _normalise(code)
    if not code:
        return None
    model = TOTPDevice if code.isdigit() and len(code) == TOTP_DIGITS else StaticDevice
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(code):
                return device
    return None


def authenticator_start(*, user) -> TOTPDevice:
    """The authenticator being set up: one unconfirmed device, kept across reloads of the page so
    the QR code the person already scanned stays valid until they confirm it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def authenticator_confirm(*, user, code: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirms the authenticator being set up with a code it shows; it replaces any earlier
    authenticator and comes with a fresh set of recovery codes. None if the code is wrong."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
        if device is None or not device.verify_token(_normalise(code)):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_regenerate(user=user)
    logger.info("Two-factor sign-in set up for user id %s", user.pk)
    return device, codes


def recovery_codes_regenerate(*, user) -> list[str]:
    """A new set of single-use recovery codes; the earlier ones stop working."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    logger.info("New recovery codes for user id %s", user.pk)
    return codes


# --- Sign-in form ---------------------------------------------------------------------------
class SignInForm(AdminAuthenticationForm):
    """The admin's sign-in form with a code field, required of whoever has set up two-factor."""

    otp_token = forms.CharField(
        label=_("Authentication code"),
        required=False,
        max_length=32,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}),
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "code_required": _("This account uses two-factor sign-in: enter the code from your authenticator app "
                           "or one of your recovery codes."),
        "code_invalid": _("That code is not valid (a recovery code works only once). Try the current code from "
                          "your authenticator app."),
    }

    def clean(self):
        cleaned = super().clean()  # password, active, staff: refused there first
        user = self.get_user()
        if user is None or not has_two_factor(user):
            return cleaned
        code = cleaned.get("otp_token", "")
        if not code:
            raise forms.ValidationError(self.error_messages["code_required"], code="code_required")
        device = code_verify(user=user, code=code)
        if device is None:
            # Counted by django-axes like a wrong password: guessing codes ends in the lockout too.
            user_login_failed.send(
                sender=__name__, credentials={"username": cleaned.get("username")}, request=self.request,
            )
            raise forms.ValidationError(self.error_messages["code_invalid"], code="code_invalid")
        # django-otp's user_logged_in receiver stores this device in the session: it is verified.
        user.otp_device = device
        return cleaned


# --- Enrollment page ------------------------------------------------------------------------
class ConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def _qr_svg(device: TOTPDevice) -> str:
    # Inline SVG: no image URL that would carry the secret, nothing for the CSP to allow.
    return mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=5, border=2))


def _secret_text(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


@never_cache
def two_factor_view(request, admin_site):
    """Set up (or replace) the authenticator app and get new recovery codes."""
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    verified = user.is_verified()
    enrolled = has_two_factor(user)
    if enrolled and not verified:
        # Changing two-factor sign-in needs a session that gave a code: the password alone
        # (e.g. from before the authenticator was set up) is not enough.
        logout(request)
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))

    context = {
        **admin_site.each_context(request),
        "title": _("Two-factor sign-in"),
        "required": settings.OTP_REQUIRED,
        "has_authenticator": has_authenticator(user),
        "codes_left": recovery_codes_left(user),
    }
    setting_up = not context["has_authenticator"] or request.GET.get("setup") == "1" or request.POST.get("action") == "confirm"
    form = ConfirmForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "codes" and context["has_authenticator"]:
            codes = recovery_codes_regenerate(user=user)
            return TemplateResponse(request, "admin/privacy_office/recovery_codes.html", {**context, "codes": codes})
        if action == "confirm":
            form = ConfirmForm(request.POST)
            if form.is_valid():
                confirmed = authenticator_confirm(user=user, code=form.cleaned_data["code"])
                if confirmed is not None:
                    device, codes = confirmed
                    otp_login(request, device)  # this session has just given a valid code
                    messages.success(request, _("Two-factor sign-in is set up."))
                    # Built again: the session is verified now, so the page gets the admin's menus.
                    return TemplateResponse(request, "admin/privacy_office/recovery_codes.html", {
                        **context, **admin_site.each_context(request), "codes": codes,
                    })
                form.add_error("code", _("That code does not match. Check that the app shows the account "
                                         "you just added and enter its current code."))
    if setting_up:
        device = authenticator_start(user=user)
        context.update({"setting_up": True, "qr_svg": _qr_svg(device), "secret": _secret_text(device), "form": form})
    return TemplateResponse(request, "admin/privacy_office/two_factor.html", context)
