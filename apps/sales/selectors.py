"""Reads for orders, receivables and payments: set-based aggregates.

Aging is computed by due-date ranges (portable SQL, no date arithmetic in the
database); the per-row `days_overdue` and `bucket` are derived in Python from
fields already loaded, so they cost no query."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Receivable

MONEY: DecimalField = DecimalField(max_digits=14, decimal_places=2)
BUCKETS = ["current", "1-30", "31-60", "61-90", "90+"]


def days_overdue(receivable: Receivable, today: date | None = None) -> int:
    today = today or timezone.localdate()
    if receivable.cancelled or receivable.balance <= 0 or receivable.due_date >= today:
        return 0
    return (today - receivable.due_date).days


def bucket_of(days: int) -> str:
    if days <= 0:
        return "current"
    if days <= 30:
        return "1-30"
    if days <= 60:
        return "31-60"
    if days <= 90:
        return "61-90"
    return "90+"


def bucket_q(bucket: str, today: date | None = None) -> Q:
    """The receivables of one aging bucket, as a filter on the due date."""
    today = today or timezone.localdate()
    open_ = Q(cancelled=False, paid__lt=F("amount"))
    if bucket == "current":
        return Q(cancelled=False) & (Q(due_date__gte=today) | Q(paid__gte=F("amount")))
    ranges = {"1-30": (1, 30), "31-60": (31, 60), "61-90": (61, 90), "90+": (91, None)}
    low, high = ranges[bucket]
    q = open_ & Q(due_date__lte=today - timedelta(days=low))
    if high is not None:
        q &= Q(due_date__gte=today - timedelta(days=high))
    return q


def aging(qs: QuerySet[Receivable], group_by: str | None = None, today: date | None = None) -> Any:
    """Open balances per aging bucket (one query), optionally per `group_by` field(s)."""
    today = today or timezone.localdate()
    live = qs.filter(cancelled=False, paid__lt=F("amount"))
    balance = F("amount") - F("paid")
    sums = {
        key: Coalesce(Sum(balance, filter=bucket_q(b, today)), Value(Decimal(0)), output_field=MONEY)
        for key, b in zip(["current", "d1_30", "d31_60", "d61_90", "d90"], BUCKETS, strict=True)
    }
    sums["total"] = Coalesce(Sum(balance), Value(Decimal(0)), output_field=MONEY)
    if group_by is None:
        return live.aggregate(**sums)
    fields = group_by.split(",")
    return live.values(*fields).annotate(**sums).order_by("-total")
