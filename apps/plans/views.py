"""Pages: plans and their target tree, breakdown, manual edit, workflow, history;
weight sets; action plans; rolling forecasts; the consultant's my-targets card."""

from datetime import timedelta
from decimal import Decimal
from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.catalog.models import VehicleModel
from apps.org.http import record_id
from apps.org.listing import list_page
from apps.org.models import Store, User
from apps.org.permissions import role_required
from apps.org.roles import Role
from apps.org.scoping import get_visible_or_404, store_ids, visible

from . import selectors, services
from .filters import ActionPlanFilter, PlanFilter
from .forms import (
    ActionPlanForm,
    BreakDownForm,
    ClosedDayForm,
    CommentForm,
    ForecastForm,
    PlanForm,
    WeightSetForm,
)
from .models import (
    WEEKDAYS,
    ActionPlan,
    ClosedDay,
    Forecast,
    Plan,
    PlanRevision,
    PlanStatus,
    Target,
    WeightSet,
)

READERS = (Role.MANAGER, Role.FINANCE)
# What the break-down form offers first: the next finer period, then people.
NEXT_INTO = {"year": "month", "quarter": "month", "month": "consultant", "week": "day", "day": "consultant"}
EDITORS = (Role.MANAGER,)


def _me(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind role_required)."""
    return cast(User, request.user)


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [str(m) for errs in exc.error_dict.values() for e in errs for m in e]
    return [str(m) for m in exc.messages]


@role_required(*READERS)
def plan_list(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        queryset=visible(Plan.objects.select_related("store", "created_by", "approved_by"), _me(request)),
        filterset_class=PlanFilter,
        template="plans/plan_list.html",
        fragment="plans/_plan_table.html",
        sort={"store": "store__name", "year": "year", "status": "status", "budget": "expense_budget"},
        export=(
            "plans",
            [_("Store"), _("Year"), _("Status"), _("Sales expense budget (CNY)")],
            lambda p: [str(p.store), p.year, p.get_status_display(), p.expense_budget],
        ),
        extra={"can_edit": _me(request).has_role(*EDITORS)},
    )


@role_required(*EDITORS)
def plan_create(request: HttpRequest) -> HttpResponse:
    stores = visible(Store.objects.all(), _me(request))
    form = PlanForm(request.POST or None, stores=stores)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            plan = services.plan_create(
                store=d["store"],
                year=d["year"],
                by=_me(request),
                values={
                    m: d[m]
                    for m in ("units", "revenue", "collections", "gross_profit", "new_customers", "visits")
                },
                expense_budget=d["expense_budget"],
                note=d["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Plan created. Now break its targets down."))
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/plan_form.html", {"form": form})


def _find(nodes: list[selectors.Node], pk: int) -> tuple[selectors.Node, list[selectors.Node]] | None:
    for n in nodes:
        if n.target.pk == pk:
            return n, [n]
        found = _find(n.children, pk)
        if found:
            return found[0], [n, *found[1]]
    return None


@role_required(*READERS)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan and its tree. `?node=` drills to a node: its path, its figures, its
    children (each with its figures) and the forms to break it down or edit the children."""
    plan = get_visible_or_404(Plan.objects.select_related("store", "approved_by"), _me(request), pk=pk)
    roots = selectors.plan_tree(plan)
    focus: selectors.Node | None = None
    path: list[selectors.Node] = []
    node_id = request.GET.get("node")
    if node_id and node_id.isdigit():
        found = _find(roots, int(node_id))
        if found:
            focus, path = found
    if focus is None and roots:
        measure = request.GET.get("measure", "units")
        focus = next((r for r in roots if r.target.measure == measure), roots[0])
        path = [focus]
    unbalanced = selectors.imbalances([n.target for n in _walk(roots)])
    user = _me(request)
    editable = plan.status == PlanStatus.DRAFT and user.has_role(Role.MANAGER)
    allocated = sum((a.amount for a in plan.expense_allocations.all()), Decimal(0))
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "roots": roots,
            "focus": focus,
            "path": path,
            "unbalanced": unbalanced,
            "editable": editable,
            "can_submit": editable,
            "can_approve": plan.status == PlanStatus.SUBMITTED and services.can_approve(user),
            "can_reopen": plan.status != PlanStatus.DRAFT
            and (
                services.can_approve(user)
                or (plan.status == PlanStatus.SUBMITTED and user.has_role(Role.MANAGER))
            ),
            "breakdown_form": BreakDownForm(
                initial={"into": NEXT_INTO.get(focus.target.period_kind) if focus else None}
            ),
            "allocations": plan.expense_allocations.all(),
            "months": range(1, 13),
            "allocated": allocated,
            "today": timezone.localdate(),
        },
    )


def _walk(nodes: list[selectors.Node]) -> list[selectors.Node]:
    out: list[selectors.Node] = []
    for n in nodes:
        out.append(n)
        out.extend(_walk(n.children))
    return out


@role_required(*EDITORS)
@require_POST
def break_down(request: HttpRequest, pk: int, node: int) -> HttpResponse:
    plan = get_visible_or_404(Plan.objects.all(), _me(request), pk=pk)
    target = get_visible_or_404(Target.objects.filter(plan=plan), _me(request), pk=node)
    form = BreakDownForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        weights = d["weights_map"] or (d["weight_set"].weights if d["weight_set"] else None)
        try:
            children = services.target_break_down(
                node=target,
                into=d["into"],
                method=d["method"],
                weights=weights,
                by=_me(request),
            )
        except ValidationError as exc:
            for m in _errors(exc):
                messages.error(request, m)
        else:
            messages.success(request, _("Broken down into %(n)s targets.") % {"n": len(children)})
    else:
        for errs in form.errors.values():
            for err in errs:
                messages.error(request, str(err))
    return redirect(f"{plan_url(plan)}?node={target.pk}")


def plan_url(plan: Plan) -> str:
    from django.urls import reverse

    return reverse("plans:detail", args=[plan.pk])


@role_required(*EDITORS)
@require_POST
def edit_children(request: HttpRequest, pk: int, node: int) -> HttpResponse:
    """Manual edit: the node's value and its children's values, as typed. An unbalanced
    result is saved (the page shows the difference); submitting is what it blocks."""
    plan = get_visible_or_404(Plan.objects.all(), _me(request), pk=pk)
    target = get_visible_or_404(Target.objects.filter(plan=plan), _me(request), pk=node)
    changes = [(target, request.POST.get(f"v{target.pk}"))]
    changes += [(c, request.POST.get(f"v{c.pk}")) for c in target.children.all()]
    try:
        with transaction.atomic():
            for t, raw in changes:
                if raw is not None and raw.strip() != "":
                    services.target_set_value(target=t, value=raw.strip(), by=_me(request))
    except ValidationError as exc:
        for m in _errors(exc):
            messages.error(request, m)
    else:
        messages.success(request, _("Saved."))
    return redirect(f"{plan_url(plan)}?node={target.pk}")


@role_required(Role.MANAGER, Role.ADMIN)
@require_POST
def plan_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    plan = get_visible_or_404(Plan.objects.all(), _me(request), pk=pk)
    actions = {"submit": services.plan_submit, "approve": services.plan_approve}
    try:
        if step == "reopen":
            services.plan_reopen(plan=plan, by=_me(request), note=request.POST.get("note", ""))
        elif step in actions:
            actions[step](plan=plan, by=_me(request))
        else:
            raise ValidationError(_("Unknown step."))
    except ValidationError as exc:
        for m in _errors(exc):
            messages.error(request, m)
    else:
        plan.refresh_from_db()
        messages.success(request, _("The plan is now %(status)s.") % {"status": plan.get_status_display()})
    return redirect("plans:detail", pk=plan.pk)


@role_required(*EDITORS)
@require_POST
def allocation_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_visible_or_404(Plan.objects.all(), _me(request), pk=pk)
    try:
        raw_month = request.POST.get("month") or ""
        services.expense_allocation_add(
            plan=plan,
            purpose=(request.POST.get("purpose") or "").strip() or _("General"),
            amount=Decimal(request.POST.get("amount") or "x"),
            month=int(raw_month) if raw_month.isdigit() else None,
            by=_me(request),
        )
    except ValidationError as exc:
        for m in _errors(exc):
            messages.error(request, m)
    except ArithmeticError:
        messages.error(request, _("Enter an amount."))
    return redirect("plans:detail", pk=plan.pk)


@role_required(*READERS)
def plan_history(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_visible_or_404(Plan.objects.select_related("store"), _me(request), pk=pk)
    revisions = PlanRevision.objects.filter(plan=plan).select_related("by", "target", "target__consultant")
    page = Paginator(revisions, 50).get_page(request.GET.get("page"))
    return render(request, "plans/plan_history.html", {"plan": plan, "page_obj": page, "querystring": ""})


@role_required(*EDITORS)
def weight_sets(request: HttpRequest) -> HttpResponse:
    """Named weight sets, and the capability weights of the manager's consultants."""
    consultants = list(
        User.objects.filter(role=Role.CONSULTANT, is_active=True, stores__in=store_ids(_me(request)))
        .distinct()
        .select_related("plan_capability")
        .order_by("name", "pk")
    )
    if request.method == "POST" and request.POST.get("capabilities"):
        try:
            with transaction.atomic():
                for person in consultants:
                    raw = request.POST.get(f"cap{person.pk}")
                    if raw:
                        try:
                            weight = Decimal(raw)
                        except ArithmeticError:
                            raise ValidationError(_("Enter a number.")) from None
                        services.capability_set(consultant=person, weight=weight, by=_me(request))
        except ValidationError as exc:
            for m in _errors(exc):
                messages.error(request, m)
        else:
            messages.success(request, _("Capability weights saved."))
        return redirect("plans:weight_sets")
    form = WeightSetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.weight_set_save(name=d["name"], into=d["into"], weights=d["weights"], by=_me(request))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Weight set saved."))
            return redirect("plans:weight_sets")
    sets = list(WeightSet.objects.all())
    for ws in sets:
        total = sum(float(v) for v in ws.weights.values()) or 1
        shares = [(k, v, 100 * float(v) / total) for k, v in ws.weights.items()]
        ws.shares = shares  # type: ignore[attr-defined]
    caps = [(u, getattr(u, "plan_capability", None)) for u in consultants]
    return render(request, "plans/weight_sets.html", {"form": form, "sets": sets, "caps": caps})


# --- consultant's side ----------------------------------------------------------------


@role_required(*Role.values)
def my_targets(request: HttpRequest) -> HttpResponse:
    """This month's and this week's targets with progress: the home page card loads it
    as an htmx fragment; opened as an address it is a page of its own."""
    got = selectors.my_targets(_me(request))
    template = "plans/_my_targets.html" if request.headers.get("HX-Request") else "plans/my_targets.html"
    return render(request, template, {"month": got["month"], "week": got["week"]})


@role_required(*Role.values)
def my_today(request: HttpRequest) -> HttpResponse:
    """htmx fragment for the consultant's My day: today's targets ("1 unit, 6 visits")
    with their progress; nothing when the plan has no day targets for him."""
    got = selectors.my_targets(_me(request), kinds=("day",))
    # The headline is what he does today: the counts to reach (units, visits …), not money.
    headline = [(t, tr) for t, tr in got["day"] if t.is_integer and t.value > 0]
    return render(request, "plans/_my_today.html", {"day": got["day"], "headline": headline})


@role_required(Role.CONSULTANT, Role.MANAGER)
def action_plans(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    form = ActionPlanForm(request.POST or None) if user.has_role(Role.CONSULTANT) else None
    if form is not None and request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.action_plan_save(
                consultant=user,
                kind=d["kind"],
                day=d["day"],
                what=d["what"],
                whom=d["whom"],
                when=d["when"],
                by=user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Action plan saved."))
            return redirect("plans:action_plans")
    return list_page(
        request,
        queryset=visible(ActionPlan.objects.select_related("consultant", "commented_by"), user),
        filterset_class=ActionPlanFilter,
        template="plans/action_plans.html",
        fragment="plans/_action_plan_table.html",
        sort={"from": "period_start", "consultant": "consultant__name", "kind": "kind"},
        export=(
            "action-plans",
            [
                _("Consultant"),
                _("Kind"),
                _("From"),
                _("To"),
                _("What"),
                _("Whom"),
                _("When"),
                _("Manager's comment"),
            ],
            lambda a: [
                a.consultant,
                a.get_kind_display(),
                a.period_start,
                a.period_end,
                a.what,
                a.whom,
                a.when,
                a.manager_comment,
            ],
        ),
        extra={"form": form, "comment_form": CommentForm(), "is_manager": user.has_role(Role.MANAGER)},
    )


@role_required(Role.MANAGER)
@require_POST
def action_plan_comment(request: HttpRequest, pk: int) -> HttpResponse:
    ap = get_visible_or_404(ActionPlan.objects.all(), _me(request), pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.action_plan_comment(
                action_plan=ap, comment=form.cleaned_data["comment"], by=_me(request)
            )
        except ValidationError as exc:
            for m in _errors(exc):
                messages.error(request, m)
        else:
            messages.success(request, _("Comment saved."))
    else:
        messages.error(request, _("Write a comment."))
    return redirect("plans:action_plans")


@role_required(Role.CONSULTANT, Role.MANAGER)
def forecasts(request: HttpRequest) -> HttpResponse:
    """A consultant forecasts next month's units per model; everyone in scope sees the
    accuracy of past months (1 − Σ|forecast − actual| ÷ Σ actual per consultant-month)."""
    user = _me(request)
    today = timezone.localdate()
    next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    form = None
    if user.has_role(Role.CONSULTANT):
        models = list(VehicleModel.objects.filter(is_active=True))
        mine = dict(
            Forecast.objects.filter(consultant=user, month=next_month).values_list(
                "vehicle_model_id", "units"
            )
        )
        form = ForecastForm(request.POST or None, models=models, initial_units=mine)
        if request.method == "POST" and form.is_valid():
            try:
                services.forecast_save(consultant=user, month=next_month, units=form.units(), by=user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Forecast saved."))
                return redirect("plans:forecasts")
    rows = selectors.forecast_accuracy(visible(Forecast.objects.all(), user), today)
    return render(request, "plans/forecasts.html", {"form": form, "next_month": next_month, "rows": rows})


@role_required(*EDITORS)
def work_calendar(request: HttpRequest) -> HttpResponse:
    """A store's working calendar for daily targets: weekday weights and closed dates."""
    me = _me(request)
    stores = list(visible(Store.objects.all(), me))
    if not stores:
        raise Http404
    raw = request.GET.get("store") or request.POST.get("store") or ""
    store = next((s for s in stores if s.pk == record_id(raw)), None)
    if raw and store is None:
        raise Http404
    store = store or stores[0]
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "weights":
                services.work_calendar_set(
                    store=store,
                    weights={d: (request.POST.get(f"w{d}") or "0").strip() for d in WEEKDAYS},
                    by=me,
                )
                messages.success(request, _("Weekday weights saved."))
            elif action == "close":
                form = ClosedDayForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(list(form.errors.get("date") or [_("Enter a date.")]))
                services.closed_day_add(
                    store=store, day=form.cleaned_data["date"], reason=form.cleaned_data["reason"], by=me
                )
                messages.success(request, _("Closed day added."))
            elif action == "open":
                raw_id = request.POST.get("closed_day") or ""
                day = get_visible_or_404(
                    ClosedDay.objects.select_related("store"), me, pk=int(raw_id) if raw_id.isdigit() else 0
                )
                services.closed_day_remove(closed_day=day, by=me)
                messages.success(request, _("Closed day removed."))
        except ValidationError as exc:
            for m in _errors(exc):
                messages.error(request, m)
        return redirect(f"{reverse('plans:calendar')}?store={store.pk}")
    weights, _closed = selectors.work_calendar(store, timezone.localdate(), timezone.localdate())
    days = ClosedDay.objects.filter(store=store, date__gte=timezone.localdate() - timedelta(days=31))
    return render(
        request,
        "plans/calendar.html",
        {
            "store": store,
            "stores": stores,
            "weekdays": [(d, WEEKDAYS_ABBR[int(d) - 1], weights[d]) for d in WEEKDAYS],
            "closed_days": days,
            "form": ClosedDayForm(),
        },
    )
