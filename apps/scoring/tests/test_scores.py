"""Targets, the normalised score per measure, the total and the ranks."""

from datetime import date
from decimal import Decimal

import pytest

from apps.org.roles import Role
from apps.org.tests.factories import TeamFactory, UserFactory
from apps.scoring import selectors, services
from apps.scoring.periods import parse

from . import factories as f

pytestmark = pytest.mark.django_db
D = Decimal


def cards(store, *keys):
    return selectors.scorecards(stores=[store], periods=[parse(k) for k in keys])


def only(store, weights, standards=None, cap=120):
    services.template_save(store=store, weights=weights, standards=standards or {}, cap=cap)


def test_a_period_target_wins_over_the_sum_of_its_months(store, consultant):
    for m in (10, 11, 12):
        f.target(consultant, "units", parse(f"2026-{m}").start, parse(f"2026-{m}").end, 2)
    f.target(consultant, "revenue", date(2026, 10, 1), date(2026, 12, 31), 900000, kind="quarter")
    f.target(consultant, "revenue", date(2026, 10, 1), date(2026, 10, 31), 100)
    got = cards(store, "2026-Q4", "2026-10")
    # The quarter's own revenue target, not 100 + …; units add up from the months.
    assert got[consultant.pk, "2026-Q4"].targets == {"units": D(6), "sales_revenue": D(900000)}
    assert got[consultant.pk, "2026-10"].targets == {"units": D(2), "sales_revenue": D(100)}


def test_targets_are_named_after_the_scorecard_measures_and_drafts_do_not_count(
    store, consultant, consultant2
):
    f.target(consultant, "revenue", date(2026, 10, 1), date(2026, 10, 31), 200000)
    f.target(consultant, "visits", date(2026, 10, 1), date(2026, 10, 31), 20)
    got = cards(store, "2026-10")[consultant.pk, "2026-10"]
    assert got.targets == {"sales_revenue": D(200000), "visits": D(20)}
    other = UserFactory(
        role=Role.CONSULTANT, stores=[f.Store.objects.create(name="X", code="x", region=store.region)]
    )
    f.target(other, "units", date(2026, 10, 1), date(2026, 10, 31), 5, approved=False)
    assert cards(other.stores.get(), "2026-10")[other.pk, "2026-10"].targets == {}


def test_achievement_against_the_target_is_capped(store, consultant):
    only(store, {"sales_revenue": 1})
    f.target(consultant, "revenue", date(2026, 10, 1), date(2026, 10, 31), 100000)
    f.order(consultant, date(2026, 10, 3), 150000, 100000)
    card = cards(store, "2026-10")[consultant.pk, "2026-10"]
    assert card.achievement["sales_revenue"] == D("1.5000")
    assert card.scores["sales_revenue"] == D("120.0")  # capped at 120 %
    assert card.score == D("120.0")


def test_without_a_target_the_standard_then_the_store_average_is_the_benchmark(
    store, consultant, consultant2
):
    only(store, {"units": 1, "visits": 1}, standards={"visits": "4"})
    for day in (3, 4, 5):
        f.order(consultant, date(2026, 10, day))
    f.order(consultant2, date(2026, 10, 3))
    for hour in (9, 10):
        f.visit(consultant, f.at(date(2026, 10, 3), hour))
    got = cards(store, "2026-10")
    a, b = got[consultant.pk, "2026-10"], got[consultant2.pk, "2026-10"]
    # units: store average 2 → 3/2 = 150 % capped to 120; 1/2 = 50.
    assert (a.scores["units"], b.scores["units"]) == (D("120.0"), D("50.0"))
    # visits: the standard 4 → 2/4 = 50; 0/4 = 0.
    assert (a.scores["visits"], b.scores["visits"]) == (D("50.0"), D("0.0"))
    assert (a.score, b.score) == (D("85.0"), D("25.0"))
    assert (a.rank_store, b.rank_store) == (1, 2)


def test_rates_score_against_their_natural_target_and_a_dash_is_left_out(store, consultant, consultant2):
    only(store, {"report_compliance": 1, "late_entry_rate": 1, "cost_per_visit": 2})
    f.visit(consultant, f.at(date(2026, 10, 3)), late=True, expense=10)
    f.visit(consultant, f.at(date(2026, 10, 4)), expense=30)
    f.report(consultant, date(2026, 10, 3), on_time=True)
    f.report(consultant, date(2026, 10, 4), on_time=False)
    got = cards(store, "2026-10")
    a, b = got[consultant.pk, "2026-10"], got[consultant2.pk, "2026-10"]
    assert a.scores["report_compliance"] == D("50.0")  # 1 of 2 days on time
    assert a.scores["late_entry_rate"] == D("50.0")  # 1 − 1/2
    assert a.scores["cost_per_visit"] == D("100.0")  # the only peer value is his own
    assert a.score == D("75.0")  # (50 + 50 + 2 × 100) / 4
    # No visits, no working days: every one of these is "—", so no score at all.
    assert b.scores == {"report_compliance": None, "late_entry_rate": None, "cost_per_visit": None}
    assert b.score is None and b.rank_store is None


def test_the_rating_counts_as_its_mean_out_of_five(store, manager, consultant):
    only(store, {"rating": 1})
    services.rating_save(
        consultant=consultant, period="2026-10", rated_by=manager,
        cooperation=5, enthusiasm=4, loyalty=4, compliance=3, planning=5, progress=3,
    )  # fmt: skip
    card = cards(store, "2026-10")[consultant.pk, "2026-10"]
    assert card.rating["average"] == D("4.00") and card.score == D("80.0")


def test_ties_share_a_rank_and_teams_rank_separately(store, team, consultant, consultant2):
    only(store, {"units": 1})
    other_team = TeamFactory(store=store, name="二组")
    third = UserFactory(role=Role.CONSULTANT, stores=[store], team=other_team, name="张磊")
    for person in (consultant, consultant2):
        f.order(person, date(2026, 10, 3))
    got = cards(store, "2026-10")
    ranks = {c.consultant_id: (c.rank_store, c.rank_team) for c in got.values()}
    assert ranks[consultant.pk] == ranks[consultant2.pk] == (1, 1)
    assert ranks[third.pk] == (3, 1)


def test_a_rating_is_once_per_period_and_refuses_bad_scores(manager, consultant, store):
    from django.core.exceptions import ValidationError

    scores = dict(cooperation=5, enthusiasm=4, loyalty=4, compliance=3, planning=5, progress=3)
    with pytest.raises(ValidationError) as bad:
        services.rating_save(
            consultant=consultant, period="2026-10", rated_by=manager, **{**scores, "loyalty": 0}
        )
    assert "loyalty" in bad.value.message_dict
    services.rating_save(consultant=consultant, period="2026-10", rated_by=manager, **scores)
    services.rating_save(
        consultant=consultant, period="2026-10", rated_by=manager, **{**scores, "progress": 1}
    )
    assert consultant.ratings.get().progress == 1
    with pytest.raises(ValidationError):
        services.rating_save(consultant=manager, period="2026-10", rated_by=manager, **scores)
