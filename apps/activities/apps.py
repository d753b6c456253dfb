from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "apps.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from apps.org import timeline

        from .timeline import ACTIONS, SOURCES

        timeline.register(*SOURCES)
        timeline.register_action(*ACTIONS)
        from apps.org.navigation import NavItem, register
        from apps.org.roles import Role, grant

        grant(Role.ADMIN, "activities.*")
        for model in ("visit", "dailyreport", "routeplan", "plannedvisit", "monthlysummary", "marketreport"):
            grant(
                Role.CONSULTANT,
                f"activities.add_{model}",
                f"activities.change_{model}",
                f"activities.view_{model}",
            )
        grant(Role.CONSULTANT, "activities.view_escalation")
        for model in ("visit", "dailyreport", "routeplan", "plannedvisit", "monthlysummary", "marketreport"):
            grant(Role.MANAGER, f"activities.view_{model}")
        grant(
            Role.MANAGER,
            "activities.change_dailyreport",
            "activities.change_monthlysummary",
            "activities.view_escalation",
            "activities.change_escalation",
            "activities.view_activitysettings",
            "activities.change_activitysettings",
        )
        grant(Role.MARKETING, "activities.view_marketreport")
        C, M = Role.CONSULTANT, Role.MANAGER
        register(
            NavItem(_("Log a visit"), "activities:visit_new", "plus-circle", (C,), order=10),
            NavItem(_("Team today"), "activities:team", "people", (M,), order=10),
            NavItem(_("Visits"), "activities:visit_list", "geo-alt", (C, M), order=11),
            NavItem(_("Daily report"), "activities:report_today", "journal-text", (C,), order=12),
            NavItem(_("Daily reports"), "activities:report_list", "journal-text", (M,), order=12),
            NavItem(_("Route plan"), "activities:route_plan", "signpost-split", (C, M), order=13),
            NavItem(_("Monthly summary"), "activities:summaries", "calendar-month", (C, M), order=14),
            NavItem(
                _("Market info"), "activities:market_feed", "binoculars", (C, M, Role.MARKETING), order=15
            ),
            NavItem(_("Escalations"), "activities:escalations", "megaphone", (C, M), order=16),
        )
