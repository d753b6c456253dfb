"""Every write of the scoring app: ratings, templates, closing a period."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.org.models import Store, User
from apps.org.roles import Role

from . import selectors
from .measures import CRITERIA, SCOREABLE
from .models import PeriodClose, Rating, ScorecardTemplate
from .periods import Period, parse


def _store_of(consultant: User) -> Store:
    store = consultant.stores.order_by("pk").first()
    if consultant.role != Role.CONSULTANT or store is None:
        raise ValidationError({"consultant": _("Only a sales consultant of a store is scored.")})
    return store


def _check_open(store: Store, period: Period) -> None:
    if PeriodClose.objects.filter(store=store, period=period.key).exists():
        raise ValidationError(
            {
                "period": _("%(period)s is closed: its scorecards can no longer change.")
                % {"period": period.key}
            }
        )


@transaction.atomic
def rating_save(*, consultant: User, period: str, rated_by: User, comment: str = "", **scores: Any) -> Rating:
    """Rate a consultant once per period on the six criteria (1–5); re-rating an open
    period corrects the same rating, a closed period refuses it."""
    p = parse(period)
    store = _store_of(consultant)
    _check_open(store, p)
    errors = {}
    for name, _label in CRITERIA:
        value = scores.get(name)
        if not isinstance(value, int) or not 1 <= value <= 5:
            errors[name] = [_("Give a whole number from 1 to 5.")]
    unknown = set(scores) - {c for c, _l in CRITERIA}
    if unknown:
        errors["__all__"] = [_("Unknown criteria: %(names)s.") % {"names": ", ".join(sorted(unknown))}]
    if errors:
        raise ValidationError(errors)
    rating, _created = Rating.objects.update_or_create(
        consultant=consultant,
        period=p.key,
        defaults={"store": store, "comment": comment, "rated_by": rated_by, **scores},
    )
    return rating


@transaction.atomic
def template_save(
    *, store: Store, weights: dict[str, int], standards: dict[str, Any], cap: int
) -> ScorecardTemplate:
    errors: dict[str, list[str]] = {}
    for name, weight in weights.items():
        if name not in SCOREABLE:
            errors.setdefault("weights", []).append(_("Unknown measure %(name)s.") % {"name": name})
        elif not isinstance(weight, int) or weight < 0 or weight > 100:
            errors.setdefault("weights", []).append(_("A weight is a whole number from 0 to 100."))
    if not any(w for w in weights.values() if isinstance(w, int) and w > 0):
        errors.setdefault("weights", []).append(_("At least one measure must have a weight."))
    if not isinstance(cap, int) or not 100 <= cap <= 200:
        errors["cap"] = [_("The cap is a percentage from 100 to 200.")]
    clean_standards = {}
    for name, value in standards.items():
        if value in (None, ""):
            continue
        if name not in SCOREABLE:
            errors.setdefault("standards", []).append(_("Unknown measure %(name)s.") % {"name": name})
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = -1
        if number <= 0:
            errors.setdefault("standards", []).append(_("A standard is a number above zero."))
        else:
            clean_standards[name] = str(value)
    if errors:
        raise ValidationError(errors)
    template, _created = ScorecardTemplate.objects.update_or_create(
        store=store,
        defaults={
            "weights": {k: v for k, v in weights.items() if v},
            "standards": clean_standards,
            "cap": cap,
        },
    )
    return template


@transaction.atomic
def period_close(*, store: Store, period: str, closed_by: User, today: date | None = None) -> PeriodClose:
    """Freeze every consultant's scorecard of `store` for `period` (pay is decided on it).
    Only a period that has ended can be closed, and only once."""
    p = parse(period)
    today = today or timezone.localdate()
    if p.end >= today:
        raise ValidationError({"period": _("%(period)s has not ended yet.") % {"period": p.key}})
    # Lock the store row so two managers closing at once cannot both freeze.
    Store.objects.select_for_update().filter(pk=store.pk).first()
    _check_open(store, p)
    cards = selectors.scorecards(stores=[store], periods=[p])
    template = selectors.templates_for([store.pk])[store.pk]
    snapshot = {
        "period": p.key,
        "template": {"weights": template["weights"], "cap": template["cap"]},
        "consultants": {
            str(card.consultant_id): selectors.freeze(card)
            for card in cards.values()
            if card.store_id == store.pk
        },
    }
    try:
        with transaction.atomic():
            return PeriodClose.objects.create(
                store=store, period=p.key, snapshot=snapshot, closed_by=closed_by
            )
    except IntegrityError as exc:
        raise ValidationError({"period": _("%(period)s is already closed.") % {"period": p.key}}) from exc
