"""Rep activity: the process, not only the result (SPEC §2)."""

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from apps.customers.models import Customer, Opportunity
from apps.org.models import Store
from apps.org.scoping import ScopeRule
from apps.sales.models import Order


class Channel(models.TextChoices):
    SHOWROOM = "showroom", _("Showroom")
    PHONE = "phone", _("Phone")
    OUTSIDE = "outside", _("Outside visit")
    TEST_DRIVE = "test_drive", _("Test drive")
    EVENT = "event", _("Event")
    WECHAT = "wechat", _("WeChat")


class Visit(models.Model):
    """A visit (拜访记录), logged when it happens. `entered_at` is when it was typed in;
    `late` is set at entry when that was more than the store's allowance after it happened."""

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
        Opportunity, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits"
    )
    order = models.ForeignKey(Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits")
    entered_at = models.DateTimeField(_("entered"), auto_now_add=True)
    late = models.BooleanField(_("entered late"), default=False)

    scope: ClassVar[ScopeRule] = ScopeRule(store="store", owner="consultant")

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ended_at__gte=F("started_at")), name="visit_ends_after_start"),
            models.CheckConstraint(condition=Q(expense__gte=0), name="visit_expense_ge_0"),
        ]
        indexes = [
            models.Index(fields=["consultant", "started_at"]),
            models.Index(fields=["store", "started_at"]),
        ]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self) -> str:
        return f"{self.consultant} → {self.customer} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return int((self.ended_at - self.started_at).total_seconds() // 60)
