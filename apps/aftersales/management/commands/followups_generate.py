from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.aftersales.services import followups_generate


def parse_day(value: str | None) -> date:
    if not value:
        return timezone.localdate()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--on {value!r}: use YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Create one day's follow-up tasks (default today); running it twice creates nothing new."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", help="YYYY-MM-DD (default today)")
        parser.add_argument("--store", type=int, help="only this store id")

    def handle(self, *args: Any, on: str | None, store: int | None, **options: Any) -> None:
        day = parse_day(on)
        made = followups_generate(on=day, store_id=store)
        detail = ", ".join(f"{k} {v}" for k, v in made.items() if v)
        self.stdout.write(f"{day}: {sum(made.values())} rows made" + (f" ({detail})" if detail else ""))
