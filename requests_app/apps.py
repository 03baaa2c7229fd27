from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = _("Rights requests")

    def ready(self):
        from privacy_office import audit_display

        from .rule_phrases import rule_display

        # The history and the audit log show a case's rule in the reader's language, as its page does.
        audit_display.TEXT_DISPLAY["requests_app.rightsrequest.due_rule"] = rule_display
