"""Writes of the notification centre.

`notify()` is for one event in a service's transaction; `insert_select()` is for a
set-based job that makes many at once from one SELECT. Both insert with ON CONFLICT
DO NOTHING against (user, key), and both hand the SMS to a Celery task enqueued on
commit: a rolled-back transaction notifies nobody, a committed one exactly once.
"""

import json
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation

from apps.org.models import User

from .kinds import title_of
from .models import Notification, Preference, SmsStatus
from .sms import SmsError, get_backend, in_quiet_hours

log = logging.getLogger(__name__)

N = Notification._meta.db_table
P = Preference._meta.db_table
U = User._meta.db_table


def sms_send_later() -> None:
    """Enqueue the SMS task once the current transaction commits (kept while Redis is down)."""
    from apps.org.jobs import enqueue_on_commit

    from .tasks import notifications_sms_send

    enqueue_on_commit(notifications_sms_send)


def _sms_users(user_ids: Iterable[int]) -> set[int]:
    return set(
        Preference.objects.filter(user_id__in=list(user_ids), sms=True)
        .exclude(user__mobile="")
        .values_list("user_id", flat=True)
    )


@transaction.atomic
def notify(
    *,
    users: Iterable[User | int],
    kind: str,
    key: str,
    params: dict[str, Any] | None = None,
    url: str = "",
    store_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Notify each user once about the event `key`; returns how many were new."""
    ids = sorted({u if isinstance(u, int) else u.pk for u in users})
    if not ids:
        return 0
    now = now or timezone.now()
    by_sms = _sms_users(ids)
    rows = [
        Notification(
            user_id=uid,
            store_id=store_id,
            kind=kind,
            key=key[:150],
            params=params or {},
            url=url,
            created_at=now,
            sms_status=SmsStatus.PENDING if uid in by_sms else SmsStatus.NONE,
        )
        for uid in ids
    ]
    before = Notification.objects.filter(key=key[:150], user_id__in=ids).count()
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    made = Notification.objects.filter(key=key[:150], user_id__in=ids).count() - before
    if made and by_sms:
        sms_send_later()
    return made


def json_object(*pairs: tuple[str, str]) -> str:
    """SQL building a JSON object from (name, SQL expression) pairs, on PostgreSQL or SQLite."""
    args = ", ".join(f"'{name}', {expr}" for name, expr in pairs)
    if connection.vendor == "postgresql":
        return f"json_build_object({args})::jsonb"
    return f"json_object({args})"


def insert_select(select_sql: str, params: dict[str, Any], *, now: datetime | None = None) -> int:
    """INSERT the notifications a SELECT names, set-based and exactly once.

    `select_sql` yields the columns user_id, store_id, kind, key, params (JSON, see
    json_object) and url; the caller's `params` fill its placeholders. Returns the
    rows made (0 on a re-run)."""
    now = now or timezone.now()
    sql = f"""INSERT INTO {N} (user_id, store_id, kind, key, params, url, created_at, sms_status, sms_error)
SELECT s.user_id, s.store_id, s.kind, s.key, s.params, s.url, %(n_now)s,
  CASE WHEN p.sms AND u.mobile <> '' AND u.is_active THEN 'pending' ELSE '' END, ''
FROM ({select_sql}) s JOIN {U} u ON u.id = s.user_id LEFT JOIN {P} p ON p.user_id = s.user_id
ON CONFLICT DO NOTHING"""  # noqa: S608 (table names are ours, values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "n_now": connection.ops.adapt_datetimefield_value(now)})
        made = max(cursor.rowcount, 0)
    if made:
        sms_send_later()
    return made


def mark_read(*, user: User, notification: Notification | None = None, now: datetime | None = None) -> int:
    """Mark one (or, without `notification`, every) unread notification of `user` read."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification is not None:
        qs = qs.filter(pk=notification.pk)
    return qs.update(read_at=now or timezone.now())


@transaction.atomic
def preference_save(*, user: User, sms: bool) -> Preference:
    pref, _created = Preference.objects.select_for_update().get_or_create(user=user)
    pref.sms = bool(sms)
    pref.save(update_fields=["sms"])
    return pref


STALE_SENDING = timedelta(minutes=15)


def sms_send(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Send the pending notification SMS outside quiet hours.

    Each is claimed by a conditional UPDATE (pending → sending) before it leaves, so two
    workers never send the same one. A worker that died while sending leaves it
    'sending'; after 15 minutes it is marked failed rather than sent again (the text
    may already have gone out, and the portal still shows the notification)."""
    now = now or timezone.now()
    counts = {"sent": 0, "failed": 0, "deferred": 0}
    Notification.objects.filter(sms_status=SmsStatus.SENDING, sms_claimed_at__lt=now - STALE_SENDING).update(
        sms_status=SmsStatus.FAILED, sms_error="interrupted while sending"
    )
    pending = Notification.objects.filter(sms_status=SmsStatus.PENDING)
    if in_quiet_hours(now):
        counts["deferred"] = pending.count()
        return counts
    backend = get_backend()
    for n in pending.select_related("user").order_by("pk")[:limit]:
        claimed = Notification.objects.filter(pk=n.pk, sms_status=SmsStatus.PENDING).update(
            sms_status=SmsStatus.SENDING, sms_claimed_at=now
        )
        if not claimed:
            continue
        with translation.override(n.user.language or None):
            text = title_of(n.kind, n.params)
        try:
            backend.send(n.user.mobile, text)
        except SmsError as exc:
            Notification.objects.filter(pk=n.pk).update(sms_status=SmsStatus.FAILED, sms_error=str(exc)[:300])
            counts["failed"] += 1
        else:
            Notification.objects.filter(pk=n.pk).update(sms_status=SmsStatus.SENT, sms_sent_at=now)
            counts["sent"] += 1
    return counts


def unread_filter() -> Q:
    return Q(read_at__isnull=True)


def as_json(params: dict[str, Any]) -> str:
    return json.dumps(params, ensure_ascii=False, default=str)


def notify_bulk(rows: list[dict[str, Any]], *, now: datetime | None = None) -> int:
    """Many notifications in one INSERT (a job's output): each row has user_id, kind, key
    and optionally store_id, params, url. ON CONFLICT DO NOTHING keeps each once."""
    if not rows:
        return 0
    now = now or timezone.now()
    by_sms = _sms_users({r["user_id"] for r in rows})
    objs = [
        Notification(
            user_id=r["user_id"],
            store_id=r.get("store_id"),
            kind=r["kind"],
            key=r["key"][:150],
            params=r.get("params") or {},
            url=r.get("url", ""),
            created_at=now,
            sms_status=SmsStatus.PENDING if r["user_id"] in by_sms else SmsStatus.NONE,
        )
        for r in rows
    ]
    made = len(Notification.objects.bulk_create(objs, ignore_conflicts=True))
    if by_sms:
        sms_send_later()
    return made
