"""The customer counts (customers.counts) and first order dates kept with the records: after
every kind of write they agree with the records, and with the per-customer definition
scoring computed from the audit history before the rollup existed (`reference`, below)."""

import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from apps.activities.services import visit_log
from apps.customers import services as customers
from apps.customers.counts import counts_check, counts_refresh, owners_customers_at
from apps.customers.models import Customer, CustomerCountChange, CustomerSpan, OwnershipChange, Status
from apps.customers.services import return_idle_prospects_to_pool
from apps.customers.tests.factories import make_vehicle_model
from apps.sales import services
from apps.sales.models import Order
from apps.sales.tests.factories import pay

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
DAY0 = date(2026, 3, 2)


# ---------------------------------------------------------------- the old definition


def _cut(end: date) -> datetime:
    return datetime.combine(end + timedelta(days=1), time.min, tzinfo=SH)


def reference(store_ids: list[int], ends: list[date]) -> dict[tuple[int, date], int]:
    """Customers per (owner then, end) as scoring counted them before issue 13's rollup:
    per customer, from his audit history, ownership changes and orders (one query per end)."""
    out = {}
    for end in ends:
        cut = _cut(end)
        first = Subquery(
            Order.objects.filter(customer=OuterRef("pk"))
            .exclude(status="cancelled")
            .order_by("order_date")
            .values("order_date")[:1],
            output_field=DateField(),
        )
        history = Customer.history.model.objects.filter(id=OuterRef("pk"), history_date__lt=cut).order_by(
            "-history_date", "-history_id"
        )
        status_then = Coalesce(Subquery(history.values("status")[:1]), Value(""))
        changes = OwnershipChange.objects.filter(customer=OuterRef("pk")).annotate(
            day=TruncDate("at", tzinfo=SH)
        )
        earlier = changes.filter(at__lt=cut).order_by("-at", "-pk")
        later = changes.filter(at__gte=cut).order_by("at", "pk")
        owner_then = Case(
            When(Exists(earlier), then=Subquery(earlier.values("to_owner_id")[:1])),
            When(Exists(later), then=Subquery(later.values("from_owner_id")[:1])),
            default=F("owner_id"),
            output_field=IntegerField(),
        )
        rows = (
            Customer.objects.filter(store_id__in=store_ids)
            .annotate(
                first=first,
                status_then=status_then,
                owner_then=owner_then,
                lost_then=Case(
                    When(status_then=Status.LOST, then=Value(True)),
                    When(status_then="", lost_on__lte=end, then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                ),
            )
            .filter(
                Q(first__lte=end)
                | Q(status_then=Status.CUSTOMER)
                | Q(status_then="", status=Status.CUSTOMER, created_at__lt=cut)
            )
            .filter(lost_then=False, owner_then__isnull=False)
            .values("owner_then")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            out[row["owner_then"], end] = row["n"]
    return out


def kept(store_ids: list[int], ends: list[date]) -> dict[tuple[int, date], int]:
    owners = list(CustomerCountChange.objects.values_list("owner_id", flat=True).distinct())
    found = owners_customers_at(owner_ids=owners, store_ids=store_ids, ends=ends)
    return {k: v for k, v in found.items() if v}


def assert_agree(store, ends: list[date]) -> None:
    report = counts_check()
    assert report.ok, report.examples
    assert services.first_orders_check() == []
    assert kept([store.pk], ends) == reference([store.pk], ends)


# ---------------------------------------------------------------- a clock the services read


class Clock:
    def __init__(self) -> None:
        self.at = datetime.combine(DAY0, time(10), tzinfo=SH)

    def now(self) -> datetime:
        return self.at

    def day(self, n: int) -> date:
        """Move to the n-th day after DAY0 (10:00 Shanghai); returns it."""
        self.at = datetime.combine(DAY0 + timedelta(days=n), time(10), tzinfo=SH)
        return self.at.date()


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(timezone, "now", c.now)
    return c


def book(customer, consultant, on: date, by=None):
    return services.order_create(
        by=by or consultant,
        store=customer.store,
        customer=customer,
        consultant=consultant,
        vehicle_model=make_vehicle_model(),
        order_date=on,
        amount=Decimal("100000"),
        cost=Decimal("90000"),
    )


def test_the_counts_agree_with_the_records_after_every_kind_of_write(
    clock, store, manager, consultant, consultant2, finance
):
    ends = [DAY0 + timedelta(days=n) for n in range(-1, 75)]
    a = customers.customer_create(store=store, owner=consultant, name="甲", mobile="13800000001")
    b = customers.customer_create(store=store, owner=consultant, name="乙", mobile="13800000002")
    pool = customers.customer_create(store=store, owner=None, name="丙", mobile="13800000003", by=manager)
    created, errors = customers.customers_import(
        store=store,
        owner=consultant2,
        rows=[{"name": "丁", "mobile": "13800000004"}, {"name": "戊", "mobile": "13800000005"}],
    )
    assert (created, errors) == (2, [])
    visit_log(  # a visit that registers a new prospect
        consultant=consultant2,
        channel="showroom",
        started_at=clock.at - timedelta(hours=1),
        ended_at=clock.at - timedelta(minutes=30),
        new_customer={"name": "己", "mobile": "13800000006"},
    )
    assert_agree(store, ends)

    first = book(a, consultant, clock.day(2))  # an order makes a customer
    assert_agree(store, ends)
    customers.customer_transfer(customer=a, to_owner=consultant2, by=manager, reason="调岗")  # handover
    clock.day(4)
    order_b = book(b, consultant, clock.day(4))
    clock.day(5)
    services.order_cancel(order=order_b, reason="客户取消", by=consultant)  # cancellation
    assert_agree(store, ends)
    customers.customer_claim(customer=pool, by=consultant)
    clock.day(6)
    book(pool, consultant, clock.day(6))
    clock.day(7)
    customers.customer_update(customer=a, by=manager, status="lost", lost_reason="搬家")  # loss
    assert_agree(store, ends)
    clock.day(8)
    customers.customer_update(customer=a, by=manager, status="customer", grade="A")  # reactivation
    clock.day(9)
    moved = customers.customer_transfer_all(
        from_owner=consultant, to_owner=consultant2, store=store, by=manager, reason="离职"
    )
    assert moved == 2
    assert_agree(store, ends)
    # A reversal (红冲) and credit terms write payments and an audit row, no count.
    payment = pay(a, "50000", finance, on=clock.day(10))
    services.payment_reverse(payment=payment, reason="录错", by=finance)
    services.customer_credit_set(customer=a, credit_limit=Decimal("1000"), credit_rating="B", by=finance)
    # An order dated before the first one moves it earlier; cancelling that one, back.
    clock.day(12)
    earlier = book(Customer.objects.get(pk=a.pk), consultant2, DAY0)
    assert Customer.objects.get(pk=a.pk).first_order_on == DAY0
    assert_agree(store, ends)
    services.order_cancel(order=earlier, reason="重复录入", by=consultant2)
    assert Customer.objects.get(pk=a.pk).first_order_on == first.order_date
    # Prospects left idle go back to the pool.
    clock.day(60)
    assert return_idle_prospects_to_pool() == 3
    assert_agree(store, ends)
    assert kept([store.pk], [ends[-1]]) == {(consultant2.pk, ends[-1]): 3}


def test_a_refresh_is_four_queries_when_nothing_changed_and_seven_when_it_did(
    store, consultant, consultant2, django_assert_num_queries
):
    c = customers.customer_create(store=store, owner=consultant, name="甲", mobile="13800000001")
    # The customer, his audit rows, his ownership changes, his kept spans.
    with django_assert_num_queries(4):
        assert counts_refresh(customer_ids=[c.pk]) == 0
    Customer.objects.filter(pk=c.pk).update(first_order_on=date(2026, 1, 5))
    # … then his spans replaced (delete, insert) and the rollup moved (one upsert).
    with django_assert_num_queries(7):
        assert counts_refresh(customer_ids=[c.pk]) == 1
    # Counted from his first order, but his only from his registration (from the pool before).
    assert list(CustomerSpan.objects.values_list("owner_id", "start", "end")) == [
        (consultant.pk, timezone.localdate(), None)
    ]


def test_the_scorecards_read_the_rollup_in_one_query(store, consultant, django_assert_num_queries):
    c = customers.customer_create(store=store, owner=consultant, name="甲", mobile="13800000001")
    book(c, consultant, timezone.localdate())
    ends = [timezone.localdate() - timedelta(days=d) for d in (60, 1, 0)]
    with django_assert_num_queries(1):
        found = owners_customers_at(owner_ids=[consultant.pk], store_ids=[store.pk], ends=ends)
    assert [found[consultant.pk, e] for e in sorted(ends)] == [0, 0, 1]


def test_the_check_command_reports_a_difference_and_fix_repairs_it(store, consultant):
    c = customers.customer_create(store=store, owner=consultant, name="甲", mobile="13800000001")
    book(c, consultant, timezone.localdate() - timedelta(days=3))
    CustomerCountChange.objects.update(change=5)  # written behind the services
    out = io.StringIO()
    with pytest.raises(CommandError, match="--fix"):
        call_command("customer_counts_check", stdout=out)
    assert "1 count rows that differ" in out.getvalue()
    call_command("customer_counts_check", "--fix", stdout=io.StringIO())
    call_command("customer_counts_check", stdout=(out := io.StringIO()))
    assert "agree with the records" in out.getvalue()
    assert CustomerCountChange.objects.get().change == 1


def test_the_first_order_check_reports_and_fixes_a_wrong_date_and_its_counts(store, consultant):
    c = customers.customer_create(store=store, owner=consultant, name="甲", mobile="13800000001")
    order = book(c, consultant, timezone.localdate() - timedelta(days=3))
    Customer.objects.filter(pk=c.pk).update(first_order_on=None, status="prospect")
    # No audit trail and no ownership log (a file loaded in bulk): only the order counts him.
    Customer.history.filter(id=c.pk).delete()
    OwnershipChange.objects.filter(customer=c).delete()
    counts_refresh(customer_ids=[c.pk])
    assert not CustomerSpan.objects.exists()
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("first_orders_check", stdout=out)
    assert f"customer {c.pk}: kept —, orders say {order.order_date}" in out.getvalue()
    call_command("first_orders_check", "--fix", stdout=io.StringIO())
    assert Customer.objects.get(pk=c.pk).first_order_on == order.order_date
    assert CustomerSpan.objects.get().start == order.order_date
    call_command("first_orders_check", stdout=(out := io.StringIO()))
    assert "agree with the orders" in out.getvalue()


def test_the_migration_backfills_first_orders_and_builds_the_counts(store, consultant):
    from importlib import import_module

    backfill = import_module("apps.sales.migrations.0008_first_order_on_backfill").backfill
    c = customers.customer_create(store=store, owner=consultant, name="甲", mobile="13800000001")
    order = book(c, consultant, timezone.localdate() - timedelta(days=3))
    Customer.objects.update(first_order_on=None)
    CustomerSpan.objects.all().delete()
    CustomerCountChange.objects.all().delete()
    backfill(django_apps, None)
    assert Customer.objects.get(pk=c.pk).first_order_on == order.order_date
    assert counts_check().ok and CustomerSpan.objects.count() == 1
