from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from apps.org.demo import DEMO_PASSWORD, DemoContext

# Each app's demo.seed(ctx), in the order records flow (DESIGN.md). Later apps
# read what earlier ones put in the context. Every seed is idempotent.
SEEDS = [
    "apps.org.demo",
    "apps.catalog.demo",
    "apps.customers.demo",
    "apps.sales.demo",
    "apps.activities.demo",
    "apps.plans.demo",
    "apps.aftersales.demo",
    # Last: it closes past months, freezing what every other seed produced.
    "apps.scoring.demo",
]


class Command(BaseCommand):
    help = "Build a believable dealer group with demo data. Running it twice changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=["small", "large"], default="small")

    def handle(self, *args: Any, scale: str, **options: Any) -> None:
        ctx = DemoContext(scale=scale)
        with transaction.atomic():
            for module in SEEDS:
                import_module(module).seed(ctx)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Log in with any of these (password {DEMO_PASSWORD}):")
        )
        for username, name, role in ctx.logins:
            self.stdout.write(f"  {username:<14} {role:<18} {name}")
