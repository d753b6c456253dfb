"""The confirmation round, the route plan and the day-end decision (issue 15 item 1)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.activities import services as activities
from apps.activities.models import PlannedVisit
from apps.activities.tests.factories import aware, customer, earlier_today
from apps.appointments import selectors, services
from apps.appointments.models import Appointment, Status
from apps.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def tomorrow():
    return timezone.localdate() + timedelta(days=1)


def book(by, c, day, hour=10, **kw):
    return services.appointment_create(by=by, customer=c, starts_at=aware(day, hour), **kw)


def test_the_specialist_books_for_a_consultant_and_confirms_it_into_his_route(
    store, consultant, specialist, tomorrow
):
    c = customer(store, consultant, name="周先生")
    a = book(specialist, c, tomorrow, consultant=consultant, kind="test_drive", purpose="试驾汉兰达")
    assert a.status == Status.SCHEDULED and a.day == tomorrow
    assert list(selectors.call_list(specialist, tomorrow)) == [a]

    a = services.appointment_confirm(appointment=a, by=specialist, note="客户确认")
    assert a.status == Status.CONFIRMED and a.confirmed_by == specialist
    stop = PlannedVisit.objects.get(plan__consultant=consultant, date=tomorrow, customer=c)
    assert "10:00" in stop.purpose and a.planned_visit == stop
    # the consultant is told, once, even if the button is pressed twice
    services.appointment_confirm(appointment=a, by=specialist)
    assert Notification.objects.filter(user=consultant, kind="appointment_confirmed").count() == 1


def test_cancelling_or_rescheduling_takes_the_stop_off_the_route(store, consultant, specialist, tomorrow):
    c = customer(store, consultant)
    a = services.appointment_confirm(
        appointment=book(specialist, c, tomorrow, consultant=consultant), by=specialist
    )
    a = services.appointment_reschedule(
        appointment=a, by=specialist, starts_at=aware(tomorrow + timedelta(days=2), 15)
    )
    assert a.status == Status.RESCHEDULED and a.confirmed_at is None and a.reschedules == 1
    assert not PlannedVisit.objects.filter(customer=c).exists()
    with pytest.raises(ValidationError):
        services.appointment_cancel(appointment=a, by=specialist, reason=" ")
    a = services.appointment_cancel(appointment=a, by=specialist, reason="客户出差")
    assert a.status == Status.CANCELLED
    with pytest.raises(ValidationError):
        services.appointment_confirm(appointment=a, by=specialist)


def test_refusals(store, other_store, consultant, consultant2, other_consultant, specialist, tomorrow):
    mine = customer(store, consultant)
    with pytest.raises(ValidationError) as exc:
        book(consultant2, mine, tomorrow)  # another consultant's customer
    assert "consultant" in exc.value.error_dict
    with pytest.raises(ValidationError):
        book(consultant, mine, timezone.localdate() - timedelta(days=1))  # in the past
    with pytest.raises(ValidationError):
        book(specialist, mine, tomorrow, consultant=other_consultant)  # not at the customer's store
    with pytest.raises(ValidationError):
        book(consultant, mine, tomorrow, consultant=consultant2)  # a consultant books only for himself
    a = book(consultant, mine, tomorrow)
    with pytest.raises(ValidationError):
        services.appointment_confirm(appointment=a, by=consultant2)
    assert Appointment.objects.count() == 1


def test_a_visit_that_day_makes_it_attended_and_the_day_end_makes_the_rest_no_shows(
    store, consultant, specialist
):
    today = timezone.localdate()
    now = timezone.now()
    came = customer(store, consultant, name="来了")
    stayed_away = customer(store, consultant, name="没来")
    phoned = customer(store, consultant, name="只打了电话")
    a1 = book(specialist, came, today, hour=23, consultant=consultant, now=now - timedelta(days=1))
    a2 = book(specialist, stayed_away, today, hour=23, consultant=consultant, now=now - timedelta(days=1))
    a3 = book(specialist, phoned, today, hour=23, consultant=consultant, now=now - timedelta(days=1))
    start = earlier_today(30)  # a visit of today, whatever the hour
    activities.visit_log(
        consultant=consultant, customer=came, channel="showroom", started_at=start, ended_at=now
    )
    activities.visit_log(
        consultant=consultant, customer=phoned, channel="phone", started_at=start, ended_at=now
    )
    a1.refresh_from_db()
    assert a1.status == Status.ATTENDED and a1.visit is not None

    assert services.appointments_close_day(day=today) == {"attended": 0, "no_show": 2}
    assert services.appointments_close_day(day=today) == {"attended": 0, "no_show": 0}  # a second run
    a2.refresh_from_db()
    a3.refresh_from_db()
    assert a2.status == a3.status == Status.NO_SHOW

    # a visit entered late for that day still turns the no-show into an arrival
    activities.visit_log(
        consultant=consultant, customer=stayed_away, channel="outside", started_at=start, ended_at=now
    )
    a2.refresh_from_db()
    assert a2.status == Status.ATTENDED


def test_day_end_catches_a_visit_written_straight_to_the_table(store, consultant):
    from apps.activities.models import Visit

    today = timezone.localdate()
    c = customer(store, consultant)
    a = book(consultant, c, today, hour=23, now=timezone.now() - timedelta(days=1))
    Visit.objects.bulk_create(
        [
            Visit(
                store=store,
                consultant=consultant,
                customer=c,
                channel="showroom",
                started_at=aware(today, 9),
                ended_at=aware(today, 10),
            )
        ]
    )  # bulk_create sends no post_save
    assert services.appointments_close_day(day=today) == {"attended": 1, "no_show": 0}
    a.refresh_from_db()
    assert a.status == Status.ATTENDED and a.visit_id is not None


def test_kpis_per_consultant_and_store(store, consultant, consultant2, specialist):
    today = timezone.localdate()
    past = timezone.now() - timedelta(days=1)
    statuses = [Status.ATTENDED, Status.ATTENDED, Status.NO_SHOW, Status.CANCELLED]
    for i, status in enumerate(statuses):
        a = book(specialist, customer(store, consultant), today, hour=23, consultant=consultant, now=past)
        Appointment.objects.filter(pk=a.pk).update(
            status=status, confirmed_at=past if i < 2 else None, cancelled_at=past
        )
    book(specialist, customer(store, consultant2), today, hour=23, consultant=consultant2, now=past)
    qs = Appointment.objects.all()
    total = selectors.kpis(qs, today.replace(day=1), today)
    assert total["invitations"] == 4 and total["cancelled"] == 1
    assert total["arrival_rate"] == 0.5 and total["no_show_rate"] == 0.25 and total["confirmed_rate"] == 0.5
    rows = {r["consultant_id"]: r for r in selectors.kpis_by_consultant(qs, today.replace(day=1), today)}
    assert rows[consultant.pk]["arrival_rate"] == round(2 / 3, 4)
    assert rows[consultant2.pk]["arrival_rate"] == 0.0
    empty = selectors.kpis(qs.none(), today, today)
    assert empty["arrival_rate"] is None  # "—", not a false 0
