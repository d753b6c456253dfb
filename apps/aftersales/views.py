from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.customers.models import Customer
from apps.org.forms import add_service_error
from apps.org.http import record_id
from apps.org.listing import list_page
from apps.org.models import Store
from apps.org.permissions import role_required
from apps.org.returning import back, next_url
from apps.org.roles import Role
from apps.org.scoping import get_visible_or_404, store_ids, visible

from . import selectors, services
from .filters import ComplaintFilter, QueueFilter, ServiceVisitFilter, VehicleFilter
from .forms import (
    ComplaintAssignForm,
    ComplaintForm,
    ComplaintRoutingForm,
    ComplaintStatusForm,
    CompleteForm,
    HolidayForm,
    PeriodForm,
    RuleForm,
    ServiceVisitForm,
)
from .models import (
    Category,
    Complaint,
    ComplaintRoute,
    FollowUp,
    FollowUpRule,
    FollowUpStatus,
    Holiday,
    ServiceVisit,
    Vehicle,
)
from .prediction import predict

CS = (Role.CUSTOMER_SERVICE, Role.MANAGER)
VEHICLE_READERS = (Role.CUSTOMER_SERVICE, Role.MANAGER, Role.SERVICE_ADVISOR, Role.CONSULTANT)
WORKSHOP = (Role.SERVICE_ADVISOR, Role.MANAGER)
COMPLAINTS = (Role.CUSTOMER_SERVICE, Role.MANAGER, Role.SERVICE_ADVISOR)


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# ---------------------------------------------------------------- the queue


@role_required(*CS)
def queue(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return list_page(
        request,
        queryset=selectors.queue(user=request.user, today=today),  # type: ignore[arg-type]
        filterset_class=QueueFilter,
        template="aftersales/queue.html",
        fragment="aftersales/_queue_table.html",
        per_page=50,
        sort={"call_on": "action_on", "priority": "priority", "customer": "customer__name"},
        export=(
            "callback-queue",
            [
                _("Call on"),
                _("Task"),
                _("Priority"),
                _("Customer"),
                _("Mobile"),
                _("Vehicle"),
                _("Plate or VIN"),
                _("Attempts"),
                _("Claimed by"),
            ],
            lambda t: [
                t.action_on,
                t.get_rule_display(),
                t.priority,
                t.customer.name,
                t.customer.mobile,
                str(t.vehicle.vehicle_model) if t.vehicle else "",
                (t.vehicle.plate or t.vehicle.vin) if t.vehicle else "",
                t.attempts,
                str(t.assignee or ""),
            ],
        ),
        extra={
            "today": today,
            "health": selectors.queue_health(user=request.user, today=today),  # type: ignore[arg-type]
        },
    )


@require_POST
@role_required(*CS)
def claim_next(request: HttpRequest) -> HttpResponse:
    task = services.followup_claim_next(user=request.user, store_ids=store_ids(request.user))  # type: ignore[arg-type]
    if task is None:
        messages.info(request, _("The queue is empty: nothing is due today."))
        return redirect("aftersales:queue")
    return redirect("aftersales:followup", pk=task.pk)


@require_POST
@role_required(*CS)
def followup_claim(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_visible_or_404(FollowUp.objects.all(), request.user, pk=pk)
    try:
        services.followup_claim(followup=task, user=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("aftersales:queue")
    return redirect("aftersales:followup", pk=pk)


@require_POST
@role_required(*CS)
def followup_release(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_visible_or_404(FollowUp.objects.all(), request.user, pk=pk)
    try:
        services.followup_release(followup=task, user=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("aftersales:queue")


@role_required(*CS)
def followup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_visible_or_404(
        FollowUp.objects.select_related(
            "customer", "vehicle", "vehicle__vehicle_model", "assignee", "about_complaint"
        ),
        request.user,
        pk=pk,
    )
    mine = task.status == FollowUpStatus.CLAIMED and task.assignee_id == request.user.pk
    form = CompleteForm(request.POST or None)
    if request.method == "POST" and mine and form.is_valid():
        try:
            done = services.followup_complete(followup=task, by=request.user, **form.service_kwargs())  # type: ignore[arg-type]
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if done.status == FollowUpStatus.OPEN:
                messages.info(request, _("No answer: the call comes back tomorrow."))
            else:
                messages.success(request, _("Call recorded."))
            for item in done.complaints.select_related("owner"):
                messages.success(request, _complaint_opened(item))
            return redirect("aftersales:queue")
    history = (
        FollowUp.objects.filter(customer=task.customer)
        .exclude(pk=task.pk)
        .select_related("assignee")
        .order_by("-due_date")[:10]
    )
    return render(
        request,
        "aftersales/followup_detail.html",
        {"task": task, "form": form, "mine": mine, "history": history},
    )


@role_required(Role.CUSTOMER_SERVICE, Role.MANAGER)
def my_day(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "aftersales/my_day.html",
        {
            "day": selectors.agent_day(user=request.user, day=today),  # type: ignore[arg-type]
            "done": selectors.done_today(user=request.user, day=today),  # type: ignore[arg-type]
            "today": today,
        },
    )


# ---------------------------------------------------------------- vehicles and visits


@role_required(*VEHICLE_READERS)
def vehicle_list(request: HttpRequest) -> HttpResponse:
    qs = visible(Vehicle.objects.select_related("customer", "vehicle_model"), request.user)
    return list_page(
        request,
        queryset=qs,
        filterset_class=VehicleFilter,
        template="aftersales/vehicle_list.html",
        fragment="aftersales/_vehicle_table.html",
        sort={
            "vin": "vin",
            "owner": "customer__name",
            "delivered": "delivered_on",
            "mileage": "last_mileage",
            "due": "next_service_due",
        },
        export=(
            "vehicles",
            [_("VIN"), _("Plate"), _("Owner"), _("Model"), _("Delivered"), _("Mileage"), _("Service due")],
            lambda v: [
                v.vin,
                v.plate,
                v.customer.name,
                str(v.vehicle_model),
                v.delivered_on,
                v.last_mileage,
                v.next_service_due,
            ],
        ),
    )


@role_required(*VEHICLE_READERS)
def vehicle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vehicle = get_visible_or_404(
        Vehicle.objects.select_related("customer", "vehicle_model", "store"), request.user, pk=pk
    )
    readings = list(vehicle.readings.order_by("-date", "-mileage"))
    last = (vehicle.last_service_on, vehicle.last_service_km) if vehicle.last_service_on else None
    prediction = predict(
        delivered_on=vehicle.delivered_on,
        readings=[(r.date, r.mileage) for r in readings],
        last_service=last,  # type: ignore[arg-type]
        policy=services._policy(vehicle),
    )
    return render(
        request,
        "aftersales/vehicle_detail.html",
        {
            "vehicle": vehicle,
            "prediction": prediction,
            "readings": readings[:10],
            "visits": vehicle.service_visits.select_related("advisor")[:20],
            "followups": vehicle.followups.select_related("assignee").order_by("-due_date")[:20],
            "complaints": vehicle.complaints.all()[:10],
            "can_record": request.user.has_role(*WORKSHOP),  # type: ignore[union-attr]
        },
    )


@role_required(*WORKSHOP)
def visit_list(request: HttpRequest) -> HttpResponse:
    qs = visible(ServiceVisit.objects.select_related("vehicle", "vehicle__customer", "advisor"), request.user)
    return list_page(
        request,
        queryset=qs,
        filterset_class=ServiceVisitFilter,
        template="aftersales/visit_list.html",
        fragment="aftersales/_visit_table.html",
        sort={
            "date": "date",
            "kind": "kind",
            "mileage": "mileage",
            "amount": "amount",
            "advisor": "advisor__name",
        },
        export=(
            "service-visits",
            [_("Date"), _("VIN"), _("Plate"), _("Kind"), _("Mileage"), _("Amount"), _("Advisor")],
            lambda s: [
                s.date,
                s.vehicle.vin,
                s.vehicle.plate,
                s.get_kind_display(),
                s.mileage,
                s.amount,
                str(s.advisor or ""),
            ],
        ),
    )


@role_required(*WORKSHOP)
def visit_create(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {"date": timezone.localdate()}
    vehicle_id = request.GET.get("vehicle")
    if vehicle_id and vehicle_id.isdigit():
        v = get_visible_or_404(Vehicle.objects.all(), request.user, pk=int(vehicle_id))
        initial["vin"] = v.vin
    elif (customer_id := request.GET.get("customer", "")).isdigit():
        # From the customer's file: his car (the most recently delivered, if several).
        car = visible(Vehicle.objects.filter(customer_id=int(customer_id)), request.user).first()
        if car is not None:
            initial["vin"] = car.vin
    form = ServiceVisitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        key = d["vin"].replace(" ", "").upper()
        vehicle = (
            visible(Vehicle.objects.all(), request.user).filter(Q(vin=key) | Q(plate__iexact=key)).first()
        )
        if vehicle is None:
            form.add_error("vin", _("No vehicle of your stores has this VIN or plate."))
        else:
            try:
                services.service_visit_record(
                    vehicle=vehicle,
                    date=d["date"],
                    mileage=d["mileage"],
                    kind=d["kind"],
                    amount=d["amount"],
                    advisor=request.user,  # type: ignore[arg-type]
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Service visit recorded."))
                return redirect(back(request, "aftersales:vehicle", vehicle.pk))
    return render(request, "aftersales/visit_form.html", {"form": form, "next": next_url(request)})


# ---------------------------------------------------------------- complaints


@role_required(*COMPLAINTS)
def complaint_list(request: HttpRequest) -> HttpResponse:
    qs = visible(Complaint.objects.select_related("customer", "owner", "vehicle"), request.user)
    return list_page(
        request,
        queryset=qs,
        filterset_class=ComplaintFilter,
        template="aftersales/complaint_list.html",
        fragment="aftersales/_complaint_table.html",
        sort={
            "opened": "opened_at",
            "customer": "customer__name",
            "category": "category",
            "severity": "severity",
            "department": "department",
            "owner": "owner__name",
            "status": "status",
        },
        export=(
            "complaints",
            [
                _("Opened"),
                _("Customer"),
                _("Category"),
                _("Severity"),
                _("Department"),
                _("Owner"),
                _("Status"),
            ],
            lambda c: [
                timezone.localtime(c.opened_at).strftime("%Y-%m-%d %H:%M"),
                c.customer.name,
                c.get_category_display(),
                c.get_severity_display(),
                c.get_department_display(),
                str(c.owner or ""),
                c.get_status_display(),
            ],
        ),
    )


def _complaint_opened(item: Complaint) -> str:
    """The success message names the complaint and where it went."""
    names = {
        "id": item.pk,
        "category": item.get_category_display(),
        "department": item.get_department_display(),
    }
    if item.owner:
        return _("Complaint #%(id)s (%(category)s) opened for %(owner)s, %(department)s.") % {
            **names,
            "owner": item.owner,
        }
    return _("Complaint #%(id)s (%(category)s) opened for %(department)s; no owner yet.") % names


@role_required(*CS)
def complaint_create(request: HttpRequest) -> HttpResponse:
    """Raise a complaint from the customer's file; back there after saving."""
    raw = request.GET.get("customer") or request.POST.get("customer") or ""
    customer = get_visible_or_404(Customer.objects.all(), request.user, pk=record_id(raw) or 0)
    form = ComplaintForm(
        request.POST or None, vehicles=visible(Vehicle.objects.filter(customer=customer), request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = services.complaint_open(
                store=customer.store,
                customer=customer,
                by=request.user,  # type: ignore[arg-type]
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _complaint_opened(item))
            return redirect(back(request, "aftersales:complaint", item.pk))
    return render(
        request,
        "aftersales/complaint_form.html",
        {"form": form, "customer": customer, "next": next_url(request)},
    )


@role_required(Role.MANAGER)
def complaint_routing(request: HttpRequest) -> HttpResponse:
    """Who owns a new complaint of each category, per store (a manager's setting)."""
    stores = Store.objects.filter(pk__in=store_ids(request.user)).order_by("pk")  # type: ignore[arg-type]
    raw = request.GET.get("store") or request.POST.get("store") or ""
    store = stores.filter(pk=pk).first() if (pk := record_id(raw)) is not None else stores.first()
    if store is None:
        raise Http404
    routes = {r.category: r for r in ComplaintRoute.objects.filter(store=store)}
    form = ComplaintRoutingForm(request.POST or None, store_id=store.pk, routes=routes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.complaint_routing_save(
                store=store,
                by=request.user,  # type: ignore[arg-type]
                routes={c: (data[f"{c}_owner"], data[f"{c}_department"]) for c in Category.values},
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Complaint routing of %(store)s saved.") % {"store": store})
            return redirect(f"{reverse('aftersales:complaint_routing')}?store={store.pk}")
    return render(
        request, "aftersales/complaint_routing.html", {"form": form, "store": store, "stores": stores}
    )


@role_required(*COMPLAINTS)
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(
        Complaint.objects.select_related("customer", "vehicle", "owner", "raised_on"), request.user, pk=pk
    )
    status_form = ComplaintStatusForm(
        request.POST if request.POST.get("form") == "status" else None,
        initial={"resolution": item.resolution},
    )
    assign_form = ComplaintAssignForm(
        request.POST if request.POST.get("form") == "assign" else None,
        store_id=item.store_id,
        initial={"owner": item.owner, "department": item.department, "severity": item.severity},
    )
    if request.method == "POST":
        form: Any = status_form if request.POST.get("form") == "status" else assign_form
        if form.is_valid():
            try:
                if form is status_form:
                    services.complaint_set_status(
                        complaint=item,
                        by=request.user,  # type: ignore[arg-type]
                        **form.cleaned_data,
                    )
                else:
                    services.complaint_update(complaint=item, **form.cleaned_data)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Complaint updated."))
                return redirect("aftersales:complaint", pk=pk)
    return render(
        request,
        "aftersales/complaint_detail.html",
        {
            "item": item,
            "status_form": status_form,
            "assign_form": assign_form,
            "followups": item.followups.select_related("assignee"),
        },
    )


# ---------------------------------------------------------------- KPIs and rules


@role_required(*CS)
def kpis(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = PeriodForm(request.GET or None, initial={"start": today - timedelta(days=29), "end": today})
    start, end = today - timedelta(days=29), today
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return render(
        request,
        "aftersales/kpis.html",
        {"form": form, "start": start, "end": end, **selectors.kpis(user=request.user, start=start, end=end)},  # type: ignore[arg-type]
    )


@role_required(Role.MANAGER)
def rule_list(request: HttpRequest) -> HttpResponse:
    services.rules_ensure(store_ids=store_ids(request.user))  # type: ignore[arg-type]
    rules = visible(FollowUpRule.objects.select_related("store"), request.user)
    return render(request, "aftersales/rule_list.html", {"rules": rules})


@require_POST
@role_required(Role.MANAGER)
def generate_now(request: HttpRequest) -> HttpResponse:
    """Run today's generation on the worker now (beat runs it at 01:00 anyway)."""
    for store_id in store_ids(request.user):  # type: ignore[arg-type]
        services.followups_generate_later(on=timezone.localdate(), store_id=store_id)
    messages.success(request, _("Today's follow-ups are being generated; the queue fills in a moment."))
    return redirect("aftersales:rule_list")


@role_required(Role.MANAGER)
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_visible_or_404(FollowUpRule.objects.select_related("store"), request.user, pk=pk)
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_save(rule=rule, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Rule saved."))
            return redirect(reverse("aftersales:rule_list"))
    return render(request, "aftersales/rule_form.html", {"form": form, "rule": rule})


@role_required(*VEHICLE_READERS)
def vehicle_pick(request: HttpRequest) -> JsonResponse:
    """JSON for the vehicle picker: the user's vehicles by plate or VIN (any part)."""
    from .search import match_query

    condition = match_query(" ".join(request.GET.get("q", "").split())[:20])
    if condition is None:
        return JsonResponse({"results": []})
    rows = visible(Vehicle.objects.select_related("customer", "vehicle_model"), request.user).filter(
        condition
    )
    return JsonResponse(
        {
            "results": [
                {
                    "value": v.vin,
                    "text": v.plate or v.vin,
                    "detail": f"{v.vin} · {v.vehicle_model} · {v.customer.name} {v.customer.mobile}",
                }
                for v in rows[:20]
            ]
        }
    )


@role_required(Role.MANAGER)
def holidays(request: HttpRequest) -> HttpResponse:
    """The store's holiday calendar (春节, 中秋 … each year's dates): the greeting SMS goes
    to owners on these days. This year and the next two are pre-filled; the manager adds,
    moves, renames and removes days."""
    me = request.user
    stores = list(visible(Store.objects.all(), me))
    if not stores:
        raise Http404
    raw = request.GET.get("store") or request.POST.get("store") or ""
    store = next((s for s in stores if s.pk == record_id(raw)), None)
    if raw and store is None:
        raise Http404
    store = store or stores[0]
    today = timezone.localdate()
    raw_year = request.GET.get("year") or request.POST.get("year") or ""
    year = int(raw_year) if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100 else today.year
    services.holidays_ensure(store_ids=[store.pk], today=today)
    here = f"{reverse('aftersales:holidays')}?store={store.pk}&year={year}"
    if request.method == "POST":
        action = request.POST.get("action")
        raw_id = request.POST.get("holiday") or ""
        try:
            found = None
            if raw_id:
                found = get_visible_or_404(
                    Holiday.objects.all(), me, pk=int(raw_id) if raw_id.isdigit() else 0, store=store
                )
            if action == "remove" and found is not None:
                services.holiday_remove(holiday=found, by=me)  # type: ignore[arg-type]
                messages.success(request, _("Holiday removed."))
            else:
                form = HolidayForm(request.POST)
                if not form.is_valid():
                    raise ValidationError([m for errs in form.errors.values() for m in errs])
                services.holiday_save(
                    store=store,
                    day=form.cleaned_data["date"],
                    name=form.cleaned_data["name"],
                    by=me,  # type: ignore[arg-type]
                    holiday=found,
                )
                messages.success(request, _("Holiday saved."))
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        return redirect(here)
    days = Holiday.objects.filter(store=store, date__year=year).order_by("date")
    return render(
        request,
        "aftersales/holidays.html",
        {
            "store": store,
            "stores": stores,
            "year": year,
            "years": [today.year - 1, today.year, today.year + 1, today.year + 2],
            "holidays": days,
            "form": HolidayForm(
                initial={"date": date(year, today.month, today.day) if year != today.year else today}
            ),
        },
    )
