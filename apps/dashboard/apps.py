from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "apps.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        from apps.org.navigation import NavItem, register
        from apps.org.roles import Role

        register(
            NavItem(
                _("Store month"),
                "reports:store_month_index",
                "calendar3",
                (Role.MANAGER, Role.FINANCE),
                order=2,
            )
        )
