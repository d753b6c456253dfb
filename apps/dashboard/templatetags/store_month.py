"""How the store month shows a value: money in 万元 (the unit the summaries write),
ratios as %, their changes in percentage points, "—" where there is no value."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _

register = template.Library()
WAN = Decimal(10000)


def _q(value: Any, places: str) -> Decimal:
    return Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)


@register.filter
def smv(value: Any, kind: str) -> str:
    """A value on the page and in the PDF."""
    if value is None or value == "":
        return "—"
    if kind == "text":
        return str(value)
    if kind == "money":
        return intcomma(_q(Decimal(value) / WAN, "0.01"))
    if kind == "ratio":
        return f"{_q(Decimal(value) * 100, '0.1')}%"
    if kind == "score":
        return str(_q(value, "0.01"))
    if kind == "hours":
        return str(_q(value, "0.1"))
    return intcomma(value)


@register.filter
def smchange(figure: dict[str, Any], args: str) -> str:
    """The change against last month ("mom") or last year ("yoy"): "+3 · +12.5%" for a
    count or money (in 万元), "+1.2 pp" for a ratio."""
    which, kind = args.split(",")
    change, pct = figure.get(f"{which}_change"), figure.get(f"{which}_pct")
    if change is None:
        return "—"
    sign = "+" if change > 0 else ""
    if kind == "ratio":
        return _("%(sign)s%(points)s pp") % {"sign": sign, "points": _q(Decimal(change) * 100, "0.1")}
    shown = smv(change, kind)
    text = f"{sign}{shown}"
    if pct is not None:
        text += f" · {'+' if pct > 0 else ''}{_q(Decimal(pct) * 100, '0.1')}%"
    return text


@register.filter
def direction(figure: dict[str, Any], which: str) -> str:
    change = figure.get(f"{which}_change")
    if not change:
        return ""
    return "up" if change > 0 else "down"
