from decimal import Decimal
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _

register = template.Library()

STATUS_CLASS = {"green": "success", "amber": "warning", "red": "danger"}


@register.filter
def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


@register.filter
def bar(value: float | None) -> int:
    """A progress-bar width in % (0–100)."""
    return 0 if value is None else max(0, min(100, round(value * 100)))


@register.filter
def status_class(status: str | None) -> str:
    return STATUS_CLASS.get(status or "", "secondary")


@register.filter
def status_label(status: str | None) -> str:
    return {"green": _("On track"), "amber": _("At risk"), "red": _("Behind")}.get(
        status or "", _("Not started")
    )


@register.filter
def tracking_label(tracking: Any) -> str:
    """The status of a Tracking in words; in the grace period a shortfall is "too early"."""
    if tracking is None:
        return status_label(None)
    if getattr(tracking, "in_progress", False):
        return _("In progress")
    if getattr(tracking, "early", False):
        return _("Too early to tell")
    return status_label(tracking.status)


@register.filter
def figure(value: Decimal | None, measure: str) -> Any:
    """A count as an integer, money with two places and thousands separators."""
    if value is None:
        return "—"
    if measure in ("units", "new_customers", "visits"):
        return intcomma(int(value))
    return intcomma(f"{value:.2f}")


@register.filter
def gap_label(tracking: Any, measure: str) -> str:
    """What is left to reach the target, or "ahead by" the excess once it is passed."""
    if tracking is None or tracking.gap is None:
        return "—"
    if tracking.ahead is not None:
        return _("ahead by %(n)s") % {"n": figure(tracking.ahead, measure)}
    return str(figure(tracking.gap, measure))


@register.filter
def plan_status(code: str) -> str:
    from apps.plans.models import PlanStatus

    return str(PlanStatus(code).label) if code in PlanStatus.values else code


@register.filter
def month_name(number: Any) -> str:
    """1 → "January" (一月): an expense line's month."""
    from datetime import date

    from django.utils.formats import date_format

    try:
        return date_format(date(2000, int(number), 1), "F")
    except (TypeError, ValueError):
        return str(number)


@register.filter
def target_name(target: Any) -> str:
    """A target node as a person reads it: measure · whose · which period, in the reader's language."""
    from django.utils.formats import date_format

    who = target.consultant or target.label or target.get_scope_type_display()
    if target.consultant and target.label and target.label != str(target.consultant):
        who = f"{target.consultant} · {target.label}"
    span = f"{date_format(target.period_start, 'Y-m-d')}–{date_format(target.period_end, 'm-d')}"
    return f"{target.get_measure_display()} · {who} · {span}"
