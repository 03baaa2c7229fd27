from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BreachAppConfig(AppConfig):
    name = "breach_app"
    verbose_name = _("Security incidents")
