"""Showing scorecard figures: "—" for a zero denominator, money with separators,
rates as percentages."""

from datetime import date
from decimal import Decimal
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.formats import date_format

from ..measures import RATES, SCOREABLE

register = template.Library()
DASH = "—"


@register.filter
def figure(value: Any, measure: Any) -> str:
    name = getattr(measure, "name", measure)
    if value is None:
        return DASH
    if name in RATES:
        return f"{floatformat(Decimal(value) * 100, 1)}%"
    kind = SCOREABLE[name].kind if name in SCOREABLE else "ratio"
    if kind == "money":
        return str(intcomma(floatformat(value, 2)))
    if kind == "count":
        return str(intcomma(value))
    return str(value)


@register.filter
def measure_label(name: str) -> Any:
    return SCOREABLE[name].label if name in SCOREABLE else name


@register.filter
def percent(value: Any) -> str:
    return DASH if value is None else f"{floatformat(Decimal(value) * 100, 1)}%"


@register.filter
def score(value: Any) -> str:
    return DASH if value is None else str(floatformat(value, 1))


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.simple_tag
def period_choices(period: Any) -> dict[str, Any]:
    """What the period picker offers: years around this one, the months, the quarters."""
    this_year = timezone.localdate().year
    years = sorted({*range(this_year - 4, this_year + 2), period.start.year}, reverse=True)
    months = [(f"{m:02d}", date_format(date(2000, m, 1), "F")) for m in range(1, 13)]
    quarters = [(f"Q{q}", f"Q{q}") for q in range(1, 5)]
    return {"years": years, "months": months, "quarters": quarters}
