"""Permissions read once a minute, not twice a page.

Django's ModelBackend reads a user's user- and group-permissions with two queries on every
request that checks one (every admin page). Roles change rarely; this backend keeps each user's
permission set in the cache, keyed so that any change to a user's groups or a group's
permissions (signals below) takes effect at once, and anything else within a minute.
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

GENERATION_KEY = "perms:generation"
TIMEOUT = 60


def _generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = 1
        cache.add(GENERATION_KEY, generation, None)
    return generation


def invalidate_permission_cache(**kwargs) -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)


class CachedPermissionsBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None or user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            # date_joined tells apart two users who got the same id (tests, a deleted account).
            key = f"perms:{_generation()}:{user_obj.pk}:{user_obj.date_joined.timestamp()}"
            perms = cache.get(key)
            if perms is None:
                perms = super().get_all_permissions(user_obj)
                cache.set(key, perms, TIMEOUT)
            user_obj._perm_cache = set(perms)
        return user_obj._perm_cache


def connect_signals() -> None:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    for sender in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(invalidate_permission_cache, sender=sender, dispatch_uid=f"perm_cache_{sender.__name__}")
    for signal in (post_save, post_delete):
        signal.connect(invalidate_permission_cache, sender=Group, dispatch_uid=f"perm_cache_group_{signal}")
