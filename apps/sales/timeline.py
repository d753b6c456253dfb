"""The sales app's events on a customer's timeline (see apps/org/timeline.py)."""

from datetime import date

from django.db.models import Case, F, Q, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.org.roles import Role
from apps.org.scoping import visible
from apps.org.timeline import CustomerAction, DateAt, EventSource, money

from .models import Order, OrderStatus, Payment, Receivable

READERS = (Role.MANAGER, Role.CONSULTANT, Role.FINANCE)


def _order_url(pk: int, a: list[str | None] | None = None) -> str:
    return reverse("sales:order_detail", args=[pk])


def _payments_url(a: list[str | None]) -> str:
    return reverse("sales:payments") + f"?customer={a[3]}"


def _receivable_title(a: list[str | None]) -> str:
    amount, balance, due = a[0], a[1], a[2]
    days = (timezone.localdate() - date.fromisoformat(due)).days if due else 0
    if balance and float(balance) > 0 and days > 0:
        return _("Receivable of %(amount)s overdue %(days)d days, %(balance)s open") % {
            "amount": money(amount),
            "days": days,
            "balance": money(balance),
        }
    if balance and float(balance) > 0:
        return _("Receivable of %(amount)s falls due, %(balance)s open") % {
            "amount": money(amount),
            "balance": money(balance),
        }
    return _("Receivable of %(amount)s fell due, paid") % {"amount": money(amount)}


def _payment_title(a: list[str | None]) -> str:
    if a[1]:
        return _("Payment reversed: %(amount)s (%(note)s)") % {"amount": money(a[0]), "note": a[2] or ""}
    return _("Payment received: %(amount)s") % {"amount": money(a[0])}


SOURCES = [
    EventSource(
        kind="order",
        icon="receipt",
        label=gettext_lazy("Orders"),
        rows=lambda user: visible(Order.objects.all(), user),
        customer="customer_id",
        at=DateAt("order_date"),
        by="consultant",
        args=("vehicle_model__name", "amount"),
        title=lambda a: _("Order: %(model)s, %(amount)s") % {"model": a[0], "amount": money(a[1])},
        url=_order_url,
        roles=READERS,
    ),
    EventSource(
        kind="cancellation",
        icon="x-circle",
        label=gettext_lazy("Cancellations"),
        rows=lambda user: visible(Order.objects.filter(status=OrderStatus.CANCELLED), user),
        customer="customer_id",
        at="cancelled_at",
        args=("vehicle_model__name", "cancel_reason"),
        title=lambda a: _("Order cancelled: %(model)s (%(reason)s)") % {"model": a[0], "reason": a[1]},
        url=_order_url,
        roles=READERS,
        where=Q(cancelled_at__isnull=False),
    ),
    EventSource(
        kind="delivery",
        icon="truck",
        label=gettext_lazy("Deliveries"),
        rows=lambda user: visible(Order.objects.filter(delivered_on__isnull=False), user),
        customer="customer_id",
        at=DateAt("delivered_on"),
        by="consultant",
        args=("vehicle_model__name", "vin"),
        title=lambda a: _("Delivered: %(model)s, VIN %(vin)s") % {"model": a[0], "vin": a[1]},
        url=_order_url,
        roles=READERS,
    ),
    EventSource(
        kind="receivable",
        icon="journal-text",
        label=gettext_lazy("Receivables"),
        # Those that have fallen due; the future ones are in the header's outstanding.
        rows=lambda user: visible(
            Receivable.objects.filter(cancelled=False, due_date__lte=timezone.localdate()), user
        ),
        customer="customer_id",
        at=DateAt("due_date"),
        by="responsible",
        args=("amount", F("amount") - F("paid"), "due_date", "order_id"),
        title=_receivable_title,
        url=lambda pk, a: _order_url(int(a[3] or 0)),
        roles=READERS,
    ),
    EventSource(
        kind="payment",
        icon="cash-coin",
        label=gettext_lazy("Payments"),
        rows=lambda user: visible(Payment.objects.all(), user),
        customer="customer_id",
        # A counter-entry keeps the original's date; on the timeline it is when it was made.
        at=Case(When(reverses__isnull=False, then=F("recorded_at")), default=DateAt("received_on")),
        by="recorded_by",
        args=("amount", "reverses_id", "note", "customer_id"),
        title=_payment_title,
        url=lambda pk, a: _payments_url(a),
        roles=READERS,
    ),
]

ACTIONS = [
    CustomerAction(
        key="payment",
        label=gettext_lazy("Record a payment"),
        icon="cash-coin",
        roles=(Role.MANAGER, Role.FINANCE),
        url=lambda pk: reverse("sales:payments") + f"?customer={pk}",
        order=40,
    ),
]
