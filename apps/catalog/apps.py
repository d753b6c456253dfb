from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "apps.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from apps.org.navigation import NavItem, register
        from apps.org.roles import Role, grant

        grant(Role.ADMIN, "catalog.*")
        grant(Role.MANAGER, "catalog.*")
        for role in (
            Role.CONSULTANT,
            Role.CUSTOMER_SERVICE,
            Role.SERVICE_ADVISOR,
            Role.MARKETING,
            Role.FINANCE,
        ):
            grant(role, "catalog.view_vehiclemodel")
        register(
            NavItem(
                _("Vehicle models"),
                "catalog:model_list",
                "car-front",
                (Role.MANAGER, Role.CONSULTANT, Role.SERVICE_ADVISOR, Role.MARKETING),
                order=80,
            )
        )
