"""URLs for the admin bench: our admin at /admin/, and stock ModelAdmins of the same models at
/stock/, configured the way a team would by default (list_display, list_filter, search_fields,
date_hierarchy) so the ratio is measured in one run."""

from django.contrib import admin
from django.urls import include, path

from breach_app.models import Incident, Obligation
from inventory_app.models import DataField, ProcessingActivity
from privacy_office.models import AuditLogEntry
from requests_app.models import RightsRequest



class StockSite(admin.AdminSite):
    """A stock AdminSite, plus the URLs the project's admin templates link to on every page (second
    factor; the header's language and time zone)."""

    def get_urls(self):
        from privacy_office.preferences import preferences_view
        from privacy_office.two_factor import two_factor_view

        return [path("two-factor/", lambda request: two_factor_view(request, self), name="two_factor"),
                path("preferences/", lambda request: preferences_view(request, self), name="preferences"),
                *super().get_urls()]


stock_site = StockSite(name="stock")


class StockRightsRequestAdmin(admin.ModelAdmin):
    list_display = ("reference", "requester_name", "jurisdiction", "request_type", "status", "assignee", "due_on")
    list_filter = ("status", "jurisdiction", "request_type", "assignee")
    search_fields = ("reference", "requester_name", "requester_email", "requester_phone")
    date_hierarchy = "received_at"
    ordering = ("due_on",)


class StockAuditLogAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "content_type", "object_repr", "action", "reason")
    list_filter = ("user", "content_type", "action")


class StockIncidentAdmin(admin.ModelAdmin):
    list_display = ("reference", "title", "status", "owner", "discovered_at", "next_deadline")
    list_filter = ("status",)
    search_fields = ("reference", "title")
    date_hierarchy = "discovered_at"


class StockObligationAdmin(admin.ModelAdmin):
    list_display = ("code", "incident", "jurisdiction", "recipient", "applicability", "status", "deadline")
    list_filter = ("status", "applicability", "jurisdiction", "recipient", "unverified")
    search_fields = ("code", "incident__reference", "incident__title", "regulator_reference")
    ordering = ("deadline",)


class StockDataFieldAdmin(admin.ModelAdmin):
    list_display = [f.name for f in DataField._meta.concrete_fields if f.name not in ("id", "version")][:5]
    search_fields = ("code",)


stock_site.register(RightsRequest, StockRightsRequestAdmin)
stock_site.register(AuditLogEntry, StockAuditLogAdmin)
stock_site.register(Incident, StockIncidentAdmin)
stock_site.register(Obligation, StockObligationAdmin)
stock_site.register(DataField, StockDataFieldAdmin)
stock_site.register(ProcessingActivity, admin.ModelAdmin)

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("stock/", stock_site.urls),
]
