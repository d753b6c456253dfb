"""The maintenance prediction of SPEC §6, as pure functions."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

from apps.aftersales.prediction import Policy, add_months, daily_rate, predict, reading_problem

POLICY = Policy(first_km=5000, first_months=3, interval_km=10000, interval_months=6)


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2026, 1, 10), 3) == date(2026, 4, 10)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_without_readings_the_first_service_is_due_by_months_only():
    p = predict(delivered_on=date(2026, 1, 10), readings=[], last_service=None, policy=POLICY)
    assert p.daily_km is None and p.due == date(2026, 4, 10) and p.due_km == 5000


def test_daily_mileage_is_measured_over_at_least_30_days():
    readings = [(date(2026, 1, 10), 0), (date(2026, 2, 9), 1500), (date(2026, 3, 1), 2700)]
    assert daily_rate(readings) == 54  # 9 February is only 20 days back: 2700 / 50 days
    readings.append((date(2026, 3, 11), 3300))
    assert daily_rate(readings) == 60  # (3300 − 1500) / 30 days from 9 February


def test_a_reading_two_days_after_the_last_does_not_swing_the_prediction():
    """The defect: 1,046 km in two days read as 523 km/day and a service due in 18 days."""
    delivered = date(2026, 1, 10)
    readings = [(date(2026, 4, 1), 3240), (date(2026, 4, 3), 4286)]
    p = predict(
        delivered_on=delivered, readings=readings, last_service=(date(2026, 4, 1), 3240), policy=POLICY
    )
    assert p.basis is not None and (p.basis.start, p.basis.end) == (delivered, date(2026, 4, 3))
    assert p.daily_km == Decimal("51.6")  # 4286 km over the 83 days since the delivery
    assert p.due == p.due_by_km == date(2026, 9, 24)  # 8,954 km to go at 51.6 a day, not 18 days


def test_without_a_reading_30_days_older_the_span_goes_back_to_the_delivery():
    readings = [(date(2026, 1, 10), 0), (date(2026, 1, 20), 800), (date(2026, 1, 25), 1000)]
    assert daily_rate(readings) == Fraction(1000, 15)


def test_a_fast_driver_reaches_the_first_service_km_before_three_months():
    # 1,800 km in 30 days = 60 km/day: 5,000 km on day 84 (3,200 km left at 60/day
    # from the reading of 9 February = 54 days) -> 4 April, before 10 April.
    p = predict(
        delivered_on=date(2026, 1, 10), readings=[(date(2026, 2, 9), 1800)], last_service=None, policy=POLICY
    )
    assert p.daily_km == Decimal("60.0")
    assert p.due_by_km == date(2026, 4, 4)
    assert p.due == date(2026, 4, 4)


def test_a_slow_driver_is_due_by_months():
    p = predict(
        delivered_on=date(2026, 1, 10), readings=[(date(2026, 2, 9), 300)], last_service=None, policy=POLICY
    )
    assert p.due == date(2026, 4, 10) and p.due_by_km and p.due_by_km > p.due


def test_after_a_service_the_interval_counts_from_it():
    # Served on 1 April at 3,240 km: 81 days after delivery, 40 km/day. 10,000 km more
    # take 250 days (7 December), later than 1 October (+6 months).
    p = predict(
        delivered_on=date(2026, 1, 10),
        readings=[(date(2026, 4, 1), 3240)],
        last_service=(date(2026, 4, 1), 3240),
        policy=POLICY,
    )
    assert p.daily_km == Decimal("40.0")
    assert p.due_km == 13240
    assert p.due_by_months == date(2026, 10, 1)
    assert p.due_by_km == date(2026, 12, 7)
    assert p.due == date(2026, 10, 1)


def test_a_fast_driver_after_a_service_is_due_by_km():
    # 5,400 km in 81 days = 66.7 km/day: 10,000 km more in 150 days -> 29 August.
    p = predict(
        delivered_on=date(2026, 1, 10),
        readings=[(date(2026, 4, 1), 5400)],
        last_service=(date(2026, 4, 1), 5400),
        policy=POLICY,
    )
    assert p.daily_km == Decimal("66.7")
    assert p.due == p.due_by_km == date(2026, 8, 29)


def test_a_reading_past_the_target_makes_the_service_due_on_that_day():
    p = predict(
        delivered_on=date(2026, 1, 10), readings=[(date(2026, 2, 1), 6000)], last_service=None, policy=POLICY
    )
    assert p.due == date(2026, 2, 1)


def test_odometers_do_not_run_backwards_and_typos_are_refused():
    readings = [(date(2026, 1, 10), 0), (date(2026, 2, 9), 1800)]
    assert reading_problem(readings, date(2026, 3, 1), 1700) == "backwards"
    assert reading_problem(readings, date(2026, 2, 1), 2000) == "above_later"
    assert reading_problem(readings, date(2026, 2, 10), 1800 + 2001) == "too_fast"
    assert reading_problem(readings, date(2026, 2, 10), 1800 + 2000) is None
    assert reading_problem(readings, date(2026, 3, 1), 2500) is None
