"""Reads: the day list (what is overdue for me today) and the ladder figures."""

from datetime import date, datetime
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from apps.customers.models import Customer
from apps.customers.models import Status as CustomerStatus
from apps.org.models import User
from apps.org.scoping import visible
from apps.sales.models import Receivable

from .models import Ladder, Step
from .services import lead_basis


def high_risk(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    """Prospects on the last rung of the lead ladder since their last contact (marked high risk)."""
    return qs.annotate(basis=lead_basis()).filter(
        Exists(
            Step.objects.filter(
                ladder=Ladder.LEAD, level=3, object_id=OuterRef("pk"), basis=OuterRef("basis")
            )
        )
    )


def day_list(user: User, *, today: date | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Overdue receivables (every day until paid) and neglected leads, scoped as everywhere.
    Three queries whatever the number of rows."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    overdue = (
        visible(Receivable.objects.select_related("customer", "order", "responsible"), user)
        .filter(cancelled=False, paid__lt=F("amount"), due_date__lt=today)
        .annotate(balance_due=F("amount") - F("paid"))
        .order_by("due_date", "pk")
    )
    leads = (
        visible(Customer.objects.select_related("owner"), user)
        .filter(status=CustomerStatus.PROSPECT, owner__isnull=False)
        .annotate(
            basis=lead_basis(),
            risk=Exists(
                Step.objects.filter(
                    ladder=Ladder.LEAD, level=3, object_id=OuterRef("pk"), basis=OuterRef("basis")
                )
            ),
            rung=Exists(
                Step.objects.filter(ladder=Ladder.LEAD, object_id=OuterRef("pk"), basis=OuterRef("basis"))
            ),
        )
        .filter(rung=True)
        .order_by("-risk", "basis")
    )
    return {"overdue": list(overdue[:200]), "leads": list(leads[:200]), "today": today, "now": now}


def complaint_breaches(store_ids: Any, start: date, end: date) -> dict[str, int]:
    """Complaint rungs climbed in the period (for the customer-service KPIs and the store month)."""
    row = Step.objects.filter(
        ladder=Ladder.COMPLAINT, store_id__in=store_ids, fired_at__date__range=(start, end)
    ).aggregate(
        not_acknowledged=Count("pk", filter=Q(level=1)),
        not_answered=Count("pk", filter=Q(level=2)),
        not_resolved=Count("pk", filter=Q(level=3)),
    )
    return {k: v or 0 for k, v in row.items()}


def complaint_breaches_by_month(
    store_ids: Any, start_at: datetime, end_at: datetime
) -> dict[Any, dict[str, int]]:
    """Complaint rungs climbed per calendar month (store time) in [start_at, end_at): one
    query, for the store month's 环比 / 同比. Keys: the TruncMonth value."""
    rows = (
        Step.objects.filter(
            ladder=Ladder.COMPLAINT, store_id__in=store_ids, fired_at__gte=start_at, fired_at__lt=end_at
        )
        .annotate(mo=TruncMonth("fired_at", tzinfo=timezone.get_current_timezone()))
        .values("mo")
        .annotate(
            not_acknowledged=Count("pk", filter=Q(level=1)),
            not_answered=Count("pk", filter=Q(level=2)),
            not_resolved=Count("pk", filter=Q(level=3)),
        )
        .order_by()
    )
    return {r["mo"]: {k: r[k] for k in ("not_acknowledged", "not_answered", "not_resolved")} for r in rows}
