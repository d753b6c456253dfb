"""Writes for plans: creation, the one breakdown service, manual edits, the workflow."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.catalog.models import BodyType, VehicleModel
from apps.customers.models import Customer, Kind
from apps.org.models import Store, Team, User
from apps.org.roles import Role
from apps.sales.models import Settlement

from . import periods, selectors
from .models import (
    INTEGER_MEASURES,
    WEEKDAYS,
    ActionPlan,
    Capability,
    ClosedDay,
    ExpenseAllocation,
    Forecast,
    Into,
    Measure,
    Method,
    PeriodKind,
    Plan,
    PlanRevision,
    PlanStatus,
    ScopeType,
    Target,
    WeightSet,
    WorkCalendar,
)

CENT = Decimal("0.01")


def _fmt(value: Decimal | None, integer: bool) -> str:
    if value is None:
        return ""
    return str(int(value)) if integer else str(value.quantize(CENT))


# --- the arithmetic: largest remainder ------------------------------------------------


def distribute(total: Decimal, weights: Sequence[Any], *, integer: bool) -> list[Decimal]:
    """Split `total` in proportion to `weights` so the parts add up to it exactly.

    Works in whole units (integer measures) or cents (money): every part gets the floor
    of its exact share, then the units left over go one each to the parts with the
    largest remainders; ties go to the earlier part (the children's stable order).
    Weights must be ≥ 0 with a positive sum; the total must be ≥ 0.
    """
    fractions = [Fraction(str(w)) for w in weights]
    if any(w < 0 for w in fractions):
        raise ValidationError({"weights": [_("A weight cannot be negative.")]})
    weight_sum = sum(fractions, Fraction(0))
    if not fractions or weight_sum <= 0:
        raise ValidationError({"weights": [_("The weights add up to zero: nothing to split by.")]})
    if total < 0:
        raise ValidationError({"value": [_("A target cannot be negative.")]})
    scale = 1 if integer else 100
    units = Fraction(str(total)) * scale
    if units.denominator != 1:
        raise ValidationError(
            {
                "value": [
                    _("A count target must be a whole number.")
                    if integer
                    else _("Money is kept to the cent.")
                ]
            }
        )
    whole = int(units)
    shares = [whole * w / weight_sum for w in fractions]
    floors = [int(s) for s in shares]  # shares are ≥ 0, so int() is floor
    left = whole - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(f) / scale if scale != 1 else Decimal(f) for f in floors]


# --- plans ----------------------------------------------------------------------------


def _check_manager(by: User, store: Store) -> None:
    if not (by.is_admin or (by.role == Role.MANAGER and by.stores.filter(pk=store.pk).exists())):
        raise ValidationError(_("Only a manager of this store can change its plan."))


def _log(
    plan: Plan, by: User, kind: str, subject: str, from_value: str = "", to_value: str = "", **kw: Any
) -> None:
    PlanRevision.objects.create(
        plan=plan,
        by=by,
        kind=kind,
        subject=subject[:200],
        from_value=from_value[:40],
        to_value=to_value[:40],
        **kw,
    )


def _clean_value(measure: str, raw: Any, field: str = "value") -> Decimal:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("Enter a number.")]}) from None
    if not value.is_finite():
        raise ValidationError({field: [_("Enter a number.")]})
    if value < 0:
        raise ValidationError({field: [_("A target cannot be negative.")]})
    if measure in INTEGER_MEASURES and value != value.to_integral_value():
        raise ValidationError({field: [_("A count target must be a whole number.")]})
    if value != value.quantize(CENT):
        raise ValidationError({field: [_("Money is kept to the cent.")]})
    return value.quantize(CENT)


@transaction.atomic
def plan_create(
    *,
    store: Store,
    year: int,
    by: User,
    values: Mapping[str, Any],
    expense_budget: Decimal = Decimal(0),
    note: str = "",
) -> Plan:
    """A draft plan with one root target per measure: the store's figure for the year."""
    _check_manager(by, store)
    if Plan.objects.filter(store=store, year=year).exists():
        raise ValidationError({"year": [_("This store already has a plan for %(year)s.") % {"year": year}]})
    if expense_budget < 0:
        raise ValidationError({"expense_budget": [_("The budget cannot be negative.")]})
    cleaned = {m: _clean_value(m, values.get(m, 0), field=m) for m in Measure.values}
    plan = Plan.objects.create(
        store=store, year=year, expense_budget=expense_budget, note=note, created_by=by
    )
    start, end = date(year, 1, 1), date(year, 12, 31)
    for i, measure in enumerate(Measure.values):
        Target.objects.create(
            plan=plan,
            period_kind=PeriodKind.YEAR,
            period_start=start,
            period_end=end,
            scope_type=ScopeType.STORE,
            scope_id=store.pk,
            measure=measure,
            value=cleaned[measure],
            label=str(store),
            position=i,
        )
    _log(plan, by, PlanRevision.Kind.STATUS, _("Plan created"), "", PlanStatus.DRAFT)
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, by: User, expense_budget: Decimal, note: str = "") -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _check_manager(by, plan.store)
    _require_draft(plan)
    if expense_budget < 0:
        raise ValidationError({"expense_budget": [_("The budget cannot be negative.")]})
    if plan.expense_budget != expense_budget:
        _log(
            plan,
            by,
            PlanRevision.Kind.VALUE,
            _("Sales expense budget"),
            str(plan.expense_budget),
            str(expense_budget),
        )
    plan.expense_budget = expense_budget
    plan.note = note
    plan.save(update_fields=["expense_budget", "note"])
    return plan


def _require_draft(plan: Plan) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(
            _("The plan is %(status)s: reopen it to change it.") % {"status": plan.get_status_display()}
        )


def can_approve(user: User) -> bool:
    """Approval: the admin role, or a manager given the "Can approve and reopen sales plans" permission."""
    return bool(user.is_active and (user.is_admin or user.has_perm("plans.approve_plan")))


@transaction.atomic
def plan_submit(*, plan: Plan, by: User) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _check_manager(by, plan.store)
    _require_draft(plan)
    unbalanced = selectors.imbalances(list(plan.targets.all()))
    if unbalanced:
        names = "; ".join(f"{t} ({_fmt(d, t.measure in INTEGER_MEASURES)})" for t, d in unbalanced[:5])
        raise ValidationError(
            _("The plan is not balanced: children do not add up to %(n)s target(s): %(names)s")
            % {"n": len(unbalanced), "names": names}
        )
    return _step(plan, by, PlanStatus.SUBMITTED)


@transaction.atomic
def plan_approve(*, plan: Plan, by: User) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if not can_approve(by):
        raise ValidationError(_("You may not approve plans."))
    if plan.status != PlanStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted plan can be approved."))
    plan.approved_by = by
    plan.approved_at = timezone.now()
    return _step(plan, by, PlanStatus.APPROVED)


@transaction.atomic
def plan_reopen(*, plan: Plan, by: User, note: str = "") -> Plan:
    """Back to draft, from submitted (returned or withdrawn) or approved (reopened)."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == PlanStatus.DRAFT:
        raise ValidationError(_("The plan is already a draft."))
    withdrawing = plan.status == PlanStatus.SUBMITTED and by.role == Role.MANAGER
    if not (can_approve(by) or withdrawing):
        raise ValidationError(_("You may not reopen this plan."))
    if withdrawing and not can_approve(by):
        _check_manager(by, plan.store)
    plan.approved_by = None
    plan.approved_at = None
    return _step(plan, by, PlanStatus.DRAFT, note=note or _("reopened"))


def _step(plan: Plan, by: User, to: str, note: str = "") -> Plan:
    old = plan.status
    plan.status = to
    if to == PlanStatus.SUBMITTED:
        plan.submitted_at = timezone.now()
    plan.save()
    _log(plan, by, PlanRevision.Kind.STATUS, _("Status"), old, to, note=note[:200])
    return plan


# --- breakdown ------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildSpec:
    key: str
    label: str
    period_kind: str
    start: date
    end: date
    scope_type: str
    scope_id: int | None
    scope_code: str
    consultant_id: int | None


def _path(node: Target, by_id: dict[int, Target]) -> list[Target]:
    out = [node]
    while out[-1].parent_id is not None:
        out.append(by_id[out[-1].parent_id])
    return out


def _children_specs(node: Target, into: str, path: list[Target]) -> list[ChildSpec]:
    scopes = {t.scope_type for t in path}
    store = node.plan.store
    if into in (Into.QUARTER, Into.MONTH, Into.WEEK, Into.DAY):
        if periods.RANK[PeriodKind(into)] <= periods.RANK[PeriodKind(node.period_kind)]:
            raise ValidationError(
                {
                    "into": [
                        _("A %(kind)s cannot be split into %(into)s.")
                        % {"kind": node.get_period_kind_display(), "into": Into(into).label}
                    ]
                }
            )
        return [
            ChildSpec(
                s.key,
                s.label,
                s.kind,
                s.start,
                s.end,
                node.scope_type,
                node.scope_id,
                node.scope_code,
                node.consultant_id,
            )
            for s in (
                periods.split(node.period_start, node.period_end, into)
                if into != Into.DAY
                else [d for d, _w in _working_days(node)]
            )
        ]

    def spec(
        key: str, label: str, scope_type: str, scope_id: int | None, code: str, who: int | None
    ) -> ChildSpec:
        """A child over the node's own period, about another scope."""
        return ChildSpec(
            key, label, node.period_kind, node.period_start, node.period_end, scope_type, scope_id, code, who
        )

    if (
        into in (Into.VEHICLE_MODEL, Into.BODY_TYPE, Into.SETTLEMENT)
        and node.measure in selectors.PEOPLE_ONLY
    ):
        raise ValidationError(
            {
                "into": [
                    _("%(measure)s are not split by product or settlement.")
                    % {"measure": node.get_measure_display()}
                ]
            }
        )
    if into == Into.TEAM:
        if scopes & {ScopeType.TEAM, ScopeType.CONSULTANT}:
            raise ValidationError({"into": [_("This node is already about a team or a consultant.")]})
        teams = list(Team.objects.filter(store=store).order_by("name", "pk"))
        return [spec(str(t.pk), t.name, ScopeType.TEAM, t.pk, "", None) for t in teams]
    if into == Into.CONSULTANT:
        if ScopeType.CONSULTANT in scopes:
            raise ValidationError({"into": [_("This node is already about a consultant.")]})
        people = selectors.store_consultants(store)
        team_ids = [t.scope_id for t in path if t.scope_type == ScopeType.TEAM]
        if team_ids:
            people = [u for u in people if u.team_id == team_ids[0]]
        return [spec(str(u.pk), u.name or u.username, ScopeType.CONSULTANT, u.pk, "", u.pk) for u in people]
    if scopes & {ScopeType.VEHICLE_MODEL, ScopeType.BODY_TYPE} and into in (
        Into.VEHICLE_MODEL,
        Into.BODY_TYPE,
    ):
        raise ValidationError({"into": [_("This node is already about a vehicle model or body type.")]})
    if into == Into.VEHICLE_MODEL:
        models = VehicleModel.objects.filter(is_active=True).order_by("brand", "name", "pk")
        return [
            spec(str(m.pk), str(m), ScopeType.VEHICLE_MODEL, m.pk, "", node.consultant_id) for m in models
        ]
    if into == Into.BODY_TYPE:
        present = set(VehicleModel.objects.filter(is_active=True).values_list("body_type", flat=True))
        return [
            spec(code, str(label), ScopeType.BODY_TYPE, None, code, node.consultant_id)
            for code, label in BodyType.choices
            if code in present
        ]
    if into == Into.SETTLEMENT:
        if ScopeType.SETTLEMENT in scopes:
            raise ValidationError({"into": [_("This node is already about a settlement method.")]})
        return [
            spec(code, str(label), ScopeType.SETTLEMENT, None, code, node.consultant_id)
            for code, label in Settlement.choices
        ]
    if into in (Into.REGION, Into.CUSTOMER):
        if node.measure in selectors.PEOPLE_ONLY:
            raise ValidationError(
                {
                    "into": [
                        _("%(measure)s are not split by region or customer.")
                        % {"measure": node.get_measure_display()}
                    ]
                }
            )
        if scopes & {ScopeType.REGION, ScopeType.CUSTOMER}:
            raise ValidationError({"into": [_("This node is already about a region or a customer.")]})
    if into == Into.REGION:
        # The districts of the store's customers, and one child for those without one,
        # so the children cover every sale and add up to the node.
        names = (
            Customer.objects.filter(store=store)
            .exclude(region="")
            .values_list("region", flat=True)
            .distinct()
            .order_by("region")
        )
        kids = [spec(n[:20], n, ScopeType.REGION, None, n[:20], node.consultant_id) for n in names]
        none = selectors.NO_REGION
        return [*kids, spec(none, _("No district"), ScopeType.REGION, None, none, node.consultant_id)]
    if into == Into.CUSTOMER:
        accounts = Customer.objects.filter(store=store, kind=Kind.COMPANY).order_by("name", "pk")
        kids = [spec(str(c.pk), c.name, ScopeType.CUSTOMER, c.pk, "", node.consultant_id) for c in accounts]
        rest = spec("other", _("Other customers"), ScopeType.CUSTOMER, None, "other", node.consultant_id)
        return [*kids, rest]
    raise ValidationError({"into": [_("Unknown breakdown: %(into)s.") % {"into": into}]})


def _working_days(node: Target) -> list[tuple[periods.Slice, float]]:
    weights, closed = selectors.work_calendar(node.plan.store, node.period_start, node.period_end)
    return periods.working_days(node.period_start, node.period_end, weights, closed)


def _day_weights(node: Target, specs: list[ChildSpec], weights: Mapping[str, Any] | None) -> list[Any] | None:
    """Weights of a `day` breakdown by weekday: the store's calendar when none are given,
    or `weights` keyed by ISO weekday "1" (Monday) … "7"; None when `weights` are keyed by
    day (the general rule applies)."""
    if weights and not set(map(str, weights)) <= set(WEEKDAYS):
        return None
    if not weights:
        by_day = {s.key: w for s, w in _working_days(node)}
        return [by_day[s.key] for s in specs]
    given = {str(k): v for k, v in weights.items()}
    needed = sorted({str(s.start.isoweekday()) for s in specs})
    missing = [k for k in needed if k not in given]
    if missing:
        raise ValidationError(
            {"weights": [_("Missing weights for weekdays: %(keys)s.") % {"keys": ", ".join(missing)}]}
        )
    return [given[str(s.start.isoweekday())] for s in specs]


def _weights_for(
    node: Target,
    specs: list[ChildSpec],
    method: str,
    weights: Mapping[str, Any] | None,
    into: str,
    path: list[Target],
    teams: dict[int, set[int]],
) -> list[Any]:
    if method == Method.EVEN:
        return [1] * len(specs)
    if method == Method.WEIGHTS and into == Into.DAY:
        by_weekday = _day_weights(node, specs, weights)
        if by_weekday is not None:
            weights = {s.key: w for s, w in zip(specs, by_weekday, strict=True)}
    if method == Method.WEIGHTS:
        if not weights:
            raise ValidationError({"weights": [_("Give a weight for every child, or choose a weight set.")]})
        given = {str(k): v for k, v in weights.items()}
        missing = [s.key for s in specs if s.key not in given]
        if missing:
            raise ValidationError(
                {"weights": [_("Missing weights for keys: %(keys)s.") % {"keys": ", ".join(missing)}]}
            )
        out = []
        for s in specs:
            raw = given[s.key]
            if isinstance(raw, bool):
                raise ValidationError(
                    {"weights": [_("The weight of %(key)s is not a number.") % {"key": s.key}]}
                )
            try:
                w = Decimal(str(raw))
            except (InvalidOperation, ValueError):
                raise ValidationError(
                    {"weights": [_("The weight of %(key)s is not a number.") % {"key": s.key}]}
                ) from None
            if not w.is_finite():
                raise ValidationError(
                    {"weights": [_("The weight of %(key)s is not a number.") % {"key": s.key}]}
                )
            if w < 0:
                raise ValidationError({"weights": [_("The weight of %(key)s is negative.") % {"key": s.key}]})
            out.append(w)
        return out
    if method == Method.CAPABILITY:
        if into != Into.CONSULTANT:
            raise ValidationError(
                {"method": [_("Capability weights split a target among consultants only.")]}
            )
        caps = dict(
            Capability.objects.filter(consultant_id__in=[s.scope_id for s in specs]).values_list(
                "consultant_id", "weight"
            )
        )
        return [caps.get(s.scope_id or 0, Decimal(1)) for s in specs]
    if method == Method.LAST_YEAR:
        base = selectors.node_filters(list(reversed(path)), teams)[node.pk]
        last = [
            selectors.Spec(
                node.measure,
                periods.shift_year(s.start, -1),
                periods.shift_year(s.end, -1),
                base.narrowed(s.scope_type, s.scope_id, s.scope_code, teams),
            )
            for s in specs
        ]
        values = [a or Decimal(0) for a in selectors.actuals(node.plan.store, last)]
        if sum(values) <= 0:
            raise ValidationError(
                {"method": [_("There are no actuals last year to split by; choose another method.")]}
            )
        return [max(v, Decimal(0)) for v in values]
    raise ValidationError({"method": [_("Unknown method: %(method)s.") % {"method": method}]})


@transaction.atomic
def target_break_down(
    *,
    node: Target,
    into: str,
    method: str,
    weights: Mapping[str, Any] | None = None,
    by: User,
) -> list[Target]:
    """Replace `node`'s children by a breakdown `into` quarters/months/weeks/days/teams/
    consultants/vehicle models/body types/settlement methods, split by `method`.

    Days are the working days of the store's calendar (`WorkCalendar`, `ClosedDay`);
    `weights` for days may be keyed by ISO weekday ("1" … "7") instead of by date, and
    without any `weights` the store's weekday weights apply.

    The children always add up to the node exactly (see `distribute`). The page, the
    API and the tests all come here.
    """
    plan = Plan.objects.select_for_update().select_related("store").get(pk=node.plan_id)
    _check_manager(by, plan.store)
    _require_draft(plan)
    all_targets = {t.pk: t for t in plan.targets.all()}
    if node.pk not in all_targets:
        raise ValidationError({"node": [_("No such target in this plan.")]})
    node = all_targets[node.pk]
    node.plan = plan
    if into not in Into.values:
        raise ValidationError({"into": [_("Unknown breakdown: %(into)s.") % {"into": into}]})
    if method not in Method.values:
        raise ValidationError({"method": [_("Unknown method: %(method)s.") % {"method": method}]})
    path = _path(node, all_targets)
    specs = _children_specs(node, into, path)
    if not specs:
        raise ValidationError(
            {
                "into": [
                    _("There are no working days in this period.")
                    if into == Into.DAY
                    else _("There is nothing to split into (no teams, consultants or models).")
                ]
            }
        )
    teams = selectors.team_members(plan.store)
    w = _weights_for(node, specs, method, weights, into, path, teams)
    integer = node.measure in INTEGER_MEASURES
    values = distribute(node.value, w, integer=integer)

    old = list(node.children.all())
    if old:
        # Deleting cascades to the old subtree; the revision keeps what it was.
        for child in old:
            _log(
                plan,
                by,
                PlanRevision.Kind.VALUE,
                f"{child}",
                _fmt(child.value, integer),
                "",
                note=_("replaced by a new breakdown"),
            )
        Target.objects.filter(pk__in=[c.pk for c in old]).delete()
    created = Target.objects.bulk_create(
        [
            Target(
                plan=plan,
                parent=node,
                period_kind=s.period_kind,
                period_start=s.start,
                period_end=s.end,
                scope_type=s.scope_type,
                scope_id=s.scope_id,
                scope_code=s.scope_code,
                measure=node.measure,
                value=v,
                consultant_id=s.consultant_id,
                key=s.key,
                label=s.label[:120],
                position=i,
                method=method,
            )
            for i, (s, v) in enumerate(zip(specs, values, strict=True))
        ]
    )
    if created and created[0].pk is None:  # backends without RETURNING
        created = list(node.children.order_by("position", "pk"))
    _log(
        plan,
        by,
        PlanRevision.Kind.BREAKDOWN,
        f"{node}",
        "",
        _fmt(node.value, integer),
        target=node,
        note=(
            _("%(n)s × %(into)s, %(method)s")
            % {"n": len(created), "into": Into(into).label, "method": Method(method).label}
        )[:200],
    )
    PlanRevision.objects.bulk_create(
        [
            PlanRevision(
                plan=plan,
                by=by,
                kind=PlanRevision.Kind.VALUE,
                target=c,
                subject=f"{c}"[:200],
                from_value="",
                to_value=_fmt(c.value, integer),
            )
            for c in created
        ]
    )
    return created


@transaction.atomic
def target_set_value(*, target: Target, value: Any, by: User) -> Target:
    """A manual edit of one node. Its parent may then be unbalanced: the page shows the
    difference, and the plan cannot be submitted until it is balanced again."""
    plan = Plan.objects.select_for_update().select_related("store").get(pk=target.plan_id)
    _check_manager(by, plan.store)
    _require_draft(plan)
    target = Target.objects.get(pk=target.pk)
    new = _clean_value(target.measure, value)
    if new != target.value:
        _log(
            plan,
            by,
            PlanRevision.Kind.VALUE,
            f"{target}",
            _fmt(target.value, target.is_integer),
            _fmt(new, target.is_integer),
            target=target,
        )
        target.value = new
        target.save(update_fields=["value"])
    return target


@transaction.atomic
def target_rebalance_even(*, target: Target, by: User) -> Target:
    """Set a node to the sum of its children (accept the children as typed)."""
    children = list(target.children.all())
    if not children:
        raise ValidationError(_("This target has no children."))
    return target_set_value(target=target, value=sum((c.value for c in children), Decimal(0)), by=by)


# --- reference data -------------------------------------------------------------------


@transaction.atomic
def weight_set_save(
    *, name: str, into: str, weights: Mapping[str, Any], by: User, instance: WeightSet | None = None
) -> WeightSet:
    if by.role not in (Role.MANAGER, Role.ADMIN) and not by.is_admin:
        raise ValidationError(_("Only managers keep weight sets."))
    clean: dict[str, float] = {}
    for k, v in weights.items():
        try:
            w = Decimal(str(v))
        except (InvalidOperation, ValueError):
            raise ValidationError(
                {"weights": [_("The weight of %(key)s is not a number.") % {"key": k}]}
            ) from None
        if not w.is_finite() or w < 0:
            raise ValidationError({"weights": [_("The weight of %(key)s is negative.") % {"key": k}]})
        clean[str(k)] = float(w)
    if not clean or sum(clean.values()) <= 0:
        raise ValidationError({"weights": [_("The weights add up to zero: nothing to split by.")]})
    dup = WeightSet.objects.filter(name=name)
    if instance is not None:
        dup = dup.exclude(pk=instance.pk)
    if dup.exists():
        raise ValidationError({"name": [_("A weight set with this name exists.")]})
    ws = instance or WeightSet(created_by=by)
    ws.name, ws.into, ws.weights = name, into, clean
    ws.save()
    return ws


@transaction.atomic
def capability_set(*, consultant: User, weight: Decimal, by: User) -> Capability:
    if weight < 0:
        raise ValidationError({"weight": [_("A weight cannot be negative.")]})
    cap, _created = Capability.objects.update_or_create(consultant=consultant, defaults={"weight": weight})
    return cap


@transaction.atomic
def expense_allocation_add(
    *, plan: Plan, purpose: str, amount: Decimal, month: int | None, by: User
) -> ExpenseAllocation:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _check_manager(by, plan.store)
    _require_draft(plan)
    if amount < 0:
        raise ValidationError({"amount": [_("The amount cannot be negative.")]})
    if month is not None and not 1 <= month <= 12:
        raise ValidationError({"month": [_("Choose a month from 1 to 12.")]})
    allocated = sum((a.amount for a in plan.expense_allocations.all()), Decimal(0))
    if allocated + amount > plan.expense_budget:
        raise ValidationError(
            {
                "amount": [
                    _("Only %(left)s of the budget is left to allocate.")
                    % {"left": plan.expense_budget - allocated}
                ]
            }
        )
    alloc = ExpenseAllocation.objects.create(plan=plan, purpose=purpose, amount=amount, month=month)
    _log(plan, by, PlanRevision.Kind.VALUE, _("Expense: %(purpose)s") % {"purpose": purpose}, "", str(amount))
    return alloc


# --- action plans and forecasts -------------------------------------------------------


def period_of(kind: str, day: date) -> tuple[date, date]:
    if kind == ActionPlan.Kind.WEEK:
        return periods.week_bounds(day)
    return day.replace(day=1), periods.month_end(day)


@transaction.atomic
def action_plan_save(
    *, consultant: User, kind: str, day: date, what: str, whom: str = "", when: str = "", by: User
) -> ActionPlan:
    """The consultant's own plan for the month or week containing `day` (one per period)."""
    if by.pk != consultant.pk:
        raise ValidationError(_("A consultant writes his own action plan."))
    if not what.strip():
        raise ValidationError({"what": [_("Say what you will do.")]})
    store = consultant.stores.order_by("pk").first()
    if store is None:
        raise ValidationError(_("You are not assigned to a store."))
    start, end = period_of(kind, day)
    ap, _created = ActionPlan.objects.update_or_create(
        consultant=consultant,
        kind=kind,
        period_start=start,
        defaults={"store": store, "period_end": end, "what": what, "whom": whom, "when": when},
    )
    return ap


@transaction.atomic
def action_plan_comment(*, action_plan: ActionPlan, comment: str, by: User) -> ActionPlan:
    if not (by.is_admin or (by.role == Role.MANAGER and by.stores.filter(pk=action_plan.store_id).exists())):
        raise ValidationError(_("Only the store's manager comments on action plans."))
    if not comment.strip():
        raise ValidationError({"comment": [_("Write a comment.")]})
    action_plan.manager_comment = comment
    action_plan.commented_by = by
    action_plan.commented_at = timezone.now()
    action_plan.save(update_fields=["manager_comment", "commented_by", "commented_at", "updated_at"])
    return action_plan


@transaction.atomic
def forecast_save(*, consultant: User, month: date, units: Mapping[int, int], by: User) -> list[Forecast]:
    """The consultant's forecast of `month` units per vehicle model id (0 clears a model)."""
    if by.pk != consultant.pk:
        raise ValidationError(_("A consultant forecasts his own sales."))
    store = consultant.stores.order_by("pk").first()
    if store is None:
        raise ValidationError(_("You are not assigned to a store."))
    month = month.replace(day=1)
    if month <= timezone.localdate().replace(day=1):
        raise ValidationError({"month": [_("Forecast a month that has not started.")]})
    out = []
    for model_id, n in units.items():
        if n is None:
            continue
        if int(n) < 0:
            raise ValidationError({"units": [_("Units cannot be negative.")]})
        if int(n) == 0:
            Forecast.objects.filter(consultant=consultant, month=month, vehicle_model_id=model_id).delete()
            continue
        f, _created = Forecast.objects.update_or_create(
            consultant=consultant,
            month=month,
            vehicle_model_id=model_id,
            defaults={"store": store, "units": int(n)},
        )
        out.append(f)
    return out


# --- the working calendar -------------------------------------------------------------


def _check_store_manager(by: User, store: Store) -> None:
    if not (by.is_admin or (by.role == Role.MANAGER and by.stores.filter(pk=store.pk).exists())):
        raise ValidationError(_("Only a manager of this store can change its calendar."))


@transaction.atomic
def work_calendar_set(*, store: Store, weights: Mapping[str, Any], by: User) -> WorkCalendar:
    """The store's weekday weights for daily targets ("1" Monday … "7" Sunday; 0: closed)."""
    _check_store_manager(by, store)
    clean: dict[str, float] = {}
    for day in WEEKDAYS:
        raw = weights.get(day, 0)
        try:
            w = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            raise ValidationError({day: [_("Enter a number.")]}) from None
        if not w.is_finite() or w < 0:
            raise ValidationError({day: [_("A weight cannot be negative.")]})
        if w > 100:
            raise ValidationError({day: [_("A weight is at most 100.")]})
        clean[day] = float(w)
    if sum(clean.values()) <= 0:
        raise ValidationError(_("The store must be open on at least one weekday."))
    cal, _created = WorkCalendar.objects.update_or_create(store=store, defaults={"weekday_weights": clean})
    return cal


@transaction.atomic
def closed_day_add(*, store: Store, day: date, reason: str, by: User) -> ClosedDay:
    _check_store_manager(by, store)
    found, _created = ClosedDay.objects.update_or_create(
        store=store, date=day, defaults={"reason": reason.strip()[:60]}
    )
    return found


@transaction.atomic
def closed_day_remove(*, closed_day: ClosedDay, by: User) -> None:
    _check_store_manager(by, closed_day.store)
    closed_day.delete()
