"""Recompute every open legal clock after a rule change, recording each move.

    manage.py recompute_clocks                      # always
    manage.py recompute_clocks --if-rules-changed   # on deploy: only when the rules' fingerprint moved

Each case or incident whose date moved gets a timeline entry and a history row saying old -> new, the
rule that now sets it, and this reason.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext_noop

from privacy_office.clock_rules import recompute_clocks

REASON = gettext_noop("legal rules updated: clocks recomputed")


def _when(deadline, kind: str) -> str:
    return deadline.isoformat() if deadline else (kind or "-")


class Command(BaseCommand):
    help = "Recompute the due dates of open rights requests and the deadlines of open incidents' obligations."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-rules-changed", action="store_true",
            help="Do nothing unless the legal rules (clock modules, rule tables, holiday calendars) changed "
                 "since the last recomputation (run on every deploy).",
        )

    def handle(self, *args, **options):
        result = recompute_clocks(reason=REASON, only_if_rules_changed=options["if_rules_changed"])
        if result.skipped:
            self.stdout.write(f"Legal rules unchanged ({result.fingerprint[:12]}): nothing recomputed.")
            return
        for case, old, new, rule in result.cases:
            if new is None:  # the new rules refuse this case's inputs: its stored date is kept
                self.stdout.write(self.style.WARNING(f"{case.reference}: kept due {old}, not recomputable: {rule}"))
            else:
                self.stdout.write(f"{case.reference}: due {old} -> {new} ({rule})")
        for change in result.incidents:
            self.stdout.write(
                f"{change.incident.reference} {change.code}: "
                f"{change.from_applicability or '-'} {_when(change.from_deadline, change.from_deadline_kind)} -> "
                f"{change.to_applicability} {_when(change.to_deadline, change.to_deadline_kind)} ({change.rule})")
        self.stdout.write(self.style.SUCCESS(
            f"Recomputed with rules {result.fingerprint[:12]}: {len(result.cases)} case(s) and "
            f"{len(result.incidents)} obligation(s) changed."))
