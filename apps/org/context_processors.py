from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from .jobs import broker_down
from .navigation import MENU, SECTIONS, section_of
from .roles import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu for the signed-in user's role, grouped in sections, the current page marked."""
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": [], "nav_sections": []}
    items = []
    for item in MENU:
        if not user.has_role(*item.roles):
            continue
        url = reverse(item.url_name)
        active = url == request.path or (url != "/" and request.path.startswith(url))
        items.append(
            {
                "label": item.label,
                "url": url,
                "icon": item.icon,
                "active": active,
                "section": section_of(item),
            }
        )
    sections = []
    for index, (_start, label, icon) in enumerate(SECTIONS):
        entries = [i for i in items if i["section"] == index]
        if entries:
            sections.append(
                {"label": label, "icon": icon, "items": entries, "active": any(i["active"] for i in entries)}
            )
    return {"nav_items": items, "nav_sections": sections}


def jobs_delayed(request: HttpRequest) -> dict[str, Any]:
    """Managers are told when background jobs wait because Redis is down (apps/org/jobs.py)."""
    user = request.user
    if not user.is_authenticated or not user.has_role(Role.MANAGER):
        return {}
    return {"jobs_delayed": broker_down()}
