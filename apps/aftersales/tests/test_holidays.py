"""Holiday greetings: a per-store calendar, pre-filled, one SMS per owner on the day."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from apps.aftersales import services
from apps.aftersales.models import FollowUp, Holiday, Message, MessageStatus, RuleCode

from .factories import deliver, make_customer

pytestmark = pytest.mark.django_db


def test_the_calendar_is_prefilled_for_this_year_and_the_next_two(store):
    services.rules_ensure(store_ids=[store.pk], today=date(2026, 12, 1))
    days = dict(Holiday.objects.filter(store=store).values_list("date", "name"))
    assert days[date(2027, 2, 6)] == "春节" and days[date(2028, 10, 3)] == "中秋节"
    assert days[date(2027, 6, 9)] == "端午节" and days[date(2027, 2, 20)] == "元宵节"
    assert min(days).year == 2026 and max(days).year == 2028


def test_owners_get_the_greeting_on_the_day_once_and_opted_out_owners_none(store, consultant, outbox):
    owner = make_customer(store, consultant, name="刘女士")
    deliver(store=store, consultant=consultant, delivered_on=date(2026, 5, 1), customer=owner)
    deliver(store=store, consultant=consultant, delivered_on=date(2026, 6, 1), customer=owner)  # two cars
    quiet = make_customer(store, consultant, sms_opt_out=True)
    deliver(store=store, consultant=consultant, delivered_on=date(2026, 5, 1), customer=quiet)
    make_customer(store, consultant)  # no car: not an owner
    services.followups_generate(on=date(2027, 2, 5))
    assert not FollowUp.objects.filter(rule=RuleCode.HOLIDAY).exists()
    services.followups_generate(on=date(2027, 2, 6))
    services.followups_generate(on=date(2027, 2, 6))  # a second run
    greetings = FollowUp.objects.filter(rule=RuleCode.HOLIDAY)
    assert [(g.customer_id, g.due_date, g.channel) for g in greetings] == [
        (owner.pk, date(2027, 2, 6), "sms")
    ]
    services.messages_send(on=date(2027, 2, 6), now=timezone.make_aware(datetime(2027, 2, 6, 10)))
    msg = Message.objects.get(followup__rule=RuleCode.HOLIDAY)
    assert msg.status == MessageStatus.SENT and "春节快乐" in msg.body and "刘女士" in msg.body


def test_an_edited_calendar_is_what_counts(store, consultant):
    owner = make_customer(store, consultant)
    deliver(store=store, consultant=consultant, delivered_on=date(2026, 5, 1), customer=owner)
    services.rules_ensure(store_ids=[store.pk], today=date(2027, 1, 1))
    Holiday.objects.filter(store=store, name="国庆节", date=date(2027, 10, 1)).delete()
    Holiday.objects.create(store=store, date=date(2027, 3, 8), name="妇女节")
    services.followups_generate(on=date(2027, 10, 1))
    services.followups_generate(on=date(2027, 3, 8))
    assert list(FollowUp.objects.filter(rule=RuleCode.HOLIDAY).values_list("due_date", flat=True)) == [
        date(2027, 3, 8)
    ]


def test_the_manager_moves_renames_adds_and_removes_holidays_on_the_page(
    client_as, store, other_store, manager, consultant
):
    c = client_as(manager)
    url = "/aftersales/holidays/"
    res = c.get(url, {"store": store.pk, "year": 2027})
    assert res.status_code == 200 and "春节" in res.content.decode()  # pre-filled on first view
    spring = Holiday.objects.get(store=store, name="春节", date__year=2027)
    c.post(url, {"store": store.pk, "year": 2027, "holiday": spring.pk, "date": "2027-02-07", "name": "春节"})
    spring.refresh_from_db()
    assert spring.date == date(2027, 2, 7)
    c.post(url, {"store": store.pk, "year": 2027, "date": "2027-03-08", "name": "妇女节"})
    assert Holiday.objects.filter(store=store, date=date(2027, 3, 8), name="妇女节").exists()
    # A second holiday on a day that has one is refused, with a message; a blank name too.
    before = Holiday.objects.filter(store=store).count()
    res = c.post(url, {"store": store.pk, "year": 2027, "date": "2027-03-08", "name": "另一个"}, follow=True)
    assert "already has a holiday" in res.content.decode()
    c.post(url, {"store": store.pk, "year": 2027, "date": "2027-03-09", "name": "  "})
    c.post(url, {"store": store.pk, "year": 2027, "date": "not a date", "name": "x"})
    assert Holiday.objects.filter(store=store).count() == before
    women = Holiday.objects.get(store=store, name="妇女节")
    c.post(url, {"store": store.pk, "year": 2027, "holiday": women.pk, "action": "remove"})
    assert not Holiday.objects.filter(pk=women.pk).exists()


def test_another_stores_holidays_are_out_of_reach(
    client_as, store, other_store, manager, other_manager, consultant
):
    services.holidays_ensure(store_ids=[store.pk, other_store.pk], today=date(2026, 12, 1))
    theirs = Holiday.objects.filter(store=other_store).first()
    c = client_as(manager)
    assert c.get("/aftersales/holidays/", {"store": other_store.pk}).status_code == 404
    res = c.post("/aftersales/holidays/", {"store": store.pk, "holiday": theirs.pk, "action": "remove"})
    assert res.status_code == 404 and Holiday.objects.filter(pk=theirs.pk).exists()
    assert client_as(consultant).get("/aftersales/holidays/").status_code in (302, 403)
    with pytest.raises(Exception, match="manager of this store"):
        services.holiday_save(store=store, day=date(2027, 5, 1), name="劳动节", by=other_manager)
