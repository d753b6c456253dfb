"""The daily follow-up generation: a handful of INSERT … SELECT statements.

Each rule is one statement that selects the vehicles (or owners) due and inserts
their tasks with ON CONFLICT DO NOTHING against the unique keys of FollowUp, so the
job costs what it creates rather than a Python loop over every vehicle, and running
it twice, concurrently, or again after a crash half-way leaves every task once.

A task's due date comes from its vehicle (delivery + offset, predicted service date
− 3 …), never from the day the job runs; the job looks back LOOKBACK_DAYS so that a
missed night is caught up by the next run, and the same task made by two runs is
the same row. Greetings (birthday, anniversary, holidays) are only sent on the day.

Six of the window's seven days were made by the runs before, so each statement first
drops the candidates whose task exists (one hashed lookup over the window's tasks, see
_tasks) and probes only the rest: a run costs the reads of its windows plus what it
makes, and a re-run that makes nothing little more than those reads.
"""

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from .models import Channel, FollowUp, FollowUpRule, Message, MessageStatus, RuleCode, ServiceVisit, Vehicle

LOOKBACK_DAYS = 7
# How far back the anniversary and birthday lists reach (a car delivered, a customer born).
DELIVERY_YEARS = 60
BIRTH_YEARS = 120

F = FollowUp._meta.db_table
V = Vehicle._meta.db_table
R = FollowUpRule._meta.db_table
S = ServiceVisit._meta.db_table
M = Message._meta.db_table


def _pg() -> bool:
    return connection.vendor == "postgresql"


def add_days(expr: str, days: str) -> str:
    """SQL for the date `expr` plus the integer expression `days`."""
    if _pg():
        return f"({expr} + ({days}))"
    return f"date({expr}, ({days}) || ' days')"


def sub_days(param: str, days: str) -> str:
    """SQL for the date parameter `param` minus the integer expression `days`."""
    if _pg():
        return f"(%({param})s::date - ({days}))"
    return f"date(%({param})s, (-({days})) || ' days')"


def due_window(column: str, days: str) -> str:
    """`column + days BETWEEN start AND on`, written as a range on the column itself so
    that its (store, column) index serves it: the rule's offset moves the bounds, not
    every row (issue 13: the sum scanned all vehicles for every rule)."""
    return f"{column} BETWEEN {sub_days('start', days)} AND {sub_days('on', days)}"


def _param(day: date) -> Any:
    return connection.ops.adapt_datefield_value(day)


def _anniversaries(on: date, years: int) -> list[date]:
    """Every date in the last `years` years celebrated on `on` (its month-day; 29 February
    on the 28th in other years), so that `delivered_on IN (…)` or `birthday IN (…)` reads
    the date indexes instead of computing the month-day of every row."""
    out = []
    for year in range(on.year - years, on.year + 1):
        for md in _month_days(on):
            month, day = int(md[:2]), int(md[3:])
            try:
                out.append(date(year, month, day))
            except ValueError:  # 29 February of a year that has none
                continue
    return out


def _month_days(on: date) -> list[str]:
    """The month-days celebrated on `on`: 29 February falls on the 28th in other years."""
    days = [f"{on:%m-%d}"]
    if on.month == 2 and on.day == 28 and (on + timedelta(days=1)).month == 3:
        days.append("02-29")
    return days


INSERT = f"""INSERT INTO {F} (store_id, vehicle_id, customer_id, rule, due_date, basis, channel, priority,
    status, attempts, outcome, booking_made, note, created_at)"""  # noqa: S608
CONSTANTS = "'open', 0, '', %(false)s, '', %(now)s"
FIRST_CHANNEL = f"CASE WHEN r.channel = '{Channel.CALL}' THEN 'call' ELSE 'sms' END"
CONFLICT = "ON CONFLICT DO NOTHING"
# A task's columns as a rule's candidates name them, in the order INSERT lists them.
TASK = ("store_id", "vehicle_id", "customer_id", "rule", "due_date", "basis", "channel", "priority")


def _tasks(
    *,
    rules: Sequence[str],
    columns: Sequence[str],
    source: str,
    check: str = "",
    extra: dict[str, str] | None = None,
    distinct: bool = False,
    by_customer: bool = False,
    one_store: bool,
) -> str:
    """The INSERT … SELECT of one rule: its candidates (`columns`, the task's columns in
    TASK order, read by `source`, a FROM … WHERE …) that pass `check` (a condition on the
    candidate `x`; `extra` names more candidate columns it may use).

    On PostgreSQL the candidates that already have their task — the same vehicle (or, for
    a greeting, customer), rule and due date, which ON CONFLICT would skip anyway — are
    dropped first by one hashed NOT IN against the tasks of the rule due in the window,
    read through the (store, rule, due date) index; `check`, whose NOT EXISTS probe an
    index once per row, then runs only for the candidates left (the CTE keeps the
    planner from probing first). Most of the window was made by the runs of the days
    before, so a real run probes one day's candidates, not seven, and a re-run that
    makes nothing probes none (issue 13: such a re-run cost a third of a real run).
    NOT IN rather than NOT EXISTS: the planner underestimates the tasks of recent days
    and would rescan them per candidate; a hashed subplan is built once whatever the
    estimate, as long as the window's tasks of one rule fit in work_mem (~100k)."""
    names = [*TASK, *(extra or {})]
    exprs = [*columns, *(extra or {}).values()]
    select = ("DISTINCT " if distinct else "") + ", ".join(
        f"{e} AS {n}" for e, n in zip(exprs, names, strict=True)
    )
    out = ", ".join(f"x.{n}" for n in TASK)
    where = (
        f"WHERE {check}" if check else "WHERE 1 = 1"
    )  # SQLite: INSERT … SELECT … ON CONFLICT needs a WHERE
    if not _pg():
        return f"{INSERT}\nSELECT {out}, {CONSTANTS}\nFROM (SELECT {select}\n{source}) x\n{where}\n{CONFLICT}"  # noqa: S608
    key, task_key = (
        ("customer_id", "vehicle_id IS NULL") if by_customer else ("vehicle_id", "vehicle_id IS NOT NULL")
    )
    in_rules = ", ".join(f"'{r}'" for r in rules)
    stores = f"SELECT store_id FROM {R} WHERE rule IN ({in_rules}) AND enabled"  # noqa: S608
    done = f"""SELECT f.{key}, f.rule, f.due_date FROM {F} f
    WHERE f.store_id IN ({stores}){_store("f") * one_store}
      AND f.rule IN ({in_rules}) AND f.due_date BETWEEN %(start)s AND %(on)s AND f.{task_key}"""  # noqa: S608
    ident = columns[TASK.index(key)]
    return f"""WITH fresh AS MATERIALIZED (
  SELECT {select}
  {source}
  AND ({ident}, {columns[3]}, {columns[4]}) NOT IN (
    {done})
)
{INSERT}
SELECT {out}, {CONSTANTS}
FROM fresh x
{where}
{CONFLICT}"""  # noqa: S608


def _rule_join(code: str, alias: str = "v") -> str:
    return f"JOIN {R} r ON r.store_id = {alias}.store_id AND r.rule = '{code}' AND r.enabled"


def _in_window(code: str, window: str, table: str = V, alias: str = "v") -> str:
    """FROM … WHERE for the rows of `table` in a rule's window, with the store's enabled
    rule `r`. On PostgreSQL a LATERAL per rule row (one per store): each reads its window
    through the (store, column) index. Joined the plain way, the planner cannot see
    through bounds computed from each rule's offset and scans the whole table (OFFSET 0
    keeps it from flattening the LATERAL back into that join)."""
    if _pg():
        return (
            f"FROM {R} r CROSS JOIN LATERAL (SELECT * FROM {table} {alias} "  # noqa: S608
            f"WHERE {alias}.store_id = r.store_id AND {window} OFFSET 0) {alias}\n"
            f"WHERE r.rule = '{code}' AND r.enabled"
        )
    return f"FROM {table} {alias} {_rule_join(code, alias)}\nWHERE {window}"


def _store(alias: str = "v") -> str:
    return f" AND {alias}.store_id = %(store)s"


ONCE_PER_VEHICLE = f"NOT EXISTS (SELECT 1 FROM {F} f WHERE f.vehicle_id = x.vehicle_id AND f.rule = x.rule)"  # noqa: S608
# Once per vehicle and basis (the service, or the last contact, it counts from).
ONCE_PER_BASIS = (
    f"NOT EXISTS (SELECT 1 FROM {F} f WHERE f.vehicle_id = x.vehicle_id AND f.rule = x.rule"  # noqa: S608
    " AND f.basis = x.basis)"
)


Step = Callable[[dict[str, Any], bool], str]


def _vehicle_window(
    rule: str, *, date: str, basis: str, check: str, channel: str = "r.channel", condition: str = ""
) -> Step:
    """The reminder `rule` for the vehicles whose `date` + the rule's offset falls in its
    window (and that meet `condition`), counted from `basis`."""

    def sql(p: dict[str, Any], one_store: bool) -> str:
        window = _in_window(rule, due_window(date, "r.offset_days"))
        return _tasks(
            rules=[rule],
            columns=[
                "v.store_id",
                "v.id",
                "v.customer_id",
                "r.rule",
                add_days(date, "r.offset_days"),
                basis,
                channel,
                "r.priority",
            ],
            source=window + (f"\n  AND {condition}" if condition else "") + _store() * one_store,
            check=check,
            one_store=one_store,
        )

    return sql


def _delivery_rule(code: str) -> Step:
    return _vehicle_window(code, date="v.delivered_on", basis="v.delivered_on", check=ONCE_PER_VEHICLE)


# The first service counts from the delivery, each later one from the last service.
_first_service = _vehicle_window(
    RuleCode.FIRST_SERVICE,
    date="v.next_service_due",
    basis="v.delivered_on",
    channel=FIRST_CHANNEL,
    condition="v.last_service_on IS NULL AND v.next_service_due IS NOT NULL",
    check=ONCE_PER_VEHICLE,
)
_periodic = _vehicle_window(
    RuleCode.PERIODIC_SERVICE,
    date="v.next_service_due",
    basis="v.last_service_on",
    channel=FIRST_CHANNEL,
    condition="v.last_service_on IS NOT NULL AND v.next_service_due IS NOT NULL",
    check=ONCE_PER_BASIS,
)


def _post_service_rows() -> str:
    """The service visits in the window, with the rule of their vehicle's store. On
    PostgreSQL a LATERAL per rule row over the visits' date index (a car may be serviced
    in another store of the group: the window is read across stores)."""
    window = due_window("s.date", "r.offset_days")
    if _pg():
        return (
            f"FROM {R} r CROSS JOIN LATERAL (SELECT * FROM {S} s WHERE {window} OFFSET 0) s\n"  # noqa: S608
            f"CROSS JOIN LATERAL (SELECT * FROM {V} v WHERE v.id = s.vehicle_id AND v.store_id = r.store_id"
            " OFFSET 0) v\n"
            f"WHERE r.rule = '{RuleCode.POST_SERVICE_3D}' AND r.enabled"
        )
    rule = _rule_join(RuleCode.POST_SERVICE_3D)
    return f"FROM {S} s JOIN {V} v ON v.id = s.vehicle_id {rule}\nWHERE {window}"


def _post_service(p: dict[str, Any], one_store: bool) -> str:
    due = add_days("s.date", "r.offset_days")
    return _tasks(
        rules=[RuleCode.POST_SERVICE_3D],
        columns=["v.store_id", "v.id", "v.customer_id", "r.rule", due, "s.date", "r.channel", "r.priority"],
        source=f"{_post_service_rows()}{_store() * one_store}",
        distinct=True,
        one_store=one_store,
    )


# A car that has not come back since its last service (or its delivery).
_lapsed = _vehicle_window(
    RuleCode.LAPSED,
    date="COALESCE(v.last_service_on, v.delivered_on)",
    basis="COALESCE(v.last_service_on, v.delivered_on)",
    check=ONCE_PER_BASIS,
)


def _anniversary(p: dict[str, Any], one_store: bool) -> str:
    return _tasks(
        rules=[RuleCode.ANNIVERSARY],
        columns=[
            "v.store_id",
            "v.id",
            "v.customer_id",
            "r.rule",
            "%(on)s",
            "v.delivered_on",
            "r.channel",
            "r.priority",
        ],
        source=f"""FROM {V} v {_rule_join(RuleCode.ANNIVERSARY)}
WHERE v.delivered_on IN %(delivery_days)s AND v.delivered_on < %(on)s{_store() * one_store}""",  # noqa: S608
        one_store=one_store,
    )


def _birthday(p: dict[str, Any], one_store: bool) -> str:
    from apps.customers.models import Customer

    c_table = Customer._meta.db_table
    return _tasks(
        rules=[RuleCode.BIRTHDAY],
        columns=[
            "c.store_id",
            "CAST(NULL AS bigint)",
            "c.id",
            "r.rule",
            "%(on)s",
            "c.birthday",
            "r.channel",
            "r.priority",
        ],
        source=f"""FROM {c_table} c {_rule_join(RuleCode.BIRTHDAY, "c")}
WHERE c.birthday IN %(birth_days)s{_store("c") * one_store}
  AND EXISTS (SELECT 1 FROM {V} v WHERE v.customer_id = c.id)""",  # noqa: S608
        by_customer=True,
        one_store=one_store,
    )


def _holiday(p: dict[str, Any], one_store: bool) -> str:
    """The greeting on a day of the store's holiday calendar, to each owner (once, however
    many cars he has) who has not opted out of SMS."""
    from apps.customers.models import Customer

    from .models import Holiday

    c_table = Customer._meta.db_table
    h_table = Holiday._meta.db_table
    return _tasks(
        rules=[RuleCode.HOLIDAY],
        columns=[
            "c.store_id",
            "CAST(NULL AS bigint)",
            "c.id",
            "r.rule",
            "h.date",
            "h.date",
            "r.channel",
            "r.priority",
        ],
        source=f"""FROM {c_table} c {_rule_join(RuleCode.HOLIDAY, "c")}
JOIN {h_table} h ON h.store_id = c.store_id AND h.date = %(on)s
WHERE NOT c.sms_opt_out{_store("c") * one_store}
  AND EXISTS (SELECT 1 FROM {V} v WHERE v.customer_id = c.id)""",  # noqa: S608
        by_customer=True,
        one_store=one_store,
    )


def _sms_tasks_in_window() -> str:
    """The SMS tasks whose call falls due in the window, with their 'SMS, then a call'
    rule; on PostgreSQL a LATERAL per rule row over the SMS tasks' (store, due) index."""
    window = due_window("f.due_date", "r.call_after_days")
    rule = f"r.enabled AND r.channel = '{Channel.SMS_THEN_CALL}'"
    if _pg():
        return (
            f"FROM {R} r CROSS JOIN LATERAL (SELECT * FROM {F} f WHERE f.store_id = r.store_id "  # noqa: S608
            f"AND f.rule = r.rule AND f.channel = 'sms' AND {window} OFFSET 0) f\nWHERE {rule}"
        )
    return (
        f"FROM {F} f JOIN {R} r ON r.store_id = f.store_id AND r.rule = f.rule AND {rule}\n"
        f"WHERE f.channel = 'sms' AND {window}"
    )


def _call_after_sms(p: dict[str, Any], one_store: bool) -> str:
    """'SMS, then a call if not booked': the call follows unless a visit or booking came."""
    due = add_days("f.due_date", "r.call_after_days")
    rules = [RuleCode.FIRST_SERVICE, RuleCode.PERIODIC_SERVICE]
    return _tasks(
        rules=rules,
        columns=[
            "f.store_id",
            "f.vehicle_id",
            "f.customer_id",
            "f.rule",
            due,
            "f.basis",
            "'call'",
            "r.priority",
        ],
        extra={"sms_due": "f.due_date"},
        source=f"""{_sms_tasks_in_window()}
  AND f.vehicle_id IS NOT NULL AND f.rule IN ('{rules[0]}', '{rules[1]}')
  {_store("f") * one_store}""",
        check=f"""NOT EXISTS (SELECT 1 FROM {F} c WHERE c.vehicle_id = x.vehicle_id AND c.rule = x.rule
                  AND c.basis = x.basis AND c.channel = 'call')
  AND NOT EXISTS (SELECT 1 FROM {S} s WHERE s.vehicle_id = x.vehicle_id AND s.date >= x.sms_due)
  AND NOT EXISTS (SELECT 1 FROM {F} b WHERE b.vehicle_id = x.vehicle_id AND b.booking_made
                  AND b.due_date >= x.sms_due)""",  # noqa: S608
        one_store=one_store,
    )


def _messages(p: dict[str, Any], one_store: bool) -> str:
    """The SMS to send for every open SMS task of the window that has none. On PostgreSQL
    the tasks whose SMS an earlier run made are dropped first by a hashed NOT IN over the
    window's messages (read through the (status, send_on) index, every status), before
    each task left is checked on its own (see _tasks)."""
    window = f"f.due_date BETWEEN %(start)s AND %(on)s{_store('f') * one_store}"
    if _pg():
        statuses = ", ".join(f"'{s}'" for s in MessageStatus.values)
        window += f"""
  AND f.id NOT IN (SELECT m.followup_id FROM {M} m WHERE m.status IN ({statuses})
                   AND m.send_on BETWEEN %(start)s AND %(on)s AND m.followup_id IS NOT NULL)"""  # noqa: S608
    return f"""INSERT INTO {M} (store_id, customer_id, followup_id, send_on, mobile, body, status, attempts,
    backend, error, created_at)
SELECT f.store_id, f.customer_id, f.id, f.due_date, '', '', 'queued', 0, '', '', %(now)s
FROM {F} f
WHERE f.channel = 'sms' AND f.status = 'open'
  AND {window}
  AND NOT EXISTS (SELECT 1 FROM {M} m WHERE m.followup_id = f.id)
{CONFLICT}"""  # noqa: S608


# The statements, in order: rules first, then the calls that follow an SMS, then the
# SMS to send for every SMS task. Each commits on its own (autocommit), so a crash
# leaves finished rules in place and a re-run completes the rest.
STEPS: list[tuple[str, Step]] = [
    (RuleCode.POST_SALE_7D, _delivery_rule(RuleCode.POST_SALE_7D)),
    (RuleCode.CARE_30D, _delivery_rule(RuleCode.CARE_30D)),
    (RuleCode.FIRST_SERVICE, _first_service),
    (RuleCode.PERIODIC_SERVICE, _periodic),
    (RuleCode.POST_SERVICE_3D, _post_service),
    (RuleCode.LAPSED, _lapsed),
    (RuleCode.ANNIVERSARY, _anniversary),
    (RuleCode.BIRTHDAY, _birthday),
    (RuleCode.HOLIDAY, _holiday),
    ("call_after_sms", _call_after_sms),
    ("messages", _messages),
]


def run(*, on: date, store_id: int | None = None) -> dict[str, int]:
    """Insert the tasks due on `on` (and the last LOOKBACK_DAYS); rows made per step."""
    params: dict[str, Any] = {
        "on": _param(on),
        "start": _param(on - timedelta(days=LOOKBACK_DAYS - 1)),
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
        "false": False,
        "store": store_id,
    }
    lists = {
        "delivery_days": _anniversaries(on, DELIVERY_YEARS),
        "birth_days": _anniversaries(on, BIRTH_YEARS),
    }
    for key, days in lists.items():
        params.update({f"{key}{i}": _param(d) for i, d in enumerate(days)})
    in_lists = {
        f"%({key})s": "(" + ", ".join(f"%({key}{i})s" for i in range(len(days))) + ")"
        for key, days in lists.items()
    }
    made: dict[str, int] = {}
    with connection.cursor() as cursor:
        for name, build in STEPS:
            sql = build(params, store_id is not None)
            for key, in_list in in_lists.items():
                sql = sql.replace(key, in_list)
            cursor.execute(sql, params)
            made[name] = max(cursor.rowcount, 0)
    return made
