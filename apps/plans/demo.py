"""Demo plans: per store an approved plan for this year, broken down to months and
consultants (and this month to weeks, this week to days), so tracking and the consultant's card show figures.

If the sales demo left orders last year, the year's targets are last year's actuals plus
10%, the months follow last year's proportions (`last_year`) and each month goes to the
consultants by their share of last year (weights); otherwise a seasonal weight set splits
the months and capability weights the consultants.
Idempotent: a store that already has this year's plan is left alone.
"""

from datetime import date, timedelta
from decimal import Decimal
from random import Random

from django.core.exceptions import ValidationError
from django.db.models import Count, Q

from apps.catalog.models import VehicleModel
from apps.org.demo import DemoContext
from apps.org.models import Store, User
from apps.org.roles import Role
from apps.sales.models import Order, OrderStatus

from . import periods, selectors, services
from .models import ActionPlan, Capability, Forecast, Measure, Plan, PlanStatus, Target, WeightSet

SEASONAL = {
    "1": 9,
    "2": 5,
    "3": 8,
    "4": 8,
    "5": 8,
    "6": 8,
    "7": 7,
    "8": 7,
    "9": 9,
    "10": 10,
    "11": 10,
    "12": 11,
}

# Per consultant per year, when there is no history to go by.
PER_CONSULTANT = {
    Measure.UNITS: Decimal(96),
    Measure.REVENUE: Decimal("19200000.00"),
    Measure.COLLECTIONS: Decimal("18500000.00"),
    Measure.GROSS_PROFIT: Decimal("1150000.00"),
    Measure.NEW_CUSTOMERS: Decimal(80),
    Measure.VISITS: Decimal(1500),
}


def _history(store: Store, year: int, today: date) -> dict[str, tuple[list[Decimal], Decimal]]:
    """Per measure: last year's 12 monthly actuals and this year's actual to date."""
    months = [(date(year - 1, m, 1), periods.month_end(date(year - 1, m, 1))) for m in range(1, 13)]
    specs = [selectors.Spec(m, s, e, selectors.Filters()) for m in Measure.values for s, e in months]
    specs += [selectors.Spec(m, date(year, 1, 1), today, selectors.Filters()) for m in Measure.values]
    values = [a or Decimal(0) for a in selectors.actuals(store, specs)]
    out = {}
    for i, m in enumerate(Measure.values):
        out[m] = (values[12 * i : 12 * i + 12], values[12 * len(Measure.values) + i])
    return out


def _shares(store: Store, consultants: list[User], year: int, measure: str) -> dict[str, Decimal]:
    """Consultant id → his actual of `measure` in `year` (empty when nobody has one)."""
    specs = [
        selectors.Spec(measure, date(year, 1, 1), date(year, 12, 31), selectors.Filters(frozenset({p.pk})))
        for p in consultants
    ]
    values = [max(a or Decimal(0), Decimal(0)) for a in selectors.actuals(store, specs)]
    if sum(values) <= 0:
        return {}
    return {str(p.pk): v for p, v in zip(consultants, values, strict=True)}


def _action_plans_and_forecasts(ctx: DemoContext, store: Store, consultants: list[User]) -> None:
    """This week's action plans, and forecasts for the last six months (accuracy), this
    month and the next: a consultant forecasts roughly what he then sells."""
    rng = Random(f"plans-{store.code}")
    # The models the store sells most, so the forecasts are about real business.
    models = list(
        VehicleModel.objects.filter(is_active=True)
        .annotate(n=Count("order", filter=Q(order__store=store)))
        .order_by("-n", "pk")[:4]
    )
    this_month = ctx.today.replace(day=1)
    past = []
    d = this_month
    for _i in range(6):
        d = (d - timedelta(days=1)).replace(day=1)
        past.append(d)
    coming = [this_month, periods.month_end(this_month) + timedelta(days=1)]
    year_ago = date(this_month.year - 1, this_month.month, 1)
    week_start, week_end = periods.week_bounds(ctx.today)
    for person in consultants:
        ActionPlan.objects.get_or_create(
            consultant=person,
            kind=ActionPlan.Kind.WEEK,
            period_start=week_start,
            defaults={
                "store": store,
                "period_end": week_end,
                "what": "回访本周到期的H级客户，邀约试驾；跟进两笔待收尾款。",
                "whom": "H级意向客户、待交车客户",
                "when": "周二、周四下午外出拜访，周六展厅接待",
            },
        )
        if Forecast.objects.filter(consultant=person).exists():
            continue  # seeded before (later seeds may add orders: do not top up)
        sold: dict[tuple[date, int], int] = {}
        for day, model_id in (
            Order.objects.filter(consultant=person, order_date__gte=year_ago)
            .exclude(status=OrderStatus.CANCELLED)
            .values_list("order_date", "vehicle_model_id")
        ):
            key = (day.replace(day=1), model_id)
            sold[key] = sold.get(key, 0) + 1
        rows: dict[tuple[date, int], int] = {}
        for month in past:
            model_ids = [m.pk for m in models] + [mid for (mm, mid) in sold if mm == month]
            for model_id in dict.fromkeys(model_ids):
                if (month, model_id) in sold:
                    guess = max(0, sold[(month, model_id)] + rng.choice((-1, *[0] * 14, 1)))
                else:
                    guess = int(rng.random() < 0.015)
                rows[(month, model_id)] = guess
        # The coming months: what he sold in the same month last year, plus a little,
        # on the models he sells most.
        mine: dict[int, int] = {}
        for (_m, model_id), n in sold.items():
            mine[model_id] = mine.get(model_id, 0) + n
        favourites = sorted(mine, key=lambda k: (-mine[k], k))[:4] or [m.pk for m in models]
        for month in coming:
            ago = date(month.year - 1, month.month, 1)
            expected = round(sum(n for (mm, _mid), n in sold.items() if mm == ago) * 1.1)
            for k in range(expected):
                key = (month, favourites[k % len(favourites)])
                rows[key] = rows.get(key, 0) + 1
        for (month, model_id), units in rows.items():
            if units:
                Forecast.objects.get_or_create(
                    consultant=person,
                    month=month,
                    vehicle_model_id=model_id,
                    defaults={"store": store, "units": units},
                )


def seed(ctx: DemoContext) -> None:
    admin = ctx.users.get("admin") or User.objects.filter(role=Role.ADMIN).order_by("pk").first()
    seasonal, _created = WeightSet.objects.get_or_create(
        name="季节性月度分布", defaults={"into": "month", "weights": SEASONAL}
    )
    year = ctx.today.year
    for store in ctx.stores:
        consultants = selectors.store_consultants(store)
        _action_plans_and_forecasts(ctx, store, consultants)
        if Plan.objects.filter(store=store, year=year).exists():
            continue
        manager = User.objects.filter(role=Role.MANAGER, stores=store, is_active=True).order_by("pk").first()
        if manager is None or admin is None or not consultants:
            continue
        for i, person in enumerate(consultants):
            # Senior consultants carry more: capability weights 1.4 … 0.9.
            Capability.objects.get_or_create(
                consultant=person, defaults={"weight": Decimal("1.4") - Decimal("0.1") * min(i, 5)}
            )
        history = _history(store, year, ctx.today)
        elapsed = Decimal(str(periods.elapsed_fraction(date(year, 1, 1), date(year, 12, 31), ctx.today)))
        full_year: dict[str, bool] = {}
        values: dict[str, Decimal] = {}
        for measure in Measure.values:
            last_months, to_date = history[measure]
            full_year[measure] = all(v > 0 for v in last_months)
            if full_year[measure]:
                base = sum(last_months, Decimal(0)) * Decimal("1.1")  # last year + 10%
            elif to_date > 0 and elapsed > 0:
                base = to_date / elapsed * Decimal("1.05")  # this year's run rate + 5%
            else:
                base = PER_CONSULTANT[Measure(measure)] * len(consultants)
            if measure == Measure.COLLECTIONS and not full_year[measure] and to_date <= 0:
                base = values[Measure.REVENUE] * Decimal("0.95")  # no payment history: 95% of revenue
            values[measure] = base.quantize(
                Decimal(1) if measure in ("units", "new_customers", "visits") else Decimal("0.01")
            )
        plan = services.plan_create(
            store=store,
            year=year,
            by=manager,
            values=values,
            expense_budget=Decimal("600000.00"),
            note="Demo plan",
        )
        for node in Target.objects.filter(plan=plan, parent=None):
            # Last year's proportions only when every month of it has actuals.
            method = "last_year" if full_year[node.measure] else "weights"
            months = services.target_break_down(
                node=node, into="month", method=method, weights=seasonal.weights, by=manager
            )
            # Each month among the consultants by their share of last year (a steadier
            # yardstick than last year's same month, a handful of sales each); by
            # capability where last year has nothing to go by.
            shares = _shares(store, consultants, year - 1, node.measure)
            for month in months:
                people = services.target_break_down(
                    node=month,
                    into="consultant",
                    method="weights" if shares else "capability",
                    weights=shares,
                    by=manager,
                )
                if month.period_start <= ctx.today <= month.period_end:
                    for node_of_person in people:
                        weeks = services.target_break_down(
                            node=node_of_person, into="week", method="even", by=manager
                        )
                        # This week down to the day, by the store's weekday weights.
                        for week in weeks:
                            if week.period_start <= ctx.today <= week.period_end:
                                try:
                                    services.target_break_down(
                                        node=week, into="day", method="weights", by=manager
                                    )
                                except ValidationError:
                                    pass  # a week of closed days: no daily targets
        services.expense_allocation_add(
            plan=plan, purpose="车展", amount=Decimal("200000.00"), month=4, by=manager
        )
        services.expense_allocation_add(
            plan=plan, purpose="广告", amount=Decimal("250000.00"), month=None, by=manager
        )
        services.plan_submit(plan=plan, by=manager)
        services.plan_approve(plan=plan, by=admin)
        assert Plan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED
