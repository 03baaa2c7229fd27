"""The public request form's addresses (included under /request/ by privacy_office/urls.py)."""

from django.urls import path

from . import public_views

app_name = "public_request"

urlpatterns = [
    path("", public_views.start, name="start"),
    path("<str:language>/", public_views.request_form, name="form"),
    path("<str:language>/sent/", public_views.sent, name="sent"),
    path("<str:language>/confirm/<str:token>/", public_views.confirm, name="confirm"),
]
