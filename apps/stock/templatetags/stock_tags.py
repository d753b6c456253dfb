from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def days_in_stock(car: Any) -> int | None:
    return car.days_in_stock()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return (mapping or {}).get(key, 90)
