"""The measures of SPEC §5, by their API (snake_case) names.

`kind` says how a figure is shown and serialised: money (2-place string in the
API), count (integer), ratio (a number or null where the denominator is zero).
`better` is "higher" or "lower" (costs and late entries are better low).
`target` names the plans measure whose target it is compared with, if any.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Measure:
    name: str
    label: Any  # a lazy translation
    kind: str  # money | count | ratio
    better: str = "higher"
    target: str | None = None
    drill: str | None = None  # which records the figure is computed from


MEASURES: list[Measure] = [
    Measure("sales_revenue", _("Sales revenue"), "money", target="revenue", drill="orders"),
    Measure("units", _("Units"), "count", target="units", drill="orders"),
    Measure("collections", _("Collections"), "money", target="collections", drill="collections"),
    Measure("gross_profit", _("Gross profit"), "money", target="gross_profit", drill="orders"),
    Measure("customers", _("Customers"), "count", drill="customers"),
    Measure("new_customers", _("New customers"), "count", target="new_customers", drill="new_customers"),
    Measure("lost_customers", _("Lost customers"), "count", better="lower", drill="lost_customers"),
    Measure("working_days", _("Working days"), "count", drill="working_days"),
    Measure("visits", _("Visits"), "count", target="visits", drill="visits"),
    Measure("visits_per_day", _("Visits per day"), "ratio", drill="visits"),
    Measure("minutes_per_visit", _("Minutes per visit"), "ratio", drill="visits"),
    Measure("revenue_per_visit_day", _("Revenue per visit day"), "money", drill="orders"),
    Measure("cost_per_visit", _("Cost per visit"), "money", better="lower", drill="visits"),
    Measure("orders_per_100_visits", _("Orders per 100 visits"), "ratio", drill="orders"),
    Measure("expense_ratio", _("Expense ratio"), "ratio", better="lower", drill="visits"),
    Measure("report_compliance", _("Report compliance"), "ratio", drill="daily_reports"),
    Measure("late_entry_rate", _("Late-entry rate"), "ratio", better="lower", drill="late_visits"),
    # Appointments (邀约): made for the period and not cancelled; attended ÷ made.
    Measure("appointments", _("Appointments"), "count"),
    Measure("arrival_rate", _("Arrival rate"), "ratio"),
    # Training (培训): hours of the sessions he attended in the period.
    Measure("training_hours", _("Training hours"), "ratio"),
]
BY_NAME = {m.name: m for m in MEASURES}
NAMES = [m.name for m in MEASURES]

# Not a §5 record figure but a scoreable criterion: the mean of the manager's ratings.
RATING = Measure("rating", _("Qualitative rating"), "ratio")
SCOREABLE = {**BY_NAME, "rating": RATING}

# Rates that have a natural target of 100 % (or 0 % for late entries).
RATES = {"report_compliance", "late_entry_rate", "expense_ratio", "arrival_rate"}

DEFAULT_WEIGHTS = {
    "sales_revenue": 20,
    "units": 15,
    "collections": 15,
    "gross_profit": 15,
    "new_customers": 10,
    "visits": 5,
    "report_compliance": 5,
    "late_entry_rate": 5,
    "rating": 10,
}

CRITERIA = [
    ("cooperation", _("Cooperation")),
    ("enthusiasm", _("Enthusiasm")),
    ("loyalty", _("Loyalty and responsibility")),
    ("compliance", _("Compliance with management")),
    ("planning", _("Market planning")),
    ("progress", _("Progress")),
]
