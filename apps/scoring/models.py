"""Scorecard templates, qualitative ratings and closed-period snapshots (SPEC §5).

The figures themselves are never stored while a period is open: they are computed
from orders, payments, customers, visits and daily reports by selectors.py. Closing
a period freezes them in `PeriodClose.snapshot`, because pay and bonus are decided
on what the manager saw when he closed it.
"""

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.org.models import Store
from apps.org.scoping import ScopeRule

from .measures import DEFAULT_WEIGHTS


def default_weights() -> dict[str, int]:
    return dict(DEFAULT_WEIGHTS)


class ScorecardTemplate(models.Model):
    """Which measures count in a store's total score and how much.

    `weights` maps a measure name to a whole-number weight (0 or absent: not counted);
    `standards` maps a measure name to the value that scores 100 when the consultant
    has no plan target for it. `cap` is the most a measure may score (120 = 120 %).
    """

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="scorecard_template")
    weights = models.JSONField(_("weights"), default=default_weights)
    standards = models.JSONField(_("standards"), default=dict, blank=True)
    cap = models.PositiveSmallIntegerField(
        _("cap (%)"), default=120, validators=[MinValueValidator(100), MaxValueValidator(200)]
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    scope: ClassVar[ScopeRule] = ScopeRule(store="store")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(cap__gte=100) & Q(cap__lte=200), name="template_cap_100_200")
        ]
        verbose_name = _("scorecard template")
        verbose_name_plural = _("scorecard templates")

    def __str__(self) -> str:
        return str(self.store)


def _score_field(label: Any) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, validators=[MinValueValidator(1), MaxValueValidator(5)])


class Rating(models.Model):
    """The manager's qualitative rating (定性考核) of a consultant for one period, 1–5 each."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="ratings")
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="ratings",
        verbose_name=_("consultant"),
    )
    period = models.CharField(_("period"), max_length=7)
    cooperation = _score_field(_("cooperation"))
    enthusiasm = _score_field(_("enthusiasm"))
    loyalty = _score_field(_("loyalty and responsibility"))
    compliance = _score_field(_("compliance with management"))
    planning = _score_field(_("market planning"))
    progress = _score_field(_("progress"))
    comment = models.TextField(_("comment"), blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(_("rated"), auto_now_add=True)

    scope: ClassVar[ScopeRule] = ScopeRule(store="store", owner="consultant")

    class Meta:
        ordering = ["-period", "consultant"]
        constraints = [
            models.UniqueConstraint(fields=["consultant", "period"], name="rating_once_per_period"),
            models.CheckConstraint(
                condition=Q(cooperation__range=(1, 5))
                & Q(enthusiasm__range=(1, 5))
                & Q(loyalty__range=(1, 5))
                & Q(compliance__range=(1, 5))
                & Q(planning__range=(1, 5))
                & Q(progress__range=(1, 5)),
                name="rating_scores_1_5",
            ),
        ]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self) -> str:
        return f"{self.consultant} {self.period}"

    @property
    def average(self) -> Decimal:
        total = (
            self.cooperation
            + self.enthusiasm
            + self.loyalty
            + self.compliance
            + self.planning
            + self.progress
        )
        return (Decimal(total) / 6).quantize(Decimal("0.01"))


class PeriodClose(models.Model):
    """A closed period of one store: the frozen scorecard of every consultant.

    `snapshot` = {"consultants": {"<id>": {"name", "team", measure…, "score", "scores",
    "rank_team", "rank_store", "rating"}}, "template": {…}}. Money is kept as strings.
    """

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="period_closes")
    period = models.CharField(_("period"), max_length=7)
    snapshot = models.JSONField(_("snapshot"))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("closed"), auto_now_add=True)

    scope: ClassVar[ScopeRule] = ScopeRule(store="store")

    class Meta:
        ordering = ["-period"]
        constraints = [models.UniqueConstraint(fields=["store", "period"], name="period_closed_once")]
        verbose_name = _("closed period")
        verbose_name_plural = _("closed periods")

    def __str__(self) -> str:
        return f"{self.store} {self.period}"


class _NoRows(models.Manager["Scorecard"]):
    def get_queryset(self) -> models.QuerySet["Scorecard"]:
        return super().get_queryset().none()  # there is no table: never query it


class Scorecard(models.Model):
    """No table: names the computed `scorecards/` API resource for the router and the
    schema (its figures come from selectors.scorecards, keyed by the consultant's id)."""

    objects = _NoRows()

    scope: ClassVar[ScopeRule] = ScopeRule(store=None)

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")

    def __str__(self) -> str:
        return f"scorecard {self.pk}"
