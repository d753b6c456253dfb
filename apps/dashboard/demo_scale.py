# SQL text: long lines, and statements built from this module's own constants (no input).
# ruff: noqa: E501, S608
"""`seed_demo --scale medium|large`: a dealer group big enough to measure (issue 13).

The small demo (apps/*/demo.py) tells a story through the services, one record at a
time; this module builds volume beside it: a group of its own stores (codes `grp-01`
…) with three years of customers, opportunities and their stage history, visits,
daily reports, orders with their receivables, payments and allocations, the first
orders and customer counts kept beside them, vehicles, service visits and finished
follow-ups, then runs the real follow-up generation for today. Every table is filled by one INSERT … SELECT over generate_series on the
ORM's connection (PostgreSQL only), ids taken from the tables' own sequences so
that rows can point at each other without reading them back.

The figures hold the rules the services hold: a receivable for every order that is
not cancelled (a loan's down payment and balance), payments allocated in full to
one receivable each, `paid` equal to its allocations, a vehicle for every delivered
order with the order's VIN (check digit right), a vehicle's last service and
mileage those of its latest service visit, stages reached in order, an "ordered"
opportunity only with an order. History tables (the audit trail) are not written:
these rows were never edited.

Idempotent: when the group's stores exist the build is skipped and the row counts
are printed. One transaction: a build killed half-way leaves nothing behind.
"""

import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from apps.catalog.models import VehicleModel
from apps.catalog.vin import _VIN_VALUES, _VIN_WEIGHTS
from apps.org.demo import DEMO_PASSWORD
from apps.org.models import Region, Store, Team, User
from apps.org.roles import Role


@dataclass(frozen=True)
class Scale:
    stores: int
    consultants: int  # in the whole group
    customers: int
    visits: int
    orders: int
    vehicles: int
    service_visits: int  # about: each vehicle old enough gets one, every fifth two
    years: int = 3


SCALES = {
    "medium": Scale(
        stores=3,
        consultants=30,
        customers=20_000,
        visits=200_000,
        orders=30_000,
        vehicles=100_000,
        service_visits=100_000,
    ),
    "large": Scale(
        stores=10,
        consultants=150,
        customers=200_000,
        visits=2_000_000,
        orders=300_000,
        vehicles=1_000_000,
        service_visits=1_000_000,
    ),
}

CODE = "grp-{:02d}"
PREFIX = "grp"
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉", "西安", "天津", "苏州", "重庆"]
PLATE = ["京", "沪", "粤", "粤", "浙", "苏", "川", "鄂", "陕", "津", "苏", "渝"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "晓东", "雪梅", "志强", "海燕", "俊", "婷", "浩"]  # fmt: skip
PURPOSES = ["新车咨询", "邀约试驾", "报价跟进", "老客户转介绍", "交车回访", "金融方案说明"]
RESULTS = [
    "客户在对比竞品，下周再联系",
    "已试驾，对动力满意",
    "关注价格，等待优惠",
    "家人还需商量",
    "准备下定",
]
NEXT_STEPS = ["申请额外优惠", "安排二次试驾", "发送金融方案", "邀请到店", "电话回访"]
LOST_REASONS = ["暂缓购车", "选择竞品", "价格原因", "预算不足"]


def _arr(values: list[str]) -> str:
    """A SQL text array literal of trusted constants (this module's own lists)."""
    return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]::text[]"


def _pick(values: list[str], n: str) -> str:
    """SQL picking one of `values` by the integer expression `n`."""
    return f"({_arr(values)})[1 + (({n}) % {len(values)})]"


def _vin_sql(prefix8: str, tail2: str, serial: str) -> str:
    """SQL for a VIN `prefix8 + check + tail2 + six-digit serial`, its check digit right.

    The fixed characters contribute a constant to the weighted sum; the serial's digits
    (positions 12–17, weights 7…2) are added in SQL."""
    fixed = sum(_VIN_VALUES[c] * w for c, w in zip(prefix8, _VIN_WEIGHTS[:8], strict=True))
    fixed += sum(_VIN_VALUES[c] * w for c, w in zip(tail2, _VIN_WEIGHTS[9:11], strict=True))
    digits = " + ".join(
        f"{w} * (({serial}) / {10**p} % 10)" for w, p in zip(_VIN_WEIGHTS[11:], range(5, -1, -1), strict=True)
    )
    check = f"(({fixed} + {digits}) % 11)"
    return (
        f"'{prefix8}' || CASE WHEN {check} = 10 THEN 'X' ELSE {check}::text END || '{tail2}' "
        f"|| lpad(({serial})::text, 6, '0')"
    )


def _seq(table: str) -> str:
    return f"pg_get_serial_sequence('{table}', 'id')"


class Builder:
    def __init__(self, scale: Scale, today: date, out: Any) -> None:
        self.s = scale
        self.today = today
        self.start = today - timedelta(days=365 * scale.years)
        self.out = out
        self.timings: list[tuple[str, float, int]] = []

    def sql(self, label: str, statement: str, params: dict[str, Any] | None = None) -> int:
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            # Every statement takes named parameters, so SQL's modulo is written %% for the driver.
            values = {"today": self.today, "start": self.start, "tz": settings.TIME_ZONE, **(params or {})}
            cursor.execute(statement.replace(" % ", " %% "), values)
            rows = max(cursor.rowcount, 0)
        seconds = time.perf_counter() - t0
        self.timings.append((label, seconds, rows))
        self.out.write(f"  {label:<28} {rows:>10,} rows {seconds:7.1f} s")
        return rows

    # ------------------------------------------------------------ organisation

    def organisation(self) -> list[Store]:
        s = self.s
        password = make_password(DEMO_PASSWORD)
        regions = [Region.objects.get_or_create(name=f"集团{r}区")[0] for r in ("东", "西")]
        stores = [
            Store.objects.create(
                name=f"{CITIES[i % len(CITIES)]}集团{i + 1:02d}号4S店",
                code=CODE.format(i + 1),
                region=regions[i % 2],
                address=f"{CITIES[i % len(CITIES)]}市汽车大道{100 + i}号",
            )
            for i in range(s.stores)
        ]
        per_store = max(1, s.consultants // s.stores)
        users: list[User] = []
        memberships: list[tuple[int, Store]] = []

        def add(username: str, name: str, role: str, at: list[Store], team: Team | None = None) -> User:
            user = User(username=username, name=name, role=role, password=password, team=team)
            users.append(user)
            memberships.extend((len(users) - 1, st) for st in at)
            return user

        add(f"{PREFIX}_finance", "集团财务", Role.FINANCE, stores)
        add(f"{PREFIX}_admin", "集团管理员", Role.ADMIN, stores)
        for i, store in enumerate(stores):
            n = i + 1
            add(f"{PREFIX}{n:02d}_manager", f"{CITIES[i % len(CITIES)]}店总经理", Role.MANAGER, [store])
            add(f"{PREFIX}{n:02d}_cs", f"{CITIES[i % len(CITIES)]}店客服", Role.CUSTOMER_SERVICE, [store])
            add(
                f"{PREFIX}{n:02d}_advisor",
                f"{CITIES[i % len(CITIES)]}店服务顾问",
                Role.SERVICE_ADVISOR,
                [store],
            )
            teams = [Team.objects.create(store=store, name=f"销售{t}组") for t in "一二三"]
            for k in range(per_store):
                name = SURNAMES[(i * 7 + k) % len(SURNAMES)] + GIVEN[(i * 3 + k * 5) % len(GIVEN)]
                add(f"{PREFIX}{n:02d}_sales{k + 1:03d}", name, Role.CONSULTANT, [store], teams[k % 3])
        for user in users:
            user.is_superuser = user.is_staff = user.role == Role.ADMIN
        User.objects.bulk_create(users)
        Through = User.stores.through
        Through.objects.bulk_create([Through(user_id=users[u].pk, store_id=st.pk) for u, st in memberships])
        for team in Team.objects.filter(store__in=stores):
            team.lead = User.objects.filter(team=team).order_by("username").first()
            team.save(update_fields=["lead"])
        return stores

    # ------------------------------------------------------------ the records

    def build(self, stores: list[Store]) -> None:
        s = self.s
        ids = [st.pk for st in stores]
        models = list(VehicleModel.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
        if not models:
            raise RuntimeError("The catalog has no vehicle models: run the small demo first.")
        p = {"stores": ids, "models": models}
        S = len(ids)
        days = 365 * s.years
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        # Who works where: consultant k (0-based) of store i; the group's finance user.
        self.sql(
            "consultants",
            """CREATE TEMP TABLE dm_cons ON COMMIT DROP AS
            SELECT us.store_id, s.i, (row_number() OVER (PARTITION BY us.store_id ORDER BY u.id)) - 1 AS k, u.id
            FROM org_user u JOIN org_user_stores us ON us.user_id = u.id
            JOIN (SELECT id, ordinality - 1 AS i FROM unnest(%(stores)s::bigint[]) WITH ORDINALITY AS t(id, ordinality)) s
              ON s.id = us.store_id
            WHERE u.role = 'consultant'""",
            p,
        )
        per = "(SELECT count(*) FROM dm_cons WHERE i = 0)"
        # Customers: n = 1…N, in store n % S, created evenly over the years (id order is
        # creation order); the first 3/4 buy, the rest are prospects or lost.
        buyers = s.customers * 3 // 4
        self.sql(
            "customers (plan)",
            f"""CREATE TEMP TABLE dm_c ON COMMIT DROP AS
            SELECT n, nextval({_seq("customers_customer")}) AS id, c.store_id, c.id AS owner_id,
              (%(start)s::date + ((n - 1)::bigint * ({days} - 45) / {s.customers})::int) AS created_on,
              n <= {buyers} AS buyer
            FROM generate_series(1, {s.customers}) n
            JOIN dm_cons c ON c.i = n % {S} AND c.k = (n / {S}) % {per}
            ORDER BY n""",
        )
        self.sql("customers (analyze)", "ANALYZE dm_c")
        name = f"substr('{SURNAMES}', 1 + n % {len(SURNAMES)}, 1) || {_pick(GIVEN, f'n / {len(SURNAMES)}')}"
        self.sql(
            "customers",
            f"""INSERT INTO customers_customer (id, kind, name, mobile, gender, birthday, occupation, interests,
              family, address, region, lifestyle, buying_behaviour, source, grade, status, lost_reason, lost_on,
              credit_rating, credit_limit, sms_opt_out, last_contact_at, next_follow_up, created_at, campaign_id,
              owner_id, store_id, referred_by_id)
            SELECT id, CASE WHEN n % 50 = 0 THEN 'company' ELSE 'person' END, {name},
              '1' || (3 + n % 7)::text || lpad(n::text, 9, '0'),
              {_pick(["male", "female", ""], "n")}, date '1960-01-01' + (n * 37 % 15000),
              '', '', '', '', '', '', '',
              {_pick(["walk_in", "phone", "online", "referral", "event", "auto_show"], "n / 3")},
              CASE WHEN buyer THEN 'O' WHEN n % 5 = 0 THEN 'F' ELSE {_pick(["H", "A", "B", "C", "N"], "n")} END,
              CASE WHEN buyer THEN 'customer' WHEN n % 5 = 0 THEN 'lost' ELSE 'prospect' END,
              CASE WHEN NOT buyer AND n % 5 = 0 THEN {_pick(LOST_REASONS, "n")} ELSE '' END,
              CASE WHEN NOT buyer AND n % 5 = 0 THEN created_on + 30 END,
              '', 0, n % 40 = 0, NULL,
              CASE WHEN NOT buyer AND n % 5 <> 0 THEN %(today)s::date + (n % 21) - 10 END,
              (created_on + time '10:00' + (n % 480) * interval '1 minute') AT TIME ZONE %(tz)s,
              NULL, owner_id, store_id, NULL
            FROM dm_c""",
        )
        # Opportunities: one per customer. Buyers reached "delivered" (or "ordered" while
        # their last order is open); prospects stopped on the way; the lost say why.
        self.sql(
            "opportunities (plan)",
            f"""CREATE TEMP TABLE dm_o ON COMMIT DROP AS
            SELECT nextval({_seq("customers_opportunity")}) AS id, c.n, c.id AS customer_id, c.store_id,
              c.owner_id, c.created_on, c.buyer,
              CASE WHEN c.buyer THEN 6 WHEN c.n % 5 = 0 THEN 1 ELSE c.n % 5 END AS rank,
              (c.created_on + time '10:00') AT TIME ZONE %(tz)s AS at
            FROM dm_c c ORDER BY c.n""",
        )
        stages = ["new", "contacted", "showroom", "test_drive", "negotiation", "ordered", "delivered"]
        self.sql(
            "opportunities",
            f"""INSERT INTO customers_opportunity (id, stage, expected_close, budget, urgency, purchase_time,
              purchase_cycle, decision_maker_known, budget_confirmed, lost_reason, score, routed_to, created_at,
              updated_at, customer_id, owner_id, store_id, vehicle_model_id)
            SELECT o.id,
              CASE WHEN NOT o.buyer AND o.n % 5 = 0 THEN 'lost' ELSE ({_arr(stages)})[1 + o.rank] END,
              o.created_on + 30, NULL, o.n % 6, {_pick(["week", "month", "quarter", "later"], "o.n")},
              {_pick(["first", "replace", "add"], "o.n")}, o.n % 2 = 0, o.n % 3 = 0,
              CASE WHEN NOT o.buyer AND o.n % 5 = 0 THEN {_pick(LOST_REASONS, "o.n")} ELSE '' END,
              20 + o.n % 80, 'sales', o.at, o.at + o.rank * interval '3 days',
              o.customer_id, o.owner_id, o.store_id,
              (%(models)s::bigint[])[1 + o.n % {len(models)}]
            FROM dm_o o""",
            p,
        )
        # The stage history: every stage up to the one reached, three days apart; then
        # "lost" for the lost.
        self.sql(
            "stage changes",
            f"""INSERT INTO customers_stagechange (stage, at, by_id, opportunity_id, reason)
            SELECT ({_arr(stages)})[1 + r], o.at + r * interval '3 days', o.owner_id, o.id, ''
            FROM dm_o o, generate_series(0, o.rank) r
            UNION ALL
            SELECT 'lost', o.at + 30 * interval '1 day', o.owner_id, o.id, {_pick(LOST_REASONS, "o.n")}
            FROM dm_o o WHERE NOT o.buyer AND o.n % 5 = 0""",
        )
        # Orders: order m goes to buyer (m - 1) % B + 1, its j-th order spread between
        # the customer's first days and today; 3% cancelled; delivered ten days later
        # unless still recent; loans on two in five.
        self.sql(
            "orders (plan)",
            f"""CREATE TEMP TABLE dm_ord ON COMMIT DROP AS
            SELECT m, nextval({_seq("sales_order")}) AS id, c.id AS customer_id, c.store_id, c.owner_id,
              d.order_date, (%(models)s::bigint[])[1 + m % {len(models)}] AS model_id,
              CASE WHEN m % 33 = 0 THEN 'cancelled' WHEN d.order_date > %(today)s::date - 20 THEN 'open'
                   ELSE 'delivered' END AS status,
              CASE WHEN m % 5 < 2 THEN 'loan' ELSE 'full' END AS settlement,
              (m * 131 % 20) * 500 AS discount
            FROM generate_series(1, {s.orders}) m
            JOIN dm_c c ON c.n = (m - 1) % {buyers} + 1
            CROSS JOIN LATERAL (SELECT least(%(today)s::date,
                c.created_on + 3 + ((m - 1) / {buyers}) * greatest(1, (%(today)s::date - c.created_on - 3)
                / {max(1, -(-s.orders // buyers))})) AS order_date) d
            ORDER BY m""",
            p,
        )
        self.sql("orders (analyze)", "ANALYZE dm_ord")
        order_vin = _vin_sql("LGBG2A21", "PG", "o.m")
        self.sql(
            "orders",
            f"""INSERT INTO sales_order (id, order_date, amount, discount, cost, settlement, status, delivered_on,
              vin, cancel_reason, cancelled_at, credit_override, credit_override_reason, created_at, consultant_id,
              credit_override_by_id, customer_id, opportunity_id, store_id, vehicle_model_id, awaiting_car, car_id,
              cost_is_estimate)
            SELECT o.id, o.order_date, vm.msrp - o.discount, o.discount, vm.cost, o.settlement, o.status,
              CASE WHEN o.status = 'delivered' THEN o.order_date + 10 END,
              CASE WHEN o.status = 'delivered' THEN {order_vin} ELSE '' END,
              CASE WHEN o.status = 'cancelled' THEN '客户取消' ELSE '' END,
              CASE WHEN o.status = 'cancelled' THEN (o.order_date + 2 + time '15:00') AT TIME ZONE %(tz)s END,
              false, '', (o.order_date + time '11:00') AT TIME ZONE %(tz)s, o.owner_id, NULL, o.customer_id, NULL,
              o.store_id, o.model_id, false, NULL, false
            FROM dm_ord o JOIN catalog_vehiclemodel vm ON vm.id = o.model_id""",
        )
        # What the sales services keep on the file, and the customer counts (customers.counts)
        # derived from it: these files have no audit history and no ownership changes, so
        # each counts for its owner from its first order (a "customer" from its creation)
        # until the day it was lost.
        self.sql(
            "customers: first order",
            """UPDATE customers_customer c SET first_order_on = o.first
            FROM (SELECT customer_id, min(order_date) AS first FROM dm_ord WHERE status <> 'cancelled'
                  GROUP BY customer_id) o
            WHERE o.customer_id = c.id""",
        )
        self.sql(
            "customer spans",
            """INSERT INTO customers_customerspan (customer_id, store_id, owner_id, start, "end")
            SELECT c.id, c.store_id, c.owner_id, s.start, c.lost_on
            FROM customers_customer c JOIN dm_c d ON d.id = c.id
            CROSS JOIN LATERAL (SELECT CASE WHEN c.status = 'customer'
                THEN least(c.first_order_on, (c.created_at AT TIME ZONE %(tz)s)::date)
                ELSE c.first_order_on END AS start) s
            WHERE c.owner_id IS NOT NULL AND s.start IS NOT NULL AND (c.lost_on IS NULL OR c.lost_on > s.start)""",
        )
        self.sql(
            "customer counts",
            """INSERT INTO customers_customercountchange (store_id, owner_id, day, change)
            SELECT store_id, owner_id, day, sum(change) FROM (
              SELECT sp.store_id, sp.owner_id, sp.start AS day, 1 AS change
              FROM customers_customerspan sp JOIN dm_c d ON d.id = sp.customer_id
              UNION ALL
              SELECT sp.store_id, sp.owner_id, sp."end", -1
              FROM customers_customerspan sp JOIN dm_c d ON d.id = sp.customer_id WHERE sp."end" IS NOT NULL
            ) x GROUP BY store_id, owner_id, day HAVING sum(change) <> 0""",
        )
        # Receivables: a full payment's one, a loan's down payment (30%) and balance.
        # Paid in full once a month past due (one in twenty left open), partly when
        # recent.
        self.sql(
            "receivables (plan)",
            f"""CREATE TEMP TABLE dm_r ON COMMIT DROP AS
            SELECT nextval({_seq("sales_receivable")}) AS id, x.*,
              CASE WHEN x.due_date < %(today)s::date - 30 AND x.m % 20 <> 0 THEN x.amount
                   WHEN x.due_date < %(today)s::date AND x.m % 3 = 0 THEN round(x.amount / 2, 2)
                   ELSE 0 END AS paid
            FROM (
              SELECT o.m, o.id AS order_id, o.customer_id, o.store_id, o.owner_id, part,
                o.order_date + CASE WHEN part = 1 THEN 7 ELSE 40 END AS due_date,
                CASE WHEN o.settlement = 'full' THEN so.amount
                     WHEN part = 1 THEN round(so.amount * 0.3, 2)
                     ELSE so.amount - round(so.amount * 0.3, 2) END AS amount
              FROM dm_ord o JOIN sales_order so ON so.id = o.id
              CROSS JOIN generate_series(1, CASE WHEN o.settlement = 'loan' THEN 2 ELSE 1 END) part
              WHERE o.status <> 'cancelled'
            ) x ORDER BY x.order_id, x.part""",
        )
        self.sql(
            "receivables",
            """INSERT INTO sales_receivable (id, due_date, amount, paid, cancelled, customer_id, order_id,
              responsible_id, store_id)
            SELECT id, due_date, amount, paid, false, customer_id, order_id, owner_id, store_id FROM dm_r""",
        )
        self.sql(
            "payments (plan)",
            f"""CREATE TEMP TABLE dm_p ON COMMIT DROP AS
            SELECT nextval({_seq("sales_payment")}) AS id, r.id AS receivable_id, r.paid, r.customer_id,
              r.store_id, least(%(today)s::date, r.due_date - 3 + r.m % 6) AS received_on, r.m
            FROM dm_r r WHERE r.paid > 0 ORDER BY r.id""",
        )
        self.sql(
            "payments",
            f"""INSERT INTO sales_payment (id, amount, received_on, method, note, recorded_at, customer_id,
              recorded_by_id, reverses_id, store_id)
            SELECT p.id, p.paid, p.received_on, {_pick(["transfer", "card", "cash", "loan"], "p.m")}, '',
              (p.received_on + time '16:00') AT TIME ZONE %(tz)s, p.customer_id,
              (SELECT id FROM org_user WHERE username = %(finance)s), NULL, p.store_id
            FROM dm_p p""",
            {"finance": f"{PREFIX}_finance"},
        )
        self.sql(
            "allocations",
            """INSERT INTO sales_allocation (amount, payment_id, receivable_id)
            SELECT paid, id, receivable_id FROM dm_p""",
        )
        # Visits: visit v is with customer (v - 1) % N + 1, its j-th one two weeks after
        # the last, by the owner, in the store's opening hours, never in the future.
        self.sql(
            "visits",
            f"""INSERT INTO activities_visit (channel, started_at, ended_at, purpose, result, next_step,
              next_follow_up, expense, entered_at, late, consultant_id, customer_id, opportunity_id, order_id,
              store_id, minutes, stage_after)
            SELECT {_pick(["showroom", "phone", "wechat", "test_drive", "outside"], "v")}, t.at,
              t.at + (10 + v % 50) * interval '1 minute',
              {_pick(PURPOSES, "v")}, {_pick(RESULTS, "v / 7")}, {_pick(NEXT_STEPS, "v / 3")}, NULL, 0,
              t.at + (15 + v % 50) * interval '1 minute', false, c.owner_id, c.id, NULL, NULL, c.store_id,
              10 + v % 50, ''
            FROM generate_series(1, {s.visits}) v
            JOIN dm_c c ON c.n = (v - 1) % {s.customers} + 1
            CROSS JOIN LATERAL (SELECT (least(%(today)s::date - 1,
                c.created_on + ((v - 1) / {s.customers}) * 14 + v % 5) + time '09:00'
                + (v % 540) * interval '1 minute') AT TIME ZONE %(tz)s AS at) t""",
        )
        # Daily reports: every consultant, every day but Sunday, submitted that evening.
        self.sql(
            "daily reports",
            """INSERT INTO activities_dailyreport (date, problems, help_needed, market_notes, created_at,
              submitted_at, on_time, manager_comment, commented_at, comment_read_at, commented_by_id,
              consultant_id, store_id)
            SELECT d::date, '', '', '', (d::date + time '18:00') AT TIME ZONE %(tz)s,
              (d::date + time '18:10') AT TIME ZONE %(tz)s, true, '', NULL, NULL, NULL, c.id, c.store_id
            FROM dm_cons c, generate_series(%(start)s::date, %(today)s::date - 1, interval '1 day') d
            WHERE extract(isodow FROM d) <> 7
            ON CONFLICT DO NOTHING""",
        )
        # Vehicles: the delivered orders' cars (the order's VIN), then cars the owners
        # bring to the workshop bought elsewhere, delivered over the years.
        self.sql(
            "vehicles (plan)",
            f"""CREATE TEMP TABLE dm_v ON COMMIT DROP AS
            SELECT nextval({_seq("aftersales_vehicle")}) AS id, x.*, 30 + x.j % 50 AS daily_km,
              least(1 + (x.j % 5 = 0)::int, greatest(0, (%(today)s::date - x.delivered_on - 30) / 180)) AS visits
            FROM (
              SELECT (row_number() OVER (ORDER BY o.id))::int AS j, o.id AS order_id, so.vin, o.customer_id, o.store_id,
                o.model_id, so.delivered_on
              FROM dm_ord o JOIN sales_order so ON so.id = o.id WHERE o.status = 'delivered'
            ) x""",
        )
        ordered = self.timings[-1][2]
        extra = max(0, s.vehicles - ordered)
        self.sql(
            "vehicles (plan, workshop)",
            f"""INSERT INTO dm_v
            SELECT nextval({_seq("aftersales_vehicle")}), {ordered} + w, NULL, {_vin_sql("LGBW2A21", "PW", "w")},
              c.id, c.store_id, (%(models)s::bigint[])[1 + w % {len(models)}],
              %(start)s::date + (w::bigint * 7919 % {days})::int, 30 + w % 50,
              least(1 + (w % 5 = 0)::int, greatest(0, (%(today)s::date - (%(start)s::date + (w::bigint * 7919 % {days})::int)
                - 30) / 180))
            FROM generate_series(1, {extra}) w JOIN dm_c c ON c.n = (w - 1) % {s.customers} + 1""",
            p,
        )
        self.sql("vehicles (analyze)", "ANALYZE dm_v")
        plate = (
            f"({_arr(PLATE)})[1 + (v.store_id % {len(PLATE)})] || chr(65 + (v.j % 20)::int)"
            " || lpad((v.j % 100000)::text, 5, '0')"
        )
        last = "v.delivered_on + v.visits * 180 - (v.j % 30)"
        self.sql(
            "vehicles",
            f"""INSERT INTO aftersales_vehicle (id, vin, plate, delivered_on, last_mileage, last_mileage_on,
              last_service_on, last_service_km, daily_km, next_service_due, next_service_km, created_at,
              customer_id, order_id, store_id, vehicle_model_id)
            SELECT v.id, v.vin, {plate}, v.delivered_on,
              CASE WHEN v.visits > 0 THEN v.daily_km * ({last} - v.delivered_on) ELSE 0 END,
              CASE WHEN v.visits > 0 THEN {last} ELSE v.delivered_on END,
              CASE WHEN v.visits > 0 THEN {last} END,
              CASE WHEN v.visits > 0 THEN v.daily_km * ({last} - v.delivered_on) END,
              v.daily_km,
              CASE WHEN v.visits > 0 THEN ({last} + make_interval(months => vm.service_interval_months))::date
                   ELSE (v.delivered_on + make_interval(months => vm.first_service_months))::date END,
              CASE WHEN v.visits > 0 THEN v.daily_km * ({last} - v.delivered_on) + vm.service_interval_km
                   ELSE vm.first_service_km END,
              (v.delivered_on + time '12:00') AT TIME ZONE %(tz)s, v.customer_id, v.order_id, v.store_id, v.model_id
            FROM dm_v v JOIN catalog_vehiclemodel vm ON vm.id = v.model_id""",
        )
        self.sql(
            "service visits",
            f"""INSERT INTO aftersales_servicevisit (date, mileage, kind, amount, created_at, advisor_id,
              store_id, vehicle_id)
            SELECT v.delivered_on + k * 180 - (v.j % 30), v.daily_km * (k * 180 - (v.j % 30)),
              CASE WHEN k = 1 THEN 'first_service' ELSE {_pick(["maintenance", "repair", "maintenance"], "v.j")} END,
              300 + (v.j % 20) * 40, (v.delivered_on + k * 180 - (v.j % 30) + time '17:00') AT TIME ZONE %(tz)s,
              NULL, v.store_id, v.id
            FROM dm_v v, generate_series(1, v.visits) k""",
        )
        # Finished follow-ups: the post-sale call of each delivered order's car and the
        # post-service call of each service visit, done by the store's agent (the open
        # ones of the last days are made by the real generation below).
        self.sql(
            "follow-ups (done)",
            """INSERT INTO aftersales_followup (rule, due_date, basis, channel, priority, status,
              next_attempt_on, claimed_at, attempts, outcome, satisfaction, mileage, booking_made, note,
              completed_at, created_at, about_complaint_id, assignee_id, customer_id, store_id, vehicle_id)
            SELECT x.rule, x.due, x.basis, 'call', 5, 'done', NULL, (x.due + time '09:00') AT TIME ZONE %(tz)s,
              1, 'reached', 4 + x.j % 2, NULL, false, '', (x.due + time '09:10') AT TIME ZONE %(tz)s,
              (x.due - 1 + time '01:00') AT TIME ZONE %(tz)s, NULL, u.user_id, x.customer_id, x.store_id, x.id
            FROM (
              SELECT 'post_sale_7d' AS rule, v.delivered_on + 7 AS due, v.delivered_on AS basis, v.*
              FROM dm_v v WHERE v.order_id IS NOT NULL
              UNION ALL
              SELECT 'post_service_3d', s.date + 3, s.date, v.*
              FROM aftersales_servicevisit s JOIN dm_v v ON v.id = s.vehicle_id
            ) x
            JOIN org_user_stores u ON u.store_id = x.store_id
            JOIN org_user cs ON cs.id = u.user_id AND cs.role = 'customer_service'
            WHERE x.due < %(today)s::date - 7
            ON CONFLICT DO NOTHING""",
        )
        self.sql(
            "customers: last contact",
            """UPDATE customers_customer c SET last_contact_at = v.at
            FROM (SELECT customer_id, max(started_at) AS at FROM activities_visit WHERE store_id = ANY(%(stores)s)
                  GROUP BY customer_id) v
            WHERE v.customer_id = c.id""",
            p,
        )


FILLED = [
    "customers_customer", "customers_customerspan", "customers_customercountchange", "customers_opportunity",
    "customers_stagechange", "activities_visit", "activities_dailyreport", "sales_order", "sales_receivable", "sales_payment", "sales_allocation",
    "aftersales_vehicle", "aftersales_servicevisit", "aftersales_followup",
]  # fmt: skip


def counts(store_ids: list[int]) -> dict[str, int]:
    tables = {
        "stores": ("org_store", "id"),
        "customers": ("customers_customer", "store_id"),
        "opportunities": ("customers_opportunity", "store_id"),
        "visits": ("activities_visit", "store_id"),
        "daily reports": ("activities_dailyreport", "store_id"),
        "orders": ("sales_order", "store_id"),
        "receivables": ("sales_receivable", "store_id"),
        "payments": ("sales_payment", "store_id"),
        "vehicles": ("aftersales_vehicle", "store_id"),
        "service visits": ("aftersales_servicevisit", "store_id"),
        "follow-ups": ("aftersales_followup", "store_id"),
    }
    out: dict[str, int] = {}
    with connection.cursor() as cursor:
        for label, (table, column) in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table} WHERE {column} = ANY(%s)", [store_ids])  # noqa: S608
            out[label] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM customers_stagechange sc JOIN customers_opportunity o ON o.id = sc.opportunity_id "
            "WHERE o.store_id = ANY(%s)",
            [store_ids],
        )
        out["stage changes"] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM sales_allocation a JOIN sales_payment p ON p.id = a.payment_id "
            "WHERE p.store_id = ANY(%s)",
            [store_ids],
        )
        out["allocations"] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM org_user u JOIN org_user_stores us ON us.user_id = u.id "
            "WHERE u.role = 'consultant' AND us.store_id = ANY(%s)",
            [store_ids],
        )
        out["consultants"] = cursor.fetchone()[0]
    return out


def seed(scale: str, out: Any) -> dict[str, Any]:
    """Build the group of `scale` unless it is there; its row counts and build time."""
    from apps.aftersales import services as aftersales

    if connection.vendor != "postgresql":
        raise RuntimeError("--scale medium/large builds with PostgreSQL's generate_series: set DATABASE_URL.")
    spec = SCALES[scale]
    today = timezone.localdate()
    existing = list(Store.objects.filter(code__startswith=f"{PREFIX}-").order_by("pk"))
    if existing:
        figures = counts([st.pk for st in existing])
        out.write(f"The {PREFIX}-… stores exist already: nothing built. Their rows:")
        for label, n in figures.items():
            out.write(f"  {label:<16} {n:>12,}")
        return {"built": False, "counts": figures}
    t0 = time.perf_counter()
    builder = Builder(spec, today, out)
    with transaction.atomic():
        stores = builder.organisation()
        builder.build(stores)
        ids = [st.pk for st in stores]
        aftersales.rules_ensure(store_ids=ids, today=today)
    t1 = time.perf_counter()
    made = aftersales.followups_generate(on=today)
    out.write(
        f"  {'generation for today':<28} {sum(v for k, v in made.items() if k != 'messages'):>10,} tasks"
        f" {time.perf_counter() - t1:7.1f} s"
    )
    with connection.cursor() as cursor:
        t2 = time.perf_counter()
        # VACUUM as well: bulk-loaded pages are not yet all-visible, so every count the
        # pages make would visit the heap (an index-only scan needs the visibility map).
        # Inside a transaction (a test) only ANALYZE is possible.
        cursor.execute("ANALYZE" if connection.in_atomic_block else f"VACUUM (ANALYZE) {', '.join(FILLED)}")
        out.write(f"  {'vacuum, analyze':<28} {'':>10}      {time.perf_counter() - t2:7.1f} s")
    seconds = time.perf_counter() - t0
    figures = counts(ids)
    out.write(f"Built the {scale} group in {seconds:.0f} s:")
    for label, n in figures.items():
        out.write(f"  {label:<16} {n:>12,}")
    return {"built": True, "seconds": seconds, "counts": figures, "steps": builder.timings}
