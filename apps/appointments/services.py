"""Every write to appointments: atomic, with refusals a user can read.

Who may do what: a consultant makes and moves his own appointments; the appointment
specialist (or customer service where a store has none) and the manager make them for
any consultant of their stores and run the confirmation round.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.activities import services as activities
from apps.activities.models import Channel, PlannedVisit, Visit
from apps.customers.models import Customer
from apps.notifications.services import notify
from apps.org.models import User
from apps.org.roles import Role

from .models import OPEN, Appointment, Kind, Status

# Who runs the confirmation round (and may book for any consultant of his stores).
DESK_ROLES: tuple[str, ...] = (Role.APPOINTMENT_SPECIALIST, Role.CUSTOMER_SERVICE, Role.MANAGER)
# Channels that are no meeting: a phone call or a WeChat message does not make an
# appointment attended (the confirmation call itself is one).
REMOTE = (Channel.PHONE, Channel.WECHAT)


def _check_may_book(by: User, consultant: User, customer: Customer) -> None:
    errors: dict[str, str] = {}
    if not consultant.is_active or consultant.role != Role.CONSULTANT:
        errors["consultant"] = _("Pick an active sales consultant.")
    elif not consultant.stores.filter(pk=customer.store_id).exists():
        errors["consultant"] = _("This consultant does not work at the customer's store.")
    elif customer.owner_id not in (None, consultant.pk):
        errors["consultant"] = _("This customer is owned by another consultant.")
    if by.pk != consultant.pk and not by.has_role(*DESK_ROLES):
        errors["consultant"] = _("You book appointments only for yourself.")
    if not by.is_admin and not by.stores.filter(pk=customer.store_id).exists():
        errors["customer"] = _("This customer belongs to a store you do not work at.")
    if errors:
        raise ValidationError(errors)


def _check_may_change(appointment: Appointment, by: User) -> None:
    if by.is_admin or by.pk == appointment.consultant_id:
        return
    if by.has_role(*DESK_ROLES) and by.stores.filter(pk=appointment.store_id).exists():
        return
    raise ValidationError(_("You may not change this appointment."))


def _check_open(appointment: Appointment) -> None:
    if appointment.status not in OPEN:
        raise ValidationError(
            _("This appointment is already %(status)s.") % {"status": appointment.get_status_display()}
        )


def _check_when(starts_at: datetime | None, now: datetime) -> None:
    if starts_at is None:
        raise ValidationError({"starts_at": _("Say when.")})
    if starts_at < now - timedelta(minutes=5):
        raise ValidationError({"starts_at": _("An appointment cannot be in the past.")})


@transaction.atomic
def appointment_create(
    *,
    by: User,
    customer: Customer,
    starts_at: datetime,
    kind: str = Kind.SHOWROOM,
    purpose: str = "",
    consultant: User | None = None,
    now: datetime | None = None,
) -> Appointment:
    now = now or timezone.now()
    consultant = consultant or by
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose a kind.")})
    _check_may_book(by, consultant, customer)
    _check_when(starts_at, now)
    return Appointment.objects.create(
        store_id=customer.store_id,
        customer=customer,
        consultant=consultant,
        starts_at=starts_at,
        kind=kind,
        purpose=(purpose or "").strip(),
        created_by=by,
        created_at=now,
    )


def _locked(appointment: Appointment) -> Appointment:
    return Appointment.objects.select_for_update().get(pk=appointment.pk)


def _unplan(item: Appointment) -> None:
    """Take the appointment's stop off the route plan unless a visit already fulfilled it."""
    if item.planned_visit_id:
        PlannedVisit.objects.filter(pk=item.planned_visit_id).delete()
        item.planned_visit = None


def _plan(item: Appointment) -> None:
    """A confirmed appointment is a stop of the consultant's route plan that day."""
    plan = activities.route_plan_get_or_create(
        consultant=item.consultant, week_start=item.day, store=item.store
    )
    stop = PlannedVisit.objects.filter(plan=plan, date=item.day, customer_id=item.customer_id).first()
    if stop is None:
        purpose = f"{item.get_kind_display()} {timezone.localtime(item.starts_at):%H:%M}"
        if item.purpose:
            purpose = f"{purpose} · {item.purpose}"
        stop = PlannedVisit.objects.create(
            plan=plan, date=item.day, customer_id=item.customer_id, purpose=purpose[:200]
        )
    item.planned_visit = stop


@transaction.atomic
def appointment_confirm(
    *, appointment: Appointment, by: User, note: str = "", now: datetime | None = None
) -> Appointment:
    """The customer said yes on the phone: confirmed, and on the consultant's route."""
    item = _locked(appointment)
    _check_may_change(item, by)
    if item.status == Status.CONFIRMED:
        return item
    _check_open(item)
    item.status = Status.CONFIRMED
    item.confirmed_at = now or timezone.now()
    item.confirmed_by = by
    item.call_note = (note or item.call_note).strip()[:200]
    _plan(item)
    item.save()
    _tell_consultant(item, by, "appointment_confirmed")
    return item


@transaction.atomic
def appointment_reschedule(
    *, appointment: Appointment, by: User, starts_at: datetime, note: str = "", now: datetime | None = None
) -> Appointment:
    """The customer asked for another time: rescheduled (confirmed again on the new day's round)."""
    now = now or timezone.now()
    item = _locked(appointment)
    _check_may_change(item, by)
    _check_open(item)
    _check_when(starts_at, now)
    _unplan(item)
    item.starts_at = starts_at
    item.status = Status.RESCHEDULED
    item.confirmed_at = None
    item.reschedules += 1
    item.call_note = (note or item.call_note).strip()[:200]
    item.save()
    return item


@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, by: User, reason: str = "", now: datetime | None = None
) -> Appointment:
    item = _locked(appointment)
    _check_may_change(item, by)
    _check_open(item)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why it was cancelled.")})
    _unplan(item)
    item.status = Status.CANCELLED
    item.cancelled_at = now or timezone.now()
    item.cancel_reason = reason.strip()[:200]
    item.save()
    _tell_consultant(item, by, "appointment_cancelled")
    return item


def _tell_consultant(item: Appointment, by: User, kind: str) -> None:
    """The desk confirmed or cancelled: the consultant learns it in his notifications."""
    if by.pk == item.consultant_id:
        return
    when = timezone.localtime(item.starts_at)
    notify(
        users=[item.consultant_id],
        kind=kind,
        key=f"appointment:{item.pk}:{kind}:{when:%Y%m%d%H%M}",
        params={"customer": item.customer.name, "when": f"{when:%m-%d %H:%M}", "reason": item.cancel_reason},
        url=f"/appointments/?day={item.day.isoformat()}",
        store_id=item.store_id,
    )


def _visit_that_day() -> Any:
    return Visit.objects.filter(
        customer_id=OuterRef("customer_id"),
        consultant_id=OuterRef("consultant_id"),
        started_at__date=OuterRef("day"),
    ).exclude(channel__in=REMOTE)


def appointments_attend(*, visit: Visit, now: datetime | None = None) -> int:
    """A visit to the customer on the appointment's day makes it attended — also one
    logged late, after the day-end job called it a no-show (the record stays honest)."""
    if visit.channel in REMOTE:
        return 0
    return Appointment.objects.filter(
        customer_id=visit.customer_id,
        consultant_id=visit.consultant_id,
        day=timezone.localdate(visit.started_at),
        status__in=(*OPEN, Status.NO_SHOW),
    ).update(status=Status.ATTENDED, visit=visit, decided_at=now or timezone.now())


def appointments_close_day(*, day: date, now: datetime | None = None) -> dict[str, int]:
    """Day end: every open appointment of `day` or earlier is decided — attended if a visit
    was logged for the customer that day, a no-show otherwise. Two set-based UPDATEs;
    running it twice (or after a crash between them) decides nothing twice."""
    now = now or timezone.now()
    due = Appointment.objects.filter(day__lte=day, status__in=OPEN)
    attended = due.filter(Exists(_visit_that_day())).update(
        status=Status.ATTENDED, visit=Subquery(_visit_that_day().values("pk")[:1]), decided_at=now
    )
    no_show = due.update(status=Status.NO_SHOW, decided_at=now)
    return {"attended": attended, "no_show": no_show}


def close_day_later(*, day: date) -> None:
    from apps.org.jobs import enqueue_on_commit

    from .tasks import appointments_close_day as task

    enqueue_on_commit(task, day.isoformat())
