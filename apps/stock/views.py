"""Pages: the car list, arrivals (one car or the OEM list), a car, the overview, transfers."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.org.forms import add_service_error
from apps.org.http import record_id
from apps.org.listing import list_page
from apps.org.models import Store
from apps.org.permissions import role_required
from apps.org.roles import Role
from apps.org.scoping import get_visible_or_404, store_ids, visible

from . import selectors, services
from .exports import stream_xlsx
from .filters import CarFilter
from .forms import CarForm, CostForm, ImportForm, RejectForm, SettingsForm, TransferRequestForm
from .models import Car, CarStatus

READERS = (Role.MANAGER, Role.CONSULTANT, Role.FINANCE)
WRITERS = (Role.MANAGER,)


def _store(request: HttpRequest) -> Store:
    stores = visible(Store.objects.all(), request.user)
    store = stores.filter(pk=record_id(request.GET.get("store")) or 0).first() or stores.first()
    if store is None:
        raise Http404
    return store


def _export_row(car: Car) -> list[Any]:
    return [
        car.vin,
        str(car.store),
        str(car.vehicle_model),
        car.colour,
        car.trim,
        car.cost,
        car.arrived_on,
        car.get_status_display(),
        car.days_in_stock(),
        car.live_order,  # type: ignore[attr-defined]
    ]


@role_required(*READERS)
def car_list(request: HttpRequest) -> HttpResponseBase:
    user: Any = request.user
    qs = selectors.cars_for(user)
    if request.GET.get("export") == "xlsx":
        filterset = CarFilter(request.GET, queryset=qs, request=request)
        rows = filterset.qs if filterset.is_valid() else qs
        headers = [
            _("VIN"),
            _("Store"),
            _("Vehicle model"),
            _("Colour"),
            _("Trim"),
            _("Purchase cost"),
            _("Arrived on"),
            _("Status"),
            _("Days in stock"),
            _("Order"),
        ]
        return stream_xlsx("stock", headers, (_export_row(c) for c in rows.iterator(chunk_size=500)))
    stores = list(visible(Store.objects.all(), user).values_list("pk", flat=True))
    return list_page(
        request,
        queryset=qs,
        filterset_class=CarFilter,
        template="stock/car_list.html",
        fragment="stock/_car_table.html",
        export=("stock", [], _export_row),
        extra={
            "can_write": user.has_role(*WRITERS),
            "limits": {pk: s.aging_limit_days for pk, s in selectors.limits(stores).items()},
        },
    )


@role_required(*WRITERS)
def car_create(request: HttpRequest) -> HttpResponse:
    store = _store(request)
    form = CarForm(request.POST or None, initial={"arrived_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            car = services.car_receive(store=store, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(car)s is in stock.") % {"car": car})
            return redirect("stock:car_detail", car.pk)
    return render(request, "stock/car_form.html", {"form": form, "store": store})


@role_required(*WRITERS)
def car_import(request: HttpRequest) -> HttpResponse:
    """Upload the OEM's delivery list: a preview with every row's problems; nothing is saved
    until the whole list is clean and the manager confirms it."""
    from openpyxl import load_workbook

    store = _store(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    preview: list[dict[str, Any]] = []
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            book = load_workbook(form.cleaned_data["file"], read_only=True, data_only=True)
            sheet = book.active
            assert sheet is not None
            values = list(sheet.iter_rows(values_only=True))
        except Exception:  # noqa: BLE001 — any unreadable upload is the user's input error
            form.add_error("file", _("This is not an Excel (.xlsx) file."))
        else:
            header = [str(h or "").strip().lower() for h in (values[0] if values else [])]
            rows = [dict(zip(header, row, strict=False)) for row in values[1:2001]]
            confirm = request.POST.get("confirm") == "1"
            try:
                preview, errors = services.arrivals_import(
                    store=store,
                    rows=rows,
                    by=request.user,  # type: ignore[arg-type]
                    dry_run=not confirm,
                )
            except ValidationError as exc:
                errors = exc.messages
            if confirm and not errors:
                messages.success(request, _("%(n)d cars are in stock.") % {"n": len(preview)})
                return redirect("stock:cars")
    return render(
        request, "stock/import.html", {"form": form, "preview": preview, "errors": errors, "store": store}
    )


@role_required(*READERS)
def car_detail(request: HttpRequest, pk: int) -> HttpResponse:
    car = get_visible_or_404(selectors.cars_for(request.user), request.user, pk=pk)  # type: ignore[arg-type]
    user: Any = request.user
    settings_ = selectors.limits([car.store_id])[car.store_id]
    today = timezone.localdate()
    return render(
        request,
        "stock/car_detail.html",
        {
            "car": car,
            "days": car.days_in_stock(today),
            "over_limit": (car.days_in_stock(today) or 0) > settings_.aging_limit_days
            and car.status != CarStatus.SOLD,
            "limit": settings_.aging_limit_days,
            "holding_cost": selectors.holding_cost(car, settings_, today) if car.arrived_on else None,
            "history": car.history.select_related("history_user").order_by("-history_date")[:20],
            "can_write": user.has_role(*WRITERS),
            "cost_form": CostForm(initial={"cost": car.cost}),
        },
    )


@require_POST
@role_required(*WRITERS)
def car_cost(request: HttpRequest, pk: int) -> HttpResponse:
    car = get_visible_or_404(Car.objects.all(), request.user, pk=pk)
    form = CostForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Enter the cost and the reason."))
        data = form.cleaned_data
        services.car_update(car=car, by=request.user, cost=data["cost"], reason=data["reason"])  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Cost corrected."))
    return redirect("stock:car_detail", car.pk)


@require_POST
@role_required(*WRITERS)
def car_arrive(request: HttpRequest, pk: int) -> HttpResponse:
    car = get_visible_or_404(Car.objects.all(), request.user, pk=pk)
    try:
        services.car_arrive(car=car, by=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Arrived."))
    return redirect("stock:car_detail", car.pk)


@role_required(Role.MANAGER, Role.FINANCE)
def overview(request: HttpRequest) -> HttpResponse:
    store = _store(request)
    data = selectors.overview(store, timezone.localdate())
    user: Any = request.user
    settings_form = SettingsForm(
        initial={
            "aging_limit_days": data.limit_days,
            "floor_plan_rate": services.settings_for(store).floor_plan_rate,
        }
    )
    return render(
        request,
        "stock/overview.html",
        {
            "data": data,
            "store": store,
            "stores": visible(Store.objects.all(), user),
            "aging_chart": selectors.aging_chart(data),
            "settings_form": settings_form,
            "can_write": user.has_role(*WRITERS),
        },
    )


@require_POST
@role_required(*WRITERS)
def settings_save(request: HttpRequest) -> HttpResponse:
    store = get_visible_or_404(Store.objects.all(), request.user, pk=request.POST.get("store") or 0)
    form = SettingsForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(" ".join(str(m) for ms in form.errors.values() for m in ms))
        services.settings_save(store=store, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Stock settings saved."))
    return redirect(f"{request.build_absolute_uri('/stock/overview/')}?store={store.pk}")


@role_required(*WRITERS)
def transfers(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    mine = visible(Store.objects.all(), user)
    store = _store(request)
    others = (
        Store.objects.exclude(pk__in=store_ids(user))
        if not user.is_admin
        else Store.objects.exclude(pk=store.pk)
    )
    form = TransferRequestForm(request.POST or None, others=others)
    if request.method == "POST" and form.is_valid():
        try:
            services.transfer_request(to_store=store, by=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Transfer requested."))
            return redirect("stock:transfers")
    counts = [row for row in selectors.group_counts(user) if row["store"] != store.pk]
    return render(
        request,
        "stock/transfers.html",
        {
            "form": form,
            "store": store,
            "stores": mine,
            "counts": counts,
            "transfers": selectors.transfers_for(user)[:100],
            "my_store_ids": set(mine.values_list("pk", flat=True)),
            "reject_form": RejectForm(),
        },
    )


@require_POST
@role_required(*WRITERS)
def transfer_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    transfer = selectors.transfers_for(request.user).filter(pk=pk).first()  # type: ignore[arg-type]
    if transfer is None:
        raise Http404
    actions = {
        "approve": services.transfer_approve,
        "reject": services.transfer_reject,
        "cancel": services.transfer_cancel,
        "arrive": services.transfer_arrive,
    }
    if step not in actions:
        raise Http404
    extra = {"reason": request.POST.get("reason", "")} if step == "reject" else {}
    try:
        actions[step](transfer=transfer, by=request.user, **extra)  # type: ignore[operator]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Transfer #%(id)s updated.") % {"id": transfer.pk})
    return redirect("stock:transfers")
