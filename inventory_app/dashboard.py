"""The inventory's card on the admin home (``privacy_office.dashboard``)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from privacy_office.dashboard import Card, CardItem, cached_count

from .models import ProcessingActivity


def cards(request) -> list[Card]:
    if not request.user.has_perm("inventory_app.view_processingactivity"):
        return []
    changelist = reverse("admin:inventory_app_processingactivity_changelist")
    missing = cached_count("inventory:pia_missing", lambda: ProcessingActivity.objects.pia_missing().count())
    return [Card(title=_("Record of processing activities"), items=[
        CardItem(
            label=_("processing activities"),
            value=cached_count("inventory:activities", lambda: ProcessingActivity.objects.count()),
            url=changelist,
        ),
        CardItem(
            label=_("PIA required but missing"), value=missing, url=f"{changelist}?pia=missing",
            tone="warn" if missing else "ok",
        ),
        CardItem(
            label=_("with sensitive personal information"),
            value=cached_count("inventory:sensitive", lambda: ProcessingActivity.objects.with_sensitive_fields().count()),
            url=f"{changelist}?sensitive=yes",
        ),
    ])]
