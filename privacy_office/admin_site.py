from django.conf import settings
from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _

from .dashboard import collect_cards, collect_my_work


class PrivacyAdminSite(admin.AdminSite):
    site_header = _("Aqara Privacy Office")
    site_title = _("Privacy Office")
    index_title = _("Work at a glance")
    index_template = "admin/privacy_office/index.html"
    login_template = "admin/privacy_office/login.html"
    empty_value_display = "—"

    @property
    def login_form(self):
        # Imported late: the form module loads django-otp's models, which need the app registry.
        from .two_factor import SignInForm

        return SignInForm

    def has_permission(self, request):
        # Where two-factor sign-in is required, a session that has not given a code is not signed
        # in as far as the admin is concerned (django-otp's OTPAdminSite does the same).
        if not super().has_permission(request):
            return False
        if settings.OTP_REQUIRED:
            is_verified = getattr(request.user, "is_verified", None)
            return bool(is_verified and is_verified())
        return True

    def get_urls(self):
        from .preferences import preferences_view
        from .two_factor import two_factor_view

        # Not wrapped in admin_view: whoever has yet to set up two-factor sign-in must reach it.
        return [
            path("two-factor/", lambda request: two_factor_view(request, self), name="two_factor"),
            path("preferences/", lambda request: preferences_view(request, self), name="preferences"),
            *super().get_urls(),
        ]

    def index(self, request, extra_context=None):
        my_work, my_work_parts = collect_my_work(request)
        extra_context = {**(extra_context or {}), "dashboard_cards": collect_cards(request),
                         "my_work": my_work, "my_work_parts": my_work_parts}
        return super().index(request, extra_context)
