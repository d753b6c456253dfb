"""The escalation ladders, run on PostgreSQL with the clock advanced tick by tick."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.activities.tests.factories import customer, order
from apps.aftersales.models import Complaint, FollowUp, FollowUpStatus
from apps.customers.models import Customer
from apps.escalations import services
from apps.escalations.models import DepartmentHead, Step
from apps.notifications.models import Notification
from apps.sales.models import Receivable

pytestmark = pytest.mark.django_db

T0 = timezone.make_aware(datetime(2027, 3, 1, 0, 0))  # a Monday, local midnight


@pytest.fixture
def neglected(store, consultant, manager, finance, cs_agent, advisor):
    """A lead last contacted at T0, an instalment due T0 + 10 days and nobody paying it,
    a complaint opened at T0 that nobody touches."""
    lead = customer(store, consultant, name="冷线索")
    Customer.objects.filter(pk=lead.pk).update(created_at=T0 - timedelta(days=30), last_contact_at=T0)
    buyer = customer(store, consultant, name="欠款人", status="customer")
    o = order(buyer, consultant, T0.date())
    rec = Receivable.objects.create(
        store=store,
        order=o,
        customer=buyer,
        responsible=consultant,
        due_date=T0.date() + timedelta(days=10),
        amount=Decimal("50000"),
    )
    Receivable.objects.filter(order=o).exclude(pk=rec.pk).delete()
    complaint = Complaint.objects.create(
        store=store,
        customer=buyer,
        category="waiting_time",
        department="service",
        owner=cs_agent,
        description="等太久",
    )
    Complaint.objects.filter(pk=complaint.pk).update(opened_at=T0)
    DepartmentHead.objects.create(store=store, department="service", user=advisor)
    return lead, rec, complaint


def ticks():
    """Hourly for the first four days (complaints count hours), then daily to day 30."""
    for h in range(0, 96):
        yield T0 + timedelta(hours=h, minutes=5)
    for d in range(4, 31):
        yield T0 + timedelta(days=d, hours=8)


def test_every_rung_of_every_ladder_fires_exactly_once_in_order(
    neglected, consultant, manager, finance, cs_agent, advisor
):
    lead, rec, complaint = neglected
    seen: list[tuple[str, str, int]] = []  # (kind, username, tick day) in the order they appear
    for now in ticks():
        services.ladders_run(now=now)
        services.ladders_run(now=now)  # every tick runs twice: the second must change nothing
        fresh = Notification.objects.filter(
            key__startswith="escalation:", params__has_key="customer"
        ).order_by("pk")
        for n in fresh[len(seen) :]:
            seen.append((n.kind, n.user.username, (now - T0).days * 24 + (now - T0).seconds // 3600))
    expected = [
        (1, "escalation_complaint_1", "cs_agent"),  # not acknowledged in 1 h → its owner
        (3, "escalation_complaint_2", "advisor"),  # not answered in 3 h → the service head
        (72, "escalation_complaint_3", "manager"),  # not resolved in 72 h → the manager
        (72, "escalation_lead_1", "consultant"),  # 3 days without follow-up
        (72, "escalation_receivable_1", "consultant"),  # due in 7 days
        (5 * 24 + 8, "escalation_lead_2", "manager"),  # 5 days
        (7 * 24 + 8, "escalation_lead_3", "consultant"),  # 7 days: high risk, to both
        (7 * 24 + 8, "escalation_lead_3", "manager"),
        (7 * 24 + 8, "escalation_receivable_2", "consultant"),  # due in 3 days
        (11 * 24 + 8, "escalation_receivable_3", "consultant"),  # overdue
        (25 * 24 + 8, "escalation_receivable_4", "finance"),  # 15 days overdue
        (25 * 24 + 8, "escalation_receivable_4", "manager"),
    ]
    # each exactly once, at the first tick after its moment, and in the order of time
    assert sorted((h, k, u) for k, u, h in seen) == expected
    assert [h for _k, _u, h in seen] == sorted(h for _k, _u, h in seen)
    assert Step.objects.count() == 10 and not Step.objects.filter(notified_at__isnull=True).exists()


def test_a_paid_receivable_and_a_contacted_lead_stop_climbing(neglected, consultant):
    lead, rec, complaint = neglected
    services.ladders_run(now=T0 + timedelta(days=3, hours=8))
    Receivable.objects.filter(pk=rec.pk).update(paid=rec.amount)
    Customer.objects.filter(pk=lead.pk).update(last_contact_at=T0 + timedelta(days=4))
    complaint.resolution, complaint.in_progress_at = "已道歉并安排优先维修", T0 + timedelta(minutes=30)
    complaint.status = "in_progress"
    complaint.save()
    services.ladders_run(now=T0 + timedelta(days=6, hours=8))
    assert not Step.objects.filter(ladder="receivable", level__gt=1).exists()
    assert not Step.objects.filter(ladder="lead", level=2).exists()  # 2 days since the new contact
    # neglected again after the new contact, the ladder starts over from the first rung
    services.ladders_run(now=T0 + timedelta(days=7, hours=1))
    assert Step.objects.filter(ladder="lead", level=1, basis=T0 + timedelta(days=4)).count() == 1


def test_a_crash_between_the_rungs_and_their_notifications_is_finished_by_the_next_run(
    neglected, monkeypatch, manager
):
    now = T0 + timedelta(days=8)

    def boom(rows, now=None):
        raise RuntimeError("worker died")

    monkeypatch.setattr(services, "notify_bulk", boom)
    with pytest.raises(RuntimeError):
        services.ladders_run(now=now)
    assert Step.objects.filter(notified_at__isnull=True).count() == Step.objects.count() > 0
    assert not Notification.objects.exists()
    monkeypatch.undo()
    services.ladders_run(now=now)
    services.ladders_run(now=now)
    keys = list(Notification.objects.values_list("user_id", "key"))
    assert len(keys) == len(set(keys)) and Notification.objects.filter(user=manager).exists()
    assert not Step.objects.filter(notified_at__isnull=True).exists()


def test_a_claimed_callback_untouched_for_30_minutes_goes_back_to_the_queue(store, cs_agent, consultant):
    c = customer(store, consultant)
    task = FollowUp.objects.create(
        store=store,
        customer=c,
        rule="care_30d",
        due_date=T0.date(),
        status=FollowUpStatus.CLAIMED,
        assignee=cs_agent,
        claimed_at=T0,
    )
    services.ladders_run(now=T0 + timedelta(minutes=29))
    task.refresh_from_db()
    assert task.status == FollowUpStatus.CLAIMED
    services.ladders_run(now=T0 + timedelta(minutes=31))
    task.refresh_from_db()
    assert task.status == FollowUpStatus.OPEN and task.assignee is None


def test_the_day_list_shows_overdue_receivables_and_high_risk_leads(
    client_as, neglected, consultant, manager
):
    lead, rec, complaint = neglected
    services.ladders_run(now=T0 + timedelta(days=12))
    from apps.escalations import selectors

    mine = selectors.day_list(consultant, now=T0 + timedelta(days=12))
    assert [r.pk for r in mine["overdue"]] == [rec.pk]
    assert [(c.pk, c.risk) for c in mine["leads"]] == [(lead.pk, True)]
    assert client_as(manager).get("/escalations/").status_code == 200
    assert client_as(manager).get("/escalations/settings/").status_code == 200
