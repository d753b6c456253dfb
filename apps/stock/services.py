"""Every write to stock: arrivals (one car or the OEM's delivery list), reservation and
sale (called by sales), transfers between stores, store settings.

A car's row is locked (SELECT … FOR UPDATE) before its status changes, so two orders
reserving one car, or a reservation and a transfer, are serialised: one wins and the
other is refused with a message.
"""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.catalog.models import VehicleModel
from apps.catalog.vin import vin_validate
from apps.org.models import Store, User
from apps.org.roles import Role

from .models import OPEN_TRANSFER, Car, CarStatus, StockSettings, Transfer, TransferStatus
from .signals import car_available

CENT = Decimal("0.01")


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, TypeError):
        raise ValidationError({field: _("Enter an amount.")}) from None
    if not amount.is_finite() or amount != amount.quantize(CENT) or abs(amount) >= Decimal("1e10"):
        raise ValidationError({field: _("Enter an amount with at most two decimal places.")})
    if amount < 0:
        raise ValidationError({field: _("The amount cannot be negative.")})
    return amount


def _date(value: Any, field: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ValidationError({field: _("Enter a date as YYYY-MM-DD.")}) from None


def _audit(obj: Any, by: User | None, reason: str) -> None:
    obj._history_user = by
    obj._change_reason = reason


def _require_manager(by: User) -> None:
    if not by.has_role(Role.MANAGER):
        raise ValidationError({"detail": _("Only a manager may change the stock.")})


def settings_for(store: Store) -> StockSettings:
    found = StockSettings.objects.filter(store=store).first()
    return found or StockSettings(store=store)


@transaction.atomic
def settings_save(
    *, store: Store, aging_limit_days: int, floor_plan_rate: Decimal, by: User
) -> StockSettings:
    _require_manager(by)
    if not isinstance(aging_limit_days, int) or not 1 <= aging_limit_days <= 999:
        raise ValidationError({"aging_limit_days": _("Give a number of days from 1 to 999.")})
    rate = _money(floor_plan_rate, "floor_plan_rate")
    if rate > 100:
        raise ValidationError({"floor_plan_rate": _("A rate is a percentage up to 100.")})
    obj = StockSettings.objects.select_for_update().filter(store=store).first() or StockSettings(store=store)
    obj.aging_limit_days = aging_limit_days
    obj.floor_plan_rate = rate
    _audit(obj, by, _("Stock settings"))
    obj.save()
    return obj


# ---------------------------------------------------------------- arrivals


def _car_fields(
    *, store: Store, vin: str, vehicle_model: VehicleModel | None, colour: str, cost: Any
) -> tuple[str, str, Decimal]:
    errors: dict[str, list[str]] = {}
    try:
        vin = vin_validate(vin)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    else:
        if Car.objects.filter(vin=vin).exists():
            errors["vin"] = [_("A car with this VIN is in stock already.")]
    colour = (colour or "").strip()
    if not colour:
        errors["colour"] = [_("Enter the colour.")]
    if vehicle_model is None:
        errors["vehicle_model"] = [_("Choose the vehicle model.")]
    try:
        amount = _money(cost, "cost")
    except ValidationError as exc:
        errors.update(exc.message_dict)
        amount = Decimal(0)
    if errors:
        raise ValidationError(errors)
    return vin, colour[:30], amount


@transaction.atomic
def car_receive(
    *,
    store: Store,
    vin: str,
    vehicle_model: VehicleModel,
    colour: str,
    cost: Any,
    by: User,
    arrived_on: date | None = None,
    trim: str = "",
    status: str = CarStatus.IN_STOCK,
    note: str = "",
) -> Car:
    """A car enters the store's stock: arrived (in stock) or announced by the OEM (in transit).

    An arrived car is offered to the oldest order waiting for its model (car_available)."""
    _require_manager(by)
    vin, colour, amount = _car_fields(
        store=store, vin=vin, vehicle_model=vehicle_model, colour=colour, cost=cost
    )
    if status not in (CarStatus.IN_STOCK, CarStatus.IN_TRANSIT):
        raise ValidationError({"status": _("A new car is in stock or in transit.")})
    if status == CarStatus.IN_STOCK:
        arrived_on = _date(arrived_on or timezone.localdate(), "arrived_on")
        if arrived_on > timezone.localdate():
            raise ValidationError({"arrived_on": _("The arrival date cannot be in the future.")})
    else:
        arrived_on = None
    car = Car(
        store=store,
        vin=vin,
        vehicle_model=vehicle_model,
        colour=colour,
        trim=(trim or "").strip()[:60],
        cost=amount,
        arrived_on=arrived_on,
        status=status,
        note=(note or "")[:200],
    )
    _audit(car, by, _("Arrived") if status == CarStatus.IN_STOCK else _("Announced in transit"))
    try:
        with transaction.atomic():
            car.save()
    except IntegrityError:
        raise ValidationError({"vin": _("A car with this VIN is in stock already.")}) from None
    if car.status == CarStatus.IN_STOCK:
        car_available.send(sender=Car, car=car, by=by)
    return car


@transaction.atomic
def car_arrive(*, car: Car, by: User, arrived_on: date | None = None) -> Car:
    """A car the OEM announced (in transit, no transfer) arrives in the yard."""
    _require_manager(by)
    car = Car.objects.select_for_update().get(pk=car.pk)
    if car.status != CarStatus.IN_TRANSIT or car.transfers.filter(status__in=OPEN_TRANSFER).exists():
        raise ValidationError({"status": _("Only a car in transit from the OEM can arrive here.")})
    day = _date(arrived_on or timezone.localdate(), "arrived_on")
    if day > timezone.localdate():
        raise ValidationError({"arrived_on": _("The arrival date cannot be in the future.")})
    car.status = CarStatus.IN_STOCK
    car.arrived_on = day
    _audit(car, by, _("Arrived"))
    car.save(update_fields=["status", "arrived_on"])
    car_available.send(sender=Car, car=car, by=by)
    return car


@transaction.atomic
def car_update(*, car: Car, by: User, reason: str = "", **fields: Any) -> Car:
    """Correct a car's colour, trim, note or purchase cost (the change is in its history)."""
    _require_manager(by)
    car = Car.objects.select_for_update().get(pk=car.pk)
    allowed = {"colour", "trim", "note", "cost"}
    unknown = set(fields) - allowed
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationError({name: _("This cannot be changed here.")})
    if "cost" in fields:
        if car.status == CarStatus.SOLD:
            raise ValidationError({"cost": _("A sold car's cost is on its order and cannot change.")})
        car.cost = _money(fields["cost"], "cost")
    if "colour" in fields:
        colour = (fields["colour"] or "").strip()
        if not colour:
            raise ValidationError({"colour": _("Enter the colour.")})
        car.colour = colour[:30]
    for name, size in (("trim", 60), ("note", 200)):
        if name in fields:
            setattr(car, name, (fields[name] or "").strip()[:size])
    _audit(car, by, reason or _("Corrected"))
    car.save()
    return car


IMPORT_COLUMNS = {
    "vin": "vin",
    "车架号": "vin",
    "model": "model",
    "车型": "model",
    "colour": "colour",
    "color": "colour",
    "颜色": "colour",
    "trim": "trim",
    "配置": "trim",
    "cost": "cost",
    "采购价": "cost",
    "arrived_on": "arrived_on",
    "到店日期": "arrived_on",
}


def _find_model(name: str, models: list[VehicleModel]) -> VehicleModel | None:
    name = " ".join(str(name or "").split()).lower()
    for m in models:
        if name in (m.name.lower(), f"{m.brand} {m.name}".lower(), f"{m.brand}{m.name}".lower()):
            return m
    return None


@transaction.atomic
def arrivals_import(
    *, store: Store, rows: list[dict[str, Any]], by: User, dry_run: bool = False
) -> tuple[list[dict[str, Any]], list[str]]:
    """The OEM's delivery list (one car a row): every row is checked; any error and
    nothing is saved (all or nothing). `dry_run` checks and previews without saving.

    Returns (the cars, as previewed rows) and the row errors ("Row 3: …")."""
    _require_manager(by)
    models = list(VehicleModel.objects.all())
    preview: list[dict[str, Any]] = []
    errors: list[str] = []
    seen: set[str] = set()
    today = timezone.localdate()
    for number, raw in enumerate(rows, start=2):  # row 1 is the header
        row = {IMPORT_COLUMNS[k]: v for k, v in raw.items() if k in IMPORT_COLUMNS and v not in (None, "")}
        if not row:
            continue
        problems: list[str] = []
        model = _find_model(row.get("model", ""), models)
        if model is None:
            problems.append(_("unknown model %(name)s") % {"name": row.get("model", "—")})
        try:
            vin, colour, cost = _car_fields(
                store=store,
                vin=str(row.get("vin", "")),
                vehicle_model=model,
                colour=str(row.get("colour", "")),
                cost=row.get("cost", ""),
            )
        except ValidationError as exc:
            problems.extend(m for f, ms in exc.message_dict.items() if f != "vehicle_model" for m in ms)
            vin, colour, cost = str(row.get("vin", "")).upper(), str(row.get("colour", "")), None
        if vin in seen:
            problems.append(_("VIN twice in this list"))
        seen.add(vin)
        arrived: date | None = None
        try:
            arrived = _date(row.get("arrived_on") or today, "arrived_on")
            if arrived > today:
                problems.append(_("The arrival date cannot be in the future."))
        except ValidationError as exc:
            problems.extend(exc.messages)
        if problems:
            errors.append(_("Row %(n)d: %(error)s") % {"n": number, "error": "; ".join(problems)})
            continue
        preview.append(
            {
                "vin": vin,
                "vehicle_model": model,
                "colour": colour,
                "trim": str(row.get("trim", ""))[:60],
                "cost": cost,
                "arrived_on": arrived,
            }
        )
    if not preview and not errors:
        errors.append(_("The list has no cars."))
    if errors or dry_run:
        return preview, errors
    for item in preview:
        car_receive(store=store, by=by, **item)
    return preview, errors


# ---------------------------------------------------------------- reservation and sale (called by sales)


def car_reserve(
    *, car_id: int, store: Store, vehicle_model: VehicleModel | None = None, by: User | None = None
) -> Car:
    """Reserve an in-stock car of `store` for an order; the caller runs in a transaction.

    The lock makes the second of two concurrent reservations wait and then see the car
    reserved, so it is refused ("taken")."""
    car = Car.objects.select_for_update().filter(pk=car_id).first()
    if car is None or car.store_id != store.pk:
        raise ValidationError({"car": _("This car is not in this store's stock.")})
    if car.status != CarStatus.IN_STOCK:
        raise ValidationError(
            {
                "car": _("This car is %(status)s: choose another.")
                % {"status": car.get_status_display().lower()}
            }
        )
    if vehicle_model is not None and car.vehicle_model_id != vehicle_model.pk:
        raise ValidationError(
            {"car": _("This car is a %(model)s, not the order's model.") % {"model": car.vehicle_model}}
        )
    car.status = CarStatus.RESERVED
    _audit(car, by, _("Reserved"))
    car.save(update_fields=["status"])
    return car


def car_release(*, car_id: int, by: User | None = None) -> Car:
    """A reserved car goes back into stock (its order was cancelled) and is offered again."""
    car = Car.objects.select_for_update().get(pk=car_id)
    if car.status == CarStatus.RESERVED:
        car.status = CarStatus.IN_STOCK
        _audit(car, by, _("Reservation released"))
        car.save(update_fields=["status"])
        car_available.send(sender=Car, car=car, by=by)
    return car


def car_sell(*, car_id: int, sold_on: date, by: User | None = None) -> Car:
    """The reserved car is delivered to its buyer and leaves stock."""
    car = Car.objects.select_for_update().get(pk=car_id)
    if car.status not in (CarStatus.RESERVED, CarStatus.IN_STOCK):
        raise ValidationError(
            {
                "vin": _("This car is %(status)s and cannot be delivered.")
                % {"status": car.get_status_display().lower()}
            }
        )
    if car.arrived_on and sold_on < car.arrived_on:
        raise ValidationError(
            {
                "delivered_on": _("The car arrived on %(day)s, after this delivery date.")
                % {"day": car.arrived_on}
            }
        )
    car.status = CarStatus.SOLD
    car.sold_on = sold_on
    _audit(car, by, _("Sold"))
    car.save(update_fields=["status", "sold_on"])
    return car


# ---------------------------------------------------------------- transfers (调拨)


@transaction.atomic
def transfer_request(
    *, to_store: Store, from_store: Store, vehicle_model: VehicleModel, colour: str, by: User, note: str = ""
) -> Transfer:
    """A manager of `to_store` asks another store of the group for a car of a model and colour."""
    _require_manager(by)
    if not by.is_admin and not by.stores.filter(pk=to_store.pk).exists():
        raise ValidationError({"to_store": _("You can request cars only for your own store.")})
    if from_store.pk == to_store.pk:
        raise ValidationError({"from_store": _("Ask another store of the group.")})
    colour = (colour or "").strip()
    if not colour:
        raise ValidationError({"colour": _("Enter the colour.")})
    if not Car.objects.filter(
        store=from_store, vehicle_model=vehicle_model, colour=colour, status=CarStatus.IN_STOCK
    ).exists():
        raise ValidationError(
            {
                "colour": _("%(store)s has no %(model)s in %(colour)s in stock.")
                % {"store": from_store, "model": vehicle_model, "colour": colour}
            }
        )
    transfer = Transfer(
        from_store=from_store,
        to_store=to_store,
        vehicle_model=vehicle_model,
        colour=colour[:30],
        note=(note or "")[:200],
        requested_by=by,
    )
    _audit(transfer, by, _("Requested"))
    transfer.save()
    return transfer


def _lock_transfer(transfer: Transfer, by: User, side: str) -> Transfer:
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    _require_manager(by)
    store_id = transfer.from_store_id if side == "from" else transfer.to_store_id
    if not by.is_admin and not by.stores.filter(pk=store_id).exists():
        raise ValidationError({"detail": _("Only a manager of the other store may do this.")})
    return transfer


@transaction.atomic
def transfer_approve(*, transfer: Transfer, by: User, car: Car | None = None) -> Transfer:
    """The source store approves and ships a car (its choice, else its oldest match)."""
    transfer = _lock_transfer(transfer, by, "from")
    if transfer.status != TransferStatus.REQUESTED:
        raise ValidationError({"status": _("Only a requested transfer can be approved.")})
    matching = Car.objects.select_for_update().filter(
        store_id=transfer.from_store_id,
        vehicle_model_id=transfer.vehicle_model_id,
        colour=transfer.colour,
        status=CarStatus.IN_STOCK,
    )
    chosen = (
        matching.filter(pk=car.pk) if car is not None else matching.order_by("arrived_on", "pk")
    ).first()
    if chosen is None:
        raise ValidationError({"car": _("No matching car is free in stock any more.")})
    chosen.status = CarStatus.IN_TRANSIT
    _audit(chosen, by, _("Transfer #%(id)s shipped") % {"id": transfer.pk})
    chosen.save(update_fields=["status"])
    transfer.car = chosen
    transfer.status = TransferStatus.IN_TRANSIT
    transfer.decided_by = by
    transfer.decided_at = timezone.now()
    _audit(transfer, by, _("Approved, in transit"))
    transfer.save()
    return transfer


@transaction.atomic
def transfer_reject(*, transfer: Transfer, by: User, reason: str) -> Transfer:
    transfer = _lock_transfer(transfer, by, "from")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the request is rejected.")})
    if transfer.status != TransferStatus.REQUESTED:
        raise ValidationError({"status": _("Only a requested transfer can be rejected.")})
    transfer.status = TransferStatus.REJECTED
    transfer.decided_by = by
    transfer.decided_at = timezone.now()
    transfer.reject_reason = reason[:200]
    _audit(transfer, by, reason)
    transfer.save()
    return transfer


@transaction.atomic
def transfer_cancel(*, transfer: Transfer, by: User) -> Transfer:
    transfer = _lock_transfer(transfer, by, "to")
    if transfer.status != TransferStatus.REQUESTED:
        raise ValidationError({"status": _("Only a request not yet approved can be withdrawn.")})
    transfer.status = TransferStatus.CANCELLED
    _audit(transfer, by, _("Withdrawn"))
    transfer.save()
    return transfer


@transaction.atomic
def transfer_arrive(*, transfer: Transfer, by: User) -> Transfer:
    """The car reaches the requesting store: it is now that store's, in stock."""
    transfer = _lock_transfer(transfer, by, "to")
    if transfer.status != TransferStatus.IN_TRANSIT or transfer.car_id is None:
        raise ValidationError({"status": _("Only a car in transit can arrive.")})
    car = Car.objects.select_for_update().get(pk=transfer.car_id)
    car.store_id = transfer.to_store_id
    car.status = CarStatus.IN_STOCK
    _audit(car, by, _("Transfer #%(id)s arrived") % {"id": transfer.pk})
    car.save(update_fields=["store", "status"])
    transfer.status = TransferStatus.ARRIVED
    transfer.arrived_by = by
    transfer.arrived_at = timezone.now()
    _audit(transfer, by, _("Arrived"))
    transfer.save()
    car_available.send(sender=Car, car=car, by=by)
    return transfer
