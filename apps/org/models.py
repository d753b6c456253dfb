from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import STORE_WIDE_ROLES, Role
from .scoping import ScopeRule


class Region(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    scope: ClassVar[ScopeRule] = ScopeRule(store="stores", many=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Store(models.Model):
    """A 4S store. Every business record belongs to one store."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=20, unique=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="stores", verbose_name=_("region")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    scope: ClassVar[ScopeRule] = ScopeRule(store="pk")

    class Meta:
        ordering = ["name"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="teams", verbose_name=_("store"))
    name = models.CharField(_("name"), max_length=100)
    lead = models.ForeignKey(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
        verbose_name=_("team lead"),
    )

    scope: ClassVar[ScopeRule] = ScopeRule(store="store")

    class Meta:
        ordering = ["store", "name"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="team_name_unique_in_store")]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return f"{self.store} · {self.name}"


class User(AbstractUser):
    """A person who works in the portal, with one role and one or more stores."""

    name = models.CharField(_("full name"), max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.CONSULTANT)
    stores = models.ManyToManyField(Store, blank=True, related_name="users", verbose_name=_("stores"))
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("team"),
    )
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=[("en", "English"), ("zh-hans", "简体中文")],
        help_text=_("Leave empty to follow the browser."),
    )

    scope: ClassVar[ScopeRule] = ScopeRule(store="stores", many=True)

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name or self.username

    @property
    def is_admin(self) -> bool:
        """A Django superuser has the admin role's powers (API.md)."""
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def is_store_wide(self) -> bool:
        return self.role in STORE_WIDE_ROLES

    def has_role(self, *roles: str) -> bool:
        return self.is_admin or self.role in roles


class PendingJob(models.Model):
    """A background job that could not be queued because the broker (Redis) was down.

    apps.org.jobs.enqueue_on_commit writes one when sending fails; the beat task
    apps.org.tasks.pending_jobs_send queues them once the broker is back. Every job
    is idempotent, so one queued twice is harmless.
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("pending job")
        verbose_name_plural = _("pending jobs")

    def __str__(self) -> str:
        return self.task
