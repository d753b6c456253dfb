from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from apps.org.roles import Role, grant

        # Reached from the bell in the top bar (base.html), not from the menu.
        grant(Role.ADMIN, "notifications.*")
