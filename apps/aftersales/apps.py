from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "apps.aftersales"
    label = "aftersales"
    verbose_name = _("After-sales")

    def ready(self) -> None:
        from apps.org import search, timeline

        from .search import SEARCH
        from .timeline import ACTIONS, SOURCES

        timeline.register(*SOURCES)
        timeline.register_action(*ACTIONS)
        search.register(*SEARCH)
        from apps.org.models import User
        from apps.org.navigation import NavItem, register
        from apps.org.roles import Role, grant
        from apps.org.services import user_deactivating
        from apps.sales.models import Order
        from apps.sales.signals import order_delivered

        from .services import on_order_delivered, refuse_deactivation

        order_delivered.connect(
            on_order_delivered, sender=Order, dispatch_uid="aftersales_vehicle_from_order"
        )
        user_deactivating.connect(
            refuse_deactivation, sender=User, dispatch_uid="aftersales_refuse_deactivation"
        )

        grant(Role.ADMIN, "aftersales.*")
        grant(Role.MANAGER, "aftersales.*")
        grant(
            Role.CUSTOMER_SERVICE,
            "aftersales.view_vehicle",
            "aftersales.view_servicevisit",
            "aftersales.view_followup",
            "aftersales.change_followup",
            "aftersales.view_complaint",
            "aftersales.add_complaint",
            "aftersales.change_complaint",
            "aftersales.view_message",
        )
        grant(
            Role.SERVICE_ADVISOR,
            "aftersales.view_vehicle",
            "aftersales.change_vehicle",
            "aftersales.view_servicevisit",
            "aftersales.add_servicevisit",
            "aftersales.view_complaint",
            "aftersales.change_complaint",
        )
        grant(Role.CONSULTANT, "aftersales.view_vehicle")
        cs = (Role.CUSTOMER_SERVICE, Role.MANAGER)
        register(
            NavItem(_("Callback queue"), "aftersales:queue", "telephone", cs, order=60),
            NavItem(_("My day"), "aftersales:my_day", "calendar-check", (Role.CUSTOMER_SERVICE,), order=61),
            NavItem(
                _("Vehicles"),
                "aftersales:vehicle_list",
                "car-front-fill",
                (Role.CUSTOMER_SERVICE, Role.MANAGER, Role.SERVICE_ADVISOR, Role.CONSULTANT),
                order=62,
            ),
            NavItem(
                _("Service visits"),
                "aftersales:visit_list",
                "tools",
                (Role.SERVICE_ADVISOR, Role.MANAGER),
                order=63,
            ),
            NavItem(
                _("Complaints"),
                "aftersales:complaint_list",
                "exclamation-octagon",
                (Role.CUSTOMER_SERVICE, Role.MANAGER, Role.SERVICE_ADVISOR),
                order=64,
            ),
            NavItem(_("After-sales KPIs"), "aftersales:kpis", "graph-up", cs, order=65),
            NavItem(_("Follow-up rules"), "aftersales:rule_list", "sliders", (Role.MANAGER,), order=66),
        )
