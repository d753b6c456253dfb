"""Demo scoring: each store gets its template, ratings for the last three months, and
the two older ones closed (last month stays open for the manager to rate and close)."""

from functools import partial
from random import Random

from django.db import transaction

from apps.org.demo import DemoContext
from apps.org.models import Store, User
from apps.org.roles import Role

from . import services
from .measures import CRITERIA, DEFAULT_WEIGHTS
from .models import PeriodClose, Rating, ScorecardTemplate
from .periods import month

COMMENTS = [
    "积极主动，客户反馈好",
    "需加强回款跟进",
    "日报按时，拜访质量有提升",
    "团队协作好",
    "市场信息收集认真",
]


def seed(ctx: DemoContext) -> None:
    # Our own random source: the shared one is consumed differently on a second run.
    rng = Random(f"scoring-{ctx.today:%Y-%m}")
    this_month = month(ctx.today)
    past = this_month.previous_months(4)[:-1]  # the three months before this one, oldest first
    for store in ctx.stores:
        manager = User.objects.filter(role=Role.MANAGER, stores=store).order_by("pk").first()
        if manager is None:
            continue
        if not ScorecardTemplate.objects.filter(store=store).exists():
            services.template_save(store=store, weights=dict(DEFAULT_WEIGHTS), standards={}, cap=120)
        for period in past:
            for consultant in ctx.consultants(store):
                scores = {name: rng.randint(2, 5) for name, _label in CRITERIA}
                comment = rng.choice(COMMENTS)
                if Rating.objects.filter(consultant=consultant, period=period.key).exists():
                    continue
                if PeriodClose.objects.filter(store=store, period=period.key).exists():
                    continue
                services.rating_save(
                    consultant=consultant, period=period.key, rated_by=manager, comment=comment, **scores
                )
        # Closed when the whole demo is committed: later seeds (after-sales books
        # deliveries) still add records to these months, and a snapshot taken before
        # them would list every one of them as "changed since close".
        for period in past[:-1]:
            transaction.on_commit(partial(_close, store, period.key, manager, ctx))


def _close(store: Store, period: str, manager: User, ctx: DemoContext) -> None:
    if not PeriodClose.objects.filter(store=store, period=period).exists():
        services.period_close(store=store, period=period, closed_by=manager, today=ctx.today)
