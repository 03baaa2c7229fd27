"""Loads the demo: the Aqara inventory, cases and incidents, and one login per role.

Idempotent: running it again keeps existing data, and never undoes what someone changed on a demo
account (its password, its deactivation, its groups): the demo logins are only created, never reset.
In production mode (DJANGO_DEBUG=false) it refuses unless --trial says this stack is a trial.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from privacy_office.models import StaffProfile
from privacy_office.app_modules import app_functions
from privacy_office.roles import AUDITOR, MANAGER, STAFF, sync_roles

DEMO_LOGINS = (
    # username, password, role, language, name
    ("staff", "staff-demo-2026", STAFF, "zh-hans", ("伟", "李")),
    ("manager", "manager-demo-2026", MANAGER, "en", ("Jing", "Chen")),
    ("auditor", "auditor-demo-2026", AUDITOR, "en", ("Ana", "Audit")),
)


class Command(BaseCommand):
    help = "Load the demo data (inventory, cases, incidents) and create one demo login per role."

    def add_arguments(self, parser):
        parser.add_argument("--no-data", action="store_true", help="Only create the demo logins.")
        parser.add_argument(
            "--trial", action="store_true",
            help="Load the demo although DJANGO_DEBUG=false: this stack is a trial, not a production system.",
        )

    def handle(self, *args, **options):
        if settings.PRODUCTION_MODE and not options["trial"]:
            # Well-known passwords on a production system are an open door.
            raise CommandError(
                "setup_demo refuses to run with DJANGO_DEBUG=false: its logins have published passwords. "
                "On a trial stack, run it with --trial (docker-compose does when LOAD_DEMO=true)."
            )
        sync_roles()
        created = self._logins()
        if not options["no_data"]:
            # Each app's demo.py, the inventory first (INSTALLED_APPS order): cases cite its activities.
            for load_demo in app_functions("demo", "load_demo"):
                with transaction.atomic():
                    load_demo(stdout=self.stdout)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo logins (http://127.0.0.1:8000/admin/):"))
        for username, password, role, language, _name in DEMO_LOGINS:
            shown = password if username in created else "(existing account, left as it is)"
            self.stdout.write(f"  {role:<16} user: {username:<8} password: {shown}   ({language})")
        return None

    def _logins(self) -> set[str]:
        """Creates the demo logins that do not exist yet; returns their usernames.

        An existing account is left alone: whoever changed its password, deactivated it or
        removed it from a role did so on purpose, and a re-run (docker-compose runs this at every
        start while LOAD_DEMO is true) must not undo it.
        """
        User = get_user_model()
        created = set()
        for username, password, role, language, (first, last) in DEMO_LOGINS:
            with transaction.atomic():
                if User.objects.filter(username=username).exists():
                    continue
                user = User(
                    username=username, email=f"{username}@aqara.example", first_name=first, last_name=last,
                    is_staff=True, is_active=True,
                )
                user.set_password(password)
                user.save()
                user.groups.set([Group.objects.get(name=role)])
                StaffProfile.objects.get_or_create(user=user, defaults={"language": language})
                created.add(username)
        return created
