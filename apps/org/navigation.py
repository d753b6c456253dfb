"""The main menu: each entry names the roles that may use it (an admin sees all).

Apps add their entries here, in menu order, as their pages land.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .roles import Role

ALL = tuple(Role.values)


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    icon: str
    roles: tuple[str, ...]


MENU: list[NavItem] = [
    NavItem(_("Home"), "home", "house", ALL),
    NavItem(
        _("Vehicle models"),
        "catalog:model_list",
        "car-front",
        (Role.MANAGER, Role.CONSULTANT, Role.SERVICE_ADVISOR, Role.MARKETING),
    ),
    NavItem(
        _("Stores and teams"),
        "store_list",
        "shop",
        (Role.MANAGER, Role.FINANCE, Role.CUSTOMER_SERVICE, Role.MARKETING, Role.SERVICE_ADVISOR),
    ),
    NavItem(_("System status"), "dashboard:status", "activity", (Role.ADMIN,)),
]
