"""Rep activity: the process, not only the result (SPEC §2).

Visits, daily reports, weekly route plans, monthly summaries, market reports and
escalations. Every record keeps when it was entered; visits and reports keep an
audit trail of their edits (django-simple-history), so the records stay honest.
"""

from datetime import time
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.customers.models import Customer, Opportunity
from apps.org.models import Store
from apps.org.scoping import ScopeRule
from apps.sales.models import Order


class ActivitySettings(models.Model):
    """A store's rules for rep activity (the org's Store belongs to another app)."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="activity_settings")
    late_entry_days = models.PositiveSmallIntegerField(
        _("a visit is late when entered more than (days) after it happened"), default=2
    )
    report_cutoff = models.TimeField(_("daily report cut-off"), default=time(21, 0))
    lock_days = models.PositiveSmallIntegerField(_("consultants may change a visit for (days)"), default=7)

    scope: ClassVar[ScopeRule] = ScopeRule(store="store")

    class Meta:
        verbose_name = _("activity settings")
        verbose_name_plural = _("activity settings")

    def __str__(self) -> str:
        return str(self.store)


class Channel(models.TextChoices):
    SHOWROOM = "showroom", _("Showroom")
    PHONE = "phone", _("Phone")
    OUTSIDE = "outside", _("Outside visit")
    TEST_DRIVE = "test_drive", _("Test drive")
    EVENT = "event", _("Event")
    WECHAT = "wechat", _("WeChat")


class Visit(models.Model):
    """A visit (拜访记录), logged when it happens. `entered_at` is when it was typed in;
    `late` is set at entry when that was more than the store's allowance after it happened.
    `minutes` is kept with the row (derived from start and end on save) so that sums of
    minutes are plain SQL on every database."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="visits")
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("consultant"),
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="visits", verbose_name=_("customer")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    started_at = models.DateTimeField(_("start"))
    ended_at = models.DateTimeField(_("end"))
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    result = models.TextField(_("result"), blank=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_follow_up = models.DateField(_("next follow-up"), null=True, blank=True)
    expense = models.DecimalField(_("expense (CNY)"), max_digits=10, decimal_places=2, default=Decimal(0))
    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("opportunity"),
    )
    stage_after = models.CharField(_("stage after the visit"), max_length=20, blank=True)
    order = models.ForeignKey(
        Order,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("order"),
    )
    minutes = models.PositiveIntegerField(_("minutes"), default=0, editable=False)
    entered_at = models.DateTimeField(_("entered"), default=timezone.now, editable=False)
    late = models.BooleanField(_("entered late"), default=False)

    history = HistoricalRecords()

    scope: ClassVar[ScopeRule] = ScopeRule(store="store", owner="consultant")

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ended_at__gte=F("started_at")), name="visit_ends_after_start"),
            models.CheckConstraint(condition=Q(expense__gte=0), name="visit_expense_ge_0"),
        ]
        indexes = [
            # A consultant's visits by time, with what the scorecards sum: their monthly
            # figures are read from the index alone (no visit rows fetched).
            models.Index(
                fields=["consultant", "started_at"],
                include=["minutes", "expense", "late"],
                name="visit_consultant_started",
            ),
            models.Index(fields=["store", "started_at"]),
        ]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self) -> str:
        return f"{self.consultant} → {self.customer} {self.started_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A cached derivation, not a business rule: keeps `minutes` true to the times
        # even for rows written directly with the ORM (tests, other apps' factories).
        if self.started_at and self.ended_at:
            self.minutes = max(0, int((self.ended_at - self.started_at).total_seconds() // 60))
        super().save(*args, **kwargs)


class DailyReport(models.Model):
    """A consultant's daily sales report (每日销售报告). The day's figures are read from
    visits, orders and payments (selectors); the consultant writes the rest and submits
    it; `on_time` is fixed at submission against the store's cut-off."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="daily_reports")
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="daily_reports",
        verbose_name=_("consultant"),
    )
    date = models.DateField(_("date"))
    problems = models.TextField(_("problems"), blank=True)
    help_needed = models.TextField(_("help needed"), blank=True)
    market_notes = models.TextField(_("market notes"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), default=False)
    manager_comment = models.TextField(_("manager's comment"), blank=True)
    commented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commented by"),
    )
    commented_at = models.DateTimeField(_("commented"), null=True, blank=True)
    comment_read_at = models.DateTimeField(_("comment read"), null=True, blank=True)

    history = HistoricalRecords()

    scope: ClassVar[ScopeRule] = ScopeRule(store="store", owner="consultant")

    class Meta:
        ordering = ["-date", "consultant"]
        constraints = [
            models.UniqueConstraint(fields=["consultant", "date"], name="daily_report_once_a_day"),
        ]
        indexes = [models.Index(fields=["store", "date"])]
        verbose_name = _("daily report")
        verbose_name_plural = _("daily reports")

    def __str__(self) -> str:
        return f"{self.consultant} {self.date}"

    @property
    def comment_unread(self) -> bool:
        return bool(self.commented_at) and (
            self.comment_read_at is None or self.comment_read_at < self.commented_at  # type: ignore[operator]
        )


class ReportComment(models.Model):
    """One message of the thread on a daily report: the manager's feedback and the
    consultant's replies, each kept with who wrote it and when. The report keeps the
    latest manager comment as well (`manager_comment`), as the API has always shown."""

    report = models.ForeignKey(DailyReport, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["report", "created_at"])]
        verbose_name = _("report comment")
        verbose_name_plural = _("report comments")

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


class RoutePlan(models.Model):
    """A consultant's weekly route plan (周定点拜访路线); `week_start` is a Monday."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="route_plans")
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="route_plans",
        verbose_name=_("consultant"),
    )
    week_start = models.DateField(_("week of"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    scope: ClassVar[ScopeRule] = ScopeRule(store="store", owner="consultant")

    class Meta:
        ordering = ["-week_start", "consultant"]
        constraints = [
            models.UniqueConstraint(fields=["consultant", "week_start"], name="route_plan_once_a_week"),
        ]
        verbose_name = _("route plan")
        verbose_name_plural = _("route plans")

    def __str__(self) -> str:
        return f"{self.consultant} {self.week_start}"


class PlannedVisit(models.Model):
    """One stop of a route plan. It is done when the consultant logged a visit to that
    customer on that day (computed, so a late-entered visit still counts)."""

    plan = models.ForeignKey(RoutePlan, on_delete=models.CASCADE, related_name="stops")
    date = models.DateField(_("date"))
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="planned_visits", verbose_name=_("customer")
    )
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)

    scope: ClassVar[ScopeRule] = ScopeRule(store="plan__store", owner="plan__consultant")

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "date", "customer"], name="planned_visit_once_a_day"),
        ]
        verbose_name = _("planned visit")
        verbose_name_plural = _("planned visits")

    def __str__(self) -> str:
        return f"{self.date} {self.customer}"


class MonthlySummary(models.Model):
    """Monthly work summary and next month's key points (月工作总结和下月工作要点).
    `month` is the first day of the month."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="monthly_summaries")
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="monthly_summaries",
        verbose_name=_("consultant"),
    )
    month = models.DateField(_("month"))
    summary = models.TextField(_("work summary"))
    key_points = models.TextField(_("next month's key points"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    manager_comment = models.TextField(_("manager's comment"), blank=True)

    scope: ClassVar[ScopeRule] = ScopeRule(store="store", owner="consultant")

    class Meta:
        ordering = ["-month", "consultant"]
        constraints = [
            models.UniqueConstraint(fields=["consultant", "month"], name="monthly_summary_once_a_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="monthly_summary_first_of_month"),
        ]
        verbose_name = _("monthly summary")
        verbose_name_plural = _("monthly summaries")

    def __str__(self) -> str:
        return f"{self.consultant} {self.month:%Y-%m}"


class MarketReport(models.Model):
    """Market information (市场信息 / 竞品分析): what a competitor sells and for how much.
    `tags` is stored as ",tag,tag," so that a tag filter is one portable LIKE."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="market_reports")
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="market_reports",
        verbose_name=_("consultant"),
    )
    date = models.DateField(_("date"))
    competitor_brand = models.CharField(_("competitor brand"), max_length=50)
    competitor_model = models.CharField(_("competitor model"), max_length=100)
    retail_price = models.DecimalField(
        _("retail price (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    transaction_price = models.DecimalField(
        _("transaction price (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    discount = models.DecimalField(
        _("discount (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    quality_feedback = models.TextField(_("quality feedback"), blank=True)
    trend = models.TextField(_("trend"), blank=True)
    customer_needs = models.TextField(_("customer needs"), blank=True)
    dealer_requirements = models.TextField(_("dealer requirements"), blank=True)
    tags = models.CharField(_("tags"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("entered"), default=timezone.now, editable=False)

    scope: ClassVar[ScopeRule] = ScopeRule(store="store", owner="consultant")

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(retail_price__gte=0) | Q(retail_price__isnull=True))
                & (Q(transaction_price__gte=0) | Q(transaction_price__isnull=True))
                & (Q(discount__gte=0) | Q(discount__isnull=True)),
                name="market_report_money_ge_0",
            ),
        ]
        indexes = [models.Index(fields=["store", "competitor_brand", "competitor_model", "date"])]
        verbose_name = _("market report")
        verbose_name_plural = _("market reports")

    def __str__(self) -> str:
        return f"{self.competitor_brand} {self.competitor_model} {self.date}"

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]


class Escalation(models.Model):
    """A problem reported upward (from a daily report's "help needed"): who must answer,
    and how long the answer took."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="escalations")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="escalations_raised",
        verbose_name=_("raised by"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations_assigned",
        verbose_name=_("assigned to"),
    )
    report = models.OneToOneField(
        DailyReport, on_delete=models.CASCADE, null=True, blank=True, related_name="escalation"
    )
    question = models.TextField(_("problem"))
    answer = models.TextField(_("answer"), blank=True)
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    scope: ClassVar[ScopeRule] = ScopeRule(store="store", owner="raised_by")

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(answered_at__gte=F("raised_at")),
                name="escalation_answered_after_raised",
            ),
        ]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")

    def __str__(self) -> str:
        return self.question[:50]

    @property
    def hours_to_answer(self) -> float | None:
        if self.answered_at is None:
            return None
        return round((self.answered_at - self.raised_at).total_seconds() / 3600, 1)
