"""Roles (SPEC Users) and what each may do.

A user has exactly one role. It is carried as a Django group of the same name whose
permissions come from ROLE_PERMISSIONS, so the admin site and `has_perm` agree with
the pages and the API. Apps add their permissions here, in one place.
"""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Sales manager")
    CONSULTANT = "consultant", _("Sales consultant")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    SERVICE_ADVISOR = "service_advisor", _("Service advisor")
    MARKETING = "marketing", _("Marketing")
    FINANCE = "finance", _("Finance")
    APPOINTMENT_SPECIALIST = "appointment_specialist", _("Appointment specialist")


# Roles that see every record of their stores (a consultant sees only his own).
STORE_WIDE_ROLES = {
    Role.MANAGER,
    Role.CUSTOMER_SERVICE,
    Role.SERVICE_ADVISOR,
    Role.MARKETING,
    Role.FINANCE,
    Role.APPOINTMENT_SPECIALIST,
}

# "app_label.codename" per role; "app_label.*" grants every permission of an app.
# Apps add theirs with grant() from their AppConfig.ready().
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMIN: ["org.*", "authtoken.*"],
    Role.MANAGER: ["org.view_region", "org.view_store", "org.view_team", "org.view_user"],
    Role.CONSULTANT: ["org.view_store", "org.view_team"],
    Role.CUSTOMER_SERVICE: ["org.view_store"],
    Role.SERVICE_ADVISOR: ["org.view_store"],
    Role.MARKETING: ["org.view_store"],
    Role.FINANCE: ["org.view_store", "org.view_user"],
    # 约访专员: confirms tomorrow's appointments by phone; sees his stores' appointments,
    # never money (no sales, receivable or payment permission is granted to him).
    Role.APPOINTMENT_SPECIALIST: ["org.view_store"],
}


def grant(role: str, *permissions: str) -> None:
    for permission in permissions:
        if permission not in ROLE_PERMISSIONS[role]:
            ROLE_PERMISSIONS[role].append(permission)


def sync_role_groups(**kwargs: Any) -> None:
    from django.contrib.auth.models import Group, Permission

    for role, grants in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        perms = Permission.objects.none()
        for grant in grants:
            app_label, codename = grant.split(".")
            found = Permission.objects.filter(content_type__app_label=app_label)
            if codename != "*":
                found = found.filter(codename=codename)
            perms = perms | found
        group.permissions.set(perms)
