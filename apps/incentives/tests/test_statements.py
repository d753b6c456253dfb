"""Incentive schemes and monthly statements: computed from the closed month, traceable
lines, take-backs in the month of the cancellation, frozen once approved."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from apps.incentives import services
from apps.incentives.models import LineKind, Statement, StatementStatus
from apps.sales.models import Order
from apps.scoring import services as scoring
from apps.scoring.models import PeriodClose
from apps.scoring.periods import parse
from apps.scoring.tests import factories as f

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=SH)


def backdate(orders: list[Order]) -> None:
    for o in orders:
        Order.objects.filter(pk=o.pk).update(created_at=at(o.order_date))


def close(store, month: str, manager, on: date) -> PeriodClose:
    pc = scoring.period_close(store=store, period=month, closed_by=manager)
    PeriodClose.objects.filter(pk=pc.pk).update(closed_at=at(on))
    pc.refresh_from_db()
    return pc


def cancel(order: Order, on: date) -> None:
    Order.objects.filter(pk=order.pk).update(
        status="cancelled", cancel_reason="客户取消", cancelled_at=at(on)
    )


def scheme(store, manager, **extra):
    fields = {
        "name": "2026 提成方案",
        "valid_from": "2026-10",
        "unit_commission": "500",
        "gross_profit_percent": "5",
        "tiers": [{"min_achievement": "100", "amount": "2000"}, {"min_achievement": "120", "amount": "5000"}],
        **extra,
    }
    return services.scheme_save(store=store, by=manager, **fields)


def test_a_statement_needs_the_closed_month(store, manager, consultant):
    scheme(store, manager)
    with pytest.raises(ValidationError) as refused:
        services.statements_generate(store=store, period="2026-10", by=manager)
    assert "Close 2026-10" in refused.value.messages[0]


def test_every_order_gets_traceable_lines_and_the_total_is_their_sum(store, manager, consultant):
    suv = f.vehicle_model()
    suv.body_type = "suv"
    suv.save()
    scheme(store, manager, unit_rates=[{"body_type": "suv", "amount": "800"}])
    orders = [
        f.order(consultant, date(2026, 10, 5), 200000, 180000),
        f.order(consultant, date(2026, 10, 9), 150000, 152000),
    ]
    backdate(orders)
    close(store, "2026-10", manager, date(2026, 11, 2))
    [statement] = services.statements_generate(store=store, period="2026-10", by=manager)
    lines = list(statement.lines.order_by("pk"))
    assert [(ln.kind, ln.order_id, ln.amount) for ln in lines] == [
        (LineKind.UNIT, orders[0].pk, Decimal("800.00")),
        (LineKind.GROSS_PROFIT, orders[0].pk, Decimal("1000.00")),  # 5 % of 20,000
        (LineKind.UNIT, orders[1].pk, Decimal("800.00")),  # a loss earns no profit share
    ]
    assert statement.total == Decimal("2600.00") == sum(ln.amount for ln in lines)
    assert f"Order #{orders[0].pk}" in lines[0].description


def test_the_bonus_tier_comes_from_the_snapshot_and_late_entries_reduce_it(store, manager, consultant):
    scheme(
        store,
        manager,
        unit_commission="0",
        gross_profit_percent="0",
        late_entry_threshold="10",
        late_entry_cut="50",
    )
    orders = [f.order(consultant, date(2026, 10, d)) for d in (3, 4, 5)]
    backdate(orders)
    pc = close(store, "2026-10", manager, date(2026, 11, 2))
    card = pc.snapshot["consultants"][str(consultant.pk)]
    card["targets"]["units"] = "2"  # 3 of 2 = 150 %
    card["figures"]["late_entry_rate"] = "0.2500"
    PeriodClose.objects.filter(pk=pc.pk).update(snapshot=pc.snapshot)
    [statement] = services.statements_generate(store=store, period="2026-10", by=manager)
    kinds = {ln.kind: ln for ln in statement.lines.all()}
    assert kinds[LineKind.BONUS].amount == Decimal("5000.00") and kinds[LineKind.BONUS].basis == Decimal(
        "150.0"
    )
    assert kinds[LineKind.LATE_ENTRY].amount == Decimal("-2500.00")
    assert statement.total == Decimal("2500.00")


def test_an_approved_statement_is_frozen_and_a_cancellation_is_taken_back_next_month(
    store, manager, consultant
):
    scheme(store, manager)
    order = f.order(consultant, date(2026, 10, 5), 200000, 180000)
    backdate([order])
    close(store, "2026-10", manager, date(2026, 11, 2))
    [october] = services.statements_generate(store=store, period="2026-10", by=manager)
    services.statement_approve(statement=october, by=manager)
    with pytest.raises(ValidationError):
        services.statement_add_correction(
            statement=october, amount="1", reason="x", corrects_period="2026-09", by=manager
        )
    cancel(order, date(2026, 11, 20))
    services.statements_generate(store=store, period="2026-10", by=manager)  # approved: untouched
    october.refresh_from_db()
    assert october.total == Decimal("1500.00") and october.lines.count() == 2
    close(store, "2026-11", manager, date(2026, 12, 1))
    [november] = services.statements_generate(store=store, period="2026-11", by=manager)
    back = list(november.lines.filter(kind=LineKind.TAKE_BACK))
    assert [ln.amount for ln in back] == [Decimal("-500.00"), Decimal("-1000.00")]
    assert all(ln.corrects_period == "2026-10" and ln.order_id == order.pk for ln in back)
    assert november.total == Decimal("-1500.00")
    # Recomputing the draft never takes it back twice.
    [november] = services.statements_generate(store=store, period="2026-11", by=manager)
    assert november.total == Decimal("-1500.00")


def test_a_correction_is_a_named_line_of_the_next_month(store, manager, consultant):
    scheme(store, manager)
    f.order(consultant, date(2026, 11, 5))
    close(store, "2026-11", manager, date(2026, 12, 1))
    [november] = services.statements_generate(store=store, period="2026-11", by=manager)
    line = services.statement_add_correction(
        statement=november, amount="-300", reason="10月多算一台", corrects_period="2026-10", by=manager
    )
    assert line.kind == LineKind.CORRECTION and "2026-10" in line.description
    [november] = services.statements_generate(store=store, period="2026-11", by=manager)
    assert november.lines.filter(kind=LineKind.CORRECTION).count() == 1  # kept on recompute
    with pytest.raises(ValidationError):
        services.statement_add_correction(
            statement=november, amount="1", reason="x", corrects_period="2026-12", by=manager
        )


def test_a_scheme_never_changes_a_closed_month(store, manager, consultant):
    scheme(store, manager)
    close(store, "2026-10", manager, date(2026, 11, 2))
    with pytest.raises(ValidationError) as refused:
        scheme(store, manager, unit_commission="900")
    assert "2026-10" in refused.value.messages[0]
    # An earlier month's scheme ends where October's starts, so October is untouched.
    scheme(store, manager, valid_from="2026-09", unit_commission="100")
    later = scheme(store, manager, valid_from="2026-11", unit_commission="900")
    assert services.scheme_for(store, parse("2026-11")) == later
    assert services.scheme_for(store, parse("2026-10")).unit_commission == Decimal("500.00")
    assert later.unit_commission == Decimal("900.00")


def test_only_a_manager_of_the_store_computes_and_approves(store, manager, consultant, other_manager):
    scheme(store, manager)
    close(store, "2026-10", manager, date(2026, 11, 2))
    with pytest.raises(ValidationError):
        services.statements_generate(store=store, period="2026-10", by=other_manager)
    with pytest.raises(ValidationError):
        services.statements_generate(store=store, period="2026-10", by=consultant)
    assert not Statement.objects.exists()
    [statement] = services.statements_generate(store=store, period="2026-10", by=manager)
    assert statement.status == StatementStatus.DRAFT
