"""Incentive schemes (提成 / 奖金) and the monthly statements (提成明细) computed from them.

A scheme belongs to a store and applies from a month on, until a later scheme of the
store starts; a month that has been closed (scoring) never sees its scheme change.
A statement is computed from the closed period's snapshot and the orders behind it,
one line per order and measure, so that every yuan is traceable; approved, it is frozen.
"""

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.catalog.models import BodyType, VehicleModel
from apps.org.models import Store
from apps.org.scoping import ScopeRule
from apps.sales.models import Order

ZERO = Decimal(0)


class BonusMeasure(models.TextChoices):
    UNITS = "units", _("Units")
    SALES_REVENUE = "sales_revenue", _("Sales revenue")
    GROSS_PROFIT = "gross_profit", _("Gross profit")
    COLLECTIONS = "collections", _("Collections")


class Scheme(models.Model):
    """What a consultant earns from `valid_from` (the first day of a month) on."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="incentive_schemes")
    name = models.CharField(_("name"), max_length=100)
    valid_from = models.DateField(_("applies from"), help_text=_("The first day of a month."))
    unit_commission = models.DecimalField(
        _("commission per unit (CNY)"),
        max_digits=10,
        decimal_places=2,
        default=ZERO,
        help_text=_("For models and body types without their own rate."),
    )
    gross_profit_percent = models.DecimalField(
        _("share of gross profit (%)"), max_digits=5, decimal_places=2, default=ZERO
    )
    bonus_measure = models.CharField(
        _("bonus on achievement of"), max_length=20, choices=BonusMeasure.choices, default=BonusMeasure.UNITS
    )
    late_entry_threshold = models.DecimalField(
        _("late-entry threshold (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10.00"),
        help_text=_("Above this late-entry rate the bonus is reduced."),
    )
    late_entry_cut = models.DecimalField(
        _("bonus reduction (%)"), max_digits=5, decimal_places=2, default=Decimal("50.00")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    scope: ClassVar[ScopeRule] = ScopeRule(store="store")

    class Meta:
        ordering = ["store", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["store", "valid_from"], name="scheme_one_per_store_month"),
            models.CheckConstraint(condition=Q(valid_from__day=1), name="scheme_starts_on_the_first"),
            models.CheckConstraint(
                condition=Q(unit_commission__gte=0)
                & Q(gross_profit_percent__gte=0)
                & Q(gross_profit_percent__lte=100)
                & Q(late_entry_threshold__gte=0)
                & Q(late_entry_cut__gte=0)
                & Q(late_entry_cut__lte=100),
                name="scheme_rates_in_range",
            ),
        ]
        verbose_name = _("incentive scheme")
        verbose_name_plural = _("incentive schemes")

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%Y-%m})"


class UnitRate(models.Model):
    """Commission per unit for one model, or for a body type (a model's rate wins)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="unit_rates")
    vehicle_model = models.ForeignKey(VehicleModel, on_delete=models.PROTECT, null=True, blank=True)
    body_type = models.CharField(_("body type"), max_length=20, choices=BodyType.choices, blank=True)
    amount = models.DecimalField(_("commission per unit (CNY)"), max_digits=10, decimal_places=2)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(vehicle_model__isnull=False) & Q(body_type=""))
                | (Q(vehicle_model__isnull=True) & ~Q(body_type="")),
                name="unit_rate_model_or_body_type",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="unit_rate_ge_0"),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle_model or self.get_body_type_display()}: {self.amount}"


class BonusTier(models.Model):
    """A bonus paid when achievement reaches `min_achievement` % (the highest tier reached)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="tiers")
    min_achievement = models.DecimalField(_("achievement from (%)"), max_digits=6, decimal_places=2)
    amount = models.DecimalField(_("bonus (CNY)"), max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["min_achievement"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "min_achievement"], name="tier_once_per_scheme"),
            models.CheckConstraint(
                condition=Q(min_achievement__gt=0) & Q(amount__gte=0), name="tier_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"≥ {self.min_achievement}%: {self.amount}"


class StatementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class Statement(models.Model):
    """A consultant's incentive statement for one closed month; approved, it never changes."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="incentive_statements")
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="incentive_statements",
        verbose_name=_("consultant"),
    )
    period = models.CharField(_("month"), max_length=7)
    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, null=True, blank=True, related_name="statements"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=StatementStatus.choices, default=StatementStatus.DRAFT
    )
    total = models.DecimalField(_("total (CNY)"), max_digits=12, decimal_places=2, default=ZERO)
    generated_at = models.DateTimeField(_("computed"), auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    history = HistoricalRecords()

    scope: ClassVar[ScopeRule] = ScopeRule(store="store", owner="consultant")

    class Meta:
        ordering = ["-period", "consultant__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["consultant", "period"], name="statement_once_per_month"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(approved_at__isnull=False), name="statement_approved_has_date"
            ),
        ]
        verbose_name = _("incentive statement")
        verbose_name_plural = _("incentive statements")

    def __str__(self) -> str:
        return f"{self.consultant} {self.period}"


class LineKind(models.TextChoices):
    UNIT = "unit", _("Unit commission")
    GROSS_PROFIT = "gross_profit", _("Gross-profit commission")
    BONUS = "bonus", _("Achievement bonus")
    LATE_ENTRY = "late_entry", _("Late-entry deduction")
    TAKE_BACK = "take_back", _("Take-back of a cancelled order")
    CORRECTION = "correction", _("Correction of an earlier month")


class StatementLine(models.Model):
    """One traceable amount: its order, or the measure and figure it comes from."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("kind"), max_length=20, choices=LineKind.choices)
    description = models.CharField(_("description"), max_length=300)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    measure = models.CharField(_("measure"), max_length=30, blank=True)
    basis = models.DecimalField(_("basis"), max_digits=14, decimal_places=4, null=True, blank=True)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    corrects_period = models.CharField(_("corrects month"), max_length=7, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            # A take-back reverses one earlier line, once.
            models.UniqueConstraint(
                fields=["corrects"], condition=Q(kind="take_back"), name="line_taken_back_once"
            ),
        ]
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount}"
