"""Every write of incentives: schemes, computing a month's statements, corrections, approval.

Rules:
- A scheme applies from its month until the store's next scheme. A scheme that applies
  to a closed month (scoring's PeriodClose) cannot be changed or added before it, so a
  closed month's pay is never recomputed on other terms.
- A statement is computed only for a closed month, from its snapshot and the orders
  behind it: the consultant's orders dated in the month, booked before the close and
  not cancelled by then (exactly the orders the snapshot counted).
- Lines: per order a unit commission (the model's rate, else its body type's, else the
  scheme's default) and a share of its gross profit (never below zero); a bonus for the
  highest tier the achievement reached (snapshot figure ÷ target of the scheme's measure);
  a deduction of part of that bonus when the late-entry rate is above the threshold;
  a take-back of every approved earlier commission line whose order was cancelled by the
  end of this month (so in the month it is cancelled, and once); manual corrections of earlier months.
- The total is the sum of the lines. An approved statement is frozen: never recomputed,
  never corrected; a later correction is a line of the next month's statement.
"""

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.catalog.models import BodyType, VehicleModel
from apps.org.models import Store, User
from apps.org.roles import Role
from apps.sales.models import Order, OrderStatus
from apps.scoring.models import PeriodClose
from apps.scoring.periods import Period, parse

from .models import (
    ZERO,
    BonusMeasure,
    BonusTier,
    LineKind,
    Scheme,
    Statement,
    StatementLine,
    StatementStatus,
    UnitRate,
)

CENT = Decimal("0.01")
COMMISSION_KINDS = [LineKind.UNIT, LineKind.GROSS_PROFIT]


def _money(value: Any, field: str, *, allow_negative: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, TypeError):
        raise ValidationError({field: _("Enter an amount.")}) from None
    if not amount.is_finite() or amount != amount.quantize(CENT) or abs(amount) >= Decimal("1e9"):
        raise ValidationError({field: _("Enter an amount with at most two decimal places.")})
    if amount < 0 and not allow_negative:
        raise ValidationError({field: _("The amount cannot be negative.")})
    return amount


def _percent(value: Any, field: str, top: int = 100) -> Decimal:
    amount = _money(value, field)
    if amount > top:
        raise ValidationError({field: _("A percentage from 0 to %(top)d.") % {"top": top}})
    return amount


def _month(key: str) -> Period:
    period = parse(key)
    if period.kind != "month":
        raise ValidationError({"period": _("Statements are monthly: give a month such as 2026-10.")})
    return period


def _require_manager(by: User, store: Store) -> None:
    if not by.has_role(Role.MANAGER) or not (by.is_admin or by.stores.filter(pk=store.pk).exists()):
        raise ValidationError({"detail": _("Only a manager of the store may do this.")})


def _closed_months(store: Store) -> list[str]:
    return sorted(
        p for p in PeriodClose.objects.filter(store=store).values_list("period", flat=True) if len(p) == 7
    )


def _audit(obj: Any, by: User | None, reason: str) -> None:
    obj._history_user = by
    obj._change_reason = reason


# ---------------------------------------------------------------- schemes


def scheme_for(store: Store, period: Period) -> Scheme | None:
    """The store's scheme that applies to the month: the latest starting on or before it."""
    return (
        Scheme.objects.filter(store=store, valid_from__lte=period.start)
        .prefetch_related("unit_rates", "tiers")
        .order_by("-valid_from")
        .first()
    )


@transaction.atomic
def scheme_save(
    *,
    store: Store,
    by: User,
    name: str,
    valid_from: str | date,
    unit_commission: Any = 0,
    gross_profit_percent: Any = 0,
    bonus_measure: str = BonusMeasure.UNITS,
    late_entry_threshold: Any = 10,
    late_entry_cut: Any = 50,
    unit_rates: list[dict[str, Any]] | None = None,
    tiers: list[dict[str, Any]] | None = None,
) -> Scheme:
    """Create the scheme of a month, or replace the one that starts that month while no
    closed month depends on it. Rates: [{vehicle_model | body_type, amount}], tiers:
    [{min_achievement (%), amount}]."""
    _require_manager(by, store)
    period = _month(valid_from if isinstance(valid_from, str) else f"{valid_from:%Y-%m}")
    closed = _closed_months(store)
    later_start = (
        Scheme.objects.filter(store=store, valid_from__gt=period.start).order_by("valid_from").first()
    )
    until = f"{later_start.valid_from:%Y-%m}" if later_start else "9999-99"
    touched = [m for m in closed if period.key <= m < until]
    if touched:
        raise ValidationError(
            {
                "valid_from": _(
                    "%(month)s is closed and paid on the scheme in force then: a new scheme can "
                    "start only after the last closed month."
                )
                % {"month": touched[-1]}
            }
        )
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the scheme.")})
    if bonus_measure not in BonusMeasure.values:
        raise ValidationError({"bonus_measure": _("Unknown measure.")})
    fields = {
        "name": name[:100],
        "unit_commission": _money(unit_commission, "unit_commission"),
        "gross_profit_percent": _percent(gross_profit_percent, "gross_profit_percent"),
        "bonus_measure": bonus_measure,
        "late_entry_threshold": _percent(late_entry_threshold, "late_entry_threshold"),
        "late_entry_cut": _percent(late_entry_cut, "late_entry_cut"),
    }
    rates: list[UnitRate] = []
    seen: set[Any] = set()
    for item in unit_rates or []:
        model, body = item.get("vehicle_model"), (item.get("body_type") or "")
        if isinstance(model, int | str) and str(model).isdigit():
            model = VehicleModel.objects.filter(pk=int(model)).first()
        if bool(model) == bool(body) or (body and body not in BodyType.values):
            raise ValidationError({"unit_rates": _("Each rate names one vehicle model or one body type.")})
        key = model.pk if model else body
        if key in seen:
            raise ValidationError({"unit_rates": _("A model or body type has one rate.")})
        seen.add(key)
        rates.append(
            UnitRate(
                vehicle_model=model or None, body_type=body, amount=_money(item.get("amount"), "unit_rates")
            )
        )
    levels: list[BonusTier] = []
    for item in tiers or []:
        level = _percent(item.get("min_achievement"), "tiers", top=1000)
        if level <= 0 or level in {t.min_achievement for t in levels}:
            raise ValidationError({"tiers": _("Each tier has its own achievement above 0 %.")})
        levels.append(BonusTier(min_achievement=level, amount=_money(item.get("amount"), "tiers")))
    scheme = Scheme.objects.select_for_update().filter(store=store, valid_from=period.start).first()
    if scheme is None:
        scheme = Scheme(store=store, valid_from=period.start, created_by=by)
    for key, value in fields.items():
        setattr(scheme, key, value)
    _audit(scheme, by, _("Scheme saved"))
    scheme.save()
    scheme.unit_rates.all().delete()
    scheme.tiers.all().delete()
    for rate in rates:
        rate.scheme = scheme
    for tier in levels:
        tier.scheme = scheme
    UnitRate.objects.bulk_create(rates)
    BonusTier.objects.bulk_create(levels)
    return scheme


# ---------------------------------------------------------------- statements


def _unit_rate(scheme: Scheme, model: VehicleModel) -> tuple[Decimal, str]:
    rates = list(scheme.unit_rates.all())
    for rate in rates:
        if rate.vehicle_model_id == model.pk:
            return rate.amount, str(model)
    for rate in rates:
        if rate.body_type and rate.body_type == model.body_type:
            return rate.amount, rate.get_body_type_display()
    return scheme.unit_commission, _("default rate")


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _end_of(period: Period) -> datetime:
    """The first moment after the month, in the store's time zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=zone)


def _counted_orders(store: Store, consultant: User, period: Period, close: PeriodClose) -> Any:
    """The orders the snapshot counted: dated in the month, booked before the close and not
    cancelled by then."""
    return (
        Order.objects.filter(
            store=store,
            consultant=consultant,
            order_date__range=(period.start, period.end),
            created_at__lte=close.closed_at,
        )
        .filter(~Q(status=OrderStatus.CANCELLED) | Q(cancelled_at__gt=close.closed_at))
        .select_related("vehicle_model")
        .order_by("order_date", "pk")
    )


def _dec(value: Any) -> Decimal | None:
    try:
        return None if value in (None, "") else Decimal(str(value))
    except InvalidOperation:
        return None


def compute_lines(*, statement: Statement, close: PeriodClose, period: Period) -> list[StatementLine]:
    """The computed lines of a statement (not saved)."""
    scheme = statement.scheme
    lines: list[StatementLine] = []
    card = close.snapshot.get("consultants", {}).get(str(statement.consultant_id), {})
    if scheme is not None:
        for order in _counted_orders(statement.store, statement.consultant, period, close):
            rate, basis = _unit_rate(scheme, order.vehicle_model)
            if rate:
                lines.append(
                    StatementLine(
                        kind=LineKind.UNIT,
                        order=order,
                        amount=rate,
                        description=_("Order #%(id)s %(date)s · %(model)s · rate for %(basis)s")
                        % {
                            "id": order.pk,
                            "date": order.order_date,
                            "model": order.vehicle_model,
                            "basis": basis,
                        },
                    )
                )
            profit = order.amount - order.cost
            share = _round(max(profit, ZERO) * scheme.gross_profit_percent / 100)
            if share:
                lines.append(
                    StatementLine(
                        kind=LineKind.GROSS_PROFIT,
                        order=order,
                        basis=profit,
                        amount=share,
                        description=_("Order #%(id)s · %(percent)s%% of gross profit %(profit)s")
                        % {
                            "id": order.pk,
                            "percent": scheme.gross_profit_percent,
                            "profit": f"{profit:,.2f}",
                        },
                    )
                )
        figures, targets = card.get("figures", {}), card.get("targets", {})
        actual, target = _dec(figures.get(scheme.bonus_measure)), _dec(targets.get(scheme.bonus_measure))
        bonus = ZERO
        if actual is not None and target:
            achievement = (actual / target * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            reached = [t for t in scheme.tiers.all() if achievement >= t.min_achievement]
            if reached:
                tier = max(reached, key=lambda t: t.min_achievement)
                bonus = tier.amount
                lines.append(
                    StatementLine(
                        kind=LineKind.BONUS,
                        measure=scheme.bonus_measure,
                        basis=achievement,
                        amount=bonus,
                        description=_("%(measure)s %(actual)s of target %(target)s = %(ach)s%% ≥ %(tier)s%%")
                        % {
                            "measure": BonusMeasure(scheme.bonus_measure).label,
                            "actual": actual,
                            "target": target,
                            "ach": achievement,
                            "tier": tier.min_achievement,
                        },
                    )
                )
        late = _dec(figures.get("late_entry_rate"))
        if bonus and late is not None and late * 100 > scheme.late_entry_threshold:
            cut = _round(bonus * scheme.late_entry_cut / 100)
            if cut:
                lines.append(
                    StatementLine(
                        kind=LineKind.LATE_ENTRY,
                        measure="late_entry_rate",
                        basis=late * 100,
                        amount=-cut,
                        description=_(
                            "Late-entry rate %(rate)s%% above %(limit)s%%: bonus reduced by %(cut)s%%"
                        )
                        % {
                            "rate": _round(late * 100),
                            "limit": scheme.late_entry_threshold,
                            "cut": scheme.late_entry_cut,
                        },
                    )
                )
    # Take-backs: approved (paid) commission lines whose order was cancelled by the end of this month.
    earlier = (
        StatementLine.objects.filter(
            statement__consultant=statement.consultant,
            statement__period__lt=period.key,
            statement__status=StatementStatus.APPROVED,
            kind__in=COMMISSION_KINDS,
            order__status=OrderStatus.CANCELLED,
            order__cancelled_at__lt=_end_of(period),
        )
        .exclude(corrections__kind=LineKind.TAKE_BACK)
        .select_related("order", "statement")
        .order_by("pk")
    )
    for line in earlier:
        lines.append(
            StatementLine(
                kind=LineKind.TAKE_BACK,
                order=line.order,
                corrects=line,
                corrects_period=line.statement.period,
                amount=-line.amount,
                description=_("Take-back: order #%(id)s cancelled %(day)s (%(kind)s paid in %(month)s)")
                % {
                    "id": line.order_id,
                    "day": timezone.localtime(line.order.cancelled_at).date(),  # type: ignore[union-attr]
                    "kind": line.get_kind_display(),
                    "month": line.statement.period,
                },
            )
        )
    return lines


@transaction.atomic
def statements_generate(*, store: Store, period: str, by: User) -> list[Statement]:
    """Compute (or recompute) the draft statements of every consultant in the closed month;
    approved ones are left as they are. Manual corrections survive a recomputation."""
    _require_manager(by, store)
    p = _month(period)
    close = PeriodClose.objects.filter(store=store, period=p.key).first()
    if close is None:
        raise ValidationError(
            {
                "period": _("Close %(month)s in the scorecards first: pay is computed on the closed month.")
                % {"month": p.key}
            }
        )
    scheme = scheme_for(store, p)
    ids = [int(k) for k in close.snapshot.get("consultants", {})]
    consultants = {u.pk: u for u in User.objects.filter(pk__in=ids)}
    done: list[Statement] = []
    for consultant_id in ids:
        consultant = consultants.get(consultant_id)
        if consultant is None:
            continue
        statement, _created = Statement.objects.select_for_update().get_or_create(
            consultant=consultant, period=p.key, defaults={"store": store, "scheme": scheme}
        )
        if statement.status == StatementStatus.APPROVED:
            done.append(statement)
            continue
        statement.scheme = scheme
        statement.lines.exclude(kind=LineKind.CORRECTION).delete()
        lines = compute_lines(statement=statement, close=close, period=p)
        for line in lines:
            line.statement = statement
        try:
            with transaction.atomic():
                StatementLine.objects.bulk_create(lines)
        except IntegrityError:
            raise ValidationError({"detail": _("An order was taken back twice; compute again.")}) from None
        _refresh_total(statement, by, _("Computed"))
        done.append(statement)
    return done


def _refresh_total(statement: Statement, by: User | None, reason: str) -> None:
    statement.total = statement.lines.aggregate(v=Sum("amount"))["v"] or ZERO
    _audit(statement, by, reason)
    statement.save()


def _lock_draft(statement: Statement, by: User) -> Statement:
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    _require_manager(by, statement.store)
    if statement.status != StatementStatus.DRAFT:
        raise ValidationError(
            {"detail": _("An approved statement is frozen: correct it in next month's statement.")}
        )
    return statement


@transaction.atomic
def statement_add_correction(
    *, statement: Statement, amount: Any, reason: str, corrects_period: str, by: User
) -> StatementLine:
    """A correction of an earlier month, as a line of this (draft) statement, named as such."""
    statement = _lock_draft(statement, by)
    value = _money(amount, "amount", allow_negative=True)
    if not value:
        raise ValidationError({"amount": _("A correction is not zero.")})
    earlier = _month(corrects_period)
    if earlier.key >= statement.period:
        raise ValidationError({"corrects_period": _("A correction is of an earlier month.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what is corrected.")})
    line = StatementLine.objects.create(
        statement=statement,
        kind=LineKind.CORRECTION,
        amount=value,
        corrects_period=earlier.key,
        created_by=by,
        description=(_("Correction of %(month)s: %(reason)s") % {"month": earlier.key, "reason": reason})[
            :300
        ],
    )
    _refresh_total(statement, by, _("Correction added"))
    return line


@transaction.atomic
def statement_approve(*, statement: Statement, by: User) -> Statement:
    statement = _lock_draft(statement, by)
    statement.status = StatementStatus.APPROVED
    statement.approved_by = by
    statement.approved_at = timezone.now()
    _refresh_total(statement, by, _("Approved"))
    return statement


@transaction.atomic
def statements_approve(*, store: Store, period: str, by: User) -> int:
    _require_manager(by, store)
    drafts = Statement.objects.filter(store=store, period=_month(period).key, status=StatementStatus.DRAFT)
    count = 0
    for statement in drafts:
        statement_approve(statement=statement, by=by)
        count += 1
    return count
