from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "apps.plans"
    label = "plans"
    verbose_name = _("Plans")

    def ready(self) -> None:
        from apps.org.navigation import NavItem, register
        from apps.org.roles import Role, grant

        # Approval is the admin role's (plans.* includes plans.approve_plan); a manager
        # approves only if an admin gives him that permission in the admin site.
        grant(Role.ADMIN, "plans.*")
        grant(
            Role.MANAGER,
            *(
                f"plans.{action}_{model}"
                for model in (
                    "plan",
                    "target",
                    "planrevision",
                    "weightset",
                    "capability",
                    "expenseallocation",
                    "workcalendar",
                    "closedday",
                )
                for action in ("view", "add", "change")
            ),
            "plans.view_actionplan",
            "plans.change_actionplan",
            "plans.view_forecast",
        )
        grant(
            Role.CONSULTANT,
            "plans.view_target",
            "plans.view_actionplan",
            "plans.add_actionplan",
            "plans.change_actionplan",
            "plans.view_forecast",
            "plans.add_forecast",
            "plans.change_forecast",
        )
        grant(Role.FINANCE, "plans.view_plan", "plans.view_target", "plans.view_expenseallocation")
        register(
            NavItem(_("Sales plans"), "plans:list", "bullseye", (Role.MANAGER, Role.FINANCE), order=41),
            NavItem(
                _("Action plans"),
                "plans:action_plans",
                "list-check",
                (Role.MANAGER, Role.CONSULTANT),
                order=42,
            ),
            NavItem(
                _("Forecasts"), "plans:forecasts", "graph-up-arrow", (Role.MANAGER, Role.CONSULTANT), order=43
            ),
        )
