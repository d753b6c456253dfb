"""Reads: the call list, a consultant's day, and the appointment KPIs.

KPIs over the appointments whose day falls in the period (cancelled ones counted apart):
- invitations (邀约数): appointments made for the period and not cancelled;
- confirmed rate: those confirmed before their day ÷ invitations;
- arrival rate (邀约到店率): attended ÷ invitations;
- no-show rate: no-shows ÷ invitations.
A rate over zero invitations is None ("—"), never a false 0.
"""

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from apps.org.models import User
from apps.org.scoping import visible

from .models import OPEN, Appointment, Status

FIGURES = {
    "invitations": Count("pk", filter=~Q(status=Status.CANCELLED)),
    "confirmed": Count("pk", filter=~Q(status=Status.CANCELLED) & Q(confirmed_at__isnull=False)),
    "attended": Count("pk", filter=Q(status=Status.ATTENDED)),
    "no_show": Count("pk", filter=Q(status=Status.NO_SHOW)),
    "cancelled": Count("pk", filter=Q(status=Status.CANCELLED)),
    "open": Count("pk", filter=Q(status__in=OPEN)),
}


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def with_rates(row: dict[str, Any]) -> dict[str, Any]:
    n = row.get("invitations") or 0
    row["confirmed_rate"] = _ratio(row.get("confirmed") or 0, n)
    row["arrival_rate"] = _ratio(row.get("attended") or 0, n)
    row["no_show_rate"] = _ratio(row.get("no_show") or 0, n)
    return row


def for_user(user: User) -> QuerySet[Appointment]:
    return visible(Appointment.objects.select_related("customer", "consultant"), user)


def call_list(user: User, day: date) -> QuerySet[Appointment]:
    """The day's appointments still to confirm (and those confirmed), in time order."""
    return for_user(user).filter(day=day).exclude(status=Status.CANCELLED).order_by("starts_at", "pk")


def kpis(qs: QuerySet[Appointment], start: date, end: date) -> dict[str, Any]:
    """One aggregate query: the store (or any set's) totals for the period."""
    return with_rates(qs.filter(day__range=(start, end)).aggregate(**FIGURES))


def kpis_by_consultant(qs: QuerySet[Appointment], start: date, end: date) -> list[dict[str, Any]]:
    """One grouped query: a row per consultant, the best arrival rate first."""
    rows = (
        qs.filter(day__range=(start, end))
        .values("consultant_id", "consultant__name", "consultant__username")
        .annotate(**FIGURES)
        .order_by("consultant__name", "consultant__username")
    )
    out = [with_rates(dict(r)) for r in rows]
    out.sort(key=lambda r: (-(r["arrival_rate"] or -1), r["consultant__name"] or r["consultant__username"]))
    return out


def monthly_by_consultant(
    consultant_ids: list[int], start: date, end: date
) -> dict[tuple[int, date], dict[str, int]]:
    """Figures per (consultant, first day of month) for the scorecard: one query."""
    from django.db.models.functions import TruncMonth

    rows = (
        Appointment.objects.filter(consultant_id__in=consultant_ids, day__range=(start, end))
        .annotate(month=TruncMonth("day"))
        .values("consultant_id", "month")
        .annotate(**FIGURES)
    )
    return {(r["consultant_id"], r["month"]): r for r in rows}


def store_by_month(store_ids: Any, start: date, end: date) -> dict[date, dict[str, Any]]:
    """The KPIs per calendar month of the stores' appointments (one grouped query), for
    the store month: first day of month → invitations, confirmed, attended … and rates."""
    from django.db.models.functions import TruncMonth

    rows = (
        Appointment.objects.filter(store_id__in=store_ids, day__range=(start, end))
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(**FIGURES)
        .order_by()
    )
    return {r["month"]: with_rates(dict(r)) for r in rows}
