from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryAppConfig(AppConfig):
    name = "inventory_app"
    verbose_name = _("Record of processing activities")
