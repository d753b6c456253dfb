# SQL text (the hand-written statements) and report lines: long lines.
# ruff: noqa: E501
"""`make bench`: the key pages and API endpoints at the small and the large scale (issue 13).

For each scale a worker process (this command with --worker, DATABASE_URL set to that
scale's database) measures, for each key page and endpoint: the query count, the
median server time over --runs requests (in process: middleware, SQL, template), and
the median time of a hand-written best SQL for the same figures (kept below, next to
the page it answers). The large worker also times one day's follow-up generation
against one hand-written INSERT … SELECT, a re-run that makes nothing, the scorecards
of the whole group over 12 months against one aggregate, and the API's throughput
under gunicorn on 127.0.0.1 with a short bounded threaded client.

Both scales may live in one database: the small demo's first store is "small", the
`grp-01` store of `seed_demo --scale large` is "large" (built when absent unless
--no-build). Never asserts: prints the tables and saves the figures as JSON.
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

ROOT = Path(settings.BASE_DIR)

GOALS = {"scale": 3.0, "best": 1.5, "generation": 1.5, "rerun": 0.10, "scorecards": 1.5}


class Rollback(Exception):
    pass


def _median_ms(fn: Callable[[], Any], runs: int) -> float:
    fn()  # warm: plans, caches, imports
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _sql_ms(statements: list[str], params: dict[str, Any], runs: int) -> float:
    def run() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql, params)
                if cursor.description:
                    cursor.fetchall()

    return _median_ms(run, runs)


# ---------------------------------------------------------------- hand-written best SQL
# The same figures as each page, written by hand for the store `s` (and consultant `c`).

OPEN_CALLS = """SELECT count(*) FILTER (WHERE status = 'open' AND coalesce(next_attempt_on, due_date) = %(today)s),
  count(*) FILTER (WHERE status = 'open' AND coalesce(next_attempt_on, due_date) < %(today)s),
  count(*) FILTER (WHERE status = 'claimed')
FROM aftersales_followup WHERE store_id = %(s)s AND channel = 'call'
  AND ((status = 'open' AND coalesce(next_attempt_on, due_date) <= %(today)s) OR status = 'claimed')"""

HAND: dict[str, list[str]] = {
    "manager dashboard": [
        """SELECT count(*), sum(amount), sum(amount - cost) FROM sales_order WHERE store_id = %(s)s
           AND order_date BETWEEN %(m0)s AND %(today)s AND status <> 'cancelled'""",
        """SELECT sum(a.amount) FROM sales_allocation a JOIN sales_payment p ON p.id = a.payment_id
           WHERE p.store_id = %(s)s AND p.received_on BETWEEN %(m0)s AND %(today)s""",
        """SELECT count(*) FROM activities_visit WHERE store_id = %(s)s AND started_at >= %(m0t)s""",
        """SELECT count(DISTINCT customer_id) FROM sales_order o WHERE store_id = %(s)s
           AND order_date BETWEEN %(m0)s AND %(today)s AND status <> 'cancelled' AND NOT EXISTS (
             SELECT 1 FROM sales_order e WHERE e.customer_id = o.customer_id AND e.order_date < %(m0)s
             AND e.status <> 'cancelled')""",
        """SELECT count(*) FILTER (WHERE r >= 0), count(*) FILTER (WHERE r >= 1), count(*) FILTER (WHERE r >= 2),
             count(*) FILTER (WHERE r >= 3), count(*) FILTER (WHERE r >= 4), count(*) FILTER (WHERE r >= 5),
             count(*) FILTER (WHERE r >= 6)
           FROM (SELECT o.id, max(array_position(ARRAY['new','contacted','showroom','test_drive','negotiation',
             'ordered','delivered']::varchar[], sc.stage) - 1) r
             FROM customers_opportunity o LEFT JOIN customers_stagechange sc ON sc.opportunity_id = o.id
             WHERE o.store_id = %(s)s AND o.created_at >= %(f0t)s GROUP BY o.id) x""",
        """SELECT consultant_id, count(*), sum(amount) FROM sales_order WHERE store_id = %(s)s
           AND order_date BETWEEN %(m0)s AND %(today)s AND status <> 'cancelled'
           GROUP BY 1 ORDER BY 3 DESC LIMIT 10""",
        """SELECT sum(amount - paid) FILTER (WHERE due_date >= %(today)s),
             sum(amount - paid) FILTER (WHERE due_date < %(today)s AND due_date >= %(today)s::date - 30),
             sum(amount - paid) FILTER (WHERE due_date < %(today)s::date - 30), sum(amount - paid)
           FROM sales_receivable WHERE store_id = %(s)s AND NOT cancelled AND paid < amount""",
        OPEN_CALLS,
        """SELECT grade, count(*) FROM customers_customer WHERE store_id = %(s)s AND status <> 'lost'
           GROUP BY grade""",
    ],
    "callback queue": [
        OPEN_CALLS,
        """SELECT f.id, f.rule, f.due_date, c.name, v.vin FROM aftersales_followup f
           JOIN customers_customer c ON c.id = f.customer_id LEFT JOIN aftersales_vehicle v ON v.id = f.vehicle_id
           WHERE f.store_id = %(s)s AND f.channel = 'call' AND f.status = 'open'
             AND coalesce(f.next_attempt_on, f.due_date) <= %(today)s
           ORDER BY f.priority DESC, coalesce(f.next_attempt_on, f.due_date), f.id LIMIT 50""",
    ],
    "visits list": [
        "SELECT count(*) FROM activities_visit WHERE store_id = %(s)s",
        """SELECT v.*, c.name, u.name FROM activities_visit v JOIN customers_customer c ON c.id = v.customer_id
           JOIN org_user u ON u.id = v.consultant_id WHERE v.store_id = %(s)s
           ORDER BY v.started_at DESC, v.id DESC LIMIT 25""",
    ],
    "customers list": [
        "SELECT count(*) FROM customers_customer WHERE store_id = %(s)s",
        """SELECT c.*, u.name FROM customers_customer c LEFT JOIN org_user u ON u.id = c.owner_id
           WHERE c.store_id = %(s)s
           ORDER BY CASE WHEN c.status = 'prospect' THEN 0 ELSE 1 END, c.next_follow_up, c.name, c.id LIMIT 25""",
    ],
    "GET /api/v1/customers/?page_size=50": [
        "SELECT count(*) FROM customers_customer WHERE store_id = %(s)s",
        """SELECT * FROM customers_customer WHERE store_id = %(s)s ORDER BY created_at DESC, id DESC LIMIT 50""",
    ],
    "GET /api/v1/visits/?page_size=50": [
        "SELECT count(*) FROM activities_visit WHERE store_id = %(s)s",
        """SELECT * FROM activities_visit WHERE store_id = %(s)s ORDER BY started_at DESC, id DESC LIMIT 50""",
    ],
}
# The visits list about 1,000 pages deep (the row after `deep_at, deep_id`): the best SQL
# is a range read on the list's order, whichever way the client pages.
DEEP = [
    "SELECT count(*) FROM activities_visit WHERE store_id = %(s)s",
    """SELECT * FROM activities_visit WHERE store_id = %(s)s AND (started_at, id) < (%(deep_at)s, %(deep_id)s)
       ORDER BY started_at DESC, id DESC LIMIT 50""",
]
DEEP_ESTIMATE = [
    "SELECT count(*) FROM (SELECT 1 FROM activities_visit WHERE store_id = %(s)s LIMIT 1001) x",
    DEEP[1],
]
HAND["GET /api/v1/visits/ deep page, by number"] = DEEP
HAND["GET /api/v1/visits/ deep page, by cursor"] = DEEP
HAND["GET /api/v1/visits/ deep page, cursor + count=estimate"] = DEEP_ESTIMATE

# The scorecards' figures, by hand, for the stores `stores` (their consultants
# `consultants`: the visits by the index on consultant and time) over the 12 months from y0:
# visits and their minutes, orders, collections, daily reports, the visit days without a
# report (working days are both), customers at each month end (the rollup, a running
# sum), new customers (first orders) and lost ones (with their owner then). Targets,
# ratings, appointments and training read a few rows each and are left out.
SCORECARDS_HAND = [
    """SELECT consultant_id, date_trunc('month', started_at AT TIME ZONE %(tz)s), count(*), sum(minutes),
         sum(expense), count(*) FILTER (WHERE late)
       FROM activities_visit WHERE consultant_id = ANY(%(consultants)s) AND started_at >= %(y0t)s
       GROUP BY 1, 2""",
    """SELECT consultant_id, date_trunc('month', order_date), count(*), sum(amount), sum(amount - cost)
       FROM sales_order WHERE store_id = ANY(%(stores)s) AND order_date >= %(y0)s AND status <> 'cancelled'
       GROUP BY 1, 2""",
    """SELECT r.responsible_id, date_trunc('month', p.received_on), sum(a.amount) FROM sales_allocation a
       JOIN sales_payment p ON p.id = a.payment_id JOIN sales_receivable r ON r.id = a.receivable_id
       WHERE p.store_id = ANY(%(stores)s) AND p.received_on >= %(y0)s GROUP BY 1, 2""",
    """SELECT consultant_id, date_trunc('month', date), count(*), count(*) FILTER (WHERE on_time)
       FROM activities_dailyreport WHERE store_id = ANY(%(stores)s) AND date >= %(y0)s
         AND submitted_at IS NOT NULL GROUP BY 1, 2""",
    """SELECT consultant_id, date_trunc('month', started_at AT TIME ZONE %(tz)s),
         count(DISTINCT (started_at AT TIME ZONE %(tz)s)::date)
       FROM activities_visit v WHERE consultant_id = ANY(%(consultants)s) AND started_at >= %(y0t)s AND NOT EXISTS (
         SELECT 1 FROM activities_dailyreport r WHERE r.consultant_id = v.consultant_id AND r.date >= %(y0)s
           AND r.date = (v.started_at AT TIME ZONE %(tz)s)::date AND r.submitted_at IS NOT NULL)
       GROUP BY 1, 2""",
    """SELECT owner_id, m, sum(n) OVER (PARTITION BY owner_id ORDER BY m) FROM (
         SELECT owner_id, date_trunc('month', day) AS m, sum(change) AS n FROM customers_customercountchange
         WHERE store_id = ANY(%(stores)s) GROUP BY 1, 2) x""",
    """SELECT owner_id, date_trunc('month', first_order_on), count(*) FROM customers_customer
       WHERE store_id = ANY(%(stores)s) AND first_order_on >= %(y0)s GROUP BY 1, 2""",
    """SELECT CASE WHEN b.id IS NOT NULL THEN b.to_owner_id WHEN a.id IS NOT NULL THEN a.from_owner_id
         ELSE c.owner_id END, date_trunc('month', c.lost_on), count(*)
       FROM customers_customer c
       LEFT JOIN LATERAL (SELECT id, to_owner_id FROM customers_ownershipchange o WHERE o.customer_id = c.id
         AND (o.at AT TIME ZONE %(tz)s)::date <= c.lost_on ORDER BY o.at DESC, o.id DESC LIMIT 1) b ON true
       LEFT JOIN LATERAL (SELECT id, from_owner_id FROM customers_ownershipchange o WHERE o.customer_id = c.id
         AND (o.at AT TIME ZONE %(tz)s)::date > c.lost_on ORDER BY o.at, o.id LIMIT 1) a ON true
       WHERE c.store_id = ANY(%(stores)s) AND c.lost_on >= %(y0)s AND c.first_order_on < c.lost_on
       GROUP BY 1, 2""",
]
# The first hand-written aggregate of issue 13: the first four above as they were, with
# neither working days nor the customer figures (for comparison with earlier runs).
SCORECARDS_HAND_FIRST = [
    """SELECT consultant_id, date_trunc('month', started_at AT TIME ZONE %(tz)s), count(*), sum(minutes)
       FROM activities_visit WHERE store_id = ANY(%(stores)s) AND started_at >= %(y0t)s GROUP BY 1, 2""",
    SCORECARDS_HAND[1],
    SCORECARDS_HAND[2],
    """SELECT consultant_id, date_trunc('month', date), count(*) FROM activities_dailyreport
       WHERE store_id = ANY(%(stores)s) AND date >= %(y0)s GROUP BY 1, 2""",
]
# A consultant's card shows his rank in the store and scores measured against the store's
# average: it computes every consultant of the store, so its best SQL is the same set for
# the store.
HAND["scorecard card, 12 months"] = SCORECARDS_HAND

# One day's generation as one statement (the vehicle rules, which are the volume).
GENERATION_HAND = """INSERT INTO aftersales_followup (store_id, vehicle_id, customer_id, rule, due_date, basis,
  channel, priority, status, attempts, outcome, booking_made, note, created_at)
SELECT x.store_id, x.id, x.customer_id, x.rule, x.due, x.basis,
  CASE WHEN x.channel = 'call' THEN 'call' ELSE 'sms' END, x.priority, 'open', 0, '', false, '', now()
FROM (
  SELECT v.store_id, v.id, v.customer_id, r.rule, v.delivered_on + r.offset_days AS due, v.delivered_on AS basis,
    r.channel, r.priority
  FROM aftersales_followuprule r JOIN aftersales_vehicle v ON v.store_id = r.store_id
    AND v.delivered_on BETWEEN %(start)s::date - r.offset_days AND %(on)s::date - r.offset_days
  WHERE r.rule IN ('post_sale_7d', 'care_30d') AND r.enabled
  UNION ALL
  SELECT v.store_id, v.id, v.customer_id, r.rule, v.next_service_due + r.offset_days,
    coalesce(v.last_service_on, v.delivered_on), r.channel, r.priority
  FROM aftersales_followuprule r JOIN aftersales_vehicle v ON v.store_id = r.store_id
    AND v.next_service_due BETWEEN %(start)s::date - r.offset_days AND %(on)s::date - r.offset_days
  WHERE r.enabled AND ((r.rule = 'first_service' AND v.last_service_on IS NULL)
    OR (r.rule = 'periodic_service' AND v.last_service_on IS NOT NULL))
  UNION ALL
  SELECT v.store_id, v.id, v.customer_id, r.rule, s.date + r.offset_days, s.date, r.channel, r.priority
  FROM aftersales_followuprule r JOIN aftersales_servicevisit s ON s.store_id = r.store_id
    AND s.date BETWEEN %(start)s::date - r.offset_days AND %(on)s::date - r.offset_days
  JOIN aftersales_vehicle v ON v.id = s.vehicle_id
  WHERE r.rule = 'post_service_3d' AND r.enabled
  UNION ALL
  SELECT v.store_id, v.id, v.customer_id, r.rule, coalesce(v.last_service_on, v.delivered_on) + r.offset_days,
    coalesce(v.last_service_on, v.delivered_on), r.channel, r.priority
  FROM aftersales_followuprule r JOIN aftersales_vehicle v ON v.store_id = r.store_id
    AND coalesce(v.last_service_on, v.delivered_on)
      BETWEEN %(start)s::date - r.offset_days AND %(on)s::date - r.offset_days
  WHERE r.rule = 'lapsed' AND r.enabled
) x
ON CONFLICT DO NOTHING"""


# ---------------------------------------------------------------- the worker


class Worker:
    def __init__(self, scale: str, runs: int, out: Any) -> None:
        from apps.org.models import Store, User

        self.scale = scale
        self.runs = runs
        self.out = out
        self.today = timezone.localdate()
        if scale == "large":
            self.store = Store.objects.get(code="grp-01")
            prefix = "grp01_"
            self.manager = User.objects.get(username=f"{prefix}manager")
            self.cs = User.objects.get(username=f"{prefix}cs")
            self.consultant = User.objects.get(username=f"{prefix}sales001")
        else:
            self.store = Store.objects.exclude(code__startswith="grp-").order_by("pk").first()  # type: ignore[assignment]
            self.manager = User.objects.filter(role="manager", stores=self.store).order_by("pk").first()  # type: ignore[assignment]
            self.cs = User.objects.filter(role="customer_service", stores=self.store).order_by("pk").first()  # type: ignore[assignment]
            self.consultant = User.objects.filter(role="consultant", stores=self.store).order_by("pk").first()  # type: ignore[assignment]
        m0 = self.today.replace(day=1)
        # The first day of the scorecards' 12 months (m0 − 335 days was a month early on 1 Dec).
        y0 = date(m0.year - (m0.month <= 11), (m0.month - 12) % 12 + 1, 1)
        aware = lambda d: timezone.make_aware(datetime.combine(d, dtime.min))  # noqa: E731
        self.params: dict[str, Any] = {
            "s": self.store.pk,
            "c": self.consultant.pk,
            "today": self.today,
            "m0": m0,
            "m0t": aware(m0),
            "f0t": aware(self.today - timedelta(days=89)),
            "y0": y0,
            "y0t": aware(y0),
            "tz": settings.TIME_ZONE,
            "stores": [self.store.pk],
            "consultants": _consultants([self.store.pk]),
        }

    def _client(self, user: Any) -> Client:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        return client

    def pages(self) -> dict[str, Any]:
        from rest_framework.test import APIClient

        manager = self._client(self.manager)
        cs = self._client(self.cs)
        api = APIClient(HTTP_HOST="127.0.0.1")
        api.force_authenticate(self.manager)
        store = f"?store={self.store.pk}"
        gets: list[tuple[str, Any, str]] = [
            ("manager dashboard", manager, f"/dashboard/{store}"),
            ("callback queue", cs, "/aftersales/"),
            ("visits list", manager, "/activities/visits/"),
            ("customers list", manager, "/customers/"),
            ("scorecard card, 12 months", manager, f"/scoring/consultant/{self.consultant.pk}/"),
            ("GET /api/v1/customers/?page_size=50", api, "/api/v1/customers/?page_size=50"),
            ("GET /api/v1/visits/?page_size=50", api, "/api/v1/visits/?page_size=50"),
        ]
        page, cursor = self._deep_page()
        gets.append(
            ("GET /api/v1/visits/ deep page, by number", api, f"/api/v1/visits/?page_size=50&page={page}")
        )
        if cursor is not None:
            deep = f"/api/v1/visits/?page_size=50&cursor={cursor}"
            gets.append(("GET /api/v1/visits/ deep page, by cursor", api, deep))
            gets.append(
                ("GET /api/v1/visits/ deep page, cursor + count=estimate", api, f"{deep}&count=estimate")
            )
        out: dict[str, Any] = {}
        for name, client, url in gets:

            def get(client: Any = client, url: str = url) -> None:
                # A served request's user is a fresh object: forget what scoping read.
                _forget(self.manager)
                res = client.get(url)
                if res.status_code != 200:
                    raise RuntimeError(f"{url}: {res.status_code}")

            with CaptureQueriesContext(connection) as ctx:
                get()
            out[name] = {
                "queries": len(ctx),
                "ms": _median_ms(get, self.runs),
                "best_ms": _sql_ms(HAND[name], self.params, self.runs),
            }
            self.out.write(f"  {self.scale:<6} {name:<40} {out[name]['ms']:8.1f} ms", ending="\n")
        out["POST /api/v1/visits/"] = self._post_visit()
        return out

    def _deep_page(self) -> tuple[int, str | None]:
        """The visits list's page about 1,000 deep (row 49,950; less in a smaller store),
        and the cursor that reaches the same rows (None: this code has no cursors)."""
        from apps.activities.models import Visit

        rows = Visit.objects.filter(store=self.store).order_by("-started_at", "-pk")
        depth = max(0, min(49_950, rows.count() - 50)) // 50 * 50
        last = rows[depth - 1] if depth else None
        far = timezone.now() + timedelta(days=36500)
        self.params.update(deep_at=last.started_at if last else far, deep_id=last.pk if last else 2**62)
        try:
            from apps.org import pagination
            from apps.org.scoping import visible

            keys = pagination._keys(visible(Visit.objects.all(), self.manager))
        except (ImportError, AttributeError):
            return depth // 50 + 1, None
        if last is None:
            return 1, ""
        values = [pagination._plain(getattr(last, k.attr or "pk")) for k in keys]
        return depth // 50 + 1, pagination._encode({"s": pagination._signature(keys), "v": values})

    def _visit_body(self, i: int) -> dict[str, Any]:
        from apps.customers.models import Customer

        customer = Customer.objects.filter(owner=self.consultant).order_by("pk").first()
        start = timezone.now() - timedelta(minutes=30 + i % 600)
        return {
            "consultant": self.consultant.pk,
            "customer": customer.pk if customer else None,
            "channel": "phone",
            "started_at": start.isoformat(),
            "ended_at": (start + timedelta(minutes=10)).isoformat(),
            "purpose": "bench",
            "result": "bench",
        }

    def _post_visit(self) -> dict[str, Any]:
        from rest_framework.test import APIClient

        api = APIClient(HTTP_HOST="127.0.0.1")
        api.force_authenticate(self.consultant)
        body = self._visit_body(0)

        def post() -> None:
            _forget(self.consultant)
            try:
                with transaction.atomic():
                    res = api.post("/api/v1/visits/", body, format="json")
                    if res.status_code != 201:
                        raise RuntimeError(f"POST visits: {res.status_code} {res.content[:200]!r}")
                    raise Rollback
            except Rollback:
                pass

        with CaptureQueriesContext(connection) as ctx:
            post()
        hand = """INSERT INTO activities_visit (channel, started_at, ended_at, purpose, result, next_step, expense,
          entered_at, late, consultant_id, customer_id, store_id, minutes, stage_after)
          VALUES ('phone', now(), now(), 'bench', 'bench', '', 0, now(), false, %(c)s, %(customer)s, %(s)s, 10, '')"""

        def insert() -> None:
            try:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute(hand, {**self.params, "customer": body["customer"]})
                    raise Rollback
            except Rollback:
                pass

        return {
            "queries": len(ctx),
            "ms": _median_ms(post, self.runs),
            "best_ms": _median_ms(insert, self.runs),
        }

    def generation(self) -> dict[str, Any]:
        from apps.aftersales.services import followups_generate

        day = self.today + timedelta(days=1)  # not generated yet: a real run
        params = {"on": day, "start": day - timedelta(days=6)}
        figures: dict[str, Any] = {}
        try:
            with transaction.atomic():
                t0 = time.perf_counter()
                made = followups_generate(on=day)
                figures["ms"] = (time.perf_counter() - t0) * 1000
                figures["tasks"] = sum(v for k, v in made.items() if k != "messages")
                t1 = time.perf_counter()
                again = followups_generate(on=day)
                figures["rerun_ms"] = (time.perf_counter() - t1) * 1000
                figures["rerun_tasks"] = sum(again.values())
                raise Rollback
        except Rollback:
            pass
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    t2 = time.perf_counter()
                    cursor.execute(GENERATION_HAND, params)
                    figures["best_ms"] = (time.perf_counter() - t2) * 1000
                    figures["best_tasks"] = cursor.rowcount
                raise Rollback
        except Rollback:
            pass
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM aftersales_vehicle")
            figures["vehicles"] = cursor.fetchone()[0]
        return figures

    def scorecards(self) -> dict[str, Any]:
        from apps.org.models import Store
        from apps.scoring import selectors
        from apps.scoring.periods import month

        stores = list(Store.objects.filter(code__startswith="grp-").order_by("pk"))
        periods = month(self.today).previous_months(12)
        cards: dict[Any, Any] = {}

        def run() -> None:
            cards.update(selectors.scorecards(stores=stores, periods=periods))

        ms = _median_ms(run, max(1, self.runs // 2))
        params = {
            **self.params,
            "stores": [s.pk for s in stores],
            "consultants": _consultants([s.pk for s in stores]),
        }
        best = _sql_ms(SCORECARDS_HAND, params, max(1, self.runs // 2))
        first = _sql_ms(SCORECARDS_HAND_FIRST, params, max(1, self.runs // 2))
        consultants = len({k[0] for k in cards})
        return {
            "ms": ms,
            "best_ms": best,
            "first_best_ms": first,
            "consultants": consultants,
            "months": len(periods),
        }

    def throughput(self, seconds: float, threads: int, workers: int) -> dict[str, Any]:
        from rest_framework.authtoken.models import Token

        port = 8700 + os.getpid() % 200
        manager_token = Token.objects.get_or_create(user=self.manager)[0].key
        consultant_token = Token.objects.get_or_create(user=self.consultant)[0].key
        env = {**os.environ, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1", "DB_CONN_MAX_AGE": "60"}
        server = subprocess.Popen(  # noqa: S603 (this interpreter, fixed arguments)
            [sys.executable, "-m", "gunicorn", "dealersales.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers),
             "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        before = self._max_visit()
        try:
            _wait_up(port)
            body = json.dumps(self._visit_body(1)).encode()
            endpoints = [
                (
                    "GET /api/v1/customers/?page_size=50",
                    "GET",
                    "/api/v1/customers/?page_size=50",
                    manager_token,
                    None,
                ),
                (
                    "GET /api/v1/visits/?page_size=50",
                    "GET",
                    "/api/v1/visits/?page_size=50",
                    manager_token,
                    None,
                ),
                (
                    "GET /api/v1/visits/?cursor=&count=estimate",
                    "GET",
                    "/api/v1/visits/?page_size=50&cursor=&count=estimate",
                    manager_token,
                    None,
                ),
                ("POST /api/v1/visits/", "POST", "/api/v1/visits/", consultant_token, body),
            ]
            out = {}
            for name, method, path, token, data in endpoints:
                # Warm first: each worker imports and connects on its first requests (~1 s).
                _load(port, method, path, token, data, 2.0, threads)
                out[name] = _load(port, method, path, token, data, seconds, threads)
                r = out[name]
                self.out.write(
                    f"  {name:<40} {r['rps']:7.1f} req/s p50 {r['p50_ms']:.0f} ms p99 {r['p99_ms']:.0f} ms"
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
            # The visits the load posted go again: the demo stays as it was built.
            from apps.activities.models import Visit

            Visit.objects.filter(pk__gt=before, purpose="bench").delete()
        return out

    def _max_visit(self) -> int:
        from apps.activities.models import Visit

        last = Visit.objects.order_by("-pk").values_list("pk", flat=True).first()
        return last or 0


def _consultants(store_ids: list[int]) -> list[int]:
    from apps.org.models import User

    return list(
        User.objects.filter(role="consultant", is_active=True, stores__in=store_ids)
        .values_list("pk", flat=True)
        .distinct()
    )


def _forget(user: Any) -> None:
    """What scoping remembered on the user object (nothing before issue 13's scoping)."""
    try:
        from apps.org.scoping import forget_store_ids
    except ImportError:
        return
    forget_store_ids(user)


def _wait_up(port: int) -> None:
    import http.client

    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz/")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _load(
    port: int, method: str, path: str, token: str, body: bytes | None, seconds: float, threads: int
) -> dict:
    """A bounded closed-loop load: `threads` clients, each one request at a time, for `seconds`."""
    import http.client

    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json", "Host": "127.0.0.1"}

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                res = conn.getresponse()
                res.read()
                ok = res.status < 400
            except OSError:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            with lock:
                latencies.append((time.perf_counter() - t0) * 1000)
                if not ok:
                    errors[0] += 1

    pool = [threading.Thread(target=client) for _ in range(threads)]
    t0 = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - t0
    latencies.sort()
    n = len(latencies)
    return {
        "requests": n,
        "errors": errors[0],
        "rps": n / elapsed if elapsed else 0.0,
        "p50_ms": latencies[n // 2] if n else 0.0,
        "p99_ms": latencies[min(n - 1, int(n * 0.99))] if n else 0.0,
    }


# ---------------------------------------------------------------- the report


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _fmt(x: float | None, unit: str = "") -> str:
    return "—" if x is None else f"{x:,.1f}{unit}"


def _flag(ratio: float | None, goal: float) -> str:
    if ratio is None:
        return ""
    return " ok" if ratio <= goal else " MISS"


class Command(BaseCommand):
    help = "Page and API figures at the small and the large scale, with ratios (printed, saved as JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--small-db", help="database URL of the small demo (default DATABASE_URL)")
        parser.add_argument("--large-db", help="database URL holding the large group (default DATABASE_URL)")
        parser.add_argument("--no-build", action="store_true", help="do not build the large group if absent")
        parser.add_argument("--runs", type=int, default=7, help="requests per page (the median is kept)")
        parser.add_argument("--api-seconds", type=float, default=8.0, help="load per endpoint (0: skip)")
        parser.add_argument("--api-threads", type=int, default=8)
        parser.add_argument("--api-workers", type=int, default=2, help="gunicorn workers")
        parser.add_argument("--json", default=str(ROOT / "var" / "bench.json"))
        parser.add_argument("--worker", choices=["small", "large"], help=argparse_hidden())

    def handle(self, *args: Any, **o: Any) -> None:
        if o["worker"]:
            self._worker(o)
            return
        here = os.environ.get("DATABASE_URL", "")
        small_db = o["small_db"] or here
        large_db = o["large_db"] or here
        if not small_db.startswith("postgres"):
            self.stderr.write("make bench needs PostgreSQL: set DATABASE_URL (or --small-db / --large-db).")
            return
        if not o["no_build"]:
            self._ensure_large(large_db)
        results: dict[str, Any] = {
            "at": timezone.now().isoformat(),
            "small_db": _safe(small_db),
            "large_db": _safe(large_db),
        }
        for scale, url in (("small", small_db), ("large", large_db)):
            self.stdout.write(f"Measuring the {scale} scale …")
            results[scale] = self._spawn(scale, url, o)
        self._report(results)
        path = Path(o["json"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, indent=2, default=str))
        self.stdout.write(f"Figures saved to {path}")

    def _ensure_large(self, url: str) -> None:
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "true"}
        check = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c",
             "from apps.org.models import Store; print(Store.objects.filter(code='grp-01').exists())"],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )  # fmt: skip
        if check.stdout.strip().endswith("True"):
            return
        self.stdout.write("The large group is absent: building it (seed_demo --scale large) …")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        subprocess.run(
            [sys.executable, "manage.py", "seed_demo", "--scale", "large"], cwd=ROOT, env=env, check=True
        )

    def _spawn(self, scale: str, url: str, o: dict[str, Any]) -> dict[str, Any]:
        env = {**os.environ, "DATABASE_URL": url}
        cmd = [sys.executable, "manage.py", "bench", "--worker", scale, "--runs", str(o["runs"])]
        cmd += ["--api-seconds", str(o["api_seconds"] if scale == "large" else 0)]
        cmd += ["--api-threads", str(o["api_threads"]), "--api-workers", str(o["api_workers"])]
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
        if done.returncode != 0:
            self.stderr.write(done.stderr[-3000:])
            return {"error": done.stderr[-3000:]}
        self.stdout.write(done.stderr)  # the worker's progress
        return json.loads(done.stdout.strip().splitlines()[-1])

    def _worker(self, o: dict[str, Any]) -> None:
        w = Worker(o["worker"], o["runs"], self.stderr)
        figures: dict[str, Any] = {"store": w.store.code, "pages": w.pages()}
        if o["worker"] == "large":
            figures["generation"] = w.generation()
            figures["scorecards"] = w.scorecards()
            if o["api_seconds"] > 0:
                figures["api"] = w.throughput(o["api_seconds"], o["api_threads"], o["api_workers"])
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            figures["jit"] = cursor.fetchone()[0]
        sys.stdout.write(json.dumps(figures, default=str) + "\n")

    def _report(self, r: dict[str, Any]) -> None:
        small = r["small"].get("pages", {})
        large = r["large"].get("pages", {})
        w = self.stdout.write
        w("")
        w(f"Pages and endpoints (server time, median; small store {r['small'].get('store')}, large store "
          f"{r['large'].get('store')}; goals: large/small ≤ {GOALS['scale']}×, large/best ≤ {GOALS['best']}×)")  # fmt: skip
        w(f"{'page / endpoint':<40} {'queries':>7} {'small ms':>9} {'large ms':>9} {'best ms':>8} "
          f"{'large/small':>12} {'large/best':>11}")  # fmt: skip
        for name in large or small:
            s, lg = small.get(name, {}), large.get(name, {})
            scale_ratio = _ratio(lg.get("ms"), s.get("ms"))
            best_ratio = _ratio(lg.get("ms"), lg.get("best_ms"))
            w(f"{name:<40} {lg.get('queries', s.get('queries', 0)):>7} {_fmt(s.get('ms')):>9} {_fmt(lg.get('ms')):>9} "
              f"{_fmt(lg.get('best_ms')):>8} {_fmt(scale_ratio, '×'):>8}{_flag(scale_ratio, GOALS['scale']):<5}"
              f"{_fmt(best_ratio, '×'):>7}{_flag(best_ratio, GOALS['best'])}")  # fmt: skip
        gen = r["large"].get("generation")
        if gen:
            ratio = _ratio(gen["ms"], gen["best_ms"])
            rerun = _ratio(gen["rerun_ms"], gen["ms"])
            w("")
            w(f"Follow-up generation, one day, {gen['vehicles']:,} vehicles: {gen['ms']:,.0f} ms for {gen['tasks']:,} "
              f"tasks; one hand-written INSERT…SELECT {gen['best_ms']:,.0f} ms ({gen['best_tasks']:,} rows): "
              f"{_fmt(ratio, '×')}{_flag(ratio, GOALS['generation'])} (goal ≤ {GOALS['generation']}×); "
              f"re-run {gen['rerun_ms']:,.0f} ms, {gen['rerun_tasks']} made = {100 * (rerun or 0):.0f}% of a run"
              f"{_flag(rerun, GOALS['rerun'])} (goal < 10%)")  # fmt: skip
        cards = r["large"].get("scorecards")
        if cards:
            ratio = _ratio(cards["ms"], cards["best_ms"])
            w(f"Scorecards, {cards['consultants']} consultants × {cards['months']} months: {cards['ms']:,.0f} ms; "
              f"the same figures by hand {cards['best_ms']:,.0f} ms: {_fmt(ratio, '×')}"
              f"{_flag(ratio, GOALS['scorecards'])} (goal ≤ {GOALS['scorecards']}×)")  # fmt: skip
            if cards.get("first_best_ms"):
                first = _ratio(cards["ms"], cards["first_best_ms"])
                w(f"  (against the first hand-written aggregate, without working days and customer figures: "
                  f"{cards['first_best_ms']:,.0f} ms, {_fmt(first, '×')})")  # fmt: skip
        api = r["large"].get("api")
        if api:
            w("")
            w(
                "API under gunicorn on 127.0.0.1 (goals: POST visits ≥ 300 req/s with p99 < 150 ms; lists ≥ 200 req/s)"
            )
            for name, f in api.items():
                w(f"  {name:<40} {f['rps']:7.1f} req/s  p50 {f['p50_ms']:6.1f} ms  p99 {f['p99_ms']:6.1f} ms  "
                  f"({f['requests']} requests, {f['errors']} errors)")  # fmt: skip
        w(f"JIT: small {r['small'].get('jit')}, large {r['large'].get('jit')}")


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


def _safe(url: str) -> str:
    """The URL without a password."""
    if "@" in url and ":" in url.split("@")[0].split("//")[-1]:
        scheme, rest = url.split("//", 1)
        creds, host = rest.split("@", 1)
        return f"{scheme}//{creds.split(':')[0]}:***@{host}"
    return url
