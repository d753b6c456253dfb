"""After-sales follow-up (SPEC §6): vehicles in service, their mileage and predicted
maintenance, the stores' follow-up rules, the callback queue, complaints and SMS.

The database holds the exactly-once rule: one follow-up task per (vehicle, rule, due
date), or per (customer, rule, due date) for a task about the owner rather than a car,
and one message per SMS task. The generation job inserts with ON CONFLICT DO NOTHING,
so running it twice, concurrently, or again after a crash never doubles a task.
"""

from datetime import date
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import VehicleModel
from apps.customers.models import Customer
from apps.org.models import Store
from apps.org.scoping import ScopeRule
from apps.sales.models import Order


class Vehicle(models.Model):
    """A delivered car the store follows for as long as the owner drives it.

    The prediction fields (`daily_km`, `next_service_due`, `next_service_km`) are
    stored, recomputed whenever a mileage reading or a service arrives, so that the
    daily job can select the vehicles due by a plain indexed comparison.
    """

    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="vehicles", verbose_name=_("store")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="vehicles", verbose_name=_("owner")
    )
    vehicle_model = models.ForeignKey(VehicleModel, on_delete=models.PROTECT, verbose_name=_("vehicle model"))
    order = models.OneToOneField(
        Order,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vehicle",
        verbose_name=_("order"),
    )
    vin = models.CharField(_("VIN"), max_length=17, unique=True)
    plate = models.CharField(_("plate"), max_length=12, blank=True)
    delivered_on = models.DateField(_("delivered on"))
    last_mileage = models.PositiveIntegerField(_("last mileage (km)"), default=0)
    last_mileage_on = models.DateField(_("last mileage on"), null=True, blank=True)
    last_service_on = models.DateField(_("last service on"), null=True, blank=True)
    last_service_km = models.PositiveIntegerField(_("last service mileage (km)"), null=True, blank=True)
    daily_km = models.DecimalField(_("km per day"), max_digits=7, decimal_places=1, null=True, blank=True)
    next_service_due = models.DateField(_("next service due"), null=True, blank=True)
    next_service_km = models.PositiveIntegerField(_("next service at (km)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    scope: ClassVar[ScopeRule] = ScopeRule(store="store", owner="customer__owner")

    class Meta:
        ordering = ["-delivered_on", "-pk"]
        indexes = [
            models.Index(fields=["store", "delivered_on"]),
            models.Index(fields=["store", "next_service_due"]),
            # The lapsed-customer rule reads the last visit, or the delivery if none.
            models.Index(F("store"), Coalesce("last_service_on", "delivered_on"), name="vehicle_last_seen"),
        ]
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")

    def __str__(self) -> str:
        return f"{self.plate or self.vin} · {self.vehicle_model}"


class ServiceKind(models.TextChoices):
    FIRST_SERVICE = "first_service", _("First service")
    MAINTENANCE = "maintenance", _("Maintenance")
    REPAIR = "repair", _("Repair")
    WARRANTY = "warranty", _("Warranty")


# Kinds of visit that restart the maintenance interval; a repair only gives a reading.
SERVICE_KINDS = (ServiceKind.FIRST_SERVICE, ServiceKind.MAINTENANCE)


class ServiceVisit(models.Model):
    """A visit to the workshop recorded by a service advisor."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="service_visits")
    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.PROTECT, related_name="service_visits", verbose_name=_("vehicle")
    )
    date = models.DateField(_("date"))
    mileage = models.PositiveIntegerField(_("mileage (km)"))
    kind = models.CharField(_("kind"), max_length=20, choices=ServiceKind.choices)
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_visits",
        verbose_name=_("advisor"),
    )
    amount = models.DecimalField(
        _("amount (CNY)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    scope: ClassVar[ScopeRule] = ScopeRule(store="store", owner="vehicle__customer__owner")

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="service_visit_amount_ge_0")]
        indexes = [
            models.Index(fields=["vehicle", "date"]),
            models.Index(fields=["store", "date"]),
            # The post-service callbacks read the visits of a window across the group's stores.
            models.Index(fields=["date"], name="service_visit_date"),
        ]
        verbose_name = _("service visit")
        verbose_name_plural = _("service visits")

    def __str__(self) -> str:
        return f"{self.vehicle} {self.date} {self.mileage} km"


class ReadingSource(models.TextChoices):
    DELIVERY = "delivery", _("Delivery")
    SERVICE = "service", _("Service visit")
    CALL = "call", _("Call")


class MileageReading(models.Model):
    """One odometer reading; the prediction's daily mileage comes from these."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="readings")
    date = models.DateField(_("date"))
    mileage = models.PositiveIntegerField(_("mileage (km)"))
    source = models.CharField(_("source"), max_length=10, choices=ReadingSource.choices)

    class Meta:
        ordering = ["date", "mileage", "pk"]
        indexes = [models.Index(fields=["vehicle", "date"])]
        verbose_name = _("mileage reading")
        verbose_name_plural = _("mileage readings")

    def __str__(self) -> str:
        return f"{self.vehicle_id} {self.date} {self.mileage} km"


class RuleCode(models.TextChoices):
    POST_SALE_7D = "post_sale_7d", _("Post-sale callback")
    CARE_30D = "care_30d", _("Care call")
    FIRST_SERVICE = "first_service", _("First-service reminder")
    POST_SERVICE_3D = "post_service_3d", _("Post-service callback")
    PERIODIC_SERVICE = "periodic_service", _("Periodic maintenance reminder")
    BIRTHDAY = "birthday", _("Birthday greeting")
    ANNIVERSARY = "anniversary", _("Purchase anniversary")
    LAPSED = "lapsed", _("Lapsed owner")
    COMPLAINT = "complaint", _("Complaint follow-up")
    HOLIDAY = "holiday", _("Holiday greeting")


class Channel(models.TextChoices):
    CALL = "call", _("Call")
    SMS = "sms", _("SMS")
    SMS_THEN_CALL = "sms_then_call", _("SMS, then a call if not booked")


class FollowUpRule(models.Model):
    """A store's follow-up routine; the defaults are the 4S stores' own (SPEC §6).

    `offset_days` counts from the rule's anchor: the delivery (7-day, 30-day), the
    service visit (3-day), the predicted service due date (first and periodic
    service: 0 and −3), the last visit (lapsed: 365). `call_after_days` is the wait
    between the SMS and the call of an "SMS, then call" rule.
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="followup_rules")
    rule = models.CharField(_("rule"), max_length=20, choices=RuleCode.choices)
    enabled = models.BooleanField(_("on"), default=True)
    offset_days = models.SmallIntegerField(_("offset (days)"), default=0)
    channel = models.CharField(_("channel"), max_length=15, choices=Channel.choices, default=Channel.CALL)
    call_after_days = models.PositiveSmallIntegerField(_("call after the SMS (days)"), default=3)
    priority = models.PositiveSmallIntegerField(
        _("priority (1–9)"), default=5, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    template = models.TextField(
        _("message template"),
        blank=True,
        help_text=_("Fields: {customer} {store} {model} {plate} {due_date} {next_service_km}"),
    )

    scope: ClassVar[ScopeRule] = ScopeRule(store="store")

    class Meta:
        ordering = ["store", "rule"]
        constraints = [models.UniqueConstraint(fields=["store", "rule"], name="followup_rule_once_per_store")]
        verbose_name = _("follow-up rule")
        verbose_name_plural = _("follow-up rules")

    def __str__(self) -> str:
        return f"{self.store} · {self.get_rule_display()}"


class Holiday(models.Model):
    """A day of the store's holiday calendar (春节, 中秋 …): owners get the greeting SMS on it.
    Lunar holidays move every year, so each year's dates are rows (pre-filled, editable)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("holiday"), max_length=30)

    scope: ClassVar[ScopeRule] = ScopeRule(store="store")

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["store", "date"], name="holiday_once_a_day")]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLAIMED = "claimed", _("Claimed")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Outcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    REFUSED = "refused", _("Refused")


MAX_ATTEMPTS = 3


class FollowUp(models.Model):
    """One task of the callback queue (a call) or one SMS to send."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="followups")
    vehicle = models.ForeignKey(
        Vehicle,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("vehicle"),
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="followups", verbose_name=_("customer")
    )
    rule = models.CharField(_("rule"), max_length=20, choices=RuleCode.choices)
    due_date = models.DateField(_("due date"))
    basis = models.DateField(_("computed from"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=15, choices=Channel.choices, default=Channel.CALL)
    priority = models.PositiveSmallIntegerField(_("priority"), default=5)
    status = models.CharField(
        _("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    next_attempt_on = models.DateField(_("next attempt on"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("agent"),
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome.choices, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    mileage = models.PositiveIntegerField(_("mileage (km)"), null=True, blank=True)
    booking_made = models.BooleanField(_("service booked"), default=False)
    note = models.TextField(_("note"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    about_complaint = models.ForeignKey(
        "Complaint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("complaint followed up"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    scope: ClassVar[ScopeRule] = ScopeRule(store="store")

    class Meta:
        ordering = ["due_date", "-priority", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle", "rule", "due_date"],
                condition=Q(vehicle__isnull=False),
                name="followup_once_per_vehicle_rule_day",
            ),
            models.UniqueConstraint(
                fields=["customer", "rule", "due_date"],
                condition=Q(vehicle__isnull=True),
                name="followup_once_per_customer_rule_day",
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="followup_satisfaction_1_5",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "status", "due_date"]),
            models.Index(fields=["assignee", "status"]),
            # The daily job's "already made?": a rule's tasks due in its window, per store
            # (apps/aftersales/generation.py). A vehicle's tasks of a rule are found by
            # the unique key (vehicle, rule, due date).
            models.Index(fields=["store", "rule", "due_date"], name="followup_rule_day"),
            # The callback queue: open calls by the day they are to be made. Partial, so
            # it holds only what is still to do, not the years of finished tasks.
            models.Index(
                F("store"),
                Coalesce("next_attempt_on", "due_date"),
                name="followup_open_calls",
                condition=Q(status="open", channel="call"),
            ),
            # The API list's order (due date first) over every status: a cursor page is a
            # range read, not a sort of the store's years of tasks.
            models.Index(fields=["store", "due_date"], name="followup_store_day"),
            # The SMS tasks by day: the SMS to send and the calls that follow them.
            models.Index(
                fields=["store", "due_date"], name="followup_sms_by_day", condition=Q(channel="sms")
            ),
        ]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.get_rule_display()} · {self.customer_id} @ {self.due_date}"

    @property
    def call_on(self) -> date:
        """The one date a task is worked on, shown alike in the queue, on its page and in
        the API: the next attempt after "no answer", else the due date (store's dates)."""
        return self.next_attempt_on or self.due_date


class Category(models.TextChoices):
    VEHICLE_QUALITY = "vehicle_quality", _("Vehicle quality")
    SERVICE_ATTITUDE = "service_attitude", _("Service attitude")
    WAITING_TIME = "waiting_time", _("Waiting time")
    PRICE = "price", _("Price")
    PARTS = "parts", _("Parts")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class Department(models.TextChoices):
    SALES = "sales", _("Sales")
    SERVICE = "service", _("Service workshop")
    PARTS = "parts", _("Parts")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    FINANCE = "finance", _("Finance")


class ConfirmationChannel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    SMS = "sms", _("SMS reply")
    WECHAT = "wechat", _("WeChat")
    IN_PERSON = "in_person", _("In person")
    SIGNED = "signed", _("Signed form")


class Complaint(models.Model):
    """A complaint (投诉): open → in progress → resolved → closed when the customer confirms."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="complaints")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("customer")
    )
    vehicle = models.ForeignKey(
        Vehicle,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("vehicle"),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    department = models.CharField(
        _("department"), max_length=20, choices=Department.choices, default=Department.SERVICE
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("owner"),
    )
    status = models.CharField(
        _("status"), max_length=15, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN
    )
    description = models.TextField(_("description"))
    resolution = models.TextField(_("resolution"), blank=True)
    raised_on = models.ForeignKey(
        FollowUp,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("raised on call"),
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    in_progress_at = models.DateTimeField(_("in progress since"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The customer's confirmation that closes it (SPEC §6): who on his side, when, how,
    # and who of ours recorded it — a complaint is never closed on our word alone.
    confirmed_by = models.CharField(_("confirmed by"), max_length=100, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_via = models.CharField(
        _("confirmed how"), max_length=15, choices=ConfirmationChannel.choices, blank=True
    )
    confirmation_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmation recorded by"),
    )

    scope: ClassVar[ScopeRule] = ScopeRule(store="store")

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["resolved", "closed"]) | Q(resolved_at__isnull=False),
                name="complaint_resolved_has_time",
            ),
        ]
        indexes = [models.Index(fields=["store", "status"])]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()}"


class ComplaintRoute(models.Model):
    """A store's routing of new complaints by category (store setting): who owns them and
    which department answers, unless the person raising one chooses otherwise."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="complaint_routes")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    department = models.CharField(_("department"), max_length=20, choices=Department.choices, blank=True)

    scope: ClassVar[ScopeRule] = ScopeRule(store="store")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "category"], name="complaint_route_once")]
        verbose_name = _("complaint routing")
        verbose_name_plural = _("complaint routing")

    def __str__(self) -> str:
        return f"{self.store} {self.category}"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (opted out)")


class Message(models.Model):
    """An SMS and its log: queued by the generation job, sent by `messages_send`."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="messages")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="messages")
    followup = models.OneToOneField(
        FollowUp, on_delete=models.CASCADE, null=True, blank=True, related_name="message"
    )
    send_on = models.DateField(_("send on"))
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    body = models.TextField(_("text"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    backend = models.CharField(_("backend"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    scope: ClassVar[ScopeRule] = ScopeRule(store="store")

    class Meta:
        ordering = ["-send_on", "-pk"]
        indexes = [models.Index(fields=["status", "send_on"])]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.mobile} {self.status}"
