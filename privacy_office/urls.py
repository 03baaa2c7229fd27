from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("request/", include("requests_app.public_urls")),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]
