"""Every write to orders, receivables and payments: one transaction per use case.

Money rules: an order's receivables add up to its amount; a payment is allocated to
the oldest open receivable first and never above a balance; a payment larger than
everything open is refused; a payment is never edited or deleted, only reversed by a
counter-entry. The customer's row is locked (SELECT … FOR UPDATE) before any money of
that customer moves, so concurrent finance users and credit checks are serialised.
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import DateField, F, Min, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from apps.catalog.models import VehicleModel
from apps.catalog.vin import vin_check_digit, vin_validate  # noqa: F401 — callers import them from here
from apps.customers.counts import counts_refresh
from apps.customers.models import Customer, Grade, Opportunity, Stage, Status
from apps.customers.services import opportunity_set_stage
from apps.org.models import Store, User
from apps.org.roles import Role
from apps.stock import services as stock
from apps.stock.models import Car, CarStatus

from .models import (
    ZERO,
    Allocation,
    Order,
    OrderStatus,
    Payment,
    PaymentMethod,
    Receivable,
    Settlement,
)
from .signals import order_delivered

CENT = Decimal("0.01")

# ---------------------------------------------------------------- helpers


def _money(value: Any, field: str, *, positive: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError):
        raise ValidationError({field: _("Enter an amount.")}) from None
    if not amount.is_finite() or amount != amount.quantize(CENT) or abs(amount) >= Decimal("1e10"):
        raise ValidationError({field: _("Enter an amount with at most two decimal places.")})
    if amount < 0 or (positive and amount == 0):
        raise ValidationError(
            {field: _("The amount must be above zero.") if positive else _("The amount cannot be negative.")}
        )
    return amount


def _fmt(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def customer_outstanding(customer: Customer) -> Decimal:
    """What the customer still owes on live receivables."""
    total = Receivable.objects.filter(customer=customer, cancelled=False).aggregate(
        v=Sum(F("amount") - F("paid"))
    )["v"]
    return total or ZERO


def _lock_customer(customer: Customer) -> Customer:
    return Customer.objects.select_for_update().get(pk=customer.pk)


def first_order_dates() -> Any:
    """Each customer's first order date (orders not cancelled): `customer_id`, `first`."""
    return (
        Order.objects.exclude(status=OrderStatus.CANCELLED)
        .values("customer_id")
        .annotate(first=Min("order_date"))
        .order_by()
    )


def first_orders_check(*, fix: bool = False) -> list[tuple[int, date | None, date | None]]:
    """The customers whose kept first order date is not their orders' (id, kept, orders'),
    in one statement; with `fix`, those dates are written and their counts refreshed."""
    actual = Subquery(
        first_order_dates().filter(customer_id=OuterRef("pk")).values("first")[:1], output_field=DateField()
    )
    wrong = list(
        Customer.objects.annotate(actual=actual)
        .filter(
            Q(first_order_on__isnull=True, actual__isnull=False)
            | Q(first_order_on__isnull=False, actual__isnull=True)
            | (Q(first_order_on__isnull=False, actual__isnull=False) & ~Q(first_order_on=F("actual")))
        )
        .order_by("pk")
        .values_list("pk", "first_order_on", "actual")
    )
    if fix and wrong:
        ids = [pk for pk, _kept, _actual in wrong]
        Customer.objects.filter(pk__in=ids).update(first_order_on=actual)
        counts_refresh(customer_ids=ids)
    return wrong


def _first_order_keep(customer: Customer, *, booked: date | None = None) -> bool:
    """Keep the locked customer's first order date on his file: a booked order can only
    move it earlier; otherwise (a cancellation) it is read from his orders again. Says
    whether it moved (his customer counts then change: the caller refreshes them)."""
    if booked is not None:
        first = booked if customer.first_order_on is None else min(customer.first_order_on, booked)
    else:
        live = Order.objects.filter(customer_id=customer.pk).exclude(status=OrderStatus.CANCELLED)
        first = live.aggregate(d=Min("order_date"))["d"]
    if first == customer.first_order_on:
        return False
    Customer.objects.filter(pk=customer.pk).update(first_order_on=first)  # no audit row: derived
    customer.first_order_on = first
    return True


def _instalments(
    instalments: Iterable[dict[str, Any]] | None, amount: Decimal, order_date: date
) -> list[tuple[date, Decimal]]:
    if not instalments:
        return [(order_date, amount)] if amount > 0 else []
    rows: list[tuple[date, Decimal]] = []
    for i, item in enumerate(instalments, start=1):
        due = item.get("due_date")
        if isinstance(due, str):
            try:
                due = date.fromisoformat(due)
            except ValueError:
                due = None
        if not isinstance(due, date):
            raise ValidationError({"instalments": _("Instalment %(n)d needs a due date.") % {"n": i}})
        if due < order_date:
            raise ValidationError(
                {"instalments": _("Instalment %(n)d is due before the order date.") % {"n": i}}
            )
        try:
            value = _money(item.get("amount"), "instalments", positive=True)
        except ValidationError:
            raise ValidationError(
                {"instalments": _("Instalment %(n)d needs an amount above zero.") % {"n": i}}
            ) from None
        rows.append((due, value))
    total = sum((v for _d, v in rows), ZERO)
    if total != amount:
        raise ValidationError(
            {
                "instalments": _("The instalments add up to %(total)s, the order amount is %(amount)s.")
                % {"total": _fmt(total), "amount": _fmt(amount)}
            }
        )
    return sorted(rows)


# ---------------------------------------------------------------- orders


@transaction.atomic
def order_create(
    *,
    by: User,
    store: Store,
    customer: Customer,
    consultant: User,
    vehicle_model: VehicleModel,
    order_date: date,
    amount: Decimal,
    cost: Decimal | None = None,
    settlement: str = Settlement.FULL,
    instalments: Iterable[dict[str, Any]] | None = None,
    discount: Decimal = ZERO,
    delivered_on: date | None = None,
    vin: str = "",
    credit_override_reason: str = "",
    opportunity: Opportunity | None = None,
    car: Car | None = None,
    awaiting_car: bool = False,
) -> Order:
    """Book an order and its receivables (responsible: the consultant).

    On credit, an order that would take the customer's outstanding over the credit
    limit is refused with the figures, unless a manager overrides it with a reason.

    Stock: `car` reserves that car in stock (one car, one order); `awaiting_car` asks for
    the oldest free car of the model, or the next to arrive (配车). The cost defaults to
    the car's purchase cost, else to the catalogue cost, marked as an estimate that the
    car's cost replaces once one is allocated."""
    amount = _money(amount, "amount", positive=True)
    cost_is_estimate = cost is None or cost == ""
    cost = _money(cost if not cost_is_estimate else (car.cost if car else vehicle_model.cost), "cost")
    if car is not None:
        cost_is_estimate = False
    discount = _money(discount, "discount")
    if settlement not in Settlement.values:
        raise ValidationError({"settlement": _("Unknown settlement method.")})
    if customer.store_id != store.pk:
        raise ValidationError({"customer": _("The customer belongs to another store.")})
    if consultant.role not in (Role.CONSULTANT, Role.MANAGER) or not consultant.is_active:
        raise ValidationError({"consultant": _("The consultant must be an active sales consultant.")})
    if not consultant.stores.filter(pk=store.pk).exists():
        raise ValidationError({"consultant": _("The consultant does not work at this store.")})
    if opportunity is not None and opportunity.customer_id != customer.pk:
        raise ValidationError({"opportunity": _("The opportunity is another customer's.")})
    if order_date > timezone.localdate():
        raise ValidationError({"order_date": _("The order date cannot be in the future.")})
    rows = _instalments(instalments, amount, order_date)
    credit_override_reason = (credit_override_reason or "").strip()

    customer = _lock_customer(customer)
    if car is None and awaiting_car:
        car = _oldest_free_car(store, vehicle_model)
        if car is not None and cost_is_estimate:
            cost, cost_is_estimate = car.cost, False
    if car is not None:
        car = stock.car_reserve(car_id=car.pk, store=store, vehicle_model=vehicle_model, by=by)
    order = Order(
        store=store,
        car=car,
        awaiting_car=awaiting_car and car is None,
        cost_is_estimate=cost_is_estimate,
        customer=customer,
        consultant=consultant,
        vehicle_model=vehicle_model,
        order_date=order_date,
        amount=amount,
        discount=discount,
        cost=cost,
        settlement=settlement,
        opportunity=opportunity,
    )
    if settlement == Settlement.CREDIT:
        outstanding = customer_outstanding(customer)
        if outstanding + amount > customer.credit_limit:
            if not credit_override_reason:
                raise ValidationError(
                    {
                        "amount": _(
                            "Over the credit limit: %(name)s owes %(outstanding)s, this order adds "
                            "%(amount)s, total %(total)s against a limit of %(limit)s. A manager may "
                            "override with a reason."
                        )
                        % {
                            "name": customer.name,
                            "outstanding": _fmt(outstanding),
                            "amount": _fmt(amount),
                            "total": _fmt(outstanding + amount),
                            "limit": _fmt(customer.credit_limit),
                        }
                    }
                )
            if not by.has_role(Role.MANAGER):
                raise ValidationError({"credit_override": _("Only a manager may override the credit limit.")})
            order.credit_override = True
            order.credit_override_by = by
            order.credit_override_reason = credit_override_reason[:200]
    order.full_clean(validate_constraints=False)
    order._change_reason = _("Order booked")  # type: ignore[attr-defined]
    order._history_user = by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:
        raise ValidationError({"car": _("This car is reserved for another order.")}) from None
    for due, value in rows:
        Receivable.objects.create(
            store=store,
            order=order,
            customer=customer,
            responsible=consultant,
            due_date=due,
            amount=value,
        )
    if (customer.status, customer.grade) != (Status.CUSTOMER, Grade.O):
        # Saved (not a bulk update) so the customer's history knows when he became a
        # customer: scoring counts customers as of a period's end from it.
        customer.status, customer.grade = Status.CUSTOMER, Grade.O
        customer._change_reason = _("Order booked")  # type: ignore[attr-defined]
        customer._history_user = by  # type: ignore[attr-defined]
        customer.save(update_fields=["status", "grade"])
        _first_order_keep(customer, booked=order_date)
        counts_refresh(customer_ids=[customer.pk])
    elif _first_order_keep(customer, booked=order_date):
        counts_refresh(customer_ids=[customer.pk])
    if opportunity is not None:
        opportunity_set_stage(opportunity=opportunity, stage=Stage.ORDERED, by=by)
    if delivered_on or vin:
        if not (delivered_on and (vin or order.car_id)):
            field = "vin" if delivered_on else "delivered_on"
            raise ValidationError({field: _("A delivery needs both a date and a VIN.")})
        order = order_deliver(order=order, delivered_on=delivered_on, vin=vin, by=by)
    return order


def _oldest_free_car(store: Store, vehicle_model: VehicleModel) -> Car | None:
    return (
        Car.objects.filter(store=store, vehicle_model=vehicle_model, status=CarStatus.IN_STOCK)
        .order_by("arrived_on", "pk")
        .first()
    )


def _attach_car(order: Order, car: Car, by: User | None) -> Order:
    """Reserve `car` (locked by stock) for the locked `order`; an estimated cost becomes the car's."""
    car = stock.car_reserve(car_id=car.pk, store=order.store, vehicle_model=order.vehicle_model, by=by)
    order.car = car
    order.awaiting_car = False
    fields = ["car", "awaiting_car"]
    if order.cost_is_estimate:
        order.cost, order.cost_is_estimate = car.cost, False
        fields += ["cost", "cost_is_estimate"]
    order._change_reason = _("Car %(vin)s reserved") % {"vin": car.vin}  # type: ignore[attr-defined]
    order._history_user = by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            order.save(update_fields=fields)
    except IntegrityError:
        raise ValidationError({"car": _("This car is reserved for another order.")}) from None
    return order


@transaction.atomic
def order_reserve_car(*, order: Order, car: Car, by: User) -> Order:
    """Reserve a car in stock for an open order that has none: of two orders reserving one
    car at the same moment, the car's lock lets one win; the other is refused."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.OPEN:
        raise ValidationError({"order": _("Only an open order can reserve a car.")})
    if order.car_id is not None:
        raise ValidationError({"order": _("This order has a car reserved already.")})
    return _attach_car(order, car, by)


def allocate_to_waiting_order(*, car: Car, by: User | None = None) -> Order | None:
    """配车: a car that became free goes to the oldest open order of its store and model that
    waits for a car (order date, then booking order). Runs inside the stock transaction."""
    order = (
        Order.objects.select_for_update()
        .filter(
            store_id=car.store_id,
            vehicle_model_id=car.vehicle_model_id,
            status=OrderStatus.OPEN,
            awaiting_car=True,
            car__isnull=True,
        )
        .order_by("order_date", "pk")
        .first()
    )
    if order is None:
        return None
    return _attach_car(order, car, by)


@transaction.atomic
def order_deliver(*, order: Order, delivered_on: date, vin: str = "", by: User) -> Order:
    """Hand the car over: the reserved car's VIN (a typed VIN must match it), else a typed
    VIN, checked; the car leaves stock as sold. After commit, aftersales hears of it."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.OPEN:
        raise ValidationError({"status": _("Only an open order can be delivered.")})
    if order.car_id is not None:
        car_vin = Car.objects.values_list("vin", flat=True).get(pk=order.car_id)
        if vin and vin_validate(vin) != car_vin:
            raise ValidationError(
                {"vin": _("The order reserves the car %(vin)s: deliver that VIN.") % {"vin": car_vin}}
            )
        vin = car_vin
    else:
        vin = vin_validate(vin)
        in_stock = Car.objects.filter(vin=vin).first()
        if in_stock is not None:
            # A car of the yard delivered without a reservation: reserve it first, so
            # stock and the order stay true (refused if it is another store's or taken).
            _attach_car(order, in_stock, by)
    if not isinstance(delivered_on, date):
        raise ValidationError({"delivered_on": _("Enter the delivery date.")})
    if delivered_on < order.order_date:
        raise ValidationError({"delivered_on": _("The delivery cannot be before the order date.")})
    if delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": _("The delivery date cannot be in the future.")})
    if Order.objects.filter(vin=vin).exclude(pk=order.pk).exists():
        raise ValidationError({"vin": _("This VIN is on another order already.")})
    order.status = OrderStatus.DELIVERED
    order.delivered_on = delivered_on
    order.vin = vin
    order.awaiting_car = False
    order._change_reason = _("Delivered")  # type: ignore[attr-defined]
    order._history_user = by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            order.save(update_fields=["status", "delivered_on", "vin", "awaiting_car"])
    except IntegrityError:
        raise ValidationError({"vin": _("This VIN is on another order already.")}) from None
    if order.car_id is not None:
        stock.car_sell(car_id=order.car_id, sold_on=delivered_on, by=by)
    if order.opportunity_id:
        opportunity_set_stage(
            opportunity=Opportunity.objects.get(pk=order.opportunity_id), stage=Stage.DELIVERED, by=by
        )
    transaction.on_commit(lambda: order_delivered.send(sender=Order, order=order))
    return order


@transaction.atomic
def order_cancel(*, order: Order, reason: str, by: User) -> Order:
    """Cancel an open order; refused while payments are allocated to its receivables."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"cancel_reason": _("Say why the order is cancelled.")})
    customer = _lock_customer(order.customer)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.OPEN:
        raise ValidationError({"status": _("Only an open order can be cancelled.")})
    paid = order.receivables.filter(cancelled=False).aggregate(v=Sum("paid"))["v"] or ZERO
    if paid > 0:
        raise ValidationError(
            {
                "status": _(
                    "%(paid)s has been paid on this order: reverse those payments before cancelling it."
                )
                % {"paid": _fmt(paid)}
            }
        )
    order.status = OrderStatus.CANCELLED
    order.cancel_reason = reason[:200]
    order.cancelled_at = timezone.now()
    order.awaiting_car = False
    order._change_reason = reason  # type: ignore[attr-defined]
    order._history_user = by  # type: ignore[attr-defined]
    order.save(update_fields=["status", "cancel_reason", "cancelled_at", "awaiting_car"])
    if order.order_date == customer.first_order_on and _first_order_keep(customer):
        counts_refresh(customer_ids=[customer.pk])
    if order.car_id is not None:
        stock.car_release(car_id=order.car_id, by=by)  # free again, offered to a waiting order
    for receivable in order.receivables.select_for_update().filter(cancelled=False):
        receivable.cancelled = True
        receivable._change_reason = _("Order cancelled")  # type: ignore[attr-defined]
        receivable._history_user = by  # type: ignore[attr-defined]
        receivable.save(update_fields=["cancelled"])
    if order.opportunity_id:
        opportunity = Opportunity.objects.get(pk=order.opportunity_id)
        if opportunity.stage == Stage.ORDERED:
            opportunity_set_stage(opportunity=opportunity, stage=Stage.LOST, by=by, lost_reason=reason[:200])
    return order


# ---------------------------------------------------------------- payments


@transaction.atomic
def payment_record(
    *,
    customer: Customer,
    amount: Decimal,
    received_on: date,
    method: str,
    recorded_by: User,
    note: str = "",
) -> Payment:
    """Record money received and allocate it to the oldest open receivables first."""
    amount = _money(amount, "amount", positive=True)
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("Unknown payment method.")})
    if not isinstance(received_on, date):
        raise ValidationError({"received_on": _("Enter the date the money was received.")})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("The payment date cannot be in the future.")})
    customer = _lock_customer(customer)
    # The customer's lock serialises payments; the receivables are locked as well so
    # no other writer (a cancellation, a reversal) changes a balance under us.
    open_receivables = list(
        Receivable.objects.select_for_update()
        .filter(customer=customer, cancelled=False, paid__lt=F("amount"))
        .order_by("due_date", "pk")
    )
    open_total = sum((r.balance for r in open_receivables), ZERO)
    if amount > open_total:
        raise ValidationError(
            {
                "amount": _("%(name)s owes %(open)s in all; a payment of %(amount)s would be over-allocated.")
                % {"name": customer.name, "open": _fmt(open_total), "amount": _fmt(amount)}
            }
        )
    payment = Payment(
        store_id=customer.store_id,
        customer=customer,
        amount=amount,
        received_on=received_on,
        method=method,
        note=(note or "")[:200],
        recorded_by=recorded_by,
    )
    payment.full_clean(validate_constraints=False)
    payment._history_user = recorded_by  # type: ignore[attr-defined]
    payment.save()
    left = amount
    allocations = []
    for receivable in open_receivables:
        if left <= 0:
            break
        part = min(left, receivable.balance)
        receivable.paid += part
        receivable._change_reason = _("Payment #%(id)s") % {"id": payment.pk}  # type: ignore[attr-defined]
        receivable._history_user = recorded_by  # type: ignore[attr-defined]
        receivable.save(update_fields=["paid"])
        allocations.append(Allocation(payment=payment, receivable=receivable, amount=part))
        left -= part
    Allocation.objects.bulk_create(allocations)
    return payment


@transaction.atomic
def payment_reverse(*, payment: Payment, reason: str, by: User) -> Payment:
    """Reverse a payment recorded in error (红冲): a counter-entry dated like the original
    (so the period's collections net to zero), whose allocations undo the original's."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the payment is reversed.")})
    _lock_customer(payment.customer)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.reverses_id is not None:
        raise ValidationError({"detail": _("A counter-entry cannot be reversed.")})
    if Payment.objects.filter(reverses=payment).exists():
        raise ValidationError({"detail": _("This payment has been reversed already.")})
    counter = Payment(
        store_id=payment.store_id,
        customer_id=payment.customer_id,
        amount=-payment.amount,
        received_on=payment.received_on,
        method=payment.method,
        note=(_("Reversal of #%(id)s: %(reason)s") % {"id": payment.pk, "reason": reason})[:200],
        reverses=payment,
        recorded_by=by,
    )
    counter._history_user = by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            counter.save()
    except IntegrityError:
        raise ValidationError({"detail": _("This payment has been reversed already.")}) from None
    originals = list(payment.allocations.all())
    receivables = {
        r.pk: r
        for r in Receivable.objects.select_for_update().filter(pk__in=[a.receivable_id for a in originals])
    }
    for allocation in originals:
        receivable = receivables[allocation.receivable_id]
        receivable.paid -= allocation.amount
        receivable._change_reason = _("Reversal of payment #%(id)s") % {"id": payment.pk}  # type: ignore[attr-defined]
        receivable._history_user = by  # type: ignore[attr-defined]
        receivable.save(update_fields=["paid"])
    Allocation.objects.bulk_create(
        Allocation(payment=counter, receivable_id=a.receivable_id, amount=-a.amount) for a in originals
    )
    return counter


# ---------------------------------------------------------------- credit terms


@transaction.atomic
def customer_credit_set(
    *, customer: Customer, credit_limit: Decimal, credit_rating: str, by: User
) -> Customer:
    """A manager or finance sets a customer's credit terms (audited by django-simple-history)."""
    if not by.has_role(Role.MANAGER, Role.FINANCE):
        raise ValidationError({"credit_limit": _("Only a manager or finance may change credit terms.")})
    limit = _money(credit_limit, "credit_limit")
    customer = _lock_customer(customer)
    customer.credit_limit = limit
    customer.credit_rating = (credit_rating or "")[:10]
    customer._change_reason = _("Credit terms")  # type: ignore[attr-defined]
    customer._history_user = by  # type: ignore[attr-defined]
    customer.save(update_fields=["credit_limit", "credit_rating"])
    counts_refresh(customer_ids=[customer.pk])  # an audit row: the status as of today
    return customer


@transaction.atomic
def receivables_hand_over(*, receivables: Any, to_user: User, by: User, reason: str) -> int:
    """Make `to_user` responsible for the open ones of `receivables` (a queryset); returns
    how many moved. Each change is a row of the receivable's audit trail (who, when, why),
    so a book handed over is traceable; the departing consultant can then be deactivated."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the receivables are handed over.")})
    if not to_user.is_active or to_user.role not in (Role.CONSULTANT, Role.MANAGER):
        raise ValidationError({"to_user": _("Hand receivables to an active consultant or manager.")})
    rows = list(
        receivables.select_for_update()
        .filter(cancelled=False, paid__lt=F("amount"))
        .exclude(responsible=to_user)
        .order_by("pk")
    )
    if not to_user.is_admin:
        works_at = set(to_user.stores.values_list("pk", flat=True))
        if any(r.store_id not in works_at for r in rows):
            raise ValidationError({"to_user": _("%(name)s does not work at this store.") % {"name": to_user}})
    for r in rows:
        r.responsible = to_user
    bulk_update_with_history(
        rows, Receivable, ["responsible"], default_user=by, default_change_reason=reason[:100]
    )
    return len(rows)


def receivables_hand_over_all(*, store: Store, from_user: User, to_user: User, by: User, reason: str) -> int:
    """A manager hands every open receivable a consultant holds in a store to another."""
    if not by.has_role(Role.MANAGER) or (not by.is_admin and not by.stores.filter(pk=store.pk).exists()):
        raise ValidationError({"to_user": _("Only a manager of the store may hand over receivables.")})
    if from_user.pk == to_user.pk:
        raise ValidationError({"to_user": _("Choose another consultant.")})
    return receivables_hand_over(
        receivables=Receivable.objects.filter(store=store, responsible=from_user),
        to_user=to_user,
        by=by,
        reason=reason,
    )
