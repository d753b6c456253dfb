from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "apps.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .roles import sync_role_groups

        # Groups follow roles.ROLE_PERMISSIONS after every migrate, so a permission
        # added by a later app reaches its roles without a data migration.
        post_migrate.connect(sync_role_groups, dispatch_uid="org.sync_role_groups")

        from django.contrib.auth.signals import user_login_failed

        from . import receivers
        from .login_guard import on_login_failed

        receivers.connect()
        user_login_failed.connect(on_login_failed, dispatch_uid="org.login_guard")
