"""Pages: orders, payments and receivables. Thin: scope → form → service → template."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.customers.models import Customer
from apps.org.forms import add_service_error
from apps.org.listing import list_page
from apps.org.models import Store
from apps.org.permissions import role_required
from apps.org.returning import back, next_url
from apps.org.roles import Role
from apps.org.scoping import get_visible_or_404, store_ids, visible
from apps.stock.models import Car, CarStatus

from . import selectors, services
from .filters import OrderFilter, PaymentFilter, ReceivableFilter
from .forms import CancelForm, DeliverForm, HandOverForm, OrderForm, PaymentForm, ReverseForm
from .models import Allocation, Order, Payment, Receivable

ORDER_READERS = (Role.MANAGER, Role.CONSULTANT, Role.FINANCE)
ORDER_WRITERS = (Role.MANAGER, Role.CONSULTANT)
MONEY_ROLES = (Role.MANAGER, Role.FINANCE)


@role_required(*ORDER_READERS)
def order_list(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        queryset=visible(
            Order.objects.select_related("customer", "consultant", "vehicle_model"), request.user
        ),
        filterset_class=OrderFilter,
        template="sales/order_list.html",
        fragment="sales/_order_table.html",
        sort={
            "date": "order_date",
            "customer": "customer__name",
            "model": "vehicle_model__name",
            "consultant": "consultant__name",
            "amount": "amount",
            "settlement": "settlement",
            "status": "status",
        },
        export=(
            "orders",
            [
                _("Order"),
                _("Date"),
                _("Customer"),
                _("Consultant"),
                _("Vehicle model"),
                _("Amount"),
                _("Discount"),
                _("Cost"),
                _("Gross profit"),
                _("Settlement"),
                _("Status"),
                _("Delivered on"),
                _("VIN"),
            ],
            lambda o: [
                o.pk,
                o.order_date,
                o.customer.name,
                str(o.consultant),
                str(o.vehicle_model),
                o.amount,
                o.discount,
                o.cost,
                o.gross_profit,
                o.get_settlement_display(),
                o.get_status_display(),
                o.delivered_on,
                o.vin,
            ],
        ),
        extra={"can_create": request.user.has_role(*ORDER_WRITERS)},  # type: ignore[union-attr]
    )


@role_required(*ORDER_WRITERS)
def order_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    customers = visible(Customer.objects.order_by("name"), user)
    initial = {"order_date": timezone.localdate(), "customer": request.GET.get("customer")}
    cars = visible(Car.objects.select_related("vehicle_model"), user).filter(status=CarStatus.IN_STOCK)
    initial["car"] = request.GET.get("car")
    form = OrderForm(
        request.POST or None, customers=customers, cars=cars.order_by("arrived_on", "pk"), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customer = data["customer"]
        consultant = user if user.role == Role.CONSULTANT else (customer.owner or user)
        try:
            order = services.order_create(by=user, store=customer.store, consultant=consultant, **data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Order #%(id)s booked.") % {"id": order.pk})
            return redirect("sales:order_detail", order.pk)
    return render(request, "sales/order_form.html", {"form": form})


@role_required(*ORDER_READERS)
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_visible_or_404(
        Order.objects.select_related("customer", "consultant", "vehicle_model", "credit_override_by", "car"),
        request.user,
        pk=pk,
    )
    user: Any = request.user
    return render(
        request,
        "sales/order_detail.html",
        {
            "order": order,
            "receivables": order.receivables.all(),
            "history": order.history.select_related("history_user").order_by("-history_date")[:10],
            "can_write": user.has_role(*ORDER_WRITERS) and order.status == "open",
            "deliver_form": DeliverForm(initial={"delivered_on": timezone.localdate()}),
            "cancel_form": CancelForm(),
        },
    )


@require_POST
@role_required(*ORDER_WRITERS)
def order_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_visible_or_404(Order.objects.all(), request.user, pk=pk)
    form = DeliverForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.as_text())
        services.order_deliver(order=order, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Delivered."))
    return redirect("sales:order_detail", order.pk)


@require_POST
@role_required(*ORDER_WRITERS)
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_visible_or_404(Order.objects.all(), request.user, pk=pk)
    form = CancelForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why the order is cancelled."))
        services.order_cancel(order=order, reason=form.cleaned_data["reason"], by=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Order cancelled."))
    return redirect("sales:order_detail", order.pk)


@role_required(*MONEY_ROLES)
def payment_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = PaymentForm(
        request.POST or None,
        customers=visible(Customer.objects.order_by("name"), user),
        initial={"received_on": timezone.localdate(), "customer": request.GET.get("customer")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.payment_record(recorded_by=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Payment #%(id)s recorded.") % {"id": payment.pk})
            return redirect(back(request, "sales:payments"))
    return list_page(
        request,
        queryset=visible(
            Payment.objects.select_related("customer", "recorded_by", "reversal").prefetch_related(
                Prefetch("allocations", queryset=Allocation.objects.select_related("receivable"))
            ),
            user,
        ),
        filterset_class=PaymentFilter,
        template="sales/payment_list.html",
        fragment="sales/_payment_table.html",
        sort={
            "received_on": "received_on",
            "customer": "customer__name",
            "amount": "amount",
            "method": "method",
        },
        export=(
            "payments",
            [
                _("Payment"),
                _("Received on"),
                _("Customer"),
                _("Amount"),
                _("Method"),
                _("Reverses"),
                _("Note"),
            ],
            lambda p: [
                p.pk,
                p.received_on,
                p.customer.name,
                p.amount,
                p.get_method_display(),
                p.reverses_id,
                p.note,
            ],
        ),
        extra={"form": form, "reverse_form": ReverseForm(), "next": next_url(request)},
    )


@require_POST
@role_required(*MONEY_ROLES)
def payment_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_visible_or_404(Payment.objects.all(), request.user, pk=pk)
    form = ReverseForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why the payment is reversed."))
        services.payment_reverse(payment=payment, reason=form.cleaned_data["reason"], by=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Payment #%(id)s reversed.") % {"id": payment.pk})
    return redirect("sales:payments")


@role_required(*MONEY_ROLES, Role.CONSULTANT)
def receivables(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    open_ = visible(Receivable.objects.filter(cancelled=False, paid__lt=F("amount")), user)
    return list_page(
        request,
        queryset=open_.select_related("customer", "responsible", "order", "store").order_by("due_date", "pk"),
        filterset_class=ReceivableFilter,
        template="sales/receivables.html",
        fragment="sales/_receivables_body.html",
        sort={"due_date": "due_date", "customer": "customer__name", "responsible": "responsible__name"},
        export=(
            "receivables",
            [
                _("Receivable"),
                _("Order"),
                _("Customer"),
                _("Responsible"),
                _("Due date"),
                _("Amount"),
                _("Paid"),
                _("Balance"),
                _("Days overdue"),
                _("Aging"),
            ],
            lambda r: [
                r.pk,
                r.order_id,
                r.customer.name,
                str(r.responsible),
                r.due_date,
                r.amount,
                r.paid,
                r.balance,
                selectors.days_overdue(r),
                selectors.bucket_of(selectors.days_overdue(r)),
            ],
        ),
        summary=lambda rows: {
            "totals": selectors.aging(rows),
            "by_consultant": selectors.aging(rows, "responsible__id,responsible__name,responsible__username"),
            "by_customer": selectors.aging(rows, "customer__id,customer__name")[:20],
        },
        extra={"buckets": selectors.BUCKETS, "many_stores": len(store_ids(user)) > 1},
    )


@role_required(Role.MANAGER)
def receivables_hand_over(request: HttpRequest) -> HttpResponse:
    """Hand a consultant's open receivables to another, without his customers."""
    user: Any = request.user
    store = Store.objects.filter(pk__in=store_ids(user)).order_by("pk").first()
    if store is None:
        raise PermissionDenied
    form = HandOverForm(request.POST or None, store=store)
    if request.method == "POST" and form.is_valid():
        try:
            n = services.receivables_hand_over_all(store=store, by=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(n)d receivables handed over.") % {"n": n})
            return redirect("sales:receivables")
    return render(request, "sales/hand_over.html", {"form": form, "store": store})
