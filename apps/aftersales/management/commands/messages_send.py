from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.aftersales.services import messages_send

from .followups_generate import parse_day


class Command(BaseCommand):
    help = "Send the due SMS through the configured backend (settings.SMS_BACKEND)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", help="send what is due by YYYY-MM-DD (default today)")

    def handle(self, *args: Any, on: str | None, **options: Any) -> None:
        counts = messages_send(on=parse_day(on))
        self.stdout.write(", ".join(f"{k} {v}" for k, v in counts.items()))
