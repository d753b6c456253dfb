"""The daily job (SPEC §6): the right tasks on the right days, exactly once, set-based.

Dates are frozen by construction: every call names the day it runs for (`on=`), as
the beat job and `followups_generate --on` do.
"""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.aftersales import generation, services
from apps.aftersales.models import Channel, FollowUp, FollowUpRule, Message, RuleCode

from .factories import deliver, make_customer, make_model

DELIVERED = date(2026, 1, 10)


def run_days(first: date, last: date, **kw) -> dict[date, list[tuple[str, date, str]]]:
    """Run the job day by day; what each day made, as (rule, due date, channel).
    Holiday greetings are left out here (test_holidays.py covers them)."""
    made: dict[date, list[tuple[str, date, str]]] = {}
    seen: set[int] = set(FollowUp.objects.values_list("pk", flat=True))
    day = first
    while day <= last:
        services.followups_generate(on=day, **kw)
        new = FollowUp.objects.exclude(pk__in=seen).exclude(rule=RuleCode.HOLIDAY).order_by("pk")
        rows = [(f.rule, f.due_date, f.channel) for f in new]
        seen |= {f.pk for f in new}
        if rows:
            made[day] = rows
        day += timedelta(days=1)
    return made


def tasks(**filters) -> list[tuple[str, date, str]]:
    return list(
        FollowUp.objects.filter(**filters)
        .exclude(rule=RuleCode.HOLIDAY)
        .order_by("due_date", "pk")
        .values_list("rule", "due_date", "channel")
    )


@pytest.mark.django_db
def test_a_delivery_makes_the_7_day_30_day_and_first_service_tasks_on_their_days(store, consultant):
    deliver(store=store, consultant=consultant, delivered_on=DELIVERED)
    made = run_days(DELIVERED, DELIVERED + timedelta(days=100))
    assert made == {
        date(2026, 1, 17): [(RuleCode.POST_SALE_7D, date(2026, 1, 17), Channel.CALL)],
        date(2026, 2, 9): [(RuleCode.CARE_30D, date(2026, 2, 9), Channel.CALL)],
        # 3 months after delivery (the model's first_service_months): SMS ...
        date(2026, 4, 10): [(RuleCode.FIRST_SERVICE, date(2026, 4, 10), Channel.SMS)],
        # ... then a call three days later when no service was booked.
        date(2026, 4, 13): [(RuleCode.FIRST_SERVICE, date(2026, 4, 13), Channel.CALL)],
    }
    assert Message.objects.exclude(followup__rule=RuleCode.HOLIDAY).get().send_on == date(2026, 4, 10)


@pytest.mark.django_db
def test_the_care_call_mileage_brings_the_first_service_forward(store, consultant, cs_agent):
    vehicle = deliver(store=store, consultant=consultant, delivered_on=DELIVERED)
    run_days(DELIVERED, date(2026, 2, 9))
    care = FollowUp.objects.get(rule=RuleCode.CARE_30D)
    services.followup_complete(
        followup=care, by=cs_agent, outcome="reached", satisfaction=5, mileage=3000, today=date(2026, 2, 9)
    )
    vehicle.refresh_from_db()
    # 3,000 km in 30 days = 100 km/day: 5,000 km reached 20 days later, 1 March.
    assert vehicle.daily_km == 100 and vehicle.next_service_due == date(2026, 3, 1)
    made = run_days(date(2026, 2, 10), date(2026, 3, 5))
    assert made[date(2026, 3, 1)] == [(RuleCode.FIRST_SERVICE, date(2026, 3, 1), Channel.SMS)]
    assert made[date(2026, 3, 4)] == [(RuleCode.FIRST_SERVICE, date(2026, 3, 4), Channel.CALL)]


@pytest.mark.django_db
def test_a_service_visit_moves_the_periodic_reminder_as_the_formula_says(store, consultant, advisor):
    model = make_model(service_interval_km=10000, service_interval_months=6)
    vehicle = deliver(store=store, consultant=consultant, delivered_on=DELIVERED, model=model)
    # First service on 1 April at 3,240 km: 40 km/day; +10,000 km = 7 December,
    # +6 months = 1 October: due 1 October, reminder 3 days before.
    services.service_visit_record(
        vehicle=vehicle, date=date(2026, 4, 1), mileage=3240, kind="first_service", advisor=advisor
    )
    vehicle.refresh_from_db()
    assert (vehicle.next_service_due, vehicle.next_service_km) == (date(2026, 10, 1), 13240)
    made = run_days(date(2026, 4, 1), date(2026, 10, 5))
    assert made[date(2026, 4, 4)] == [(RuleCode.POST_SERVICE_3D, date(2026, 4, 4), Channel.CALL)]
    assert made[date(2026, 9, 28)] == [(RuleCode.PERIODIC_SERVICE, date(2026, 9, 28), Channel.SMS)]
    # No first-service reminders once the first service happened.
    assert not FollowUp.objects.filter(rule=RuleCode.FIRST_SERVICE).exists()


@pytest.mark.django_db
def test_a_higher_mileage_reading_brings_the_periodic_reminder_forward(store, consultant, advisor):
    vehicle = deliver(store=store, consultant=consultant, delivered_on=DELIVERED)
    services.service_visit_record(
        vehicle=vehicle, date=date(2026, 4, 1), mileage=3240, kind="first_service", advisor=advisor
    )
    # A repair on 1 May at 6,240 km: 100 km/day since the service; 7,000 km to go -> 10 July.
    services.service_visit_record(
        vehicle=vehicle, date=date(2026, 5, 1), mileage=6240, kind="repair", advisor=advisor
    )
    vehicle.refresh_from_db()
    assert vehicle.last_service_on == date(2026, 4, 1)  # a repair is not a service
    assert vehicle.next_service_due == date(2026, 7, 10)
    made = run_days(date(2026, 7, 1), date(2026, 7, 12))
    assert (RuleCode.PERIODIC_SERVICE, date(2026, 7, 7), Channel.SMS) in made[date(2026, 7, 7)]


@pytest.mark.django_db
def test_a_visit_after_the_sms_means_no_call(store, consultant, advisor):
    vehicle = deliver(store=store, consultant=consultant, delivered_on=DELIVERED)
    run_days(DELIVERED, date(2026, 4, 10))
    services.service_visit_record(
        vehicle=vehicle, date=date(2026, 4, 11), mileage=4000, kind="first_service", advisor=advisor
    )
    made = run_days(date(2026, 4, 11), date(2026, 4, 20))
    assert made == {date(2026, 4, 14): [(RuleCode.POST_SERVICE_3D, date(2026, 4, 14), Channel.CALL)]}


@pytest.mark.django_db
def test_birthday_anniversary_and_lapsed_owner_on_their_day(store, consultant):
    owner = make_customer(store, consultant, birthday=date(1990, 6, 15))
    deliver(store=store, consultant=consultant, delivered_on=date(2025, 3, 2), customer=owner)
    services.followups_generate(on=date(2026, 3, 1))
    assert tasks(rule=RuleCode.ANNIVERSARY) == []
    services.followups_generate(on=date(2026, 3, 2))
    assert tasks(rule=RuleCode.ANNIVERSARY) == [(RuleCode.ANNIVERSARY, date(2026, 3, 2), Channel.SMS)]
    # Never serviced: 365 days after delivery the owner counts as lapsed.
    assert tasks(rule=RuleCode.LAPSED) == [(RuleCode.LAPSED, date(2026, 3, 2), Channel.CALL)]
    services.followups_generate(on=date(2026, 6, 15))
    birthday = FollowUp.objects.get(rule=RuleCode.BIRTHDAY)
    assert (birthday.vehicle, birthday.customer, birthday.due_date) == (None, owner, date(2026, 6, 15))


@pytest.mark.django_db
def test_a_29_february_birthday_is_greeted_on_the_28th_in_other_years(store, consultant):
    owner = make_customer(store, consultant, birthday=date(1988, 2, 29))
    deliver(store=store, consultant=consultant, delivered_on=date(2025, 5, 5), customer=owner)
    services.followups_generate(on=date(2026, 2, 28))
    assert tasks(rule=RuleCode.BIRTHDAY) == [(RuleCode.BIRTHDAY, date(2026, 2, 28), Channel.SMS)]


@pytest.mark.django_db
def test_a_disabled_rule_or_another_offset_is_respected(store, consultant):
    services.rules_ensure(store_ids=[store.pk])
    FollowUpRule.objects.filter(store=store, rule=RuleCode.POST_SALE_7D).update(offset_days=5)
    FollowUpRule.objects.filter(store=store, rule=RuleCode.CARE_30D).update(enabled=False)
    deliver(store=store, consultant=consultant, delivered_on=DELIVERED)
    made = run_days(DELIVERED, DELIVERED + timedelta(days=40))
    assert made == {date(2026, 1, 15): [(RuleCode.POST_SALE_7D, date(2026, 1, 15), Channel.CALL)]}


@pytest.mark.django_db
def test_a_missed_night_is_caught_up_with_the_right_due_date(store, consultant):
    deliver(store=store, consultant=consultant, delivered_on=DELIVERED)
    services.followups_generate(on=date(2026, 1, 20))  # beat was down from the 17th
    assert tasks() == [(RuleCode.POST_SALE_7D, date(2026, 1, 17), Channel.CALL)]


@pytest.mark.django_db
def test_running_the_day_twice_creates_nothing_new(store, consultant, other_store, other_consultant):
    for d in range(0, 60, 3):
        deliver(store=store, consultant=consultant, delivered_on=DELIVERED + timedelta(days=d))
        deliver(store=other_store, consultant=other_consultant, delivered_on=DELIVERED + timedelta(days=d))
    first = run_days(date(2026, 1, 15), date(2026, 3, 1))
    everything = FollowUp.objects.count()  # with the 春节 and 元宵 greetings
    count = FollowUp.objects.exclude(rule=RuleCode.HOLIDAY).count()
    assert count == sum(len(v) for v in first.values()) > 0
    again = run_days(date(2026, 1, 15), date(2026, 3, 1))
    assert again == {} and FollowUp.objects.count() == everything


@pytest.mark.django_db
def test_the_store_option_generates_one_store_only(store, consultant, other_store, other_consultant):
    deliver(store=store, consultant=consultant, delivered_on=DELIVERED)
    deliver(store=other_store, consultant=other_consultant, delivered_on=DELIVERED)
    call_command("followups_generate", "--on", "2026-01-17", "--store", str(store.pk))
    assert list(FollowUp.objects.values_list("store", flat=True)) == [store.pk]


@pytest.mark.django_db
def test_generation_is_a_fixed_handful_of_statements_whatever_the_vehicles(store, consultant):
    def statements(on: date) -> int:
        with CaptureQueriesContext(connection) as ctx:
            services.followups_generate(on=on, store_id=store.pk)
        return len(ctx)

    deliver(store=store, consultant=consultant, delivered_on=DELIVERED)
    services.rules_ensure(store_ids=[store.pk], today=date(2026, 1, 17))  # the first use fills the calendar
    few = statements(date(2026, 1, 17))
    for d in range(30):
        deliver(store=store, consultant=consultant, delivered_on=DELIVERED + timedelta(days=d))
    many = statements(date(2026, 2, 9))
    # 1 statement gives the store its default rules, 1 finds its holiday calendar there,
    # then 1 INSERT … SELECT per rule (9), 1 for the calls after an SMS, 1 for the SMS.
    assert few == many == 2 + len(generation.STEPS) == 13
    # The week's lookback: 7-day calls due 3–9 February (7) and the two 30-day calls
    # of the cars delivered on 10 January.
    assert FollowUp.objects.filter(due_date__gte=date(2026, 2, 3)).count() == 9


@pytest.mark.django_db
def test_a_generation_killed_half_way_and_run_again_leaves_exactly_the_right_tasks(
    store, consultant, monkeypatch
):
    for d in range(0, 40):
        deliver(store=store, consultant=consultant, delivered_on=date(2025, 12, 10) + timedelta(days=d))
    on = date(2026, 1, 20)
    services.followups_generate(on=on)
    expected = set(FollowUp.objects.values_list("vehicle", "rule", "due_date", "channel"))
    expected_messages = Message.objects.count()
    FollowUp.objects.all().delete()

    # The worker dies after the first statement (the 7-day calls) is committed.
    real = generation.STEPS[:]

    def dying(params, one_store):
        raise SystemExit("killed")

    monkeypatch.setattr(generation, "STEPS", real[:1] + [(real[1][0], dying)] + real[2:])
    with pytest.raises(SystemExit):
        services.followups_generate(on=on)
    half = set(FollowUp.objects.values_list("vehicle", "rule", "due_date", "channel"))
    assert half and half < expected
    monkeypatch.setattr(generation, "STEPS", real)
    services.followups_generate(on=on)
    assert set(FollowUp.objects.values_list("vehicle", "rule", "due_date", "channel")) == expected
    assert FollowUp.objects.count() == len(expected)
    assert Message.objects.count() == expected_messages


@pytest.mark.django_db
def test_a_moved_delivery_date_makes_no_second_post_sale_call(store, consultant):
    """The window's "already made" shortcut matches on vehicle, rule and due date; a task
    of the rule at another due date is still found by the once-per-vehicle check."""
    vehicle = deliver(store=store, consultant=consultant, delivered_on=DELIVERED)
    services.followups_generate(on=date(2026, 1, 17))
    type(vehicle).objects.filter(pk=vehicle.pk).update(delivered_on=DELIVERED + timedelta(days=2))
    services.followups_generate(on=date(2026, 1, 19))
    assert tasks(rule=RuleCode.POST_SALE_7D) == [(RuleCode.POST_SALE_7D, date(2026, 1, 17), Channel.CALL)]


@pytest.mark.django_db
def test_every_statement_drops_what_earlier_runs_made_with_one_hashed_lookup(store, consultant):
    """On PostgreSQL each rule's statement (and the SMS one) removes the candidates whose
    task already exists with one hashed NOT IN over the window's tasks, built once, so a
    re-run probes no index per candidate; a plain subplan would rescan them per row."""
    if connection.vendor != "postgresql":
        pytest.skip("the shortcut is PostgreSQL's")
    deliver(store=store, consultant=consultant, delivered_on=DELIVERED)
    services.followups_generate(on=date(2026, 1, 17))
    params = {
        "on": date(2026, 1, 18),
        "start": date(2026, 1, 12),
        "now": date(2026, 1, 18),
        "false": False,
        "store": None,
        **{f"delivery_days{i}": d for i, d in enumerate(generation._anniversaries(date(2026, 1, 18), 60))},
        **{f"birth_days{i}": d for i, d in enumerate(generation._anniversaries(date(2026, 1, 18), 120))},
    }
    with connection.cursor() as cursor:
        for name, build in generation.STEPS:
            sql = build(params, False)
            for key in ("delivery_days", "birth_days"):
                n = sum(1 for p in params if p.startswith(key))
                sql = sql.replace(f"%({key})s", "(" + ", ".join(f"%({key}{i})s" for i in range(n)) + ")")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "NOT (hashed SubPlan" in plan, (name, plan)
