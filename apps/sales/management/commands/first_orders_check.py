from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from apps.org.checks import report_check
from apps.sales.services import first_orders_check


class Command(BaseCommand):
    help = (
        "Recompute every customer's first order date (orders not cancelled) from the orders and "
        "report the files where the kept one differs; --fix writes it (and the customer counts "
        "it changes). Exits 1 on a difference left unfixed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="write the dates the orders say")

    def handle(self, *args: Any, fix: bool, **options: Any) -> None:
        with transaction.atomic():
            wrong = first_orders_check(fix=fix)
        report_check(
            self,
            f"{len(wrong)} customers whose kept first order date differs from their orders.",
            (
                f"customer {cid}: kept {kept or '—'}, orders say {actual or '—'}"
                for cid, kept, actual in wrong[:10]
            ),
            ok=not wrong,
            fix=fix,
            agree="The first order dates agree with the orders.",
            fixed="Fixed.",
            differ="First order dates differ from the orders",
        )
