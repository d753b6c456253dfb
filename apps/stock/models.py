"""Vehicle stock (库存, SPEC §4): every car a store holds, its store settings and the
transfers (调拨) between the group's stores.

A car's status moves in_transit → in_stock → reserved → sold; a transfer takes an
in-stock car in_transit to another store. Sales reserves a car for an order (the
order points at the car, so sales reads stock and stock never imports sales).
"""

from datetime import date
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.catalog.models import VehicleModel
from apps.org.models import Store
from apps.org.scoping import ScopeRule

ZERO = Decimal(0)


class StockSettings(models.Model):
    """Per store: when a car counts as old, and what holding stock costs (库存融资)."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="stock_settings")
    aging_limit_days = models.PositiveSmallIntegerField(_("aging limit (days)"), default=90)
    floor_plan_rate = models.DecimalField(
        _("floor-plan rate (% a year)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("6.00"),
        help_text=_("The interest the store pays on the cars it holds, per year."),
    )
    history = HistoricalRecords()

    scope: ClassVar[ScopeRule] = ScopeRule(store="store")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(aging_limit_days__gt=0) & Q(floor_plan_rate__gte=0) & Q(floor_plan_rate__lte=100),
                name="stock_settings_in_range",
            )
        ]
        verbose_name = _("stock settings")
        verbose_name_plural = _("stock settings")

    def __str__(self) -> str:
        return str(self.store)


class CarStatus(models.TextChoices):
    IN_STOCK = "in_stock", _("In stock")
    RESERVED = "reserved", _("Reserved")
    IN_TRANSIT = "in_transit", _("In transit")
    SOLD = "sold", _("Sold")


class Car(models.Model):
    """One car of the store's stock, by VIN. Its cost is the purchase cost (audited)."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="cars", verbose_name=_("store"))
    vin = models.CharField(_("VIN"), max_length=17, unique=True)
    vehicle_model = models.ForeignKey(
        VehicleModel, on_delete=models.PROTECT, related_name="cars", verbose_name=_("vehicle model")
    )
    colour = models.CharField(_("colour"), max_length=30)
    trim = models.CharField(_("trim"), max_length=60, blank=True)
    cost = models.DecimalField(_("purchase cost (CNY)"), max_digits=12, decimal_places=2)
    arrived_on = models.DateField(_("arrived on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CarStatus.choices, default=CarStatus.IN_STOCK
    )
    sold_on = models.DateField(_("sold on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    scope: ClassVar[ScopeRule] = ScopeRule(store="store")

    class Meta:
        ordering = ["arrived_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gte=0), name="car_cost_ge_0"),
            # A car in the yard has arrived; a sold car has a sale date and only a sold car.
            models.CheckConstraint(
                condition=Q(status="in_transit") | Q(arrived_on__isnull=False),
                name="car_arrived_unless_in_transit",
            ),
            models.CheckConstraint(
                condition=(Q(status="sold") & Q(sold_on__isnull=False))
                | (~Q(status="sold") & Q(sold_on__isnull=True)),
                name="car_sold_has_date",
            ),
        ]
        indexes = [models.Index(fields=["store", "status", "vehicle_model"])]
        verbose_name = _("car")
        verbose_name_plural = _("cars")

    def __str__(self) -> str:
        return f"{self.vehicle_model} {self.colour} · {self.vin}"

    def days_in_stock(self, today: date | None = None) -> int | None:
        """Days since arrival, up to the sale for a sold car; None before it arrives."""
        if self.arrived_on is None:
            return None
        end = self.sold_on or today or timezone.localdate()
        return max((end - self.arrived_on).days, 0)


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    IN_TRANSIT = "in_transit", _("In transit")
    ARRIVED = "arrived", _("Arrived")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_TRANSFER = [TransferStatus.REQUESTED, TransferStatus.IN_TRANSIT]


class Transfer(models.Model):
    """A request for a car of a model and colour from another store of the group (调拨).

    The requesting store sees the other store's stock only as counts, so it asks for a
    model and colour; the source store picks the car when it approves."""

    from_store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="transfers_out", verbose_name=_("from store")
    )
    to_store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="transfers_in", verbose_name=_("to store")
    )
    vehicle_model = models.ForeignKey(VehicleModel, on_delete=models.PROTECT, verbose_name=_("vehicle model"))
    colour = models.CharField(_("colour"), max_length=30)
    car = models.ForeignKey(
        Car, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers", verbose_name=_("car")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=TransferStatus.choices, default=TransferStatus.REQUESTED
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("approved or rejected"), null=True, blank=True)
    reject_reason = models.CharField(_("reason"), max_length=200, blank=True)
    arrived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    arrived_at = models.DateTimeField(_("arrived"), null=True, blank=True)
    history = HistoricalRecords()

    # Both stores see a transfer; selectors.transfers_for() applies that (two store lookups).
    scope: ClassVar[ScopeRule] = ScopeRule(store="to_store")

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_store=models.F("to_store")), name="transfer_between_two_stores"
            ),
            models.CheckConstraint(
                condition=Q(status="requested")
                | Q(status="cancelled")
                | Q(status="rejected")
                | Q(car__isnull=False),
                name="transfer_car_once_approved",
            ),
            # A car travels on one transfer at a time.
            models.UniqueConstraint(
                fields=["car"], condition=Q(status__in=OPEN_TRANSFER), name="transfer_one_open_per_car"
            ),
        ]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")

    def __str__(self) -> str:
        return f"#{self.pk} {self.from_store} → {self.to_store}: {self.vehicle_model} {self.colour}"
