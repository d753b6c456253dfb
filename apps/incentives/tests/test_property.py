"""Property: for random orders and cancellations, every statement's total is the sum of
its lines, and an order cancelled the month after it was paid nets to zero over the two."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.incentives import services
from apps.incentives.models import Statement, StatementLine
from apps.scoring.tests import factories as f

from .test_statements import backdate, cancel, close, scheme

pytestmark = pytest.mark.django_db

orders_st = st.lists(
    st.tuples(
        st.integers(0, 1),  # consultant
        st.integers(1, 31),  # day of October
        st.integers(50, 400).map(lambda n: Decimal(n * 1000)),  # amount
        st.integers(-10, 30),  # margin %
        st.none() | st.integers(1, 30),  # cancelled on that day of November
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(orders_st, st.integers(0, 1000), st.integers(0, 1000))
def test_totals_are_the_sum_of_lines_and_a_cancellation_nets_to_zero(
    store, manager, consultant, consultant2, orders, unit, percent_x100
):
    people = [consultant, consultant2]
    with transaction.atomic():
        scheme(
            store, manager, unit_commission=str(unit), gross_profit_percent=str(Decimal(percent_x100) / 100)
        )
        made = []
        for who, day, amount, margin, cancelled_on in orders:
            cost = (amount * (100 - margin) / 100).quantize(Decimal("0.01"))
            made.append((f.order(people[who], date(2026, 10, day), amount, cost), cancelled_on))
        backdate([o for o, _c in made])
        close(store, "2026-10", manager, date(2026, 11, 1) + timedelta(hours=0))
        for statement in services.statements_generate(store=store, period="2026-10", by=manager):
            services.statement_approve(statement=statement, by=manager)
        for order, cancelled_on in made:
            if cancelled_on:
                cancel(order, date(2026, 11, cancelled_on))
        close(store, "2026-11", manager, date(2026, 12, 1))
        services.statements_generate(store=store, period="2026-11", by=manager)

        for statement in Statement.objects.all():
            assert statement.total == sum((ln.amount for ln in statement.lines.all()), Decimal(0))
        for order, cancelled_on in made:
            lines = StatementLine.objects.filter(order=order)
            net = sum((ln.amount for ln in lines), Decimal(0))
            expected = (
                Decimal(unit) + max(order.amount - order.cost, Decimal(0)) * Decimal(percent_x100) / 10000
            )
            if cancelled_on:
                assert net == 0 and {ln.statement.period for ln in lines} <= {"2026-10", "2026-11"}
            else:
                assert net == expected.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        transaction.set_rollback(True)
