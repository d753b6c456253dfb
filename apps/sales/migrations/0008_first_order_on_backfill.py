"""Fill what is now kept with the records: each customer's first order date (orders not
cancelled), then the customer counts derived from it (customers.counts)."""

from django.db import migrations
from django.db.models import DateField, Min, OuterRef, Subquery


def backfill(apps, schema_editor):
    from apps.customers.counts import Models, counts_check

    Customer = apps.get_model("customers", "Customer")
    Order = apps.get_model("sales", "Order")
    first = (
        Order.objects.filter(customer_id=OuterRef("pk"))
        .exclude(status="cancelled")
        .values("customer_id")
        .annotate(first=Min("order_date"))
        .values("first")[:1]
    )
    Customer.objects.update(first_order_on=Subquery(first, output_field=DateField()))
    counts_check(fix=True, m=Models.of(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0009_counts"),
        ("sales", "0007_order_live_by_customer"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
