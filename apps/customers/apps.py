from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "apps.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from apps.org import search, timeline

        from .search import SEARCH
        from .timeline import ACTIONS, SOURCES

        timeline.register(*SOURCES)
        timeline.register_action(*ACTIONS)
        search.register(*SEARCH)
        from apps.org.navigation import NavItem, register
        from apps.org.roles import Role, grant
        from apps.org.services import user_deactivating

        from .receivers import refuse_deactivation_while_owning_customers

        user_deactivating.connect(
            refuse_deactivation_while_owning_customers, dispatch_uid="customers-owner-check"
        )
        grant(Role.ADMIN, "customers.*")
        grant(Role.MANAGER, "customers.*")
        grant(
            Role.CONSULTANT,
            "customers.view_customer",
            "customers.add_customer",
            "customers.change_customer",
            "customers.view_opportunity",
            "customers.add_opportunity",
            "customers.change_opportunity",
            "customers.view_campaign",
            "customers.view_strategycard",
            "customers.change_strategycard",
            "customers.add_strategycard",
            "customers.view_evaluationcard",
            "customers.add_evaluationcard",
            "customers.change_evaluationcard",
        )
        for role in (Role.CUSTOMER_SERVICE, Role.SERVICE_ADVISOR, Role.FINANCE):
            grant(role, "customers.view_customer")
        grant(
            Role.MARKETING,
            "customers.view_customer",
            "customers.view_opportunity",
            "customers.change_opportunity",
            "customers.view_campaign",
            "customers.add_campaign",
            "customers.change_campaign",
        )
        STAFF = (Role.MANAGER, Role.CONSULTANT)
        READ = (*STAFF, Role.CUSTOMER_SERVICE, Role.SERVICE_ADVISOR, Role.MARKETING, Role.FINANCE)
        register(
            NavItem(_("My day"), "customers:my_day", "calendar-check", (Role.CONSULTANT,), order=20),
            NavItem(_("Customers"), "customers:list", "people", READ, order=21),
            NavItem(_("Pipeline"), "customers:pipeline", "kanban", STAFF, order=23),
            NavItem(_("Nurture pool"), "customers:nurture", "flower1", (Role.MARKETING,), order=25),
            NavItem(
                _("Campaigns"),
                "customers:campaigns",
                "megaphone",
                (Role.MANAGER, Role.MARKETING),
                order=26,
            ),
        )
