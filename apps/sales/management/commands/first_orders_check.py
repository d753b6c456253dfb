from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

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
        self.stdout.write(f"{len(wrong)} customers whose kept first order date differs from their orders.")
        for cid, kept, actual in wrong[:10]:
            self.stdout.write(f"  customer {cid}: kept {kept or '—'}, orders say {actual or '—'}")
        if not wrong:
            self.stdout.write("The first order dates agree with the orders.")
        elif fix:
            self.stdout.write("Fixed.")
        else:
            raise CommandError("First order dates differ from the orders: run again with --fix.")
