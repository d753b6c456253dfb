"""Writes for training: one service saves a session with its attendees and scores."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.org.models import Store, User
from apps.org.roles import Role

from .models import MAX_HOURS, MAX_SCORE, Attendance, Topic, TrainingSession

HALF = Decimal("0.1")


def _check_manager(by: User, store: Store) -> None:
    if not (by.is_admin or (by.role == Role.MANAGER and by.stores.filter(pk=store.pk).exists())):
        raise ValidationError(_("Only a manager of this store keeps its training records."))


def _number(raw: Any, field: str) -> Decimal:
    if isinstance(raw, bool):
        raise ValidationError({field: [_("Enter a number.")]})
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("Enter a number.")]}) from None
    if not value.is_finite():
        raise ValidationError({field: [_("Enter a number.")]})
    return value


def _score(raw: Any) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    value = _number(raw, "attendees")
    if not 0 <= value <= MAX_SCORE:
        raise ValidationError({"attendees": [_("A score is from 0 to 100.")]})
    if value != value.quantize(HALF):
        raise ValidationError({"attendees": [_("A score has at most one decimal place.")]})
    return value


@transaction.atomic
def training_session_save(
    *,
    store: Store,
    topic: str,
    title: str,
    date: date,
    hours: Any,
    attendees: Mapping[int, Any],
    by: User,
    trainer: User | None = None,
    trainer_name: str = "",
    note: str = "",
    instance: TrainingSession | None = None,
) -> TrainingSession:
    """Create or change a session and set its attendees to `attendees` (user id → score
    or None). Attendees are active staff of the store; the trainer too when he is one."""
    _check_manager(by, store)
    if instance is not None:
        instance = TrainingSession.objects.select_for_update().get(pk=instance.pk)
        if instance.store_id != store.pk:
            raise ValidationError({"store": [_("A session's store cannot change.")]})
    if topic not in Topic.values:
        raise ValidationError({"topic": [_("Choose a topic.")]})
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": [_("Give the session a title.")]})
    value = _number(hours, "hours")
    if not 0 < value <= MAX_HOURS or value != value.quantize(HALF):
        raise ValidationError({"hours": [_("Hours are more than 0 and at most 24, to one decimal place.")]})
    staff = User.objects.filter(stores=store, is_active=True)
    if trainer is not None and not staff.filter(pk=trainer.pk).exists():
        raise ValidationError({"trainer": [_("The trainer is not on this store's staff.")]})
    if trainer is None and not trainer_name.strip():
        raise ValidationError({"trainer": [_("Choose a trainer or name an outside one.")]})
    scores = {int(uid): _score(raw) for uid, raw in attendees.items()}
    if not scores:
        raise ValidationError({"attendees": [_("Choose at least one attendee.")]})
    known = set(staff.filter(pk__in=list(scores)).values_list("pk", flat=True))
    if known != set(scores):
        raise ValidationError({"attendees": [_("Every attendee must be on this store's staff.")]})
    session = instance or TrainingSession(store=store, created_by=by)
    session.topic, session.title, session.date, session.hours = topic, title[:120], date, value
    session.trainer = trainer
    session.trainer_name = "" if trainer is not None else trainer_name.strip()[:100]
    session.note = note
    session.save()
    session.attendances.exclude(attendee_id__in=list(scores)).delete()
    Attendance.objects.bulk_create(
        [Attendance(session=session, attendee_id=uid, score=s) for uid, s in scores.items()],
        update_conflicts=True,
        unique_fields=["session", "attendee"],
        update_fields=["score"],
    )
    return session
