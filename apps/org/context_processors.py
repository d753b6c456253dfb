from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from .navigation import MENU


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu entries the signed-in user's role may use, the current one marked."""
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for item in MENU:
        if not user.has_role(*item.roles):
            continue
        url = reverse(item.url_name)
        active = url == request.path or (url != "/" and request.path.startswith(url))
        items.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
    return {"nav_items": items}
