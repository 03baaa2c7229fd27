from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from .preferences import set_language

urlpatterns = [
    # The header's language list also saves the choice to the signed-in person's profile.
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("request/", include("requests_app.public_urls")),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]

# The refusal page keeps the site's header and says which permission is missing.
handler403 = "privacy_office.errors.permission_denied"
