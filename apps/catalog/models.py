from typing import ClassVar

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.org.scoping import ScopeRule


class BodyType(models.TextChoices):
    SEDAN = "sedan", _("Sedan")
    SUV = "suv", _("SUV")
    MPV = "mpv", _("MPV")
    HATCHBACK = "hatchback", _("Hatchback")
    WAGON = "wagon", _("Wagon")
    COUPE = "coupe", _("Coupe")
    PICKUP = "pickup", _("Pickup")


class VehicleModel(models.Model):
    """A model the group sells, with its price and maintenance policy.

    The maintenance policy drives SPEC §6: the first service is due at
    `first_service_km` or `first_service_months`, whichever comes first, then every
    `service_interval_km` or `service_interval_months`.
    """

    brand = models.CharField(_("brand"), max_length=50)
    name = models.CharField(_("model"), max_length=100)
    body_type = models.CharField(_("body type"), max_length=20, choices=BodyType.choices)
    msrp = models.DecimalField(
        _("MSRP (CNY)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    cost = models.DecimalField(
        _("cost (CNY)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    first_service_km = models.PositiveIntegerField(
        _("first service at (km)"), default=5000, validators=[MinValueValidator(1)]
    )
    first_service_months = models.PositiveSmallIntegerField(
        _("first service at (months)"), default=3, validators=[MinValueValidator(1)]
    )
    service_interval_km = models.PositiveIntegerField(
        _("service interval (km)"), default=10000, validators=[MinValueValidator(1)]
    )
    service_interval_months = models.PositiveSmallIntegerField(
        _("service interval (months)"), default=6, validators=[MinValueValidator(1)]
    )
    is_active = models.BooleanField(_("on sale"), default=True)

    scope: ClassVar[ScopeRule] = ScopeRule(store=None)

    class Meta:
        ordering = ["brand", "name"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "name"], name="vehicle_model_unique"),
            models.CheckConstraint(
                condition=Q(msrp__gte=0) & Q(cost__gte=0), name="vehicle_model_money_ge_0"
            ),
            models.CheckConstraint(
                condition=Q(first_service_km__gt=0)
                & Q(first_service_months__gt=0)
                & Q(service_interval_km__gt=0)
                & Q(service_interval_months__gt=0),
                name="vehicle_model_service_policy_positive",
            ),
        ]
        verbose_name = _("vehicle model")
        verbose_name_plural = _("vehicle models")

    def __str__(self) -> str:
        return f"{self.brand} {self.name}"
