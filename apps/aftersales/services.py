"""Every write of after-sales: vehicles, readings, service visits, rules, the queue,
complaints and messages. One function per use case, atomic, readable refusals."""

import logging
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.customers.services import customer_touch
from apps.notifications.sms import SmsError, get_backend, in_quiet_hours
from apps.org.models import Store, User
from apps.org.roles import Role
from apps.sales.models import Order, OrderStatus

from . import generation
from .models import (
    MAX_ATTEMPTS,
    SERVICE_KINDS,
    Category,
    Channel,
    Complaint,
    ComplaintRoute,
    ComplaintStatus,
    ConfirmationChannel,
    Department,
    FollowUp,
    FollowUpRule,
    FollowUpStatus,
    Holiday,
    Message,
    MessageStatus,
    MileageReading,
    Outcome,
    ReadingSource,
    RuleCode,
    ServiceKind,
    ServiceVisit,
    Vehicle,
)
from .prediction import Policy, predict, reading_problem

log = logging.getLogger(__name__)

# ---------------------------------------------------------------- rules

# rule: (offset days, channel, priority, template) — SPEC §6 defaults.
DEFAULT_RULES: dict[str, tuple[int, str, int, str]] = {
    RuleCode.POST_SALE_7D: (7, Channel.CALL, 7, ""),
    RuleCode.CARE_30D: (30, Channel.CALL, 5, ""),
    RuleCode.FIRST_SERVICE: (
        0,
        Channel.SMS_THEN_CALL,
        6,
        "【{store}】尊敬的{customer}，您的{model}已到首保时间（{next_service_km}公里），欢迎预约保养。",
    ),
    RuleCode.POST_SERVICE_3D: (3, Channel.CALL, 6, ""),
    RuleCode.PERIODIC_SERVICE: (
        -3,
        Channel.SMS_THEN_CALL,
        5,
        "【{store}】尊敬的{customer}，您的{model}（{plate}）预计{due_date}需要保养，欢迎预约。",
    ),
    RuleCode.BIRTHDAY: (0, Channel.SMS, 3, "【{store}】{customer}，祝您生日快乐，行车平安！"),
    RuleCode.ANNIVERSARY: (0, Channel.SMS, 3, "【{store}】{customer}，感谢您与{model}相伴又一年！"),
    RuleCode.LAPSED: (365, Channel.CALL, 4, ""),
    RuleCode.COMPLAINT: (1, Channel.CALL, 9, ""),
    RuleCode.HOLIDAY: (0, Channel.SMS, 3, "【{store}】{customer}，{holiday}快乐！祝您阖家幸福，行车平安。"),
}

# The holidays stores greet owners on, by year (lunar ones move): 元旦, 春节, 元宵, 端午,
# 中秋, 国庆. A store gets this year's and the next two years' on first use; it may edit them.
HOLIDAYS: dict[int, list[tuple[str, str]]] = {
    2026: [
        ("01-01", "元旦"),
        ("02-17", "春节"),
        ("03-03", "元宵节"),
        ("06-19", "端午节"),
        ("09-25", "中秋节"),
        ("10-01", "国庆节"),
    ],
    2027: [
        ("01-01", "元旦"),
        ("02-06", "春节"),
        ("02-20", "元宵节"),
        ("06-09", "端午节"),
        ("09-15", "中秋节"),
        ("10-01", "国庆节"),
    ],
    2028: [
        ("01-01", "元旦"),
        ("01-26", "春节"),
        ("02-09", "元宵节"),
        ("05-28", "端午节"),
        ("10-03", "中秋节"),
        ("10-01", "国庆节"),
    ],
    2029: [
        ("01-01", "元旦"),
        ("02-13", "春节"),
        ("02-27", "元宵节"),
        ("06-16", "端午节"),
        ("09-22", "中秋节"),
        ("10-01", "国庆节"),
    ],
    2030: [
        ("01-01", "元旦"),
        ("02-03", "春节"),
        ("02-17", "元宵节"),
        ("06-05", "端午节"),
        ("09-12", "中秋节"),
        ("10-01", "国庆节"),
    ],
}


def holidays_ensure(*, store_ids: Iterable[int], today: date | None = None) -> None:
    """Pre-fill this year's and the next two years' holidays of a store that has none for
    that year (two statements); a year the store has edited is left as it is."""
    from django.db.models.functions import ExtractYear

    ids = list(store_ids)
    year = (today or timezone.localdate()).year
    years = range(year, year + 3)
    has = set(
        Holiday.objects.filter(store_id__in=ids, date__year__in=list(years))
        .annotate(year=ExtractYear("date"))
        .values_list("store_id", "year")
        .distinct()
    )
    Holiday.objects.bulk_create(
        [
            Holiday(store_id=sid, date=date.fromisoformat(f"{y}-{md}"), name=name)
            for sid in ids
            for y in years
            if (sid, y) not in has
            for md, name in HOLIDAYS.get(y, [])
        ],
        ignore_conflicts=True,
    )


def _check_holiday_manager(by: User, store_id: int) -> None:
    if not (by.is_admin or (by.role == Role.MANAGER and by.stores.filter(pk=store_id).exists())):
        raise ValidationError(_("Only a manager of this store keeps its holiday calendar."))


@transaction.atomic
def holiday_save(*, store: Store, day: date, name: str, by: User, holiday: Holiday | None = None) -> Holiday:
    """Add a holiday to the store's calendar, or move/rename one (its greetings go out on
    the new date). One holiday a day per store."""
    _check_holiday_manager(by, store.pk)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Name the holiday.")]})
    if len(name) > 30:
        raise ValidationError({"name": [_("A holiday's name is at most 30 characters.")]})
    clash = Holiday.objects.filter(store=store, date=day)
    if holiday is not None:
        clash = clash.exclude(pk=holiday.pk)
    if clash.exists():
        raise ValidationError({"date": [_("The store already has a holiday on %(day)s.") % {"day": day}]})
    item = holiday or Holiday(store=store)
    if holiday is not None and holiday.store_id != store.pk:
        raise ValidationError({"store": [_("A holiday stays in its store's calendar.")]})
    item.date, item.name = day, name
    item.save()
    return item


@transaction.atomic
def holiday_remove(*, holiday: Holiday, by: User) -> None:
    _check_holiday_manager(by, holiday.store_id)
    holiday.delete()


def rules_ensure(*, store_ids: Iterable[int] | None = None, today: date | None = None) -> None:
    """Give every store (or these) the default rules and holidays it lacks: three statements."""
    ids = list(store_ids) if store_ids is not None else list(Store.objects.values_list("pk", flat=True))
    FollowUpRule.objects.bulk_create(
        [
            FollowUpRule(
                store_id=sid, rule=code, offset_days=offset, channel=channel, priority=priority, template=text
            )
            for sid in ids
            for code, (offset, channel, priority, text) in DEFAULT_RULES.items()
        ],
        ignore_conflicts=True,
    )
    holidays_ensure(store_ids=ids, today=today)


@transaction.atomic
def rule_save(*, rule: FollowUpRule, **fields: Any) -> FollowUpRule:
    for key, value in fields.items():
        setattr(rule, key, value)
    if rule.channel in (Channel.SMS, Channel.SMS_THEN_CALL) and not rule.template.strip():
        raise ValidationError({"template": _("An SMS rule needs a message template.")})
    if rule.channel == Channel.SMS_THEN_CALL and rule.call_after_days < 1:
        raise ValidationError({"call_after_days": _("The call follows the SMS by at least one day.")})
    if len(rule.template) > TEMPLATE_MAX_CHARS:
        raise ValidationError(
            {"template": _("Keep the template under %(n)d characters.") % {"n": TEMPLATE_MAX_CHARS}}
        )
    try:
        _render(rule.template, _sample_fields())
    except (KeyError, IndexError, ValueError) as exc:
        raise ValidationError({"template": _("Unknown field in the template: %(f)s") % {"f": exc}}) from None
    rule.full_clean()
    rule.save()
    return rule


# ---------------------------------------------------------------- vehicles


def _policy(vehicle: Vehicle) -> Policy:
    m = vehicle.vehicle_model
    return Policy(
        m.first_service_km, m.first_service_months, m.service_interval_km, m.service_interval_months
    )


def _apply_prediction(vehicle: Vehicle, readings: list[tuple[date, int]]) -> None:
    last = (vehicle.last_service_on, vehicle.last_service_km) if vehicle.last_service_on else None
    p = predict(
        delivered_on=vehicle.delivered_on,
        readings=readings,
        last_service=last,  # type: ignore[arg-type]
        policy=_policy(vehicle),
    )
    vehicle.daily_km = p.daily_km
    vehicle.next_service_due = p.due
    vehicle.next_service_km = p.due_km
    if readings:
        day, km = max(readings)
        vehicle.last_mileage_on, vehicle.last_mileage = day, km


def vehicle_recompute(*, vehicle: Vehicle) -> Vehicle:
    """Refresh the stored prediction from the vehicle's readings and services."""
    readings = list(vehicle.readings.values_list("date", "mileage"))
    last = vehicle.service_visits.filter(kind__in=SERVICE_KINDS).order_by("-date", "-mileage").first()
    vehicle.last_service_on = last.date if last else None
    vehicle.last_service_km = last.mileage if last else None
    _apply_prediction(vehicle, readings)
    vehicle.save(
        update_fields=[
            "daily_km",
            "next_service_due",
            "next_service_km",
            "last_mileage",
            "last_mileage_on",
            "last_service_on",
            "last_service_km",
        ]
    )
    return vehicle


def _new_vehicle(order: Order) -> Vehicle:
    vehicle = Vehicle(
        store_id=order.store_id,
        customer_id=order.customer_id,
        vehicle_model=order.vehicle_model,
        order_id=order.pk,
        vin=order.vin,
        delivered_on=order.delivered_on,  # type: ignore[misc]
    )
    _apply_prediction(vehicle, [(order.delivered_on, 0)])  # type: ignore[list-item]
    return vehicle


@transaction.atomic
def vehicle_from_order(*, order: Order) -> Vehicle:
    """The vehicle a delivery hands over (idempotent: a second call returns it)."""
    existing = Vehicle.objects.filter(Q(order_id=order.pk) | Q(vin=order.vin)).first()
    if existing:
        return existing
    vehicle = _new_vehicle(order)
    try:
        with transaction.atomic():
            vehicle.save()
    except IntegrityError:  # delivered twice at once: the other one made it
        return Vehicle.objects.get(Q(order_id=order.pk) | Q(vin=order.vin))
    MileageReading.objects.create(
        vehicle=vehicle, date=vehicle.delivered_on, mileage=0, source=ReadingSource.DELIVERY
    )
    return vehicle


def on_order_delivered(sender: Any, order: Order, **kwargs: Any) -> None:
    """Receiver of apps.sales.signals.order_delivered."""
    vehicle_from_order(order=order)


def vehicles_backfill(*, store_id: int | None = None) -> int:
    """Vehicles for delivered orders that have none: three statements plus the insert."""
    orders = (
        Order.objects.filter(status=OrderStatus.DELIVERED, delivered_on__isnull=False)
        .exclude(vin="")
        .filter(vehicle__isnull=True)
        .exclude(vin__in=Vehicle.objects.values("vin"))
        .select_related("vehicle_model")
    )
    if store_id:
        orders = orders.filter(store_id=store_id)
    made = Vehicle.objects.bulk_create(
        [_new_vehicle(o) for o in orders], ignore_conflicts=True, batch_size=1000
    )
    fresh = Vehicle.objects.filter(readings__isnull=True).values_list("pk", "delivered_on")
    MileageReading.objects.bulk_create(
        [MileageReading(vehicle_id=pk, date=d, mileage=0, source=ReadingSource.DELIVERY) for pk, d in fresh],
        batch_size=1000,
    )
    return len(made)


@transaction.atomic
def vehicle_create(
    *,
    vin: str,
    customer: Any,
    vehicle_model: Any,
    delivered_on: date,
    plate: str = "",
    last_mileage: int = 0,
) -> Vehicle:
    """A vehicle entered by hand (bought elsewhere, serviced here); the owner's store keeps it."""
    from apps.sales.services import vin_validate

    vin = vin_validate(vin)
    if Vehicle.objects.filter(vin=vin).exists():
        raise ValidationError({"vin": _("A vehicle with this VIN exists already.")})
    if delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": _("The delivery date cannot be in the future.")})
    vehicle = Vehicle(
        store_id=customer.store_id,
        customer=customer,
        vehicle_model=vehicle_model,
        vin=vin,
        plate=(plate or "").strip().upper(),
        delivered_on=delivered_on,
    )
    _apply_prediction(vehicle, [(delivered_on, 0)])
    vehicle.save()
    MileageReading.objects.create(
        vehicle=vehicle, date=delivered_on, mileage=0, source=ReadingSource.DELIVERY
    )
    if last_mileage:
        vehicle = reading_record(
            vehicle=vehicle, day=timezone.localdate(), mileage=last_mileage, source=ReadingSource.SERVICE
        )
    return vehicle


@transaction.atomic
def vehicle_update(*, vehicle: Vehicle, **fields: Any) -> Vehicle:
    """Plate and owner (same store) may change; a new mileage is a reading of today."""
    mileage = fields.pop("last_mileage", None)
    for key in ("vin", "delivered_on", "vehicle_model"):
        if key in fields and fields.pop(key) != getattr(vehicle, key):
            raise ValidationError({key: _("This is fixed by the delivery and cannot change.")})
    if "customer" in fields:
        customer = fields.pop("customer")
        if customer.store_id != vehicle.store_id:
            raise ValidationError({"customer": _("The owner must be a customer of the vehicle's store.")})
        vehicle.customer = customer
    if "plate" in fields:
        vehicle.plate = (fields.pop("plate") or "").strip().upper()
    vehicle.save(update_fields=["customer", "plate"])
    if mileage is not None and mileage != vehicle.last_mileage:
        try:
            vehicle = reading_record(
                vehicle=vehicle, day=timezone.localdate(), mileage=mileage, source=ReadingSource.SERVICE
            )
        except ValidationError as exc:
            raise ValidationError({"last_mileage": exc.messages}) from None
    return vehicle


def _check_reading(vehicle: Vehicle, day: date, km: int, field: str = "mileage") -> None:
    if day < vehicle.delivered_on:
        raise ValidationError(
            {"date": _("The date is before the delivery (%(d)s).") % {"d": vehicle.delivered_on}}
        )
    if day > timezone.localdate():
        raise ValidationError({"date": _("The date cannot be in the future.")})
    readings = list(vehicle.readings.values_list("date", "mileage"))
    problem = reading_problem(readings, day, km)
    if not problem:
        return
    # Name the reading it clashes with, so the advisor can tell a typo from a wrong car.
    if problem == "above_later":
        on, last = min((r for r in readings if r[0] > day), key=lambda r: r[1])
    elif problem == "backwards":
        on, last = max((r for r in readings if r[0] <= day), key=lambda r: r[1])
    else:
        on, last = max(r for r in readings if r[0] <= day)
    reading = {"km": f"{last:,}", "d": on}
    messages = {
        "backwards": _(
            "The mileage is below the reading of %(km)s km on %(d)s: odometers do not run backwards."
        )
        % reading,
        "above_later": _("The mileage is above the later reading of %(km)s km on %(d)s.") % reading,
        "too_fast": _(
            "Since the reading of %(km)s km on %(d)s that is more than 2,000 km a day: "
            "please check for a typo."
        )
        % reading,
    }
    raise ValidationError({field: messages[problem]})


@transaction.atomic
def reading_record(*, vehicle: Vehicle, day: date, mileage: int, source: str) -> Vehicle:
    """A mileage reading (a call, a visit): refused when impossible; moves the prediction."""
    vehicle = Vehicle.objects.select_for_update().select_related("vehicle_model").get(pk=vehicle.pk)
    _check_reading(vehicle, day, mileage)
    MileageReading.objects.create(vehicle=vehicle, date=day, mileage=mileage, source=source)
    return vehicle_recompute(vehicle=vehicle)


@transaction.atomic
def service_visit_record(
    *,
    vehicle: Vehicle,
    date: date,
    mileage: int,
    kind: str,
    advisor: User | None,
    amount: Any = 0,
) -> ServiceVisit:
    """A workshop visit: a reading, a new service base (first service, maintenance),
    and reminders of the old cycle that are still open become moot."""
    vehicle = Vehicle.objects.select_for_update().select_related("vehicle_model").get(pk=vehicle.pk)
    if kind not in ServiceKind.values:
        raise ValidationError({"kind": _("Unknown kind of visit.")})
    if amount is None or amount < 0:
        raise ValidationError({"amount": _("The amount cannot be negative.")})
    if kind == ServiceKind.FIRST_SERVICE:
        first = vehicle.service_visits.filter(kind=ServiceKind.FIRST_SERVICE).order_by("date").first()
        if first:
            raise ValidationError(
                {
                    "kind": _("This car had its first service on %(d)s: record maintenance.")
                    % {"d": first.date}
                }
            )
    _check_reading(vehicle, date, mileage)
    visit = ServiceVisit(
        store_id=vehicle.store_id,
        vehicle=vehicle,
        date=date,
        mileage=mileage,
        kind=kind,
        advisor=advisor,
        amount=amount,
    )
    visit.full_clean()
    visit.save()
    MileageReading.objects.create(vehicle=vehicle, date=date, mileage=mileage, source=ReadingSource.SERVICE)
    vehicle_recompute(vehicle=vehicle)
    if kind in SERVICE_KINDS:
        FollowUp.objects.filter(
            vehicle=vehicle,
            rule__in=[RuleCode.FIRST_SERVICE, RuleCode.PERIODIC_SERVICE, RuleCode.LAPSED],
            status=FollowUpStatus.OPEN,
            channel=Channel.CALL,
        ).update(status=FollowUpStatus.CANCELLED, note=_("Serviced on %(d)s") % {"d": date})
    return visit


# ---------------------------------------------------------------- generation


def followups_generate(*, on: date, store_id: int | None = None) -> dict[str, int]:
    """The day's tasks (SPEC §6), set-based; safe to run twice or after a crash."""
    rules_ensure(store_ids=[store_id] if store_id else None, today=on)
    return generation.run(on=on, store_id=store_id)


def followups_generate_later(*, on: date, store_id: int | None = None) -> None:
    """Queue the day's generation for the worker once the caller's transaction commits
    (kept in the database while Redis is down, apps/org/jobs.py)."""
    from apps.org.jobs import enqueue_on_commit

    from .tasks import followups_generate as job

    enqueue_on_commit(job, on.isoformat(), store_id)


def refuse_deactivation(sender: Any, user: User, **kwargs: Any) -> str | None:
    """Receiver of apps.org.services.user_deactivating: calls held or complaints owned
    would be stranded."""
    held = FollowUp.objects.filter(assignee=user, status=FollowUpStatus.CLAIMED).count()
    owned = Complaint.objects.filter(
        owner=user, status__in=[ComplaintStatus.OPEN, ComplaintStatus.IN_PROGRESS]
    ).count()
    if held or owned:
        return _(
            "%(name)s holds %(held)d claimed calls and owns %(owned)d unresolved complaints: "
            "hand them over first."
        ) % {"name": user.name or user.username, "held": held, "owned": owned}
    return None


# ---------------------------------------------------------------- the queue


class FollowUpTaken(ValidationError):
    """Another agent holds the task (the API answers 409)."""


def _taken(followup: FollowUp) -> FollowUpTaken:
    holder = followup.assignee
    name = (holder.name or holder.username) if holder else "?"
    return FollowUpTaken(_("%(name)s is working on this task already.") % {"name": name})


def followup_claim(*, followup: FollowUp, user: User, today: date | None = None) -> FollowUp:
    """Take a task; of two agents claiming at once exactly one wins.

    The conditional UPDATE … WHERE status = 'open' is atomic in every database: the
    second writer waits for the first's row lock, re-reads the row, and updates 0 rows.
    A call put back after "no answer" waits for its next attempt date (store's day):
    retrying it the same day would only burn one of its three attempts.
    """
    today = today or timezone.localdate()
    updated = (
        FollowUp.objects.filter(pk=followup.pk, status=FollowUpStatus.OPEN, channel=Channel.CALL)
        .filter(Q(next_attempt_on__isnull=True) | Q(next_attempt_on__lte=today))
        .update(status=FollowUpStatus.CLAIMED, assignee=user, claimed_at=timezone.now())
    )
    fresh = FollowUp.objects.select_related("assignee").get(pk=followup.pk)
    if updated == 1 or (fresh.status == FollowUpStatus.CLAIMED and fresh.assignee_id == user.pk):
        return fresh
    if fresh.status == FollowUpStatus.CLAIMED:
        raise _taken(fresh)
    if fresh.status == FollowUpStatus.OPEN and fresh.next_attempt_on and fresh.next_attempt_on > today:
        raise ValidationError(
            {
                "detail": _("No answer last time: the next attempt is due on %(day)s.")
                % {"day": f"{fresh.next_attempt_on:%Y-%m-%d}"}
            }
        )
    if fresh.channel != Channel.CALL:
        raise ValidationError({"detail": _("An SMS task is sent by the system, not claimed.")})
    raise ValidationError(
        {"detail": _("This task is %(status)s already.") % {"status": fresh.get_status_display()}}
    )


def queue_candidates(*, store_ids: Any, today: date) -> Any:
    """Open calls due today or overdue, most urgent first (the queue's order)."""
    from django.db.models.functions import Coalesce

    return (
        FollowUp.objects.filter(store_id__in=store_ids, status=FollowUpStatus.OPEN, channel=Channel.CALL)
        .annotate(action_on=Coalesce("next_attempt_on", "due_date"))
        .filter(action_on__lte=today)
        .order_by("-priority", "action_on", "pk")
    )


def followup_claim_next(*, user: User, store_ids: Any, today: date | None = None) -> FollowUp | None:
    """The next task of the queue for this agent; on PostgreSQL rows other agents are
    locking are skipped (SKIP LOCKED), so agents pulling at once get different tasks."""
    today = today or timezone.localdate()
    for _attempt in range(5):
        with transaction.atomic():
            qs = queue_candidates(store_ids=store_ids, today=today)
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True, of=("self",))
            task = qs.first()
            if task is None:
                return None
            try:
                return followup_claim(followup=task, user=user, today=today)
            except ValidationError:
                continue
    return None


@transaction.atomic
def followup_release(*, followup: FollowUp, user: User) -> FollowUp:
    """Hand a claimed task back to the queue."""
    updated = FollowUp.objects.filter(pk=followup.pk, status=FollowUpStatus.CLAIMED, assignee=user).update(
        status=FollowUpStatus.OPEN, assignee=None, claimed_at=None
    )
    if not updated:
        raise ValidationError({"detail": _("You do not hold this task.")})
    return FollowUp.objects.get(pk=followup.pk)


@transaction.atomic
def followup_complete(
    *,
    followup: FollowUp,
    by: User,
    outcome: str,
    satisfaction: int | None = None,
    mileage: int | None = None,
    booking_made: bool = False,
    note: str = "",
    complaint: dict[str, Any] | None = None,
    today: date | None = None,
) -> FollowUp:
    """Record a call. No answer puts the task back for a later day, up to 3 attempts."""
    today = today or timezone.localdate()
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose the outcome of the call.")})
    followup_claim(followup=followup, user=by, today=today)
    task = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("vehicle", "customer")
        .get(pk=followup.pk)
    )
    if task.status != FollowUpStatus.CLAIMED or task.assignee_id != by.pk:
        raise _taken(task)
    reached = outcome == Outcome.REACHED
    if satisfaction is not None and not reached:
        raise ValidationError(
            {"satisfaction": _("Satisfaction is asked only when the customer was reached.")}
        )
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise ValidationError({"satisfaction": _("Satisfaction is from 1 to 5.")})
    if mileage is not None and not reached:
        raise ValidationError({"mileage": _("Mileage is asked only when the customer was reached.")})
    if mileage is not None and task.vehicle is None:
        raise ValidationError({"mileage": _("This task is not about a vehicle.")})
    if complaint and not reached:
        raise ValidationError({"complaint": _("A complaint is recorded only when the customer was reached.")})
    task.attempts += 1
    task.outcome = outcome
    task.note = "\n".join(filter(None, [task.note, (note or "").strip()]))
    if reached:
        task.satisfaction = satisfaction
        task.mileage = mileage
        task.booking_made = bool(booking_made)
    if outcome == Outcome.NO_ANSWER and task.attempts < MAX_ATTEMPTS:
        task.status = FollowUpStatus.OPEN
        task.assignee = None
        task.claimed_at = None
        task.next_attempt_on = today + timedelta(days=1)
    else:
        task.status = FollowUpStatus.DONE if outcome != Outcome.NO_ANSWER else FollowUpStatus.FAILED
        task.completed_at = timezone.now()
    task.save()
    if mileage is not None and task.vehicle is not None:
        try:
            reading_record(vehicle=task.vehicle, day=today, mileage=mileage, source=ReadingSource.CALL)
        except ValidationError as exc:
            raise ValidationError({"mileage": exc.messages}) from None
    if complaint:
        complaint_open(
            store=task.store,
            customer=task.customer,
            vehicle=task.vehicle,
            raised_on=task,
            by=by,
            **complaint,
        )
    if reached:
        customer_touch(customer=task.customer, at=timezone.now(), next_follow_up=None)
    return task


# ---------------------------------------------------------------- complaints

TRANSITIONS = {
    ComplaintStatus.OPEN: {ComplaintStatus.IN_PROGRESS, ComplaintStatus.RESOLVED},
    ComplaintStatus.IN_PROGRESS: {ComplaintStatus.RESOLVED},
    ComplaintStatus.RESOLVED: {ComplaintStatus.CLOSED, ComplaintStatus.IN_PROGRESS},
    ComplaintStatus.CLOSED: set(),
}


@transaction.atomic
def complaint_open(
    *,
    store: Store,
    customer: Any,
    by: User | None,
    description: str,
    category: str,
    severity: str = "medium",
    department: str | None = None,
    owner: User | None = None,
    vehicle: Vehicle | None = None,
    raised_on: FollowUp | None = None,
) -> Complaint:
    """A new complaint; without an owner or a department, the store's routing for its
    category gives them (the department falls back to the service workshop)."""
    if not (description or "").strip():
        raise ValidationError({"description": _("Describe the complaint.")})
    if customer.store_id != store.pk:
        raise ValidationError({"customer": _("The customer belongs to another store.")})
    if vehicle is not None and vehicle.customer_id != customer.pk:
        raise ValidationError({"vehicle": _("The vehicle belongs to another customer.")})
    if owner is not None and not owner.stores.filter(pk=store.pk).exists() and not owner.is_admin:
        raise ValidationError({"owner": _("The owner does not work in this store.")})
    route = ComplaintRoute.objects.filter(store=store, category=category).select_related("owner").first()
    if owner is None and route and route.owner and route.owner.is_active:
        owner = route.owner
    department = department or (route.department if route else "") or Department.SERVICE
    item = Complaint(
        store=store,
        customer=customer,
        vehicle=vehicle,
        category=category,
        severity=severity,
        department=department,
        owner=owner,
        description=description.strip(),
        raised_on=raised_on,
    )
    item.full_clean(exclude=["store", "customer", "vehicle", "owner", "raised_on"])
    item.save()
    return item


@transaction.atomic
def complaint_routing_save(*, store: Store, by: User, routes: dict[str, tuple[User | None, str]]) -> None:
    """The store's complaint routing: category → (owner, department); a manager's setting."""
    if not by.is_admin and not (by.role == Role.MANAGER and by.stores.filter(pk=store.pk).exists()):
        raise ValidationError(_("Only a manager of this store may do this."))
    for category, (owner, department) in routes.items():
        if category not in Category.values:
            raise ValidationError(_("Unknown category."))
        if department and department not in Department.values:
            raise ValidationError(_("Unknown department."))
        if owner is not None and not owner.stores.filter(pk=store.pk).exists():
            raise ValidationError({f"{category}_owner": _("The owner does not work in this store.")})
        ComplaintRoute.objects.update_or_create(
            store=store, category=category, defaults={"owner": owner, "department": department or ""}
        )


@transaction.atomic
def complaint_set_status(
    *,
    complaint: Complaint,
    status: str,
    by: User | None,
    resolution: str = "",
    today: date | None = None,
    confirmed_by: str = "",
    confirmed_at: datetime | None = None,
    confirmed_via: str = "",
    via_optional: bool = False,
) -> Complaint:
    """Move a complaint along open → in progress → resolved → closed; a resolved complaint
    gets a follow-up call the next day. Closing records the customer's confirmation: how
    (`confirmed_via`, required on the page; the API contract closes with `status` alone,
    so there `via_optional` leaves it "not stated"), who on his side (default: the
    customer) and when (default: now; not in the future, not before it was resolved)."""
    item = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if status not in ComplaintStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status == item.status:
        return item
    if status not in TRANSITIONS[ComplaintStatus(item.status)]:
        raise ValidationError(
            {
                "status": _("A complaint that is %(from)s cannot become %(to)s.")
                % {"from": item.get_status_display(), "to": ComplaintStatus(status).label}
            }
        )
    now = timezone.now()
    if resolution.strip():
        item.resolution = resolution.strip()
    if status == ComplaintStatus.RESOLVED:
        if not item.resolution:
            raise ValidationError({"resolution": _("Say how the complaint was resolved.")})
        item.resolved_at = now
    elif status == ComplaintStatus.IN_PROGRESS:
        item.in_progress_at = item.in_progress_at or now
        item.resolved_at = None if item.status == ComplaintStatus.RESOLVED else item.resolved_at
    elif status == ComplaintStatus.CLOSED:
        _confirm(item, by, now, confirmed_by, confirmed_at, confirmed_via, via_optional)
        item.closed_at = now
    item.status = status
    item.save()
    if status == ComplaintStatus.RESOLVED:
        _complaint_callback(item, today or timezone.localdate())
    return item


def _confirm(
    item: Complaint,
    by: User | None,
    now: datetime,
    who: str,
    at: datetime | None,
    via: str,
    via_optional: bool,
) -> None:
    errors = {}
    if via not in ConfirmationChannel.values and not (via_optional and not via):
        errors["confirmed_via"] = _("Say how the customer confirmed the complaint is resolved.")
    at = at or now
    if at > now + timedelta(minutes=5):
        errors["confirmed_at"] = _("The confirmation cannot be in the future.")
    elif item.resolved_at and at < item.resolved_at:
        errors["confirmed_at"] = _("The customer cannot confirm before the complaint was resolved.")
    if errors:
        raise ValidationError(errors)
    item.confirmed_by = (who or "").strip()[:100] or item.customer.name
    item.confirmed_at = at
    item.confirmed_via = via
    item.confirmation_recorded_by = by


def _complaint_callback(item: Complaint, today: date) -> None:
    rules_ensure(store_ids=[item.store_id])
    rule = FollowUpRule.objects.get(store_id=item.store_id, rule=RuleCode.COMPLAINT)
    if not rule.enabled:
        return
    due = today + timedelta(days=max(rule.offset_days, 0))
    key = {"vehicle": item.vehicle, "customer": item.customer, "rule": RuleCode.COMPLAINT, "due_date": due}
    if FollowUp.objects.filter(**key).exists():
        return
    try:
        with transaction.atomic():
            FollowUp.objects.create(
                store_id=item.store_id,
                basis=today,
                channel=Channel.CALL,
                priority=rule.priority,
                about_complaint=item,
                **key,
            )
    except IntegrityError:  # the same call was made at the same moment: once is enough
        pass


@transaction.atomic
def complaint_update(*, complaint: Complaint, by: User | None = None, **fields: Any) -> Complaint:
    status = fields.pop("status", None)
    resolution = fields.pop("resolution", None)
    confirmation = {
        k: fields.pop(k)
        for k in ("confirmed_by", "confirmed_at", "confirmed_via", "via_optional")
        if k in fields
    }
    for key, value in fields.items():
        setattr(complaint, key, value)
    owner = complaint.owner
    if owner is not None and not owner.is_admin and not owner.stores.filter(pk=complaint.store_id).exists():
        raise ValidationError({"owner": _("The owner does not work in this store.")})
    complaint.full_clean(exclude=["store", "customer", "vehicle", "owner", "raised_on"])
    complaint.save()
    if resolution is not None and status in (None, complaint.status):
        complaint.resolution = resolution
        complaint.save(update_fields=["resolution"])
    if status is not None:
        complaint = complaint_set_status(
            complaint=complaint,
            status=status,
            by=by,
            resolution=resolution or "",
            **{k: v for k, v in confirmation.items() if v is not None},
        )
    return complaint


# ---------------------------------------------------------------- messages


def _sample_fields() -> dict[str, Any]:
    return {
        "customer": "",
        "store": "",
        "model": "",
        "plate": "",
        "due_date": "",
        "next_service_km": "",
        "holiday": "",
    }


# A template is short and its fields are plain names: str.format would also take
# "{customer:>9999999}" (megabytes of padding) or "{customer.__class__}".
TEMPLATE_MAX_CHARS = 300
SMS_MAX_CHARS = 500
_TOKEN = re.compile(r"\{\{|\}\}|\{(\w*)\}|[{}]")


def _render(template: str, fields: dict[str, Any]) -> str:
    """Fill {name} fields; {{ and }} are literal braces; anything else is a KeyError."""

    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = match.group(1)
        if name is None or name not in fields:
            raise KeyError(token)
        return str(fields[name])

    return _TOKEN.sub(one, template)[:SMS_MAX_CHARS]


STALE_SENDING = timedelta(minutes=15)


def messages_send(
    *, on: date | None = None, now: datetime | None = None, limit: int = 1000
) -> dict[str, int]:
    """Send the queued SMS due by `on` through the configured backend, logging each.

    Each message is claimed by a conditional UPDATE (queued → sending) before it goes
    out, so two runs never send the same one; a run that died while sending leaves it
    'sending', and it is retried after 15 minutes (at-least-once, like the queue).
    """
    now = now or timezone.now()
    on = on or timezone.localdate(now)
    counts = {"sent": 0, "failed": 0, "skipped": 0, "deferred": 0}
    if in_quiet_hours(now):
        counts["deferred"] = Message.objects.filter(status=MessageStatus.QUEUED, send_on__lte=on).count()
        return counts
    backend = get_backend()
    due = (
        Message.objects.filter(send_on__lte=on)
        .filter(
            Q(status=MessageStatus.QUEUED)
            | Q(status=MessageStatus.SENDING, claimed_at__lt=now - STALE_SENDING)
        )
        .select_related(
            "customer", "store", "followup", "followup__vehicle", "followup__vehicle__vehicle_model"
        )
        .order_by("send_on", "pk")[:limit]
    )
    rules = {(r.store_id, r.rule): r for r in FollowUpRule.objects.all()}
    for msg in due:
        claimed = (
            Message.objects.filter(pk=msg.pk, status=msg.status, attempts=msg.attempts)
            .filter(Q(claimed_at=msg.claimed_at) if msg.claimed_at else Q(claimed_at__isnull=True))
            .update(status=MessageStatus.SENDING, claimed_at=now)
        )
        if not claimed:
            continue
        result = _send_one(msg, backend, rules, now)
        counts[result] += 1
    return counts


def _fields(msg: Message) -> dict[str, Any]:
    task = msg.followup
    vehicle = task.vehicle if task else None
    return {
        "customer": msg.customer.name,
        "store": msg.store.name,
        "model": str(vehicle.vehicle_model) if vehicle else "",
        "plate": (vehicle.plate or vehicle.vin) if vehicle else "",
        "due_date": vehicle.next_service_due.isoformat() if vehicle and vehicle.next_service_due else "",
        "next_service_km": vehicle.next_service_km or "" if vehicle else "",
        "holiday": _holiday_name(msg) if task and task.rule == RuleCode.HOLIDAY else "",
    }


def _holiday_name(msg: Message) -> str:
    found = Holiday.objects.filter(store_id=msg.store_id, date=msg.followup.due_date).first()  # type: ignore[union-attr]
    return found.name if found else ""


def _send_one(msg: Message, backend: Any, rules: dict[tuple[int, str], FollowUpRule], now: datetime) -> str:
    task = msg.followup
    rule = rules.get((msg.store_id, task.rule)) if task else None
    msg.mobile = msg.customer.mobile
    msg.backend = backend.name
    msg.attempts += 1
    if not msg.body:
        try:
            msg.body = _render(rule.template if rule else "", _fields(msg))
        except (KeyError, IndexError, ValueError):
            msg.body = rule.template if rule else ""
    result: str
    if msg.customer.sms_opt_out:
        msg.status, msg.error, result = MessageStatus.SKIPPED, _("The customer opted out of SMS."), "skipped"
    elif not msg.body:
        msg.status, msg.error, result = MessageStatus.FAILED, _("The rule has no message template."), "failed"
    else:
        try:
            backend.send(msg.mobile, msg.body)
        except SmsError as exc:
            msg.error = str(exc)[:300]
            msg.status = MessageStatus.FAILED if msg.attempts >= MAX_ATTEMPTS else MessageStatus.QUEUED
            result = "failed"
        else:
            msg.status, msg.sent_at, msg.error, result = MessageStatus.SENT, now, "", "sent"
    msg.save(update_fields=["mobile", "backend", "attempts", "body", "status", "error", "sent_at"])
    if task and msg.status in (MessageStatus.SENT, MessageStatus.SKIPPED, MessageStatus.FAILED):
        FollowUp.objects.filter(pk=task.pk, status=FollowUpStatus.OPEN).update(
            status=FollowUpStatus.DONE if msg.status != MessageStatus.FAILED else FollowUpStatus.FAILED,
            attempts=msg.attempts,
            completed_at=now,
        )
    log.info("SMS %s to %s: %s", msg.pk, msg.mobile, msg.status)
    return result
