"""The refusal page: the site's header, and what the person lacks, in their language.

Django's stock 403 is a bare "403 Forbidden". An officer who meets it cannot tell whether the
record is gone, the link is wrong or a permission is missing, nor whom to ask.
"""

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext

from .roles import missing_permission_message

# The admin's own views name the permission they check: <app>_<model>_<view>.
VIEW_PERMISSIONS = {"changelist": "view", "change": "view", "add": "add", "delete": "delete", "history": "view"}


def lacking(request) -> str:
    """The permission the page needs, worked out from the admin URL that refused."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return ""
    if match.namespace != "admin" or not match.url_name:
        return ""
    for model in apps.get_models():
        if not admin.site.is_registered(model):
            continue
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if match.url_name.startswith(prefix):
            view = match.url_name.removeprefix(prefix)
            action = VIEW_PERMISSIONS.get(view)
            if action == "view" and request.method == "POST":
                action = "change"
            if action:
                return missing_permission_message(f"{model._meta.app_label}.{action}_{model._meta.model_name}")
    return ""


def permission_denied(request, exception=None):
    reason = str(exception) if isinstance(exception, PermissionDenied) and exception.args else ""
    user = getattr(request, "user", None)
    context = {
        **admin.site.each_context(request),
        "title": gettext("You cannot open this page"),
        "reason": reason or lacking(request),
        "roles": sorted(gettext(group.name) for group in user.groups.all()) if user and user.is_authenticated else [],
    }
    return TemplateResponse(request, "403.html", context, status=403)
