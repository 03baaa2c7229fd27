"""The per-app modules the office core calls, found the way the admin finds each app's ``admin.py``.

An app takes part by defining, by convention:

- ``<app>/dashboard.py``: ``cards(request) -> list[Card]``, its cards on the admin home page;
- ``<app>/demo.py``: ``load_demo(*, stdout)``, its part of ``manage.py setup_demo``;
- ``<app>/reminders.py``: ``due_reminders(*, now, since=None) -> list[ReminderSpec]``, what the
  reminder sweep records, and its kinds (``privacy_office.reminders.register_kind``).

Order is INSTALLED_APPS order, where it matters too: the demo inventory is loaded before the cases
and incidents that cite its processing activities.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import cache

from django.apps import apps
from django.utils.module_loading import autodiscover_modules


@cache
def app_functions(module_name: str, function_name: str) -> tuple[Callable, ...]:
    """``<app>.<module_name>.<function_name>`` of every installed app that has it, in INSTALLED_APPS order.

    Found once per process: the installed apps do not change while it runs.
    """
    autodiscover_modules(module_name)
    found = []
    for config in apps.get_app_configs():
        function = getattr(sys.modules.get(f"{config.name}.{module_name}"), function_name, None)
        if callable(function):
            found.append(function)
    return tuple(found)
