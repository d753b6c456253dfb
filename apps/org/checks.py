"""The shape the consistency checks share (customer_counts_check, first_orders_check):
a summary, a few examples, then agreement, the fix, or exit 1 with what to run."""

from collections.abc import Iterable

from django.core.management.base import BaseCommand, CommandError


def report_check(
    command: BaseCommand,
    summary: str,
    examples: Iterable[str],
    *,
    ok: bool,
    fix: bool,
    agree: str,
    fixed: str,
    differ: str,
) -> None:
    command.stdout.write(summary)
    for line in examples:
        command.stdout.write(f"  {line}")
    if ok:
        command.stdout.write(agree)
    elif fix:
        command.stdout.write(fixed)
    else:
        raise CommandError(f"{differ}: run again with --fix.")
