"""Appointments (预约 / 邀约) and the appointment specialist's confirmation round (约访专员).

The seed text's complaint: a customer who agreed to a visit changes plans, breaks it
or is not at home, and the consultant's trip is wasted. So an appointment is confirmed
by phone the day before (scheduled → confirmed / rescheduled / cancelled), a confirmed
one enters the consultant's route plan, and the day decides it: a visit logged for the
customer that day makes it attended, the rest become no-shows at day end.

`day` is the local (Asia/Shanghai) date of `starts_at`, kept with the row so that the
call list and the day-end job are indexed comparisons.
"""

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.activities.models import PlannedVisit, Visit
from apps.customers.models import Customer
from apps.org.models import Store
from apps.org.scoping import ScopeRule


class Kind(models.TextChoices):
    SHOWROOM = "showroom", _("Showroom visit")
    TEST_DRIVE = "test_drive", _("Test drive")
    OUTSIDE = "outside", _("Outside visit")
    DELIVERY = "delivery", _("Delivery")
    SERVICE = "service", _("Service")


class Status(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CONFIRMED = "confirmed", _("Confirmed")
    RESCHEDULED = "rescheduled", _("Rescheduled")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("No-show")


# Still waiting for its day: the call list shows these, the day-end job decides them.
OPEN = (Status.SCHEDULED, Status.CONFIRMED, Status.RESCHEDULED)


class Appointment(models.Model):
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="appointments")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("customer")
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("consultant"),
    )
    starts_at = models.DateTimeField(_("when"))
    day = models.DateField(_("day"), editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SHOWROOM)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.SCHEDULED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    created_at = models.DateTimeField(_("made"), default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    call_note = models.CharField(_("call note"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=200, blank=True)
    reschedules = models.PositiveSmallIntegerField(_("times rescheduled"), default=0)
    visit = models.ForeignKey(
        Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("visit")
    )
    planned_visit = models.ForeignKey(
        PlannedVisit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    scope: ClassVar[ScopeRule] = ScopeRule(store="store", owner="consultant")

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="appointment_status_known"),
            models.CheckConstraint(
                condition=~Q(status=Status.CANCELLED) | Q(cancelled_at__isnull=False),
                name="appointment_cancelled_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "day", "status"]),
            models.Index(fields=["consultant", "day"]),
            models.Index(fields=["customer", "day"]),
        ]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")

    def __str__(self) -> str:
        return f"{self.customer} {self.starts_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A cached derivation (like Visit.minutes): the local date of the start.
        if self.starts_at:
            self.day = timezone.localdate(self.starts_at)
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN
