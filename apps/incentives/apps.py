from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "apps.incentives"
    label = "incentives"
    verbose_name = _("Incentives")

    def ready(self) -> None:
        from apps.org.navigation import NavItem, register
        from apps.org.roles import Role, grant

        grant(Role.ADMIN, "incentives.*")
        grant(Role.MANAGER, "incentives.*")
        grant(Role.CONSULTANT, "incentives.view_statement", "incentives.view_statementline")
        grant(
            Role.FINANCE,
            "incentives.view_statement",
            "incentives.view_statementline",
            "incentives.view_scheme",
        )
        register(
            NavItem(
                _("Commission"),
                "incentives:statements",
                "wallet2",
                (Role.CONSULTANT, Role.MANAGER, Role.FINANCE),
                order=57,
            ),
            NavItem(_("Incentive schemes"), "incentives:schemes", "sliders", (Role.MANAGER,), order=59),
        )
