"""Maintenance prediction (SPEC §6), pure functions over dates and readings.

Daily mileage = the km between the vehicle's latest reading and the latest reading at
least 30 days before it, over the days between them; when no reading is that old the
span goes back to the delivery (which counts as 0 km). Two readings a couple of days
apart say little (a weekend trip would read as 500 km a day and a service due next
fortnight), so the rate is measured over a span long enough to mean something. The next
service is due on the earlier of (last service + interval months) and the day the
predicted mileage reaches (last service km + interval km); before the first service
the base is the delivery and the model's first-service km and months.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

# A reading that implies more than this per day is taken for a typo (SPEC §6).
MAX_KM_PER_DAY = 2000


@dataclass(frozen=True)
class Policy:
    first_km: int
    first_months: int
    interval_km: int
    interval_months: int


@dataclass(frozen=True)
class Prediction:
    daily_km: Decimal | None
    due: date
    due_km: int
    due_by_months: date
    due_by_km: date | None
    basis: "Basis | None" = None


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the 31st becomes the month's last day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# The shortest span a daily mileage is measured over (unless only the delivery is older).
MIN_SPAN_DAYS = 30


@dataclass(frozen=True)
class Basis:
    """The two readings a daily mileage was measured between (shown on the vehicle page)."""

    start: date
    start_km: int
    end: date
    end_km: int

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def km(self) -> int:
        return max(self.end_km - self.start_km, 0)


def rate_basis(readings: list[tuple[date, int]]) -> Basis | None:
    """The latest reading and the latest one at least MIN_SPAN_DAYS before it, else the
    earliest reading (the delivery, when it is among them); None without two days."""
    if not readings:
        return None
    ordered = sorted(readings)
    last_day, last_km = ordered[-1]
    earlier = [r for r in ordered if r[0] < last_day]
    if not earlier:
        return None
    old_enough = [r for r in earlier if (last_day - r[0]).days >= MIN_SPAN_DAYS]
    start_day, start_km = old_enough[-1] if old_enough else earlier[0]
    return Basis(start_day, start_km, last_day, last_km)


def daily_rate(readings: list[tuple[date, int]]) -> Fraction | None:
    """km per day over the span of `rate_basis`."""
    basis = rate_basis(readings)
    if basis is None:
        return None
    return Fraction(basis.km, basis.days)


def predict(
    *,
    delivered_on: date,
    readings: list[tuple[date, int]],
    last_service: tuple[date, int] | None,
    policy: Policy,
) -> Prediction:
    """`readings` are (date, km) pairs, the delivery's (delivered_on, 0) included or not."""
    points = sorted({(delivered_on, 0), *readings})
    if last_service:
        base_day = last_service[0]
        months, target = policy.interval_months, last_service[1] + policy.interval_km
    else:
        base_day = delivered_on
        months, target = policy.first_months, policy.first_km
    by_months = add_months(base_day, months)
    basis = rate_basis(points)
    rate = Fraction(basis.km, basis.days) if basis else None
    by_km: date | None = None
    if rate:
        ref_day, ref_km = points[-1]
        remaining = target - ref_km
        # ceil(remaining / rate) without floating point: the day the target is reached.
        days = 0 if remaining <= 0 else -((-remaining * rate.denominator) // rate.numerator)
        by_km = ref_day + timedelta(days=days)
    due = min(by_months, by_km) if by_km else by_months
    daily = Decimal(rate.numerator) / Decimal(rate.denominator) if rate is not None else None
    return Prediction(
        daily_km=daily.quantize(Decimal("0.1"), ROUND_HALF_UP) if daily is not None else None,
        due=due,
        due_km=target,
        due_by_months=by_months,
        due_by_km=by_km,
        basis=basis,
    )


def reading_problem(readings: list[tuple[date, int]], day: date, km: int) -> str | None:
    """Why a new reading (day, km) is refused, or None. Messages are untranslated keys."""
    before = [r for r in readings if r[0] <= day]
    after = [r for r in readings if r[0] > day]
    if before and km < max(r[1] for r in before):
        return "backwards"
    if after and km > min(r[1] for r in after):
        return "above_later"
    earlier = [r for r in readings if r[0] < day]
    if earlier:
        prev_day, prev_km = max(earlier)
        if km - prev_km > MAX_KM_PER_DAY * (day - prev_day).days:
            return "too_fast"
    elif before and km - max(r[1] for r in before) > MAX_KM_PER_DAY:
        return "too_fast"
    return None
