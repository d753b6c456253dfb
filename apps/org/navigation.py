"""The main menu. Each app registers its entries from its AppConfig.ready():

    navigation.register(NavItem(_("Customers"), "customers:list", "people", (Role.CONSULTANT, …), order=20))

An entry names the roles that may use it (an admin sees all); `order` places it.
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
    order: int = 50


MENU: list[NavItem] = []


def register(*items: NavItem) -> None:
    for item in items:
        if item.url_name not in {m.url_name for m in MENU}:
            MENU.append(item)
    MENU.sort(key=lambda m: m.order)


register(
    NavItem(_("Home"), "home", "house", ALL, order=0),
    NavItem(
        _("Stores and teams"),
        "store_list",
        "shop",
        (Role.MANAGER, Role.FINANCE, Role.CUSTOMER_SERVICE, Role.MARKETING, Role.SERVICE_ADVISOR),
        order=90,
    ),
    NavItem(_("System status"), "dashboard:status", "activity", (Role.ADMIN,), order=99),
)
