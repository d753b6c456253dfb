from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "apps.scoring"
    label = "scoring"
    verbose_name = _("Scoring")

    def ready(self) -> None:
        from apps.org.navigation import NavItem, register
        from apps.org.roles import Role, grant

        grant(Role.ADMIN, "scoring.*")
        grant(Role.MANAGER, "scoring.*")
        grant(Role.CONSULTANT, "scoring.view_rating")
        register(
            NavItem(_("My scorecard"), "scoring:home", "award", (Role.CONSULTANT,), order=55),
            NavItem(_("Scorecards"), "scoring:ranking", "trophy", (Role.MANAGER,), order=56),
        )
