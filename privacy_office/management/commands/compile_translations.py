"""Compiles every zh-hans .po file to .mo with polib: no system gettext needed on a fresh machine."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


def po_files():
    base = Path(settings.BASE_DIR)
    for po in sorted(base.glob("*/locale/*/LC_MESSAGES/*.po")):
        if ".venv" not in po.parts:
            yield po


class Command(BaseCommand):
    help = "Compile the project's .po translation files to .mo (pure Python)."

    def handle(self, *args, **options):
        for po_path in po_files():
            catalogue = polib.pofile(str(po_path))
            catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
            self.stdout.write(f"compiled {po_path.relative_to(settings.BASE_DIR)} ({len(catalogue.translated_entries())} messages)")
