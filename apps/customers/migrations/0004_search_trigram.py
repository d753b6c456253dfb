"""pg_trgm GIN indexes for the global search (apps/org/search.py): a substring LIKE on
the name (case-insensitive) or the mobile (e.g. its last four digits) uses the index.
Trigrams rather than full-text search: names are Chinese (no word boundaries for a
tokenizer) and mobiles are searched by any run of digits. PostgreSQL only; other
databases keep the plain LIKE."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    ("customer_name_trgm", "customers_customer", "UPPER(name) gin_trgm_ops"),
    ("customer_mobile_trgm", "customers_customer", "mobile gin_trgm_ops"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, table, expression in INDEXES:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, _table, _expression in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_stage_change_reason")]

    operations = [TrigramExtension(), migrations.RunPython(create, drop)]
