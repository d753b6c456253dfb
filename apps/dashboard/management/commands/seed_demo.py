from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import translation

from apps.org.demo import DEMO_PASSWORD, DemoContext

# Each app's demo.seed(ctx), in the order records flow (DESIGN.md). Later apps
# read what earlier ones put in the context. Every seed is idempotent.
SEEDS = [
    "apps.org.demo",
    "apps.catalog.demo",
    "apps.customers.demo",
    "apps.stock.demo",
    "apps.sales.demo",
    "apps.activities.demo",
    "apps.training.demo",
    "apps.plans.demo",
    "apps.aftersales.demo",
    # Last: it closes past months, freezing what every other seed produced.
    "apps.scoring.demo",
    # After scoring: computes the statements of the months scoring closes on commit.
    "apps.incentives.demo",
]


class Command(BaseCommand):
    help = "Build a believable dealer group with demo data. Running it twice changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=["small", "medium", "large"],
            default="small",
            help="medium / large: the small demo, then a dealer group built set-based beside it "
            "(apps/dashboard/demo_scale.py; PostgreSQL).",
        )
        parser.add_argument(
            "--public-passwords",
            action="store_true",
            help="Seed even with DEBUG=false, although every demo login (an admin too) has the "
            "password printed in the README.",
        )

    def handle(self, *args: Any, scale: str, public_passwords: bool = False, **options: Any) -> None:
        # The demo's logins share one published password, an administrator among them:
        # never on a production database by accident. DEBUG=true (make run) and a
        # test database are fine.
        throwaway = str(connection.settings_dict.get("NAME", "")).startswith("test_")
        if not (settings.DEBUG or throwaway or public_passwords):
            raise CommandError(
                "DEBUG is false: the demo logins would have the published password "
                f"{DEMO_PASSWORD!r}. Run it with DEBUG=true, or pass --public-passwords."
            )
        ctx = DemoContext(scale="small" if scale == "medium" else scale)
        # The demo dealer group is Chinese: text the services write into records
        # (reasons, plan history, reversal notes) is written as its staff would write it.
        with translation.override("zh-hans"), transaction.atomic():
            for module in SEEDS:
                import_module(module).seed(ctx)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Log in with any of these (password {DEMO_PASSWORD}):")
        )
        for username, name, role in ctx.logins:
            self.stdout.write(f"  {username:<14} {role:<18} {name}")
        if scale in ("medium", "large"):
            from apps.dashboard import demo_scale

            demo_scale.seed(scale, self.stdout)
