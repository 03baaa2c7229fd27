"""The three roles and what each may do: one matrix, applied by migration and after every migrate.

- Privacy staff: work cases, incidents and the inventory (view/add/change everywhere in the
  domain apps; delete only inventory rows; import the inventory).
- Privacy manager: all staff can, plus every ``approve_*`` permission (outgoing regulator reports
  and user notices), export everywhere, the audit log, and audit reviews.
- Auditor: read-only everywhere, history and audit log included.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

STAFF = "Privacy staff"
MANAGER = "Privacy manager"
AUDITOR = "Auditor"
ROLES = (STAFF, MANAGER, AUDITOR)

DOMAIN_APPS = ("inventory_app", "requests_app", "breach_app")
IMPORTABLE_APPS = ("inventory_app",)
DELETABLE_APPS = ("inventory_app",)
# Staff see the reminder log (their reminders are part of working a case).
STAFF_EXTRA = {("privacy_office", "view_reminder")}


def _domain_models():
    for label in DOMAIN_APPS + ("privacy_office",):
        try:
            config = global_apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            if model._meta.model_name.startswith("historical"):
                continue
            yield model


def _ensure_import_export_permissions(Permission, ContentType, using):
    for model in _domain_models():
        ct = ContentType.objects.db_manager(using).get_for_model(model, for_concrete_model=False)
        for action in ("import", "export"):
            Permission.objects.using(using).get_or_create(
                content_type=ct,
                codename=f"{action}_{model._meta.model_name}",
                defaults={"name": f"Can {action} {model._meta.verbose_name_raw}"[:255]},
            )


def role_permission_keys(role: str) -> set[tuple[str, str]]:
    """(app_label, codename) pairs the role holds, computed from the installed models."""
    keys: set[tuple[str, str]] = set()
    for model in _domain_models():
        app, name = model._meta.app_label, model._meta.model_name
        custom = {codename for codename, _ in model._meta.permissions}
        is_domain = app in DOMAIN_APPS
        if role == AUDITOR:
            keys.add((app, f"view_{name}"))
            continue
        if is_domain:
            keys |= {(app, f"view_{name}"), (app, f"add_{name}"), (app, f"change_{name}")}
            if app in DELETABLE_APPS:
                keys.add((app, f"delete_{name}"))
            if app in IMPORTABLE_APPS:
                keys.add((app, f"import_{name}"))
            keys |= {(app, c) for c in custom if not c.startswith("approve_")}
        if role in (STAFF, MANAGER):
            keys |= {k for k in STAFF_EXTRA if k[0] == app and k[1].endswith(f"_{name}")}
        if role == MANAGER:
            keys.add((app, f"view_{name}"))
            keys.add((app, f"export_{name}"))
            keys |= {(app, c) for c in custom if c.startswith("approve_")}
            if name == "auditreview":
                keys |= {(app, "add_auditreview"), (app, "change_auditreview")}
    return keys


def sync_roles(using: str = DEFAULT_DB_ALIAS) -> None:
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    for config in global_apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    _ensure_import_export_permissions(Permission, ContentType, using)
    all_perms = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.using(using).select_related("content_type")
    }
    for role in ROLES:
        group, _ = Group.objects.using(using).get_or_create(name=role)
        wanted = [all_perms[k] for k in sorted(role_permission_keys(role)) if k in all_perms]
        group.permissions.set(wanted)


def sync_roles_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    sync_roles(using=using)


def missing_permission_message(permission: str) -> str:
    """A refusal that names the permission the person lacks ("app_label.codename"), in their language.

    Refusals name the permission, not a role: who holds which permission is this module's table, and
    an office may give a permission to another group without any message becoming untrue.
    """
    from django.contrib.auth.models import Permission
    from django.utils.translation import gettext as _

    app_label, codename = permission.split(".", 1)
    row = Permission.objects.filter(content_type__app_label=app_label, codename=codename).values_list("name", flat=True).first()
    return _("You need the permission “%(permission)s” to do this.") % {"permission": _(row) if row else permission}
