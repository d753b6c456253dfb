import json
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.org.models import Store
from apps.org.scoping import ScopeRule


class Heartbeat(models.Model):
    """The last time a Celery worker ran the beat-scheduled heartbeat task.

    A recent row proves that beat schedules jobs and a worker runs them.
    """

    name = models.CharField(_("name"), max_length=50, unique=True)
    beat_at = models.DateTimeField(_("last beat"))
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    count = models.PositiveBigIntegerField(_("beats"), default=0)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"


class _Decimals(json.JSONEncoder):
    """Decimals as JSON numbers, so that the decoder below reads them back exactly."""

    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            return float(o)  # money ≤ 15 significant digits round-trips through repr
        return super().default(o)


class _ToDecimals(json.JSONDecoder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, parse_float=Decimal, **kwargs)


class StoreMonth(models.Model):
    """The manager's own text of a store's monthly summary (4S店月度总结), and once the
    month is closed the frozen figures, so that what was reported stays what it was."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="store_months")
    month = models.DateField(_("month (first day)"))
    problems = models.TextField(_("problems"), blank=True)
    measures = models.TextField(_("improvement measures"), blank=True)
    next_month = models.TextField(_("next month's key points"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    snapshot = models.JSONField(
        _("frozen figures"), null=True, blank=True, encoder=_Decimals, decoder=_ToDecimals
    )

    scope: ClassVar[ScopeRule] = ScopeRule(store="store")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "month"], name="store_month_unique")]
        verbose_name = _("store month")
        verbose_name_plural = _("store months")

    def __str__(self) -> str:
        return f"{self.store} {self.month:%Y-%m}"
