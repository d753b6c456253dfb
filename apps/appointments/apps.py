from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "apps.appointments"
    label = "appointments"
    verbose_name = _("Appointments")

    def ready(self) -> None:
        from apps.notifications import kinds
        from apps.org.navigation import NavItem, register
        from apps.org.roles import Role, grant

        from . import receivers  # noqa: F401 (connects the visit listener)

        C, M, S, CS = Role.CONSULTANT, Role.MANAGER, Role.APPOINTMENT_SPECIALIST, Role.CUSTOMER_SERVICE
        grant(Role.ADMIN, "appointments.*")
        for role in (C, M, S, CS):
            grant(
                role,
                "appointments.view_appointment",
                "appointments.add_appointment",
                "appointments.change_appointment",
            )
        # The specialist reads the customers he calls (name, mobile) but no money.
        grant(S, "customers.view_customer")
        register(
            NavItem(_("Appointments"), "appointments:index", "calendar-check", (C, M, S, CS), order=17),
            NavItem(_("Confirmation calls"), "appointments:calls", "telephone", (S, CS, M), order=18),
            NavItem(_("Arrival rate"), "appointments:kpis", "graph-up-arrow", (M,), order=55),
        )
        kinds.register("appointment_confirmed", _("Confirmed: %(customer)s, %(when)s"))
        kinds.register("appointment_cancelled", _("Cancelled: %(customer)s, %(when)s (%(reason)s)"))
