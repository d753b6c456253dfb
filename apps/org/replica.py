"""Heavy report reads on a read replica, when DATABASE_REPLICA_URL names one.

A view marked `@report_reads` (the manager dashboard, the scorecards, the store
month, the exports) runs its GET with the business tables read from the "replica"
alias. Nothing else moves: every write goes to the primary (Django sends writes to
`db_for_write`, which this router leaves to the default); so do the reads of the
session, the user, his token and his stores (org, auth, sessions are not report
data, and a login just made must be seen at once); and so does every POST, or any
request not marked, so a read that must see its own write never meets replica lag.
Without DATABASE_REPLICA_URL there is no "replica" alias and the router is inert.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.db import connections

REPLICA = "replica"
# The business records reports aggregate; never org/auth/sessions (see above).
REPORT_APPS = frozenset(
    {
        "customers",
        "sales",
        "activities",
        "plans",
        "scoring",
        "aftersales",
        "stock",
        "appointments",
        "incentives",
    }
)
_reporting: ContextVar[bool] = ContextVar("report_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def reading_reports() -> Iterator[None]:
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


def report_reads(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a report view: its GET (and HEAD) reads the business tables from the replica."""

    @wraps(view)
    def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        with reading_reports():
            return view(request, *args, **kwargs)

    return wrapper


class ReportReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _reporting.get() and model._meta.app_label in REPORT_APPS and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None  # the primary, always

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica holds the primary's rows: one database as far as relations go

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA  # a replica follows the primary; it is never migrated itself
