"""Visit log rules through the service (SPEC §2: honest records)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.activities import services
from apps.activities.models import ActivitySettings, Visit
from apps.customers.models import Customer, StageChange

from . import factories as f

pytestmark = pytest.mark.django_db


def log(consultant, customer, **extra):
    now = extra.pop("now", timezone.now())
    start = extra.pop("started_at", now - timedelta(minutes=40))
    fields = {"channel": "showroom", "started_at": start, "ended_at": start + timedelta(minutes=30)}
    fields.update(extra)
    return services.visit_log(consultant=consultant, customer=customer, now=now, **fields)


def test_a_visit_keeps_its_entry_time_and_minutes(consultant, store):
    c = f.customer(store, consultant)
    now = timezone.now()
    v = log(consultant, c, now=now, expense="12.50")
    assert v.entered_at == now and v.minutes == 30 and v.expense == Decimal("12.50")
    assert v.late is False and v.store == store


def test_a_visit_entered_more_than_two_days_after_it_happened_is_late(consultant, store):
    c = f.customer(store, consultant)
    now = f.aware(timezone.localdate(), 9)
    two_days = log(consultant, c, now=now, started_at=now - timedelta(days=2, hours=1))
    three_days = log(consultant, c, now=now, started_at=now - timedelta(days=3))
    assert two_days.late is False and three_days.late is True


def test_the_late_allowance_is_a_store_setting(consultant, store):
    ActivitySettings.objects.create(store=store, late_entry_days=0)
    c = f.customer(store, consultant)
    now = f.aware(timezone.localdate(), 9)
    assert log(consultant, c, now=now, started_at=now - timedelta(days=1)).late is True


def test_late_is_judged_on_local_dates_in_shanghai(consultant, store):
    """23:30 on the 1st, entered at 00:30 on the 4th (Shanghai) is 3 days: late,
    although fewer than 72 hours passed."""
    c = f.customer(store, consultant)
    day = timezone.localdate() - timedelta(days=10)
    start = f.aware(day, 23, 0)
    v = log(consultant, c, now=f.aware(day + timedelta(days=3), 0, 30), started_at=start)
    assert v.late is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ended_at_offset": -10}, "ended_at"),
        ({"start_offset": 60 * 24}, "started_at"),
        ({"expense": "-1"}, "expense"),
    ],
    ids=["start after end", "a visit in the future", "an expense below zero"],
)
def test_bad_input_is_refused_with_a_clear_error_and_nothing_saved(consultant, store, change, field):
    c = f.customer(store, consultant)
    now = timezone.now()
    start = now - timedelta(hours=1) + timedelta(minutes=change.get("start_offset", 0))
    end = start + timedelta(minutes=change.get("ended_at_offset", 30))
    with pytest.raises(ValidationError) as err:
        services.visit_log(
            consultant=consultant,
            customer=c,
            channel="phone",
            started_at=start,
            ended_at=end,
            expense=change.get("expense", 0),
            now=now,
        )
    assert field in err.value.message_dict
    assert not Visit.objects.exists()


def test_a_visit_to_another_consultants_customer_is_refused(consultant, consultant2, store):
    c = f.customer(store, consultant2)
    with pytest.raises(ValidationError) as err:
        log(consultant, c)
    assert "customer" in err.value.message_dict


def test_a_visit_registers_a_new_prospect_owned_by_the_consultant(consultant, store):
    now = timezone.now()
    v = services.visit_log(
        consultant=consultant,
        new_customer={"name": "陈女士", "mobile": "13912345678"},
        channel="showroom",
        started_at=now - timedelta(minutes=20),
        ended_at=now,
        now=now,
    )
    assert v.customer.owner == consultant and v.customer.store == store


def test_a_new_prospect_with_a_mobile_owned_by_someone_else_is_refused(consultant, consultant2, store):
    f.customer(store, consultant2, mobile="13912345678")
    now = timezone.now()
    with pytest.raises(ValidationError) as err:
        services.visit_log(
            consultant=consultant,
            new_customer={"name": "陈女士", "mobile": "13912345678"},
            channel="showroom",
            started_at=now - timedelta(minutes=20),
            ended_at=now,
            now=now,
        )
    assert "new_mobile" in err.value.message_dict
    assert not Visit.objects.exists() and Customer.objects.count() == 1


def test_a_visit_moves_the_opportunity_and_sets_the_next_follow_up(consultant, store):
    c = f.customer(store, consultant)
    opp = f.opportunity(c)
    follow = timezone.localdate() + timedelta(days=3)
    v = log(consultant, c, opportunity=opp, stage="test_drive", next_follow_up=follow)
    opp.refresh_from_db()
    c.refresh_from_db()
    assert opp.stage == "test_drive" and v.stage_after == "test_drive"
    assert StageChange.objects.filter(opportunity=opp, stage="test_drive", by=consultant).exists()
    assert c.next_follow_up == follow and c.last_contact_at == v.ended_at


def test_an_opportunity_of_another_customer_is_refused(consultant, store):
    c = f.customer(store, consultant)
    other = f.opportunity(f.customer(store, consultant, name="李"))
    with pytest.raises(ValidationError) as err:
        log(consultant, c, opportunity=other, stage="showroom")
    assert "opportunity" in err.value.message_dict


def test_edits_keep_an_audit_trail(consultant, store):
    c = f.customer(store, consultant)
    v = log(consultant, c, result="看了车")
    services.visit_update(visit=v, by=consultant, result="试驾了，约周六再来")
    history = list(v.history.order_by("history_date").values_list("result", "history_type", "history_user"))
    assert history == [("看了车", "+", consultant.pk), ("试驾了，约周六再来", "~", consultant.pk)]


def test_a_consultant_cannot_change_a_visit_older_than_the_lock_window(consultant, store):
    c = f.customer(store, consultant)
    now = timezone.now()
    old = log(consultant, c, now=now - timedelta(days=8), started_at=now - timedelta(days=8, hours=1))
    with pytest.raises(ValidationError, match="locked"):
        services.visit_update(visit=old, by=consultant, result="改", now=now)
    with pytest.raises(ValidationError, match="locked"):
        services.visit_delete(visit=old, by=consultant, now=now)
    recent = log(consultant, c, now=now - timedelta(days=6), started_at=now - timedelta(days=6, hours=1))
    assert services.visit_update(visit=recent, by=consultant, result="改", now=now).result == "改"


def test_only_the_consultant_who_logged_a_visit_may_change_it(consultant, consultant2, manager, store):
    v = log(consultant, f.customer(store, consultant))
    for other in (consultant2, manager):
        with pytest.raises(ValidationError):
            services.visit_update(visit=v, by=other, result="x")


def test_moving_a_late_visits_start_closer_to_its_entry_never_clears_late(consultant, store):
    """Late stays late: the 补录率 cannot be edited down after the fact."""
    c = f.customer(store, consultant)
    now = f.aware(timezone.localdate(), 9)
    v = log(consultant, c, now=now, started_at=now - timedelta(days=4))
    assert v.late is True
    start = now - timedelta(hours=2)
    moved = services.visit_update(
        visit=v, by=consultant, now=now, started_at=start, ended_at=start + timedelta(hours=1)
    )
    assert moved.late is True
    assert Visit.objects.get(pk=v.pk).late is True


def test_an_edit_can_make_a_visit_late(consultant, store):
    c = f.customer(store, consultant)
    now = f.aware(timezone.localdate(), 9)
    v = log(consultant, c, now=now)
    assert v.late is False
    start = now - timedelta(days=5)
    late = services.visit_update(
        visit=v, by=consultant, now=now, started_at=start, ended_at=start + timedelta(minutes=30)
    )
    assert late.late is True
