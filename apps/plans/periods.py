"""Calendar arithmetic for target periods: splitting a period into quarters, months, weeks."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from .models import PeriodKind

# How fine each period kind is; a node splits only into finer kinds.
RANK = {
    PeriodKind.YEAR: 0,
    PeriodKind.QUARTER: 1,
    PeriodKind.MONTH: 2,
    PeriodKind.WEEK: 3,
    PeriodKind.DAY: 4,
}


@dataclass(frozen=True)
class Slice:
    key: str
    label: str
    kind: str
    start: date
    end: date


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def week_bounds(d: date) -> tuple[date, date]:
    monday = d - timedelta(days=d.weekday())
    return monday, monday + timedelta(days=6)


def shift_year(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def split(start: date, end: date, into: str) -> list[Slice]:
    """The slices of [start, end] by quarter, month or ISO week, clipped to the period.

    Keys as API.md: quarters "1"…"4", months "1"…"12", weeks their ISO week
    ("2025-W01"): the week of 29–31 December that ISO counts in the next year is
    "2026-W01", never a second "1", so keys are unique within a breakdown.
    """
    out: list[Slice] = []
    if into == PeriodKind.QUARTER:
        for q in range(1, 5):
            qs = date(start.year, 3 * q - 2, 1)
            qe = month_end(date(start.year, 3 * q, 1))
            if qe >= start and qs <= end:
                out.append(
                    Slice(str(q), _("Q%(q)s") % {"q": q}, PeriodKind.QUARTER, max(qs, start), min(qe, end))
                )
    elif into == PeriodKind.MONTH:
        d = start.replace(day=1)
        while d <= end:
            me = month_end(d)
            out.append(Slice(str(d.month), f"{d:%Y-%m}", PeriodKind.MONTH, max(d, start), min(me, end)))
            d = me + timedelta(days=1)
    elif into == PeriodKind.WEEK:
        d = start
        while d <= end:
            ws, we = week_bounds(d)
            iso_year, week, _wd = d.isocalendar()
            key = f"{iso_year}-W{week:02d}"
            s, e = max(ws, start), min(we, end)
            out.append(
                Slice(
                    key,
                    _("W%(week)s (%(start)s–%(end)s)")
                    % {"week": week, "start": f"{s:%m-%d}", "end": f"{e:%m-%d}"},
                    PeriodKind.WEEK,
                    s,
                    e,
                )
            )
            d = we + timedelta(days=1)
    return out


def working_days(
    start: date, end: date, weekday_weights: dict[str, float], closed: set[date]
) -> list[tuple[Slice, float]]:
    """The store's working days in [start, end] with their weekday weight: days whose
    weekday weighs 0 and closed dates are left out. Keys as API.md: "2027-02-01"."""
    out: list[tuple[Slice, float]] = []
    d = start
    while d <= end:
        w = weekday_weights.get(str(d.isoweekday()), 0)
        if w > 0 and d not in closed:
            out.append(
                (Slice(d.isoformat(), f"{d:%m-%d} {WEEKDAYS_ABBR[d.weekday()]}", PeriodKind.DAY, d, d), w)
            )
        d += timedelta(days=1)
    return out


def elapsed_fraction(start: date, end: date, today: date) -> float:
    """Share of the period's days that have passed, today counted as passed."""
    total = (end - start).days + 1
    done = min(max((today - start).days + 1, 0), total)
    return done / total
