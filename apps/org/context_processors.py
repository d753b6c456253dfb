from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from .navigation import MENU


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": []}
    items = [
        {"label": item.label, "url": reverse(item.url_name), "icon": item.icon}
        for item in MENU
        if user.has_role(*item.roles)  # type: ignore[union-attr]
    ]
    current = request.path
    for item in items:
        item["active"] = item["url"] == current or (
            item["url"] != "/" and current.startswith(item["url"])
        )
    return {"nav_items": items}
