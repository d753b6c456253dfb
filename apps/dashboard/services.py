from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.org.models import Store, User
from apps.scoring.periods import parse

from .models import Heartbeat, StoreMonth


def heartbeat_record(*, name: str, worker: str) -> Heartbeat:
    """Upsert the heartbeat row; safe to run any number of times."""
    beat, created = Heartbeat.objects.get_or_create(
        name=name, defaults={"beat_at": timezone.now(), "worker": worker, "count": 1}
    )
    if not created:
        Heartbeat.objects.filter(pk=beat.pk).update(
            beat_at=timezone.now(), worker=worker, count=F("count") + 1
        )
        beat.refresh_from_db()
    return beat


def _store_month_row(store: Store, month_key: str) -> StoreMonth:
    first = parse(month_key).start
    row, _created = StoreMonth.objects.select_for_update().get_or_create(store=store, month=first)
    return row


@transaction.atomic
def store_month_text_save(
    *, store: Store, month_key: str, by: User, problems: str, measures: str, next_month: str
) -> StoreMonth:
    """Save the manager's own text of the month; a closed month is read-only."""
    row = _store_month_row(store, month_key)
    if row.closed_at:
        raise ValidationError(_("This month is closed; its summary can no longer be changed."))
    row.problems, row.measures, row.next_month, row.updated_by = problems, measures, next_month, by
    row.save()
    return row


@transaction.atomic
def store_month_close(*, store: Store, month_key: str, by: User, today: date | None = None) -> StoreMonth:
    """Freeze the month's figures, as a closed scorecard is frozen: the summary that
    was reported stays the one that is shown, whatever is corrected later."""
    from .store_month import store_month

    today = today or timezone.localdate()
    period = parse(month_key)
    if period.end >= today:
        raise ValidationError(_("A month can be closed once it has ended."))
    row = _store_month_row(store, month_key)
    if row.closed_at:
        raise ValidationError(_("This month is already closed."))
    data = store_month(stores=[store], month_key=month_key, today=today)
    data.pop("text", None)
    row.snapshot = data
    row.closed_at, row.closed_by = timezone.now(), by
    row.save()
    return row
