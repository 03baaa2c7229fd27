from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PrivacyAdminConfig(AdminConfig):
    """django.contrib.admin with our site: dashboard on the home page, audit log, language switch."""

    default_site = "privacy_office.admin_site.PrivacyAdminSite"


class PrivacyOfficeConfig(AppConfig):
    name = "privacy_office"
    verbose_name = _("Privacy office")

    def ready(self):
        from . import audit, auth_backends, preferences, roles

        # Infrastructure, not business logic: every historical record simple-history writes is
        # mirrored into the cross-model audit log managers review (one indexed table instead of a
        # UNION over every history table).
        audit.connect_signals()
        # A role change takes effect at once, though permissions are cached (auth_backends).
        auth_backends.connect_signals()
        # Each person's language and time zone are copied into the session at sign-in.
        preferences.connect_signals()
        # Roles are created by a data migration; this keeps their permissions in sync whenever a
        # later migration adds a model or a permission.
        post_migrate.connect(roles.sync_roles_after_migrate, sender=self)
        hide_two_factor_devices_from_admin()


def hide_two_factor_devices_from_admin():
    """django-otp registers its device models in the admin (English only, secrets on the page).
    People manage their own two-factor sign-in on its page; an operator resets it with
    `manage.py addstatictoken <username>` (a one-time code to sign in and set up a new app)."""
    from django.contrib import admin
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (TOTPDevice, StaticDevice):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
