"""Loads the demo: the Aqara inventory, cases and incidents, and one login per role.

Idempotent: running it again keeps existing data and resets the demo passwords.
"""

from importlib import import_module

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from privacy_office.models import StaffProfile
from privacy_office.roles import AUDITOR, DOMAIN_APPS, MANAGER, STAFF, sync_roles

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

    def handle(self, *args, **options):
        sync_roles()
        self._logins()
        if not options["no_data"]:
            for label in DOMAIN_APPS:
                try:
                    module = import_module(f"{label}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{label}.demo":
                        raise
                    continue
                with transaction.atomic():
                    module.load_demo(stdout=self.stdout)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo logins (http://127.0.0.1:8000/admin/):"))
        for username, password, role, language, _name in DEMO_LOGINS:
            self.stdout.write(f"  {role:<16} user: {username:<8} password: {password}   ({language})")
        return None

    def _logins(self):
        User = get_user_model()
        for username, password, role, language, (first, last) in DEMO_LOGINS:
            user, _ = User.objects.get_or_create(
                username=username,
                defaults={"email": f"{username}@aqara.example", "first_name": first, "last_name": last},
            )
            user.is_staff = True
            user.is_active = True
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            StaffProfile.objects.update_or_create(user=user, defaults={"language": language})
