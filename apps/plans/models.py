"""Sales plans and their target tree (SPEC §1).

A plan is one store's year. Its targets form a tree: a root per measure (the store's
year figure) and children made by `services.target_break_down`. A node is
(period, scope, measure, value); the scope of a node is its own `scope_type`/`scope_id`
narrowed by the scopes of its ancestors (a month node under a consultant node counts
that consultant's orders in that month).

Scope ids: store, team and consultant (a User id), vehicle_model — their primary key in
`scope_id`; body_type and settlement have no id: their code is in `scope_code` and
`scope_id` is null.
"""

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import VehicleModel
from apps.org.models import Store
from apps.org.scoping import ScopeRule


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")


class Measure(models.TextChoices):
    UNITS = "units", _("Units sold")
    REVENUE = "revenue", _("Sales revenue")
    COLLECTIONS = "collections", _("Collections")
    GROSS_PROFIT = "gross_profit", _("Gross profit")
    NEW_CUSTOMERS = "new_customers", _("New customers")
    VISITS = "visits", _("Visits")


INTEGER_MEASURES = {Measure.UNITS, Measure.NEW_CUSTOMERS, Measure.VISITS}
MONEY_MEASURES = {Measure.REVENUE, Measure.COLLECTIONS, Measure.GROSS_PROFIT}


class ScopeType(models.TextChoices):
    STORE = "store", _("Store")
    TEAM = "team", _("Team")
    CONSULTANT = "consultant", _("Consultant")
    VEHICLE_MODEL = "vehicle_model", _("Vehicle model")
    BODY_TYPE = "body_type", _("Body type")
    SETTLEMENT = "settlement", _("Settlement method")
    REGION = "region", _("Region")
    CUSTOMER = "customer", _("Key customer")


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Year")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")
    WEEK = "week", _("Week")
    DAY = "day", _("Day")


class Into(models.TextChoices):
    """What a node can be broken down into (API `into`)."""

    QUARTER = "quarter", _("Quarters")
    MONTH = "month", _("Months")
    WEEK = "week", _("Weeks")
    DAY = "day", _("Days (working days of the store's calendar)")
    TEAM = "team", _("Teams")
    CONSULTANT = "consultant", _("Consultants")
    VEHICLE_MODEL = "vehicle_model", _("Vehicle models")
    BODY_TYPE = "body_type", _("Body types")
    SETTLEMENT = "settlement", _("Settlement methods")
    REGION = "region", _("Regions (customers' districts)")
    CUSTOMER = "customer", _("Key customers")


class Method(models.TextChoices):
    EVEN = "even", _("Even split")
    WEIGHTS = "weights", _("By weights")
    LAST_YEAR = "last_year", _("In proportion to last year's actuals")
    CAPABILITY = "capability", _("By consultant capability")


class Plan(models.Model):
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="plans", verbose_name=_("store"))
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000)])
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    expense_budget = models.DecimalField(
        _("sales expense budget (CNY)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    scope: ClassVar[ScopeRule] = ScopeRule(store="store")

    class Meta:
        ordering = ["-year", "store__name"]
        constraints = [
            models.UniqueConstraint(fields=["store", "year"], name="plan_one_per_store_year"),
            models.CheckConstraint(condition=Q(expense_budget__gte=0), name="plan_expense_budget_ge_0"),
        ]
        permissions = [("approve_plan", "Can approve and reopen sales plans")]
        verbose_name = _("sales plan")
        verbose_name_plural = _("sales plans")

    def __str__(self) -> str:
        return f"{self.store} {self.year}"

    @property
    def is_editable(self) -> bool:
        return self.status == PlanStatus.DRAFT


class Target(models.Model):
    """One node of a plan's target tree."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets", verbose_name=_("plan"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    scope_type = models.CharField(_("scope"), max_length=20, choices=ScopeType.choices)
    scope_id = models.PositiveIntegerField(_("scope id"), null=True, blank=True)
    scope_code = models.CharField(_("scope code"), max_length=20, blank=True)
    measure = models.CharField(_("measure"), max_length=20, choices=Measure.choices)
    value = models.DecimalField(
        _("target"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    # Denormalised from the path for scoping and fast reads: the consultant this node
    # (or an ancestor) is about, else null. A consultant sees only his own nodes.
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="plan_targets"
    )
    key = models.CharField(
        _("key"), max_length=20, blank=True, help_text=_("The child's key in its breakdown.")
    )
    label = models.CharField(_("label"), max_length=120, blank=True)
    position = models.PositiveIntegerField(default=0)
    method = models.CharField(_("method"), max_length=20, blank=True)

    scope: ClassVar[ScopeRule] = ScopeRule(store="plan__store", owner="consultant")

    class Meta:
        ordering = ["plan", "measure", "period_start", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="target_value_ge_0"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="target_period_order"
            ),
        ]
        indexes = [models.Index(fields=["consultant", "period_start"])]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        scope = self.label or self.scope_type
        return f"{self.get_measure_display()} {scope} {self.period_start}–{self.period_end}"

    @property
    def is_integer(self) -> bool:
        return self.measure in INTEGER_MEASURES


class PlanRevision(models.Model):
    """Every change to a plan: a status step or a target value (who, when, from, to)."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status")
        VALUE = "value", _("Target value")
        BREAKDOWN = "breakdown", _("Breakdown")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="revisions")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    target = models.ForeignKey(Target, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    subject = models.CharField(_("what"), max_length=200)
    from_value = models.CharField(_("from"), max_length=40, blank=True)
    to_value = models.CharField(_("to"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)

    scope: ClassVar[ScopeRule] = ScopeRule(store="plan__store")

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("plan revision")
        verbose_name_plural = _("plan revisions")

    def __str__(self) -> str:
        return f"{self.subject}: {self.from_value} → {self.to_value}"


class WeightSet(models.Model):
    """A named, reusable distribution, e.g. a seasonal monthly split in % (keys "1"…"12")."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    into = models.CharField(_("for"), max_length=20, choices=Into.choices, default=Into.MONTH)
    weights = models.JSONField(_("weights"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    scope: ClassVar[ScopeRule] = ScopeRule(store=None)

    class Meta:
        ordering = ["name"]
        verbose_name = _("weight set")
        verbose_name_plural = _("weight sets")

    def __str__(self) -> str:
        return self.name


class Capability(models.Model):
    """A consultant's capability weight for `capability` breakdowns (default 1)."""

    consultant = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_capability"
    )
    weight = models.DecimalField(
        _("capability weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(0)],
    )

    scope: ClassVar[ScopeRule] = ScopeRule(store="consultant__stores", owner="consultant", many=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(weight__gte=0), name="capability_weight_ge_0")]
        verbose_name = _("capability weight")
        verbose_name_plural = _("capability weights")

    def __str__(self) -> str:
        return f"{self.consultant}: {self.weight}"


class ExpenseAllocation(models.Model):
    """Part of the plan's sales expense budget allocated to a purpose (and optionally a month)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="expense_allocations")
    purpose = models.CharField(_("purpose"), max_length=100)
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    amount = models.DecimalField(
        _("amount (CNY)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )

    scope: ClassVar[ScopeRule] = ScopeRule(store="plan__store")

    class Meta:
        ordering = ["plan", "month", "purpose"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="expense_allocation_ge_0")]
        verbose_name = _("expense allocation")
        verbose_name_plural = _("expense allocations")

    def __str__(self) -> str:
        return f"{self.purpose} {self.amount}"


class ActionPlan(models.Model):
    """A consultant's monthly or weekly action plan (行动计划): what, whom, when; the manager comments."""

    class Kind(models.TextChoices):
        MONTH = "month", _("Monthly")
        WEEK = "week", _("Weekly")

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="action_plans")
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="action_plans",
        verbose_name=_("consultant"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    what = models.TextField(_("what"))
    whom = models.TextField(_("whom"), blank=True)
    when = models.TextField(_("when"), blank=True)
    manager_comment = models.TextField(_("manager's comment"), blank=True)
    commented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    commented_at = models.DateTimeField(_("commented"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    scope: ClassVar[ScopeRule] = ScopeRule(store="store", owner="consultant")

    class Meta:
        ordering = ["-period_start", "consultant__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultant", "kind", "period_start"], name="action_plan_once_per_period"
            )
        ]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self) -> str:
        return f"{self.consultant} {self.get_kind_display()} {self.period_start}"


class Forecast(models.Model):
    """A consultant's rolling forecast (流动销售预测) of next month's units for one model."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="forecasts")
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="forecasts",
        verbose_name=_("consultant"),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the forecast month."))
    vehicle_model = models.ForeignKey(VehicleModel, on_delete=models.PROTECT, verbose_name=_("vehicle model"))
    units = models.PositiveIntegerField(_("units"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    scope: ClassVar[ScopeRule] = ScopeRule(store="store", owner="consultant")

    class Meta:
        ordering = ["-month", "consultant__name", "vehicle_model__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultant", "month", "vehicle_model"], name="forecast_once_per_model_month"
            )
        ]
        verbose_name = _("forecast")
        verbose_name_plural = _("forecasts")

    def __str__(self) -> str:
        return f"{self.consultant} {self.month:%Y-%m} {self.vehicle_model}: {self.units}"


# ISO weekday (Monday = 1) → weight of a day in a `day` breakdown. Showrooms are busiest at
# the weekend, so Saturday and Sunday carry half again as much as a weekday; a weight of 0
# marks a weekday the store is closed (no daily target on it).
DEFAULT_WEEKDAY_WEIGHTS: dict[str, float] = {"1": 1, "2": 1, "3": 1, "4": 1, "5": 1, "6": 1.5, "7": 1.5}
WEEKDAYS = ["1", "2", "3", "4", "5", "6", "7"]


class WorkCalendar(models.Model):
    """A store's working week for daily targets: a weight per weekday (0: closed).

    A store without a row uses DEFAULT_WEEKDAY_WEIGHTS. Closed dates (春节 days off, a
    stock-taking day) are `ClosedDay` rows; the holiday greeting calendar of after-sales
    is another matter: a store is usually open, and busy, on 国庆.
    """

    store = models.OneToOneField(
        Store, on_delete=models.CASCADE, related_name="work_calendar", verbose_name=_("store")
    )
    weekday_weights = models.JSONField(_("weekday weights"), default=dict)

    scope: ClassVar[ScopeRule] = ScopeRule(store="store")

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")

    def __str__(self) -> str:
        return str(self.store)

    def weights(self) -> dict[str, float]:
        return {d: float(self.weekday_weights.get(d, DEFAULT_WEEKDAY_WEIGHTS[d])) for d in WEEKDAYS}


class ClosedDay(models.Model):
    """A date the store is closed: no daily target falls on it."""

    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="closed_days", verbose_name=_("store")
    )
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=60, blank=True)

    scope: ClassVar[ScopeRule] = ScopeRule(store="store")

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["store", "date"], name="closed_day_once_per_store")]
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")

    def __str__(self) -> str:
        return f"{self.store} {self.date}"
