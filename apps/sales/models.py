"""Orders, receivables, payments and their allocation (SPEC §3 credit and receivables, §4).

Money rules the database holds: amounts are never negative, a receivable's paid
part never exceeds it, an allocation is positive, a payment is reversed at most
once. The services keep `Receivable.paid` equal to the sum of live allocations.
"""

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.catalog.models import VehicleModel
from apps.customers.models import Customer
from apps.org.models import Store
from apps.org.scoping import ScopeRule
from apps.stock.models import Car

ZERO = Decimal(0)


class Settlement(models.TextChoices):
    FULL = "full", _("Full payment")
    LOAN = "loan", _("Loan")
    LEASE = "lease", _("Lease")
    CREDIT = "credit", _("Credit")


class OrderStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class Order(models.Model):
    """An order / contract (成交). Gross profit is amount − cost."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="orders")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("consultant"),
    )
    vehicle_model = models.ForeignKey(VehicleModel, on_delete=models.PROTECT, verbose_name=_("vehicle model"))
    order_date = models.DateField(_("order date"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    discount = models.DecimalField(_("discount (CNY)"), max_digits=12, decimal_places=2, default=ZERO)
    cost = models.DecimalField(_("cost (CNY)"), max_digits=12, decimal_places=2)
    settlement = models.CharField(
        _("settlement"), max_length=10, choices=Settlement.choices, default=Settlement.FULL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN
    )
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    vin = models.CharField(_("VIN"), max_length=17, blank=True)
    car = models.ForeignKey(
        Car,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("reserved car"),
        help_text=_("The car in stock this order reserves; its VIN is delivered."),
    )
    awaiting_car = models.BooleanField(
        _("waiting for a car"),
        default=False,
        help_text=_("No car of this model in stock: the next one to arrive is allocated (配车)."),
    )
    cost_is_estimate = models.BooleanField(_("cost is the catalogue estimate"), default=False)
    cancel_reason = models.CharField(_("cancel reason"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    credit_override = models.BooleanField(_("credit limit overridden"), default=False)
    credit_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    credit_override_reason = models.CharField(_("override reason"), max_length=200, blank=True)
    opportunity = models.ForeignKey(
        "customers.Opportunity", on_delete=models.SET_NULL, null=True, blank=True, related_name="orders"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    scope: ClassVar[ScopeRule] = ScopeRule(store="store", owner="consultant")

    class Meta:
        ordering = ["-order_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(cost__gte=0) & Q(discount__gte=0), name="order_money_ge_0"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="order_cancel_has_reason"
            ),
            models.UniqueConstraint(fields=["vin"], condition=~Q(vin=""), name="order_vin_unique"),
            # One car, one order: a cancelled order keeps its car for the record only.
            models.UniqueConstraint(
                fields=["car"],
                condition=Q(car__isnull=False) & ~Q(status="cancelled"),
                name="order_car_one_live",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "order_date"]),
            models.Index(fields=["consultant", "order_date"]),
            models.Index(
                fields=["store", "vehicle_model", "order_date"],
                condition=Q(awaiting_car=True),
                name="order_awaiting_car",
            ),
            # A customer's first order that counts (new customers, customers at a date):
            # one index-only probe per customer instead of reading his orders.
            models.Index(
                fields=["customer", "order_date"],
                condition=~Q(status="cancelled"),
                name="order_live_by_customer",
            ),
        ]
        verbose_name = _("order")
        verbose_name_plural = _("orders")

    def __str__(self) -> str:
        return f"#{self.pk} {self.customer} · {self.vehicle_model}"

    @property
    def gross_profit(self) -> Decimal:
        return self.amount - self.cost


class Receivable(models.Model):
    """Money a customer owes on an order, due on a date, with a responsible consultant."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="receivables")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="receivables")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="receivables")
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="receivables",
        verbose_name=_("responsible"),
    )
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    paid = models.DecimalField(_("paid (CNY)"), max_digits=12, decimal_places=2, default=ZERO)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    history = HistoricalRecords()

    scope: ClassVar[ScopeRule] = ScopeRule(store="store", owner="responsible")

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="receivable_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(paid__gte=0) & Q(paid__lte=F("amount")), name="receivable_paid_in_range"
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "due_date"]),
            # A store's aging and its receivables list read by due date.
            models.Index(fields=["store", "due_date"]),
        ]
        verbose_name = _("receivable")
        verbose_name_plural = _("receivables")

    def __str__(self) -> str:
        return f"#{self.pk} {self.customer} {self.amount} @ {self.due_date}"

    @property
    def balance(self) -> Decimal:
        return self.amount - self.paid


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    TRANSFER = "transfer", _("Bank transfer")
    CARD = "card", _("Card")
    LOAN = "loan", _("Loan disbursement")


class Payment(models.Model):
    """Money received (回款). Never edited or deleted: an error is reversed (红冲) by a
    counter-entry (`reverses` set, amount negative) whose allocations undo the original's."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="payments")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    received_on = models.DateField(_("received on"))
    method = models.CharField(
        _("method"), max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.TRANSFER
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal",
        verbose_name=_("reverses"),
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = HistoricalRecords()

    scope: ClassVar[ScopeRule] = ScopeRule(store="store", owner="customer__owner")

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            # A payment is positive; its counter-entry is negative (and points at it).
            models.CheckConstraint(
                condition=(Q(reverses__isnull=True) & Q(amount__gt=0))
                | (Q(reverses__isnull=False) & Q(amount__lt=0)),
                name="payment_sign_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["store", "received_on"])]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"#{self.pk} {self.customer} {self.amount} @ {self.received_on}"


class Allocation(models.Model):
    """The part of a payment applied to one receivable (negative on a counter-entry)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    receivable = models.ForeignKey(Receivable, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="allocation_not_zero"),
            models.UniqueConstraint(fields=["payment", "receivable"], name="allocation_once_per_receivable"),
        ]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.receivable_id}: {self.amount}"
