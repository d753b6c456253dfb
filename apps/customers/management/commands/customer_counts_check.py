from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from apps.customers.counts import counts_check
from apps.org.checks import report_check
from apps.org.models import Store


class Command(BaseCommand):
    help = (
        "Derive every customer's counted spans and the customer counts per owner and day "
        "(customers.counts) from the records again and report what differs from what is kept; "
        "--fix writes the derived ones. Exits 1 on a difference left unfixed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--store", action="append", help="only this store code (repeatable)")
        parser.add_argument("--fix", action="store_true", help="write what the records say")

    def handle(self, *args: Any, store: list[str] | None, fix: bool, **options: Any) -> None:
        store_ids = None
        if store:
            store_ids = list(Store.objects.filter(code__in=store).values_list("pk", flat=True))
            if len(store_ids) != len(set(store)):
                raise CommandError(f"Unknown store code among {', '.join(store)}.")
        with transaction.atomic():
            report = counts_check(store_ids=store_ids, fix=fix)
        report_check(
            self,
            f"{report.customers} customers: {report.spans_wrong} with spans that differ from their records, "
            f"{report.rollup_wrong} count rows that differ from the spans.",
            report.examples,
            ok=report.ok,
            fix=fix,
            agree="The customer counts agree with the records.",
            fixed="Fixed: the kept counts are now those the records say.",
            differ="The customer counts differ from the records",
        )
