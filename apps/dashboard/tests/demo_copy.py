"""The small demo for tests that read it (the sweeps, the page walks, the demo's own
checks): `manage.py seed_demo` runs for real the first time a test process needs it,
with the callbacks it leaves for its commit (months closed by scoring, their incentive
statements, vehicles of delivered orders), and what it wrote is copied back (COPY, a
few seconds) for every later test instead of seeding again (a minute or two each on 2
cores). test_seed_demo.py still runs the command itself, twice.
"""

import io

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import TestCase
from django.utils import translation

# The tables in COPY order, each with its rows, once the first seed has run.
_copy: list[tuple[str, str]] = []


def _snapshot() -> list[tuple[str, str]]:
    rows = []
    tables = sorted(t for t in connection.introspection.table_names() if t != "django_migrations")
    with connection.cursor() as cursor:
        for table in tables:
            buffer = io.StringIO()
            cursor.copy_expert(f'COPY "{table}" TO STDOUT', buffer)
            rows.append((table, buffer.getvalue()))
    return rows


def _restore(rows: list[tuple[str, str]]) -> None:
    # Foreign keys are DEFERRABLE INITIALLY DEFERRED (Django's on PostgreSQL): checked at
    # the end of this block, when every table is back.
    tables = {t for t, _ in rows}
    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in tables]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t, _ in rows) + " CASCADE")
        for table, data in rows:
            if data:
                cursor.copy_expert(f'COPY "{table}" FROM STDIN', io.StringIO(data))
        # Ids go on after the copied rows' (setval is not rolled back with the test:
        # harmless, the next test's rows are made above the demo's ids either way).
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def seed_demo() -> None:
    """The small demo in the test database, as `manage.py seed_demo` leaves it."""
    if connection.vendor != "postgresql":
        call_command("seed_demo", stdout=io.StringIO())
        return
    if _copy:
        _restore(_copy)
        return
    if connection.in_atomic_block:
        # Inside the test's transaction the commit's callbacks run here, in the demo's
        # language, as they run inside the command's own commit.
        with translation.override("zh-hans"), TestCase.captureOnCommitCallbacks(execute=True):
            call_command("seed_demo", stdout=io.StringIO())
    else:  # a live-server test: the seed commits and its callbacks run
        call_command("seed_demo", stdout=io.StringIO())
    _copy.extend(_snapshot())
