"""Demo rep activity: visits, daily reports and market reports since the start of last
year (the order book's two years), route plans for the last three months and monthly
summaries for the last three, with a realistic share of late entries (about 1 in 12) and
missing or late reports.

Idempotent: a consultant who already has visits is left alone. Its own fixed RNG, so
the data does not depend on what the other seeds drew. Bulk inserts: a second or two.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from random import Random

from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.customers.models import Customer
from apps.customers.services import customer_create, customer_touch
from apps.org.demo import DemoContext
from apps.org.models import Store, User

from .models import (
    DailyReport,
    Escalation,
    MarketReport,
    MonthlySummary,
    PlannedVisit,
    RoutePlan,
    Visit,
)
from .services import _store_manager, settings_for, week_start_of

ROUTE_DAYS = 91  # route plans: the last three months
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
CHANNELS = [
    ("showroom", 40),
    ("phone", 25),
    ("wechat", 12),
    ("outside", 10),
    ("test_drive", 10),
    ("event", 3),
]
PURPOSES = [
    "介绍新车型",
    "邀约试驾",
    "报价跟进",
    "金融方案讲解",
    "二手车置换评估",
    "交车前回访",
    "老客户转介绍",
]
RESULTS = [
    "客户对油耗比较关心，已发对比资料",
    "试驾感受不错，周末带家人再来",
    "嫌价格高，等月底活动",
    "预算确认，倾向混动版",
    "已交意向金",
    "客户在对比竞品，下周再联系",
    "未接通，改微信沟通",
]
NEXT_STEPS = ["周末邀约到店", "发送金融方案", "申请额外优惠", "安排二次试驾", "电话回访"]
PROBLEMS = [
    "热门颜色库存紧张，客户不愿等",
    "竞品降价幅度大，客户观望",
    "金融贴息政策客户不太理解",
    "",
    "",
    "试驾车排期冲突",
]
HELP = ["客户要求再降三千，能否申请特批？", "试驾车周六能否多留一台？", "置换补贴能否提前确认？"]
ANSWERS = ["可以，走特批流程", "已协调，周六留两台", "先按原政策报，月底再看"]
MARKET_NOTES = ["隔壁店本周搞团购", "比亚迪汉降价一万", "", "客户普遍问混动车型", ""]
COMMENTS = ["跟进很及时，继续保持", "意向客户要约到店，明天早会说", "价格问题找我，我来谈", "试驾转化不错"]
COMPETITORS = [
    ("本田", "雅阁", 169800),
    ("本田", "CR-V", 181900),
    ("大众", "帕萨特", 181900),
    ("大众", "途观L", 216800),
    ("比亚迪", "汉 EV", 189800),
    ("比亚迪", "宋PLUS DM-i", 159800),
    ("日产", "天籁", 179900),
    ("特斯拉", "Model Y", 249900),
]
TAGS = ["降价", "金融政策", "新车上市", "库存", "置换补贴", "质量问题", "团购", "电动化"]


def _aware(day: date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def _customers(store: Store, consultant: User, s: int, u: int, rng: Random) -> list[Customer]:
    found = list(Customer.objects.filter(store=store, owner=consultant).exclude(status="lost")[:20])
    i = 0
    while len(found) < 8 and i < 30:
        mobile = f"1390{s}{u:02d}{i:04d}"
        i += 1
        existing = Customer.objects.filter(store=store, mobile=mobile).first()
        if existing is not None:
            if existing.owner_id == consultant.pk:
                found.append(existing)
            continue
        try:
            found.append(
                customer_create(
                    store=store,
                    owner=consultant,
                    name=rng.choice(SURNAMES) + rng.choice(["先生", "女士"]),
                    mobile=mobile,
                )
            )
        except ValidationError:
            continue
    return found


def seed(ctx: DemoContext) -> None:
    rng = Random(4)
    now = timezone.now()
    today = ctx.today
    start = date(today.year - 1, 1, 1)
    for s, store in enumerate(ctx.stores):
        manager = _store_manager(store.pk)
        rules = settings_for(store)
        for u, consultant in enumerate(ctx.consultants(store)):
            if Visit.objects.filter(consultant=consultant).exists():
                continue
            _seed_consultant(ctx, rng, store, consultant, manager, s, u, start, today, now, rules)


def _seed_consultant(
    ctx: DemoContext,
    rng: Random,
    store: Store,
    consultant: User,
    manager: User | None,
    s: int,
    u: int,
    start: date,
    today: date,
    now: datetime,
    rules: object,
) -> None:
    customers = _customers(store, consultant, s, u, rng)
    if not customers:
        return
    diligence = rng.uniform(0.75, 0.97)  # share of reports submitted; varies by consultant
    lateness = rng.uniform(0.02, 0.15)  # share of visits typed in days later
    day_off = rng.randrange(7)
    visits: list[Visit] = []
    reports: list[DailyReport] = []
    visited: dict[date, list[Customer]] = {}
    day = start
    while day <= today:
        if day.weekday() == day_off:
            day += timedelta(days=1)
            continue
        for _ in range(rng.choice([2, 3, 3, 4, 4, 5])):
            begin = _aware(day, rng.randint(9, 18), rng.choice([0, 10, 15, 20, 30, 40, 45, 50]))
            minutes = rng.choice([10, 15, 20, 30, 30, 45, 60, 90])
            end = begin + timedelta(minutes=minutes)
            if end > now:
                continue
            channel = rng.choices([c for c, _w in CHANNELS], [w for _c, w in CHANNELS])[0]
            entered = end + timedelta(minutes=rng.randint(1, 50))
            if rng.random() < lateness:
                entered = end + timedelta(days=rng.randint(3, 6), hours=rng.randint(0, 5))
            entered = min(entered, now)
            late = (timezone.localdate(entered) - day).days > rules.late_entry_days  # type: ignore[attr-defined]
            customer = rng.choice(customers)
            visited.setdefault(day, []).append(customer)
            visits.append(
                Visit(
                    store=store,
                    consultant=consultant,
                    customer=customer,
                    channel=channel,
                    started_at=begin,
                    ended_at=end,
                    minutes=minutes,
                    purpose=rng.choice(PURPOSES),
                    result=rng.choice(RESULTS),
                    next_step=rng.choice(NEXT_STEPS),
                    next_follow_up=day + timedelta(days=rng.randint(1, 10)),
                    expense=Decimal(rng.choice([0, 0, 0, 15, 30, 58]))
                    if channel in ("outside", "event")
                    else Decimal(0),
                    entered_at=entered,
                    late=late,
                )
            )
        deadline = _aware(day, rules.report_cutoff.hour, rules.report_cutoff.minute)  # type: ignore[attr-defined]
        if day < today and rng.random() < diligence:
            if rng.random() < 0.85:
                submitted = deadline - timedelta(minutes=rng.randint(5, 180))
            else:
                submitted = deadline + timedelta(minutes=rng.randint(10, 600))
            report = DailyReport(
                store=store,
                consultant=consultant,
                date=day,
                problems=rng.choice(PROBLEMS),
                help_needed=rng.choice(HELP) if rng.random() < 0.08 else "",
                market_notes=rng.choice(MARKET_NOTES),
                created_at=submitted - timedelta(minutes=10),
                submitted_at=submitted,
                on_time=submitted <= deadline,
            )
            if manager and rng.random() < 0.3:
                report.manager_comment = rng.choice(COMMENTS)
                report.commented_by = manager
                report.commented_at = submitted + timedelta(hours=rng.randint(1, 14))
                if day < today - timedelta(days=2) or rng.random() < 0.5:
                    report.comment_read_at = report.commented_at + timedelta(hours=rng.randint(1, 10))
            reports.append(report)
        day += timedelta(days=1)
    Visit.objects.bulk_create(visits, batch_size=500)
    DailyReport.objects.bulk_create(reports, batch_size=500)
    _escalations(rng, store, consultant, manager, now)
    _route_plans(
        rng, store, consultant, customers, visited, max(start, today - timedelta(days=ROUTE_DAYS)), today
    )
    _summaries(store, consultant, today, visits)
    _market(rng, store, consultant, start, today)
    _touch_customers(consultant, customers)


def _escalations(rng: Random, store: Store, consultant: User, manager: User | None, now: datetime) -> None:
    rows = []
    for report in DailyReport.objects.filter(consultant=consultant).exclude(help_needed=""):
        assert report.submitted_at is not None
        answered = report.submitted_at + timedelta(hours=rng.randint(1, 40))
        # Old problems were mostly answered; the last few days' are still open.
        recent = report.submitted_at > now - timedelta(days=3)
        done = answered < now and rng.random() < (0.4 if recent else 0.95)
        rows.append(
            Escalation(
                store=store,
                raised_by=consultant,
                assigned_to=manager,
                report=report,
                question=report.help_needed,
                raised_at=report.submitted_at,
                answer=rng.choice(ANSWERS) if done else "",
                answered_at=answered if done else None,
                answered_by=manager if done else None,
            )
        )
    Escalation.objects.bulk_create(rows)


def _route_plans(
    rng: Random,
    store: Store,
    consultant: User,
    customers: list[Customer],
    visited: dict[date, list[Customer]],
    start: date,
    today: date,
) -> None:
    monday = week_start_of(start)
    stops = []
    while monday <= today:
        plan = RoutePlan.objects.create(
            store=store,
            consultant=consultant,
            week_start=monday,
            created_at=_aware(monday - timedelta(days=1), 20, 0),
        )
        seen = set()
        for offset in range(6):
            day = monday + timedelta(days=offset)
            for _ in range(rng.choice([1, 1, 2])):
                # about three in four planned visits are to someone actually seen that day
                pool = visited.get(day) if rng.random() < 0.75 and visited.get(day) else customers
                customer = rng.choice(pool)  # type: ignore[arg-type]
                if (day, customer.pk) in seen:
                    continue
                seen.add((day, customer.pk))
                stops.append(
                    PlannedVisit(plan=plan, date=day, customer=customer, purpose=rng.choice(PURPOSES))
                )
        monday += timedelta(days=7)
    PlannedVisit.objects.bulk_create(stops)


def _summaries(store: Store, consultant: User, today: date, visits: list[Visit]) -> None:
    month = today.replace(day=1)
    for _ in range(3):
        month = (month - timedelta(days=1)).replace(day=1)
        n = sum(1 for v in visits if v.started_at.date().replace(day=1) == month)
        MonthlySummary.objects.get_or_create(
            consultant=consultant,
            month=month,
            defaults={
                "store": store,
                "summary": f"本月拜访{n}次，重点跟进H/A级客户，试驾转化有提升；不足：部分拜访记录补录。",
                "key_points": "1. 每天邀约2组到店试驾；2. 跟进老客户转介绍；3. 日报按时提交。",
            },
        )


def _market(rng: Random, store: Store, consultant: User, start: date, today: date) -> None:
    rows = []
    day = start + timedelta(days=rng.randrange(7))
    while day <= today:
        brand, model, msrp = rng.choice(COMPETITORS)
        discount = Decimal(rng.choice([5000, 8000, 10000, 12000, 15000, 20000, 25000]))
        rows.append(
            MarketReport(
                store=store,
                consultant=consultant,
                date=day,
                competitor_brand=brand,
                competitor_model=model,
                retail_price=Decimal(msrp),
                transaction_price=Decimal(msrp) - discount,
                discount=discount,
                quality_feedback=rng.choice(["车机偶尔卡顿", "异响投诉较多", "口碑不错", ""]),
                trend=rng.choice(["月底冲量降价", "终端优惠扩大", "价格稳定", "新款即将上市"]),
                customer_needs=rng.choice(["关注油耗和空间", "要七座", "看重智能驾驶", "预算20万以内"]),
                dealer_requirements=rng.choice(["希望厂家加大金融贴息", "需要更多试驾车", ""]),
                tags="," + ",".join(sorted(set(rng.sample(TAGS, rng.randint(1, 3))))) + ",",
                created_at=_aware(day, 21, 0),
            )
        )
        day += timedelta(days=rng.randint(5, 9))
    MarketReport.objects.bulk_create(rows)


def _touch_customers(consultant: User, customers: list[Customer]) -> None:
    last: dict[int, Visit] = {}
    for v in (
        Visit.objects.filter(consultant=consultant)
        .order_by("started_at")
        .only("customer_id", "ended_at", "next_follow_up")
    ):
        last[v.customer_id] = v
    for customer in customers:
        seen = last.get(customer.pk)
        if seen is not None and (
            customer.last_contact_at is None or customer.last_contact_at < seen.ended_at
        ):
            customer_touch(customer=customer, at=seen.ended_at, next_follow_up=seen.next_follow_up)
