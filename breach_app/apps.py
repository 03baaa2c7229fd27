from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BreachAppConfig(AppConfig):
    name = "breach_app"
    verbose_name = _("Security incidents")

    def ready(self):
        from privacy_office import audit_display

        # A draft's and an obligation's names are built from their labels (models.__str__): the
        # audit log shows them in the reader's language.
        audit_display.NAME_CHOICE_FIELDS["breach_app.noticedraft"] = ("kind", "phase")
        audit_display.NAME_CHOICE_FIELDS["breach_app.obligation"] = ("recipient",)
