"""`manage.py shell` without "N objects could not be automatically imported".

django-simple-history builds its Historical* models at run time in no importable
module, so Django's auto-import lists them as failures on every start. They stay
reachable as `Order.history.model`; the shell imports only what can be imported.
"""

from importlib import import_module
from typing import Any

from django.core.management.commands.shell import Command as ShellCommand


class Command(ShellCommand):
    def get_auto_imports(self) -> Any:
        paths = super().get_auto_imports()
        if paths is None:
            return None
        kept = []
        for path in paths:
            module, _dot, name = path.rpartition(".")
            try:
                if hasattr(import_module(module), name):
                    kept.append(path)
            except ImportError:
                continue
        return kept
