"""Internal training (培训): sessions a store runs for its staff, who attended, how they
scored. Read by the scorecards (a consultant's training hours) and the store month.

The app sits just above org (it reads only stores and users), so every app below it
(scoring, dashboard) may read it and it never reads them.
"""

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.org.models import Store
from apps.org.scoping import ScopeRule

MAX_HOURS = Decimal(24)
MAX_SCORE = Decimal(100)


class Topic(models.TextChoices):
    SALES_SKILLS = "sales_skills", _("Sales skills")
    PRODUCT_KNOWLEDGE = "product_knowledge", _("Product knowledge")
    SERVICE_PROCESS = "service_process", _("Service process")
    ETIQUETTE = "etiquette", _("Etiquette and reception")
    FINANCE_INSURANCE = "finance_insurance", _("Finance and insurance")
    COMPLIANCE = "compliance", _("Rules and compliance")
    OTHER = "other", _("Other")


class TrainingSession(models.Model):
    """One session: topic, trainer (a colleague or an outside name), date and hours."""

    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="training_sessions", verbose_name=_("store")
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    title = models.CharField(_("title"), max_length=120)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trainings_given",
        verbose_name=_("trainer"),
    )
    trainer_name = models.CharField(
        _("outside trainer"), max_length=100, blank=True, help_text=_("When the trainer is not on the staff.")
    )
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(MAX_HOURS)],
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # A consultant sees the sessions he attended (list with pk__in: no duplicate rows).
    scope: ClassVar[ScopeRule] = ScopeRule(store="store", owner="attendances__attendee")

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="training_hours_0_24"),
        ]
        indexes = [models.Index(fields=["store", "date"])]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")

    def __str__(self) -> str:
        return f"{self.date} {self.title}"

    @property
    def trainer_label(self) -> str:
        if self.trainer_id is not None and self.trainer is not None:
            return self.trainer.name or self.trainer.username
        return self.trainer_name


class Attendance(models.Model):
    """A staff member at a session, with his assessment score (0–100; empty: not assessed)."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("session")
    )
    attendee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="training_attendances",
        verbose_name=_("attendee"),
    )
    score = models.DecimalField(
        _("assessment score"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_SCORE)],
    )

    scope: ClassVar[ScopeRule] = ScopeRule(store="session__store", owner="attendee")

    class Meta:
        ordering = ["session", "attendee__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "attendee"], name="attendance_once_per_session"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)),
                name="attendance_score_0_100",
            ),
        ]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")

    def __str__(self) -> str:
        return f"{self.session} · {self.attendee}"
