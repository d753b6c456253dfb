from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "apps.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from apps.org import search, timeline

        from .search import SEARCH
        from .timeline import ACTIONS, SOURCES

        timeline.register(*SOURCES)
        timeline.register_action(*ACTIONS)
        search.register(*SEARCH)
        from apps.customers.signals import customer_transferred
        from apps.org.navigation import NavItem, register
        from apps.org.roles import Role, grant
        from apps.org.services import user_deactivating
        from apps.stock.signals import car_available

        from .receivers import (
            allocate_arrived_car,
            receivables_follow_customer,
            refuse_deactivation_while_responsible,
        )

        user_deactivating.connect(
            refuse_deactivation_while_responsible, dispatch_uid="sales-receivables-check"
        )
        car_available.connect(allocate_arrived_car, dispatch_uid="sales-allocate-arrived-car")
        customer_transferred.connect(receivables_follow_customer, dispatch_uid="sales-receivables-follow")
        grant(Role.ADMIN, "sales.*")
        grant(Role.MANAGER, "sales.*")
        grant(
            Role.CONSULTANT,
            "sales.view_order",
            "sales.add_order",
            "sales.change_order",
            "sales.view_receivable",
            "sales.view_payment",
        )
        grant(
            Role.FINANCE,
            "sales.view_order",
            "sales.view_receivable",
            "sales.view_payment",
            "sales.add_payment",
            "sales.view_allocation",
        )
        register(
            NavItem(
                _("Orders"),
                "sales:orders",
                "receipt",
                (Role.MANAGER, Role.CONSULTANT, Role.FINANCE),
                order=30,
            ),
            NavItem(_("Payments"), "sales:payments", "cash-coin", (Role.MANAGER, Role.FINANCE), order=31),
            NavItem(
                _("Receivables"),
                "sales:receivables",
                "journal-text",
                (Role.MANAGER, Role.FINANCE, Role.CONSULTANT),
                order=32,
            ),
        )
