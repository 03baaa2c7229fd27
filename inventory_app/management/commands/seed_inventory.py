"""Loads the record of processing activities from the files shipped in ``inventory_app/seed/``."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from inventory_app.services import InventoryImportError, inventory_seed


class Command(BaseCommand):
    help = _("Load the inventory seed files (idempotent: a second run changes nothing).")

    def handle(self, *args, **options):
        try:
            summary = inventory_seed()
        except InventoryImportError as exc:
            raise CommandError("\n".join([f"{exc.file_name}:", *exc.errors])) from exc
        for file_name, counts in summary.items():
            self.stdout.write(
                _("%(file)s: %(new)d new, %(update)d updated, %(skip)d unchanged")
                % {"file": file_name, **counts}
            )
