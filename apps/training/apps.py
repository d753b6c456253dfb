from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "apps.training"
    label = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        from apps.org.navigation import NavItem, register
        from apps.org.roles import Role, grant

        grant(Role.ADMIN, "training.*")
        grant(
            Role.MANAGER,
            *(
                f"training.{a}_{m}"
                for m in ("trainingsession", "attendance")
                for a in ("view", "add", "change")
            ),
        )
        grant(Role.CONSULTANT, "training.view_trainingsession", "training.view_attendance")
        register(
            NavItem(_("Training"), "training:list", "mortarboard", (Role.MANAGER, Role.CONSULTANT), order=44),
        )
