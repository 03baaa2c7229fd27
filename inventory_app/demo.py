"""Demo data: the inventory seeded from Aqara's published policies (called by the demo set-up)."""

from django.utils.translation import gettext as _

from .services import inventory_seed


def load_demo(*, stdout) -> None:
    summary = inventory_seed()
    created = sum(counts["new"] for counts in summary.values())
    updated = sum(counts["update"] for counts in summary.values())
    stdout.write(_("Inventory: %(new)d rows created, %(update)d updated from the seed files.") % {"new": created, "update": updated})
