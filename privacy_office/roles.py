"""Who may do what: the three roles as one table, applied by ``sync_roles`` after every migrate.

The file to change for "who approves what" or "who may export": ``ROLE_PERMISSIONS`` says which role
holds which permission, by app, model and action; ``APPROVALS`` names the permission each kind of
outgoing document or irreversible act needs, and ``APPROVERS`` the roles that hold them. Refusals
name the permission, never a role (``missing_permission_message``), so giving a permission to
another group never makes a message untrue.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext, gettext_noop

STAFF = "Privacy staff"
MANAGER = "Privacy manager"
AUDITOR = "Auditor"
ROLES = (STAFF, MANAGER, AUDITOR)
# The group names are stored in English; pages show them in the reader's language.
ROLE_LABELS = (gettext_noop("Privacy staff"), gettext_noop("Privacy manager"), gettext_noop("Auditor"))

# The apps whose records the office works; ``privacy_office`` holds the audit log and reminder log.
DOMAIN_APPS = ("inventory_app", "requests_app", "breach_app")
OFFICE_APPS = (*DOMAIN_APPS, "privacy_office")

# Every model of the app (history tables excepted).
EVERY_MODEL = "*"
# Import and export are not Django default permissions: sync_roles creates them for every model.
# "importfile": the import template and an export in the importable format of the records one may
# import (what staff work from); "export" is every export, the Art. 30 record included.
DATA_ACTIONS = ("import", "export", "importfile")

# role -> (app label, model name or EVERY_MODEL, actions). An action a model does not have (the
# append-only logs have no "add" or "change") is skipped.
STAFF_PERMISSIONS = (
    # Work the inventory; its rows are the only ones deleted (a link removed) or imported.
    ("inventory_app", EVERY_MODEL, ("view", "add", "change", "delete", "import", "importfile")),
    # Work cases and incidents; nothing there is deleted (withdrawn or closed with a reason instead).
    ("requests_app", EVERY_MODEL, ("view", "add", "change")),
    ("breach_app", EVERY_MODEL, ("view", "add", "change")),
    # Their reminders are part of working a case.
    ("privacy_office", "reminder", ("view",)),
)
ROLE_PERMISSIONS: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    STAFF: STAFF_PERMISSIONS,
    MANAGER: (
        *STAFF_PERMISSIONS,
        # Export anything; read the audit log and the reminder log; attest audit reviews.
        *((app, EVERY_MODEL, ("view", "export")) for app in OFFICE_APPS),
        # Recorded once and never changed: a correction is a new review (audit_reviews.py).
        ("privacy_office", "auditreview", ("add",)),
    ),
    # Read-only everywhere, the history and the audit log included; takes the audit log and the
    # audit reviews away as files (an export changes nothing).
    AUDITOR: (
        *((app, EVERY_MODEL, ("view",)) for app in OFFICE_APPS),
        ("privacy_office", "auditlogentry", ("export",)),
        ("privacy_office", "auditreview", ("export",)),
    ),
}

# Kind of document or act -> the permission ("app_label.codename") that approves it. The breach
# notice kinds are breach_app's NoticeDraft.Kind values (a test keeps this table complete).
APPROVALS: dict[str, str] = {
    "regulator_report": "breach_app.approve_noticedraft",
    "user_notice": "breach_app.approve_noticedraft",
    "public_notice": "breach_app.approve_noticedraft",
    "ag_sample": "breach_app.approve_noticedraft",
    "controller_notice": "breach_app.approve_noticedraft",
    "credit_bureau_notice": "breach_app.approve_noticedraft",
    "csirt_report": "breach_app.approve_noticedraft",
    # Erasing a requester's personal data after the retention period.
    "erase_personal_data": "requests_app.approve_erase_personal_data",
    # Seeing the identity documents of a case assigned to someone else.
    "view_any_identity_document": "requests_app.approve_view_any_identity_document",
    # Deciding not to notify a required breach notification: staff propose it, a second person confirms it.
    "waive_notification": "breach_app.approve_waive_notification",
    # Re-opening a closed (frozen) incident, with a reason.
    "reopen_incident": "breach_app.reopen_incident",
    # Refusing a rights request: staff propose it, a second person confirms it.
    "reject_request": "requests_app.approve_reject_request",
    # Re-opening an ended case (corrections after closure go through it).
    "reopen_case": "requests_app.approve_reopen_case",
    # Approving an impact assessment (PIPL Art. 55-56, GDPR Art. 35): it freezes what was assessed.
    "approve_impact_assessment": "inventory_app.approve_impactassessment",
}
APPROVERS = (MANAGER,)


def approval_permission(kind: str) -> str:
    """The permission ("app_label.codename") that approves a document or act of ``kind``."""
    return APPROVALS[kind]


def office_models(app_label: str):
    """The models of an installed app whose rows the roles cover (history tables excepted)."""
    try:
        config = global_apps.get_app_config(app_label)
    except LookupError:
        return
    for model in config.get_models():
        if not model._meta.model_name.startswith("historical"):
            yield model


def role_permission_keys(role: str) -> set[tuple[str, str]]:
    """(app_label, codename) pairs the role holds: ``ROLE_PERMISSIONS`` and ``APPROVALS`` applied to
    the installed models."""
    keys: set[tuple[str, str]] = set()
    for app_label, model_name, actions in ROLE_PERMISSIONS[role]:
        names = ([m._meta.model_name for m in office_models(app_label)] if model_name == EVERY_MODEL
                 else [model_name])
        keys |= {(app_label, f"{action}_{name}") for name in names for action in actions}
    if role in APPROVERS:
        keys |= {tuple(permission.split(".", 1)) for permission in APPROVALS.values()}
    return keys


def ensure_data_permissions(using: str) -> None:
    """Create the import and export permissions of every office model (Django creates only the defaults)."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    for app_label in OFFICE_APPS:
        for model in office_models(app_label):
            ct = ContentType.objects.db_manager(using).get_for_model(model, for_concrete_model=False)
            for action in DATA_ACTIONS:
                Permission.objects.using(using).get_or_create(
                    content_type=ct,
                    codename=f"{action}_{model._meta.model_name}",
                    defaults={"name": f"Can {action} {model._meta.verbose_name_raw}"[:255]},
                )


def sync_roles(using: str = DEFAULT_DB_ALIAS) -> None:
    """Give each role's group exactly the permissions the table says (and no other)."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    for config in global_apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    ensure_data_permissions(using)
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


# Permission names are stored in English (Django writes "Can view <model>"): the label shown is
# rebuilt from the action and the model's verbose name in the reader's language.
ACTION_LABELS = {
    "view": gettext_noop("Can view %(model)s"),
    "add": gettext_noop("Can add %(model)s"),
    "change": gettext_noop("Can change %(model)s"),
    "delete": gettext_noop("Can delete %(model)s"),
    "import": gettext_noop("Can import %(model)s"),
    "export": gettext_noop("Can export %(model)s"),
    "importfile": gettext_noop("Can download the import template and an importable export of %(model)s"),
}


def permission_label(permission: str) -> str:
    """The name of a permission ("app_label.codename") in the active language."""
    app_label, codename = permission.split(".", 1)
    for model in office_models(app_label) if app_label in OFFICE_APPS else ():
        for custom, name in model._meta.permissions:
            if custom == codename:
                return gettext(str(name))
        action, _, model_name = codename.partition("_")
        if model_name == model._meta.model_name and action in ACTION_LABELS:
            return gettext(ACTION_LABELS[action]) % {"model": model._meta.verbose_name}
    return permission


def holds_approval(user, kind: str) -> bool:
    """Whether ``user`` (an active account) holds the permission that approves ``kind``."""
    return bool(user and user.is_active and user.has_perm(approval_permission(kind)))


def require_approval(*, user, kind: str) -> None:
    """Refuse (PermissionDenied, naming the permission) unless ``user`` holds the approval of ``kind``."""
    if not holds_approval(user, kind):
        raise PermissionDenied(missing_permission_message(approval_permission(kind)))


def approval_label(kind: str) -> str:
    """The name of the permission that approves ``kind``, in the reader's language."""
    return permission_label(approval_permission(kind))


def missing_permission_message(permission: str) -> str:
    """A refusal that names the permission the person lacks ("app_label.codename"), in their language."""
    return gettext("You need the permission “%(permission)s” to do this.") % {"permission": permission_label(permission)}
