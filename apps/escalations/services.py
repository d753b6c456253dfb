"""The escalation job: climb every ladder, then notify every rung not yet notified.

Set-based: per ladder level and group of stores with the same settings, one SELECT of
the records that reached the level (excluding those already on that rung) and one
bulk INSERT … ON CONFLICT DO NOTHING of the rungs; then one pass that makes the
notifications of all un-notified rungs in one bulk insert (unique per user and rung)
and marks them. A second run, a concurrent one or a re-run after a crash anywhere in
between makes nothing twice and leaves nothing out.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.aftersales.models import Complaint, ComplaintStatus, FollowUp, FollowUpStatus
from apps.customers.models import Customer
from apps.customers.models import Status as CustomerStatus
from apps.notifications.services import notify_bulk
from apps.org.models import Store, User
from apps.org.roles import Role
from apps.sales.models import Receivable

from .models import DepartmentHead, EscalationSettings, Ladder, Step

BATCH = 5000


def settings_for(store: Store | int) -> EscalationSettings:
    store_id = store if isinstance(store, int) else store.pk
    return EscalationSettings.objects.filter(store_id=store_id).first() or EscalationSettings(
        store_id=store_id
    )


@transaction.atomic
def settings_save(*, store: Store, **fields: Any) -> EscalationSettings:
    obj = EscalationSettings.objects.select_for_update().filter(store=store).first() or EscalationSettings(
        store=store
    )
    for key, value in fields.items():
        setattr(obj, key, value)
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def department_head_set(*, store: Store, department: str, user: User | None) -> None:
    if user is None:
        DepartmentHead.objects.filter(store=store, department=department).delete()
        return
    DepartmentHead.objects.update_or_create(store=store, department=department, defaults={"user": user})


def _groups(store_ids: Iterable[int], fields: tuple[str, ...]) -> dict[tuple[Any, ...], list[int]]:
    """Stores grouped by their values of `fields` (one query for all the saved settings)."""
    saved = {s.store_id: s for s in EscalationSettings.objects.filter(store_id__in=list(store_ids))}
    out: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for sid in store_ids:
        conf = saved.get(sid) or EscalationSettings(store_id=sid)
        if conf.enabled:
            out[tuple(getattr(conf, f) for f in fields)].append(sid)
    return out


def _not_on_rung(ladder: str, level: int) -> Any:
    return ~Exists(
        Step.objects.filter(ladder=ladder, object_id=OuterRef("pk"), level=level, basis=OuterRef("basis"))
    )


def _climb(ladder: str, level: int, qs: QuerySet[Any], now: datetime) -> int:
    rows = list(qs.filter(_not_on_rung(ladder, level)).values_list("pk", "store_id", "basis")[:BATCH])
    Step.objects.bulk_create(
        [
            Step(ladder=ladder, object_id=pk, store_id=sid, level=level, basis=basis, fired_at=now)
            for pk, sid, basis in rows
        ],
        ignore_conflicts=True,
    )
    return len(rows)


def lead_basis() -> Any:
    return Coalesce("last_contact_at", "created_at")


def _leads(store_ids: list[int], now: datetime) -> int:
    made = 0
    fields = ("lead_consultant_days", "lead_manager_days", "lead_high_risk_days")
    for days, ids in _groups(store_ids, fields).items():
        leads = Customer.objects.filter(
            store_id__in=ids, status=CustomerStatus.PROSPECT, owner__isnull=False
        ).annotate(basis=lead_basis())
        for level, d in enumerate(days, start=1):
            made += _climb(Ladder.LEAD, level, leads.filter(basis__lte=now - timedelta(days=d)), now)
    return made


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


def _receivables(store_ids: list[int], today: date, now: datetime) -> int:
    made = 0
    fields = ("receivable_first_days", "receivable_second_days", "receivable_manager_days")
    for (first, second, late), ids in _groups(store_ids, fields).items():
        unpaid = Receivable.objects.filter(store_id__in=ids, cancelled=False, paid__lt=F("amount"))
        rungs = [
            # a reminder before due only for a receivable that was on the books by then
            Q(
                due_date__lte=today + timedelta(days=first),
                due_date__gte=F("order__order_date") + timedelta(days=first),
            ),
            Q(
                due_date__lte=today + timedelta(days=second),
                due_date__gte=F("order__order_date") + timedelta(days=second),
            ),
            Q(due_date__lt=today),
            Q(due_date__lte=today - timedelta(days=late)),
        ]
        for level, cond in enumerate(rungs, start=1):
            rows = list(
                unpaid.filter(cond)
                .exclude(
                    Exists(
                        Step.objects.filter(ladder=Ladder.RECEIVABLE, object_id=OuterRef("pk"), level=level)
                    )
                )
                .values_list("pk", "store_id", "due_date")[:BATCH]
            )
            Step.objects.bulk_create(
                [
                    Step(
                        ladder=Ladder.RECEIVABLE,
                        object_id=pk,
                        store_id=sid,
                        level=level,
                        basis=_midnight(due),
                        fired_at=now,
                    )
                    for pk, sid, due in rows
                ],
                ignore_conflicts=True,
            )
            made += len(rows)
    return made


def _complaints(store_ids: list[int], now: datetime) -> int:
    made = 0
    fields = ("complaint_ack_hours", "complaint_answer_hours", "complaint_resolve_hours")
    for (ack, answer, resolve), ids in _groups(store_ids, fields).items():
        base = Complaint.objects.filter(store_id__in=ids).annotate(basis=F("opened_at"))
        rungs = [
            base.filter(
                status=ComplaintStatus.OPEN,
                in_progress_at__isnull=True,
                opened_at__lte=now - timedelta(hours=ack),
            ),
            base.filter(
                resolution="", resolved_at__isnull=True, opened_at__lte=now - timedelta(hours=answer)
            ),
            base.filter(resolved_at__isnull=True, opened_at__lte=now - timedelta(hours=resolve)),
        ]
        for level, qs in enumerate(rungs, start=1):
            made += _climb(Ladder.COMPLAINT, level, qs, now)
    return made


def _release_callbacks(store_ids: list[int], now: datetime) -> int:
    released = 0
    for (minutes,), ids in _groups(store_ids, ("callback_release_minutes",)).items():
        released += FollowUp.objects.filter(
            store_id__in=ids, status=FollowUpStatus.CLAIMED, claimed_at__lte=now - timedelta(minutes=minutes)
        ).update(status=FollowUpStatus.OPEN, assignee=None, claimed_at=None)
    return released


# ---------------------------------------------------------------- notifications of the rungs


def _people(store_ids: set[int], role: str) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for uid, sid in User.objects.filter(role=role, is_active=True, stores__in=store_ids).values_list(
        "pk", "stores"
    ):
        out[sid].append(uid)
    return out


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _notify_pending(now: datetime) -> int:
    steps = list(Step.objects.filter(notified_at__isnull=True).order_by("pk")[:BATCH])
    if not steps:
        return 0
    store_ids = {s.store_id for s in steps}
    managers = _people(store_ids, Role.MANAGER)
    finance = _people(store_ids, Role.FINANCE)
    ids: dict[str, set[int]] = defaultdict(set)
    for s in steps:
        ids[s.ladder].add(s.object_id)
    leads = {c.pk: c for c in Customer.objects.filter(pk__in=ids[Ladder.LEAD]).select_related("owner")}
    recs = {
        r.pk: r
        for r in Receivable.objects.filter(pk__in=ids[Ladder.RECEIVABLE]).select_related(
            "customer", "responsible"
        )
    }
    complaints = {
        c.pk: c for c in Complaint.objects.filter(pk__in=ids[Ladder.COMPLAINT]).select_related("customer")
    }
    heads = {
        (h.store_id, h.department): h.user_id for h in DepartmentHead.objects.filter(store_id__in=store_ids)
    }
    conf = {sid: settings_for(sid) for sid in store_ids}
    rows: list[dict[str, Any]] = []
    for s in steps:
        users: list[int] = []
        params: dict[str, Any] = {}
        url = ""
        days = (now - s.basis).days
        if s.ladder == Ladder.LEAD and s.object_id in leads:
            c = leads[s.object_id]
            params = {"customer": c.name, "days": days, "consultant": str(c.owner) if c.owner else ""}
            owner = [c.owner_id] if c.owner_id else []
            users = owner if s.level == 1 else managers[s.store_id] + (owner if s.level == 3 else [])
            url = f"/customers/{c.pk}/" if s.level < 3 else f"/customers/{c.pk}/#transfer"
        elif s.ladder == Ladder.RECEIVABLE and s.object_id in recs:
            r = recs[s.object_id]
            params = {
                "customer": r.customer.name,
                "amount": _money(r.amount - r.paid),
                "due": r.due_date.isoformat(),
                "days": abs((timezone.localdate(now) - r.due_date).days),
                "consultant": str(r.responsible),
            }
            users = [r.responsible_id] if s.level < 4 else managers[s.store_id] + finance[s.store_id]
            url = f"/sales/orders/{r.order_id}/"
        elif s.ladder == Ladder.COMPLAINT and s.object_id in complaints:
            item = complaints[s.object_id]
            settings = conf[s.store_id]
            hours = [
                settings.complaint_ack_hours,
                settings.complaint_answer_hours,
                settings.complaint_resolve_hours,
            ]
            params = {"id": item.pk, "customer": item.customer.name, "hours": hours[s.level - 1]}
            if s.level == 1:
                users = [item.owner_id] if item.owner_id else managers[s.store_id]
            elif s.level == 2:
                head = heads.get((s.store_id, item.department))
                users = [head] if head else managers[s.store_id]
            else:
                users = managers[s.store_id]
            url = f"/aftersales/complaints/{item.pk}/"
        for uid in dict.fromkeys(users):
            rows.append(
                {
                    "user_id": uid,
                    "store_id": s.store_id,
                    "kind": f"escalation_{s.ladder}_{s.level}",
                    "key": f"escalation:{s.pk}",
                    "params": params,
                    "url": url,
                }
            )
    with transaction.atomic():
        notify_bulk(rows, now=now)
        Step.objects.filter(pk__in=[s.pk for s in steps], notified_at__isnull=True).update(notified_at=now)
    return len(rows)


def ladders_run(*, now: datetime | None = None, store_id: int | None = None) -> dict[str, int]:
    """One run of every ladder (the job every 10 minutes); each statement commits on its own."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    stores = Store.objects.all() if store_id is None else Store.objects.filter(pk=store_id)
    ids = list(stores.values_list("pk", flat=True))
    made = {
        "lead": _leads(ids, now),
        "receivable": _receivables(ids, today, now),
        "complaint": _complaints(ids, now),
        "released": _release_callbacks(ids, now),
    }
    made["notified"] = _notify_pending(now)
    return made
