"""Sortable column headers for the lists of apps/org/listing.py."""

from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_th(context: dict[str, Any], key: str, label: Any, css: str = "") -> str:
    """A <th> whose link sorts the list by `key` (again: the other way), keeping the
    filters; the htmx list swaps just the table."""
    request = context["request"]
    current = context.get("sort", "")
    params = request.GET.copy()
    params.pop("page", None)
    params["sort"] = f"-{key}" if current == key else key
    arrow = " ▲" if current == key else " ▼" if current == f"-{key}" else ""
    aria = "ascending" if current == key else "descending" if current == f"-{key}" else "none"
    url = f"{request.path}?{params.urlencode()}"
    return format_html(
        '<th class="{}" aria-sort="{}"><a class="link-body-emphasis text-decoration-none" href="{}" '
        'hx-get="{}" hx-target="#list" hx-push-url="true" data-sort="{}">{}{}</a></th>',
        css,
        aria,
        url,
        url,
        key,
        label,
        arrow,
    )
