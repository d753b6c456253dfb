"""Demo customers: a year of walk-ins, calls, referrals and campaign leads per store, with
opportunities in every stage of the pipeline. Idempotent: a store that has customers
already is left alone. Uses its own fixed random source, so the other seeds' draws never
depend on whether this one ran."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from random import Random

from django.utils import timezone

from apps.org.demo import DemoContext
from apps.org.models import Store

from . import services
from .counts import counts_refresh
from .models import Campaign, Customer, CustomerSettings, Opportunity, OwnershipChange, Stage, StageChange

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "文",
    "辉",
    "鑫",
    "婷",
    "浩",
    "宇",
    "欣怡",
    "子涵",
    "梓轩",
]
COMPANIES = [
    "顺达物流有限公司",
    "华联商贸集团",
    "鑫源建设工程公司",
    "安泰保险代理",
    "城市之光租赁公司",
    "恒通汽车服务",
    "海川食品有限公司",
    "明德教育科技",
]
OCCUPATIONS = ["教师", "工程师", "医生", "个体经营", "公务员", "销售经理", "设计师", "程序员", "会计", "律师"]
DISTRICTS = {
    "bj-cy": ["朝阳区", "东城区", "海淀区", "通州区", "顺义区"],
    "sh-pd": ["浦东新区", "徐汇区", "闵行区", "静安区", "杨浦区"],
}
CAMPAIGNS = [
    ("春季车展", "auto_show", 60, 4, 80000),
    ("五一试驾会", "event", 120, 2, 25000),
    ("618线上直播", "online", 165, 1, 15000),
    ("秋季团购会", "event", 250, 3, 30000),
    ("双十一线上订车节", "online", 310, 2, 20000),
]
LOST_REASONS = ["价格超出预算", "选择了竞品", "暂缓购车", "等待新款", "贷款未通过"]
# Where an opportunity ends up in the demo (the sales seed books orders for ordered/delivered).
STAGE_WEIGHTS = [
    (Stage.NEW, 10),
    (Stage.CONTACTED, 12),
    (Stage.SHOWROOM, 10),
    (Stage.TEST_DRIVE, 8),
    (Stage.NEGOTIATION, 8),
    (Stage.ORDERED, 10),
    (Stage.DELIVERED, 25),
    (Stage.LOST, 17),
]
PIPELINE = [Stage.NEW, Stage.CONTACTED, Stage.SHOWROOM, Stage.TEST_DRIVE, Stage.NEGOTIATION]


def _aware(day: object, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))  # type: ignore[arg-type]


def seed(ctx: DemoContext) -> None:
    rng = Random(3003)
    per_store = 100 if ctx.scale == "small" else 700
    plans: list[tuple[Opportunity, str]] = []
    for store in ctx.stores:
        if Customer.objects.filter(store=store).exists():
            continue
        plans.extend(_seed_store(ctx, rng, store, per_store))
    ctx.extra["demo_opportunity_plans"] = plans


def _seed_store(ctx: DemoContext, rng: Random, store: Store, n: int) -> list[tuple[Opportunity, str]]:
    today = ctx.today
    CustomerSettings.objects.get_or_create(store=store)
    consultants = ctx.consultants(store)
    models = ctx.extra.get("models", [])
    campaigns: list[Campaign] = []
    for name, source, offset, days, cost in CAMPAIGNS:
        starts = today - timedelta(days=365 - offset)
        made, _ = Campaign.objects.get_or_create(
            store=store,
            name=name,
            defaults={
                "source": source,
                "starts_on": starts,
                "ends_on": starts + timedelta(days=days),
                "cost": Decimal(cost),
            },
        )
        campaigns.append(made)
    code = store.code
    prefix = "139" if code.startswith("bj") else "137"
    plans: list[tuple[Opportunity, str]] = []
    for i in range(n):
        created = today - timedelta(days=rng.randint(0, 364))
        is_company = i % 15 == 0
        name = (
            COMPANIES[(i // 15) % len(COMPANIES)] if is_company else rng.choice(SURNAMES) + rng.choice(GIVEN)
        )
        campaign = next(
            (c for c in campaigns if c.starts_on <= created <= c.ends_on + timedelta(days=10)), None
        )
        source = (
            campaign.source if campaign else rng.choice(["walk_in", "walk_in", "phone", "online", "referral"])
        )
        owner = None if rng.random() < 0.08 else rng.choice(consultants)
        grade = rng.choice("HAABBBCCCN")
        customer = services.customer_create(
            store=store,
            owner=owner,
            kind="company" if is_company else "person",
            name=name,
            mobile=f"{prefix}{(i * 7919 + 1000) % 10**8:08d}",
            gender="" if is_company else rng.choice(["male", "female"]),
            occupation="" if is_company else rng.choice(OCCUPATIONS),
            region=rng.choice(DISTRICTS.get(code, ["市区"])),
            source="fleet" if is_company else source,
            campaign=campaign,
            grade=grade,
            credit_rating="A" if is_company else "",
            credit_limit=Decimal(500000) if is_company else Decimal(0),
            next_follow_up=today + timedelta(days=rng.randint(-6, 10)),
        )
        contact = created + timedelta(days=rng.randint(0, 20))
        Customer.objects.filter(pk=customer.pk).update(
            created_at=_aware(created, 10),
            last_contact_at=_aware(min(contact, today), 15) if owner else _aware(created, 11),
        )
        customer.created_at = _aware(created, 10)
        # Registered when he came (ownership as of a past period end reads this row).
        OwnershipChange.objects.filter(customer=customer).update(at=_aware(created, 10))
        if owner is None or rng.random() < 0.2:
            continue
        final = rng.choices([s for s, _w in STAGE_WEIGHTS], [w for _s, w in STAGE_WEIGHTS])[0]
        hot = final in (Stage.ORDERED, Stage.DELIVERED) or rng.random() < 0.7
        opportunity = services.opportunity_create(
            customer=customer,
            by=owner,
            vehicle_model=rng.choice(models) if models else None,
            urgency=rng.randint(4, 5) if hot else rng.randint(1, 3),
            purchase_time=rng.choice(["week", "month"]) if hot else rng.choice(["quarter", "later"]),
            purchase_cycle="fleet" if is_company else rng.choice(["first", "replace", "add"]),
            decision_maker_known=hot or rng.random() < 0.3,
            budget_confirmed=hot,
            expected_close=created + timedelta(days=rng.randint(7, 60)),
        )
        if opportunity.routed_to != "sales":
            continue
        # Ordered and delivered come from the order and the delivery (sales demo).
        steps = (
            PIPELINE[: PIPELINE.index(Stage.NEGOTIATION) + 1]
            if final in (Stage.ORDERED, Stage.DELIVERED)
            else (
                PIPELINE[: PIPELINE.index(final) + 1] if final in PIPELINE else PIPELINE[: rng.randint(1, 4)]
            )
        )
        for step in steps[1:]:
            services.opportunity_set_stage(opportunity=opportunity, stage=step, by=owner)
        if final == Stage.LOST:
            reason = rng.choice(LOST_REASONS)
            services.opportunity_set_stage(
                opportunity=opportunity, stage=Stage.LOST, by=owner, lost_reason=reason
            )
            if rng.random() < 0.5:  # half of them give up on the store, not just this car
                services.customer_update(
                    customer=customer,
                    by=owner,
                    status="lost",
                    lost_reason=reason,
                    lost_on=min(created + timedelta(days=3 * len(steps)), today),
                )
        # Spread the history over the customer's life instead of "now".
        for k, change in enumerate(StageChange.objects.filter(opportunity=opportunity).order_by("pk")):
            at = min(created + timedelta(days=3 * k), today)
            StageChange.objects.filter(pk=change.pk).update(at=_aware(at, 9 + k))
        if final in (Stage.ORDERED, Stage.DELIVERED):
            plans.append((opportunity, final))
    # Registrations were moved into the past behind the services: count them again.
    counts_refresh(customer_ids=Customer.objects.filter(store=store).values_list("pk", flat=True))
    return plans
