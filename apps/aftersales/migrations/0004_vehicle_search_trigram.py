"""pg_trgm GIN indexes on the vehicle's VIN and plate for the global search: the last
six characters of a VIN or part of a plate (see customers 0004)."""

from django.db import migrations

INDEXES = [
    ("vehicle_vin_trgm", "aftersales_vehicle", "vin gin_trgm_ops"),
    ("vehicle_plate_trgm", "aftersales_vehicle", "UPPER(plate) gin_trgm_ops"),
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
    dependencies = [
        ("aftersales", "0003_holidays"),
        ("customers", "0004_search_trigram"),  # the pg_trgm extension
    ]

    operations = [migrations.RunPython(create, drop)]
