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
