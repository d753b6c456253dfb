"""Escalation ladders (SPEC §6): what is left undone climbs to someone who must act.

Three ladders, each a store setting with the stores' usual defaults:
- lead: a prospect without follow-up 3 days → his consultant, 5 → the manager,
  7 → marked high risk and offered to the manager for reassignment;
- receivable: 7 and 3 days before due → the responsible consultant, overdue → him
  (and daily on his day list), 15 days overdue → the manager and finance;
- complaint: not acknowledged in 1 hour → its owner, not answered in 3 hours → the
  department head, not resolved in 72 hours → the manager.

A Step is one rung climbed by one record: unique per (ladder, record, level, basis),
so the job can run twice, concurrently or after a crash and every rung exists once.
`basis` is the moment the ladder counts from (a lead's last contact, a receivable's
due date, a complaint's opening): a lead followed up and neglected again climbs anew.
`notified_at` is set once the rung's notifications exist, so a crash between the two
writes is finished by the next run instead of skipped.
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.aftersales.models import Department
from apps.org.models import Store
from apps.org.scoping import ScopeRule


class EscalationSettings(models.Model):
    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="escalation_settings")
    enabled = models.BooleanField(_("run the escalation ladders"), default=True)
    lead_consultant_days = models.PositiveSmallIntegerField(
        _("lead without follow-up: tell the consultant after (days)"), default=3
    )
    lead_manager_days = models.PositiveSmallIntegerField(_("… tell the manager after (days)"), default=5)
    lead_high_risk_days = models.PositiveSmallIntegerField(
        _("… high risk, offer for reassignment after (days)"), default=7
    )
    receivable_first_days = models.PositiveSmallIntegerField(
        _("receivable: first reminder (days before due)"), default=7
    )
    receivable_second_days = models.PositiveSmallIntegerField(
        _("… second reminder (days before due)"), default=3
    )
    receivable_manager_days = models.PositiveSmallIntegerField(
        _("… tell the manager and finance (days overdue)"), default=15
    )
    complaint_ack_hours = models.PositiveSmallIntegerField(
        _("complaint: acknowledged within (hours)"), default=1
    )
    complaint_answer_hours = models.PositiveSmallIntegerField(_("… answered within (hours)"), default=3)
    complaint_resolve_hours = models.PositiveSmallIntegerField(_("… resolved within (hours)"), default=72)
    callback_release_minutes = models.PositiveSmallIntegerField(
        _("a claimed callback untouched for (minutes) goes back to the queue"), default=30
    )

    scope: ClassVar[ScopeRule] = ScopeRule(store="store")

    class Meta:
        verbose_name = _("escalation settings")
        verbose_name_plural = _("escalation settings")

    def __str__(self) -> str:
        return str(self.store)


class DepartmentHead(models.Model):
    """Who answers for a department's complaints (the second rung); the manager if nobody."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="department_heads")
    department = models.CharField(_("department"), max_length=20, choices=Department.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("head")
    )

    scope: ClassVar[ScopeRule] = ScopeRule(store="store")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "department"], name="department_head_once")]
        verbose_name = _("department head")
        verbose_name_plural = _("department heads")

    def __str__(self) -> str:
        return f"{self.store} · {self.get_department_display()}"


class Ladder(models.TextChoices):
    LEAD = "lead", _("Lead without follow-up")
    RECEIVABLE = "receivable", _("Receivable")
    COMPLAINT = "complaint", _("Complaint")


class Step(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="escalation_steps")
    ladder = models.CharField(_("ladder"), max_length=12, choices=Ladder.choices)
    object_id = models.BigIntegerField(_("record"))
    level = models.PositiveSmallIntegerField(_("level"))
    basis = models.DateTimeField(_("counted from"))
    fired_at = models.DateTimeField(_("fired"), default=timezone.now)
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)

    scope: ClassVar[ScopeRule] = ScopeRule(store="store")

    class Meta:
        ordering = ["fired_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ladder", "object_id", "level", "basis"], name="escalation_step_once"
            ),
        ]
        indexes = [
            models.Index(fields=["ladder", "object_id"]),
            models.Index(fields=["store", "ladder", "fired_at"]),
            models.Index(
                fields=["notified_at"],
                condition=models.Q(notified_at__isnull=True),
                name="escalation_step_unnotified",
            ),
        ]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")

    def __str__(self) -> str:
        return f"{self.ladder}:{self.object_id}:{self.level}"
