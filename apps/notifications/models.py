"""The notification centre (SPEC §6): every alert a user must see, once.

A notification is personal: only its recipient reads it, so it is not scoped by store
but by its `user` (selectors filter on the signed-in user). `key` names the event that
caused it (e.g. "lead:42:2026-11-28:5"); the unique (user, key) is the exactly-once
rule: every writer inserts with ON CONFLICT DO NOTHING, so a job run twice or re-run
after a crash never notifies twice.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.org.models import Store

from .kinds import title_of


class SmsStatus(models.TextChoices):
    NONE = "", _("No SMS")
    PENDING = "pending", _("To send")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("store")
    )
    kind = models.CharField(_("kind"), max_length=40)
    key = models.CharField(_("key"), max_length=150)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    sms_status = models.CharField(
        _("SMS"), max_length=10, choices=SmsStatus.choices, default=SmsStatus.NONE, blank=True
    )
    sms_claimed_at = models.DateTimeField(null=True, blank=True)
    sms_sent_at = models.DateTimeField(_("SMS sent"), null=True, blank=True)
    sms_error = models.CharField(_("SMS error"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_user_key")]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["user", "-created_at"]),
            models.Index(
                fields=["sms_status"], condition=~models.Q(sms_status=""), name="notification_sms_due"
            ),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.key}"

    @property
    def title(self) -> str:
        return title_of(self.kind, self.params)

    @property
    def unread(self) -> bool:
        return self.read_at is None


class Preference(models.Model):
    """Whether a user also gets his notifications by SMS (to his mobile, outside quiet hours)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    sms = models.BooleanField(_("also send me an SMS"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id} sms={self.sms}"


def as_dict(n: Notification) -> dict[str, Any]:
    return {"id": n.pk, "kind": n.kind, "title": n.title, "url": n.url}
