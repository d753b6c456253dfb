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

# Menu sections by `order` range: a section with one entry for the user is a plain
# link, one with more is a dropdown. Apps pick their range (see each apps.py).
SECTIONS: list[tuple[int, str | Promise, str]] = [
    (0, _("Home"), "house"),
    (10, _("Activity"), "geo-alt"),
    (20, _("Customers"), "people"),
    (30, _("Sales"), "receipt"),
    (40, _("Plans"), "bullseye"),
    (50, _("Performance"), "award"),
    (60, _("After-sales"), "tools"),
    (80, _("Settings"), "gear"),
]


def section_of(item: NavItem) -> int:
    return max(i for i, (start, _label, _icon) in enumerate(SECTIONS) if item.order >= start)


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
