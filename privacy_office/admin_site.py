from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .dashboard import collect_cards


class PrivacyAdminSite(admin.AdminSite):
    site_header = _("Aqara Privacy Office")
    site_title = _("Privacy Office")
    index_title = _("Work at a glance")
    index_template = "admin/privacy_office/index.html"
    empty_value_display = "—"

    def index(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "dashboard_cards": collect_cards(request)}
        return super().index(request, extra_context)
