"""Real concurrency on PostgreSQL: two connections at the same moment."""

import threading
import time
from datetime import date, timedelta

import pytest
from django.db import connection, connections, transaction

from apps.aftersales import services
from apps.aftersales.models import FollowUp, Message, RuleCode
from conftest import skip_or_fail

from .factories import deliver

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

DELIVERED = date(2026, 1, 10)
CALL_DAY = date(2026, 1, 17)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL (two real connections)")


def in_threads(*jobs):
    """Run each job in its own thread (its own database connection), all at once."""
    start = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, job):
        try:
            start.wait()
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each got
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.fixture
def agent2(store):
    from apps.org.tests.factories import UserFactory

    return UserFactory(username="cs_agent2", role="customer_service", stores=[store], name="吴客服")


def test_two_agents_claiming_the_same_task_at_once_one_wins_the_other_is_told(
    store, consultant, cs_agent, agent2
):
    deliver(store=store, consultant=consultant, delivered_on=DELIVERED)
    services.followups_generate(on=CALL_DAY)
    task = FollowUp.objects.get()
    for _round in range(5):
        FollowUp.objects.filter(pk=task.pk).update(status="open", assignee=None)
        results = in_threads(
            lambda: services.followup_claim(followup=task, user=cs_agent),
            lambda: services.followup_claim(followup=task, user=agent2),
        )
        wins = [r for r in results if isinstance(r, FollowUp)]
        refused = [r for r in results if isinstance(r, services.FollowUpTaken)]
        assert len(wins) == 1 and len(refused) == 1, results
        assert FollowUp.objects.get().assignee_id == wins[0].assignee_id


def test_a_claim_waits_for_the_other_agents_transaction_and_then_is_refused(
    store, consultant, cs_agent, agent2
):
    deliver(store=store, consultant=consultant, delivered_on=DELIVERED)
    services.followups_generate(on=CALL_DAY)
    task = FollowUp.objects.get()

    def slow_claim():
        with transaction.atomic():
            services.followup_claim(followup=task, user=cs_agent)
            time.sleep(0.5)  # still holding the row lock when the other agent claims
        return "first"

    def late_claim():
        time.sleep(0.1)
        return services.followup_claim(followup=task, user=agent2)

    first, second = in_threads(slow_claim, late_claim)
    assert first == "first" and isinstance(second, services.FollowUpTaken)


def test_agents_pulling_the_next_call_at_once_skip_locked_rows_and_get_different_tasks(
    store, consultant, cs_agent, agent2
):
    for _ in range(2):
        deliver(store=store, consultant=consultant, delivered_on=DELIVERED)
    services.followups_generate(on=CALL_DAY)

    def pull(user):
        def job():
            with transaction.atomic():
                task = services.followup_claim_next(user=user, store_ids=[store.pk], today=CALL_DAY)
                time.sleep(0.3)
                return task.pk if task else None

        return job

    a, b = in_threads(pull(cs_agent), pull(agent2))
    assert a and b and a != b


def test_two_generations_at_the_same_moment_make_every_task_once(store, consultant):
    for d in range(0, 60):
        deliver(store=store, consultant=consultant, delivered_on=date(2025, 12, 1) + timedelta(days=d))
    on = date(2026, 1, 25)
    results = in_threads(*[lambda: services.followups_generate(on=on) for _ in range(4)])
    assert all(isinstance(r, dict) for r in results), results
    made = sum(sum(r.values()) for r in results)
    assert made == FollowUp.objects.count() + Message.objects.count()
    keys = list(FollowUp.objects.values_list("vehicle", "rule", "due_date"))
    assert len(keys) == len(set(keys)) and FollowUp.objects.filter(rule=RuleCode.POST_SALE_7D).count() == 7
