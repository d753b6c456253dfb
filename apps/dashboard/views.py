from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.org.http import record_id
from apps.org.models import Store
from apps.org.permissions import role_required
from apps.org.replica import report_reads
from apps.org.roles import Role
from apps.org.scoping import visible
from apps.scoring.periods import parse

from . import exports, selectors, services
from .forms import StoreMonthTextForm
from .present import sections
from .store_month import store_month

MONTH_READERS = (Role.MANAGER, Role.FINANCE)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role == Role.MANAGER:  # type: ignore[union-attr]
        return manager(request)  # a manager's home is his store's dashboard
    context = {"stores": user.stores.all(), **selectors.home(user)}  # type: ignore[union-attr, arg-type]
    return render(request, "dashboard/home.html", context)


@role_required(Role.ADMIN)
def status(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/status.html", selectors.system_status())


@role_required(Role.MANAGER)
@report_reads
def manager(request: HttpRequest) -> HttpResponse:
    stores = visible(Store.objects.all(), request.user)
    pk = record_id(request.GET.get("store"))
    store = (stores.filter(pk=pk).first() if pk is not None else None) or stores.first()
    if store is None:
        raise Http404
    data = selectors.manager_dashboard(user=request.user, store=store, today=timezone.localdate())  # type: ignore[arg-type]
    charts = {
        "funnel_chart": {
            "labels": [s.label for s in data["funnel"]],
            "values": [s.reached for s in data["funnel"]],
        },
        "aging_chart": {
            "labels": [_("current"), "1–30", "31–60", "61–90", ">90"],
            "values": [float(data["aging"][k]) for k in ("current", "d1_30", "d31_60", "d61_90", "d90")],
        },
        "grades_chart": {"labels": [g[0] for g in data["grades"]], "values": [g[2] for g in data["grades"]]},
    }
    return render(request, "dashboard/manager.html", {**data, **charts, "stores": stores})


def month_stores(user: object, key: str) -> list[Store]:
    """The stores of a store month: one of the user's stores, or "all" of them (a group
    view that sums them). Outside the user's stores: 404."""
    stores = visible(Store.objects.all(), user).order_by("name")
    if key == "all":
        found = list(stores)
    else:
        try:
            found = list(stores.filter(pk=int(key)))
        except ValueError:
            found = []
    if not found:
        raise Http404
    return found


def month_key(key: str) -> str:
    try:
        period = parse(key)
    except ValidationError as exc:
        raise Http404 from exc
    if period.kind != "month":
        raise Http404
    return period.key


@role_required(*MONTH_READERS)
def store_month_index(request: HttpRequest) -> HttpResponse:
    """Last month (the one a summary is written about) of the user's first store."""
    store = visible(Store.objects.all(), request.user).order_by("name").first()
    if store is None:
        raise Http404
    last = timezone.localdate().replace(day=1) - timedelta(days=1)
    return redirect("reports:store_month", store=store.pk, month=f"{last:%Y-%m}")


@role_required(*MONTH_READERS)
@report_reads
def store_month_page(request: HttpRequest, store: str, month: str) -> HttpResponseBase:
    stores = month_stores(request.user, store)
    key = month_key(month)
    single = stores[0] if store != "all" else None
    may_write = single is not None and request.user.has_role(Role.MANAGER)  # type: ignore[union-attr]
    form = None
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied
        assert single is not None
        if request.POST.get("action") == "close":
            try:
                services.store_month_close(store=single, month_key=key, by=request.user)  # type: ignore[arg-type]
                messages.success(request, _("The month is closed; its figures are frozen."))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return redirect(request.path)
        form = StoreMonthTextForm(request.POST)
        if form.is_valid():
            try:
                services.store_month_text_save(
                    store=single,
                    month_key=key,
                    by=request.user,  # type: ignore[arg-type]
                    **form.cleaned_data,
                )
                messages.success(request, _("Saved."))
                return redirect(request.path)
            except ValidationError as exc:
                form.add_error(None, exc)
    data = store_month(stores=stores, month_key=key)
    names = [s.name for s in stores]
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        return exports.xlsx(data, names)
    if fmt == "pdf":
        return exports.pdf(request, data, names)
    if form is None and single is not None:
        form = StoreMonthTextForm(instance=data["text"])
    all_stores = visible(Store.objects.all(), request.user).order_by("name")
    period = parse(key)
    context = {
        "data": data,
        "sections": sections(data),
        "store_names": names,
        "store_key": store,
        "month": key,
        "prev_url": _month_url(store, period.start - timedelta(days=1)),
        "next_url": _month_url(store, period.end + timedelta(days=1)),
        "stores": all_stores,
        "form": form,
        "may_write": may_write and not data["closed"],
        "may_close": may_write and not data["closed"] and period.end < timezone.localdate(),
    }
    return render(request, "dashboard/store_month.html", context)


def _month_url(store: str, day: object) -> str:
    from django.urls import reverse

    return reverse("reports:store_month", kwargs={"store": store, "month": f"{day:%Y-%m}"})
