from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationsConfig(AppConfig):
    name = "apps.escalations"
    label = "escalations"
    verbose_name = _("Escalations")

    def ready(self) -> None:
        from apps.notifications.kinds import register as kind
        from apps.org.navigation import NavItem, register
        from apps.org.roles import Role, grant

        C, M, F = Role.CONSULTANT, Role.MANAGER, Role.FINANCE
        grant(Role.ADMIN, "escalations.*")
        grant(M, "escalations.view_escalationsettings", "escalations.change_escalationsettings")
        register(
            NavItem(_("Day list"), "escalations:day", "exclamation-triangle", (C, M, F), order=19),
            NavItem(_("Escalation ladders"), "escalations:settings", "ladder", (M,), order=86),
        )
        kind("escalation_lead_1", _("%(customer)s: no follow-up for %(days)s days"))
        kind("escalation_lead_2", _("%(customer)s (%(consultant)s): no follow-up for %(days)s days"))
        kind(
            "escalation_lead_3",
            _("High risk: %(customer)s (%(consultant)s) not followed up for %(days)s days — reassign?"),
        )
        kind("escalation_receivable_1", _("%(customer)s owes %(amount)s, due %(due)s (in %(days)s days)"))
        kind("escalation_receivable_2", _("%(customer)s owes %(amount)s, due %(due)s (in %(days)s days)"))
        kind("escalation_receivable_3", _("Overdue: %(customer)s owes %(amount)s since %(due)s"))
        kind(
            "escalation_receivable_4",
            _("%(days)s days overdue: %(customer)s owes %(amount)s (%(consultant)s)"),
        )
        kind(
            "escalation_complaint_1",
            _("Complaint #%(id)s (%(customer)s) not acknowledged within %(hours)s h"),
        )
        kind("escalation_complaint_2", _("Complaint #%(id)s (%(customer)s) not answered within %(hours)s h"))
        kind("escalation_complaint_3", _("Complaint #%(id)s (%(customer)s) not resolved within %(hours)s h"))
