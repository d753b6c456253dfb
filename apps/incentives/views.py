"""Pages: the month's statements (compute, approve), one statement (lines, correction,
export), the store's schemes. A consultant sees only his own approved statements."""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.org.forms import add_service_error
from apps.org.http import record_id
from apps.org.models import Store
from apps.org.permissions import role_required
from apps.org.roles import Role
from apps.org.scoping import get_visible_or_404, visible
from apps.scoring.models import PeriodClose
from apps.scoring.periods import month
from apps.stock.exports import stream_xlsx

from . import selectors, services
from .forms import CorrectionForm, SchemeForm
from .models import Scheme, Statement, StatementStatus

READERS = (Role.MANAGER, Role.FINANCE, Role.CONSULTANT)


def _store(request: HttpRequest) -> Store | None:
    stores = visible(Store.objects.all(), request.user)
    wanted = record_id(request.GET.get("store") or request.POST.get("store"))
    return stores.filter(pk=wanted or 0).first() or stores.first()


def _period(request: HttpRequest) -> str:
    key = request.GET.get("period") or request.POST.get("period")
    if key:
        return str(key)
    today = timezone.localdate()
    return month(today.replace(day=1) - timedelta(days=1)).key


@role_required(*READERS)
def statements(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    qs = selectors.statements_for(user)
    if user.role == Role.CONSULTANT and not user.is_admin:
        return render(request, "incentives/my_statements.html", {"statements": qs[:36]})
    store = _store(request)
    period = _period(request)
    rows = list(qs.filter(store=store, period=period)) if store else []
    return render(
        request,
        "incentives/statements.html",
        {
            "statements": rows,
            "store": store,
            "stores": visible(Store.objects.all(), user),
            "period": period,
            "closed": bool(store and PeriodClose.objects.filter(store=store, period=period).exists()),
            "total": sum((s.total for s in rows), services.ZERO),
            "drafts": sum(1 for s in rows if s.status == StatementStatus.DRAFT),
            "can_write": user.has_role(Role.MANAGER),
        },
    )


def _back(store: Store, period: str) -> HttpResponse:
    return redirect(f"{reverse('incentives:statements')}?store={store.pk}&period={period}")


@require_POST
@role_required(Role.MANAGER)
def generate(request: HttpRequest) -> HttpResponse:
    store = _store(request)
    if store is None:
        raise Http404
    period = _period(request)
    try:
        done = services.statements_generate(store=store, period=period, by=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)d statements computed.") % {"n": len(done)})
    return _back(store, period)


@require_POST
@role_required(Role.MANAGER)
def approve_all(request: HttpRequest) -> HttpResponse:
    store = _store(request)
    if store is None:
        raise Http404
    period = _period(request)
    try:
        n = services.statements_approve(store=store, period=period, by=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)d statements approved.") % {"n": n})
    return _back(store, period)


@role_required(*READERS)
def statement_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    user: Any = request.user
    statement = selectors.statements_for(user).filter(pk=pk).first()
    if statement is None:
        raise Http404
    lines = list(selectors.lines_of(statement))
    if request.GET.get("export") == "xlsx":
        headers = [
            _("Kind"),
            _("Description"),
            _("Order"),
            _("Measure"),
            _("Basis"),
            _("Corrects month"),
            _("Amount"),
        ]
        rows = (
            [
                line.get_kind_display(),
                line.description,
                line.order_id,
                line.measure,
                line.basis,
                line.corrects_period,
                line.amount,
            ]
            for line in lines
        )
        footer = [[_("Total"), "", "", "", "", "", statement.total]]
        name = f"commission-{statement.period}-{statement.consultant.username}"
        return stream_xlsx(name, headers, [*rows, *footer])
    can_write = user.has_role(Role.MANAGER) and statement.status == StatementStatus.DRAFT
    return render(
        request,
        "incentives/statement_detail.html",
        {
            "statement": statement,
            "lines": lines,
            "can_write": can_write,
            "correction_form": CorrectionForm(),
            "history": statement.history.select_related("history_user").order_by("-history_date")[:10],
        },
    )


@require_POST
@role_required(Role.MANAGER)
def statement_approve(request: HttpRequest, pk: int) -> HttpResponse:
    statement = get_visible_or_404(Statement.objects.all(), request.user, pk=pk)
    try:
        services.statement_approve(statement=statement, by=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Statement approved: it is now frozen."))
    return redirect("incentives:statement", statement.pk)


@require_POST
@role_required(Role.MANAGER)
def statement_correct(request: HttpRequest, pk: int) -> HttpResponse:
    statement = get_visible_or_404(Statement.objects.all(), request.user, pk=pk)
    form = CorrectionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(" ".join(str(m) for ms in form.errors.values() for m in ms))
        services.statement_add_correction(statement=statement, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Correction added."))
    return redirect("incentives:statement", statement.pk)


@role_required(Role.MANAGER)
def schemes(request: HttpRequest) -> HttpResponse:
    store = _store(request)
    if store is None:
        raise Http404
    initial = {
        "valid_from": f"{timezone.localdate():%Y-%m}",
        "unit_commission": 500,
        "gross_profit_percent": 5,
        "late_entry_threshold": 10,
        "late_entry_cut": 50,
        "tiers": "100 2000\n120 5000",
    }
    form = SchemeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.scheme_save(store=store, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Scheme saved."))
            return redirect(f"{reverse('incentives:schemes')}?store={store.pk}")
    return render(
        request,
        "incentives/schemes.html",
        {
            "form": form,
            "store": store,
            "stores": visible(Store.objects.all(), request.user),
            "schemes": Scheme.objects.filter(store=store).prefetch_related(
                "unit_rates__vehicle_model", "tiers"
            ),
        },
    )
