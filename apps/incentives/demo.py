"""Demo incentives: one scheme per store from a year ago, and, once the scoring seed has
closed its past months (on commit), those months' statements computed and approved.

The scheme is written directly: the service refuses, on purpose, to start a scheme in a
month that is already closed, and the demo builds that history after the fact."""

from datetime import date
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.org.demo import DemoContext
from apps.org.models import Store, User
from apps.org.roles import Role
from apps.scoring.periods import month

from . import services
from .models import BonusTier, Scheme, Statement, UnitRate


def seed(ctx: DemoContext) -> None:
    start = month(date(ctx.today.year - 1, ctx.today.month, 1)).start
    past = [p.key for p in month(ctx.today).previous_months(4)[:-2]]
    for store in ctx.stores:
        manager = User.objects.filter(role=Role.MANAGER, stores=store).order_by("pk").first()
        if manager is None:
            continue
        scheme, created = Scheme.objects.get_or_create(
            store=store,
            valid_from=start,
            defaults={
                "name": "销售顾问提成方案",
                "unit_commission": Decimal("500"),
                "gross_profit_percent": Decimal("5"),
                "created_by": manager,
            },
        )
        if created:
            UnitRate.objects.create(scheme=scheme, body_type="suv", amount=Decimal("800"))
            BonusTier.objects.bulk_create(
                [
                    BonusTier(scheme=scheme, min_achievement=Decimal("100"), amount=Decimal("2000")),
                    BonusTier(scheme=scheme, min_achievement=Decimal("120"), amount=Decimal("5000")),
                ]
            )
        # After scoring's closes (registered before ours, so they run first).
        transaction.on_commit(partial(_statements, store, past, manager))


def _statements(store: Store, periods: list[str], manager: User) -> None:
    for period in periods:
        if Statement.objects.filter(store=store, period=period).exists():
            continue
        try:
            services.statements_generate(store=store, period=period, by=manager)
        except ValidationError:  # a month the scoring seed did not close stays without statements
            continue
        if period != periods[-1]:
            services.statements_approve(store=store, period=period, by=manager)
