"""pg_trgm GIN index on the order's VIN for the global search (see customers 0004)."""

from django.db import migrations

INDEXES = [("order_vin_trgm", "sales_order", "vin gin_trgm_ops")]


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
        ("sales", "0004_historicalorder_car_historicalorder_cost_is_estimate_and_more"),
        ("customers", "0004_search_trigram"),  # the pg_trgm extension
    ]

    operations = [migrations.RunPython(create, drop)]
