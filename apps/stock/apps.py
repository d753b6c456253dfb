from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StockConfig(AppConfig):
    name = "apps.stock"
    label = "stock"
    verbose_name = _("Stock")

    def ready(self) -> None:
        from apps.org.navigation import NavItem, register
        from apps.org.roles import Role, grant

        grant(Role.ADMIN, "stock.*")
        grant(Role.MANAGER, "stock.*")
        grant(Role.CONSULTANT, "stock.view_car")
        grant(Role.FINANCE, "stock.view_car", "stock.view_stocksettings", "stock.view_transfer")
        register(
            NavItem(
                _("Stock"),
                "stock:cars",
                "car-front-fill",
                (Role.MANAGER, Role.CONSULTANT, Role.FINANCE),
                order=33,
            ),
            NavItem(
                _("Stock overview"), "stock:overview", "bar-chart", (Role.MANAGER, Role.FINANCE), order=34
            ),
            NavItem(_("Transfers"), "stock:transfers", "arrow-left-right", (Role.MANAGER,), order=35),
        )
