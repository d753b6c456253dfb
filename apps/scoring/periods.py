"""Scoring periods: a month ("2026-10"), a quarter ("2026-Q4") or a year ("2026").

Every period is a whole number of calendar months, so figures are computed per
month in the database and a quarter or a year is the sum of its months.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
# Business years; beyond them date arithmetic (the previous months, the next
# month) runs off Python's calendar, which ends at year 9999.
YEARS = range(1900, 3000)


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date  # inclusive
    kind: str  # "month", "quarter" or "year"

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    def __str__(self) -> str:
        return self.key

    @property
    def part(self) -> str:
        """The period within its year, as the picker names it: "10", "Q4" or "" (the year)."""
        return self.key[5:] if self.kind != "year" else ""

    @property
    def months(self) -> list[date]:
        """The first day of every month of the period."""
        out, day = [], self.start
        while day <= self.end:
            out.append(day)
            day = _add_months(day, 1)
        return out

    def previous_months(self, n: int) -> list["Period"]:
        """The n months ending with this period's last month, oldest first."""
        last = self.end.replace(day=1)
        return [month(_add_months(last, -i)) for i in range(n - 1, -1, -1)]


def _add_months(day: date, n: int) -> date:
    index = day.year * 12 + day.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month(day: date) -> Period:
    first = day.replace(day=1)
    return Period(first, _add_months(first, 1) - timedelta(days=1), "month")


def parse(key: str) -> Period:
    """Parse "2026-10", "2026-Q4" or "2026"; anything else is a ValidationError."""
    key = (key or "").strip().upper()
    if m := _MONTH.match(key):
        year, number = int(m[1]), int(m[2])
        if 1 <= number <= 12 and year in YEARS:
            return month(date(year, number, 1))
    elif m := _QUARTER.match(key):
        year, q = int(m[1]), int(m[2])
        if year in YEARS:
            first = date(year, 3 * q - 2, 1)
            return Period(first, _add_months(first, 3) - timedelta(days=1), "quarter")
    elif m := _YEAR.match(key):
        if int(m[1]) in YEARS:
            return Period(date(int(m[1]), 1, 1), date(int(m[1]), 12, 31), "year")
    raise ValidationError(
        {"period": _("Give a period as 2026-10 (month), 2026-Q4 (quarter) or 2026 (year).")}
    )


def from_picker(year: str, part: str) -> str:
    """The period key the picker's year and part make ("2026" + "10" → "2026-10")."""
    return f"{year}-{part}" if part else year
