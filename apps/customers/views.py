"""Pages: thin — scope → form/filter → service/selector → template."""

from itertools import islice
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db.models import Case, F, When
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.org import timeline
from apps.org.forms import add_service_error
from apps.org.http import redirect_back
from apps.org.listing import list_page
from apps.org.models import Store
from apps.org.permissions import role_required
from apps.org.returning import back, next_url
from apps.org.roles import Role
from apps.org.scoping import get_visible_or_404, store_ids, visible

from . import selectors, services
from .filters import CampaignFilter, CustomerFilter, OpportunityFilter, PoolFilter
from .forms import (
    CampaignForm,
    CreditForm,
    CustomerForm,
    EvaluationCardForm,
    ImportForm,
    OpportunityForm,
    SettingsForm,
    StageForm,
    StrategyCardForm,
    TransferAllForm,
    TransferForm,
)
from .models import Campaign, Customer, Kind, Opportunity, Routing
from .search import match_query

READERS = (
    Role.MANAGER,
    Role.CONSULTANT,
    Role.CUSTOMER_SERVICE,
    Role.SERVICE_ADVISOR,
    Role.MARKETING,
    Role.FINANCE,
)
SALES = (Role.MANAGER, Role.CONSULTANT)


def _home_store(user: Any) -> Store:
    store = Store.objects.filter(pk__in=store_ids(user)).order_by("pk").first()
    if store is None:
        raise PermissionDenied
    return store


def _campaigns(user: Any) -> Any:
    return Campaign.objects.filter(store__in=store_ids(user))


# ---------------------------------------------------------------- customers


@role_required(*READERS)
def customer_list(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        # Who to call first: prospects, by follow-up date (overdue, today, soon), then the rest.
        queryset=selectors.customer_list(request.user).order_by(
            Case(When(status="prospect", then=0), default=1),
            F("next_follow_up").asc(nulls_last=True),
            "name",
            "pk",
        ),
        filterset_class=CustomerFilter,
        template="customers/customer_list.html",
        fragment="customers/_customer_table.html",
        sort={
            "name": "name",
            "mobile": "mobile",
            "grade": "grade",
            "status": "status",
            "owner": "owner__name",
            "next_follow_up": "next_follow_up",
            "created": "created_at",
        },
        export=(
            "customers",
            [
                _("Name"),
                _("Mobile"),
                _("Kind"),
                _("Grade"),
                _("Status"),
                _("Source"),
                _("Owner"),
                _("Next follow-up"),
                _("Outstanding"),
                _("Overdue"),
                _("Created"),
            ],
            lambda c: [
                c.name,
                c.mobile,
                c.get_kind_display(),
                c.grade,
                c.get_status_display(),
                c.get_source_display(),
                str(c.owner or ""),
                c.next_follow_up,
                c.outstanding,
                c.overdue,
                timezone.localtime(c.created_at).date(),
            ],
        ),
        extra={"can_create": request.user.has_role(*SALES)},  # type: ignore[union-attr]
    )


def _timeline(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    """One page of the customer's timeline (one query); a bad cursor or kind is a 400."""
    kind = request.GET.get("kind", "")
    try:
        events, cursor = timeline.page(
            customer_id=customer.pk,
            user=request.user,
            kinds=[kind] if kind else None,
            cursor=request.GET.get("cursor") or None,
        )
    except ValueError as exc:
        raise BadRequest(_("Unknown timeline filter or page.")) from exc
    more = None
    if cursor:
        more = "?" + urlencode({k: v for k, v in (("kind", kind), ("cursor", cursor)) if v})
    return {"events": events, "more": more, "kind": kind}


@role_required(*READERS)
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if request.headers.get("HX-Request") == "true":  # the timeline's filter and "older" link
        found = get_visible_or_404(Customer.objects.all(), request.user, pk=pk)
        return render(request, "customers/_timeline.html", _timeline(request, found))
    customer = get_visible_or_404(
        selectors.with_story(selectors.customer_list(request.user)), request.user, pk=pk
    )
    user: Any = request.user
    context = {
        "customer": customer,
        "today": timezone.localdate(),
        **_timeline(request, customer),
        "kinds": timeline.kinds_for(user),
        "actions": timeline.actions_for(user, customer.pk, request.get_full_path()),
        "open_opportunity": customer.opportunities.exclude(stage__in=["delivered", "lost"])
        .select_related("vehicle_model")
        .first(),
        "opportunities": customer.opportunities.select_related("vehicle_model", "owner"),
        "credit_history": customer.history.select_related("history_user", "owner").order_by("-history_date")[
            :20
        ],
        "can_edit": user.has_role(*SALES),
        "can_transfer": user.has_role(Role.MANAGER),
        "can_credit": user.has_role(Role.MANAGER, Role.FINANCE),
        "is_key_account": customer.kind == Kind.COMPANY,
        "strategy_card": getattr(customer, "strategy_card", None) if customer.kind == Kind.COMPANY else None,
        "evaluation_cards": customer.evaluation_cards.all()[:12],
        "referrals": selectors.referrals_of(customer),
        "transfer_form": TransferForm(store=customer.store),
        "credit_form": CreditForm(
            initial={"credit_limit": customer.credit_limit, "credit_rating": customer.credit_rating}
        ),
    }
    return render(request, "customers/customer_detail.html", context)


@role_required(*SALES)
def customer_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user: Any = request.user
    instance = get_visible_or_404(Customer.objects.all(), user, pk=pk) if pk else None
    form = CustomerForm(
        request.POST or None,
        instance=instance,
        campaigns=_campaigns(user),
        referrers=visible(Customer.objects.all(), user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            if instance:
                customer = services.customer_update(customer=instance, by=user, **form.cleaned_data)
            else:
                data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
                customer = services.customer_create(store=_home_store(user), owner=user, by=user, **data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": customer})
            return redirect("customers:detail", customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "object": instance})


@require_POST
@role_required(Role.MANAGER)
def customer_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_visible_or_404(Customer.objects.all(), request.user, pk=pk)
    form = TransferForm(request.POST, store=customer.store)
    if form.is_valid():
        try:
            services.customer_transfer(customer=customer, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Transferred to %(owner)s.") % {"owner": form.cleaned_data["to_owner"]}
            )
    else:
        messages.error(request, _("Choose the new owner and give a reason."))
    return redirect("customers:detail", customer.pk)


@role_required(Role.MANAGER)
def customer_transfer_all(request: HttpRequest) -> HttpResponse:
    store = _home_store(request.user)
    form = TransferAllForm(request.POST or None, store=store)
    if request.method == "POST" and form.is_valid():
        try:
            n = services.customer_transfer_all(store=store, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(n)d customers transferred.") % {"n": n})
            return redirect("customers:list")
    return render(request, "customers/transfer_all.html", {"form": form})


@require_POST
@role_required(Role.MANAGER, Role.FINANCE)
def customer_credit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_visible_or_404(Customer.objects.all(), request.user, pk=pk)
    form = CreditForm(request.POST)
    if form.is_valid():
        try:
            services.customer_update(customer=customer, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Credit terms saved."))
    else:
        messages.error(request, _("Enter a credit limit of zero or more."))
    return redirect("customers:detail", customer.pk)


@role_required(*SALES)
def pool(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        queryset=selectors.pool(request.user),
        filterset_class=PoolFilter,
        template="customers/pool.html",
        fragment="customers/_pool_table.html",
        sort={"name": "name", "grade": "grade", "source": "source", "last_contact": "last_contact_at"},
        export=(
            "pool",
            [_("Name"), _("Grade"), _("Source"), _("Status"), _("Last contact"), _("Created")],
            lambda c: [
                c.name,
                c.get_grade_display(),
                c.get_source_display(),
                c.get_status_display(),
                c.last_contact_at,
                c.created_at,
            ],
        ),
    )


@require_POST
@role_required(*SALES)
def pool_claim(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.pool(request.user).filter(pk=pk).first()
    if customer is None:
        raise Http404
    try:
        services.customer_claim(customer=customer, by=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("customers:pool")
    messages.success(request, _("%(name)s is yours now.") % {"name": customer.name})
    return redirect("customers:detail", customer.pk)


@role_required(*SALES)
def my_day(request: HttpRequest) -> HttpResponse:
    """The consultant's work list: today's follow-ups first, then the overdue ones, then
    the week ahead; every row carries the actions of the customer file."""
    day = selectors.my_day(request.user)
    back = request.get_full_path()
    sections = []
    for key, label in (
        ("due", _("Due today")),
        ("overdue", _("Overdue follow-ups")),
        ("upcoming", _("Next 7 days")),
    ):
        rows = list(day[key])
        for c in rows:
            c.actions = timeline.actions_for(request.user, c.pk, back)  # type: ignore[attr-defined]
        sections.append({"key": key, "label": label, "rows": rows})
    return render(request, "customers/my_day.html", {"sections": sections, "today": timezone.localdate()})


# ---------------------------------------------------------------- opportunities


@role_required(*SALES)
def opportunity_edit(
    request: HttpRequest, customer_pk: int | None = None, pk: int | None = None
) -> HttpResponse:
    user: Any = request.user
    instance = get_visible_or_404(Opportunity.objects.select_related("customer"), user, pk=pk) if pk else None
    customer = (
        instance.customer if instance else get_visible_or_404(Customer.objects.all(), user, pk=customer_pk)
    )
    form = OpportunityForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if instance:
                opp = services.opportunity_update(opportunity=instance, by=user, **data)
            else:
                opp = services.opportunity_create(customer=customer, by=user, **data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if opp.routed_to == Routing.NURTURE:
                messages.info(
                    request,
                    _(
                        "Score %(score)d is below the store threshold: "
                        "the opportunity goes to marketing's nurture pool."
                    )
                    % {"score": opp.score},
                )
            else:
                messages.success(request, _("Opportunity saved, score %(score)d.") % {"score": opp.score})
            return redirect(back(request, "customers:detail", customer.pk))
    return render(
        request,
        "customers/opportunity_form.html",
        {"form": form, "customer": customer, "object": instance, "next": next_url(request)},
    )


@require_POST
@role_required(*SALES, Role.MARKETING)
def opportunity_stage(request: HttpRequest, pk: int) -> HttpResponse:
    opp = get_visible_or_404(Opportunity.objects.all(), request.user, pk=pk)
    form = StageForm(request.POST)
    if form.is_valid():
        try:
            services.opportunity_set_stage(opportunity=opp, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect_back(request, "customers:pipeline")


@role_required(*SALES)
def pipeline(request: HttpRequest) -> HttpResponse:
    qs = visible(Opportunity.objects.all(), request.user)
    filterset = OpportunityFilter(request.GET or None, queryset=qs, request=request)
    if filterset.is_bound and filterset.is_valid():
        qs = filterset.qs
    return render(
        request, "customers/pipeline.html", {"columns": selectors.pipeline(qs), "filter": filterset}
    )


@role_required(Role.MANAGER, Role.MARKETING)
def funnel(request: HttpRequest) -> HttpResponse:
    qs = visible(Opportunity.objects.all(), request.user)
    return render(
        request,
        "customers/funnel.html",
        {"steps": selectors.funnel(qs), "lost": selectors.lost_reasons(qs)},
    )


@role_required(Role.MARKETING, Role.MANAGER)
def nurture(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        queryset=visible(
            Opportunity.objects.filter(routed_to=Routing.NURTURE).select_related("customer", "vehicle_model"),
            request.user,
        ),
        filterset_class=OpportunityFilter,
        template="customers/nurture.html",
        fragment="customers/_nurture_table.html",
        sort={
            "customer": "customer__name",
            "model": "vehicle_model__name",
            "score": "score",
            "stage": "stage",
            "updated": "updated_at",
        },
        export=(
            "nurture",
            [_("Customer"), _("Mobile"), _("Vehicle model"), _("Score"), _("Stage"), _("Updated")],
            lambda o: [
                o.customer.name,
                o.customer.mobile,
                o.vehicle_model or "",
                o.score,
                o.get_stage_display(),
                o.updated_at,
            ],
        ),
    )


# ---------------------------------------------------------------- campaigns, settings, cards


@role_required(Role.MANAGER, Role.MARKETING)
def campaigns(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_save(store=_home_store(user), **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("customers:campaigns")
    source_rows = selectors.source_stats(
        visible(Customer.objects.all(), user), visible(Campaign.objects.all(), user)
    )
    return list_page(
        request,
        queryset=selectors.campaign_rows(visible(Campaign.objects.select_related("store"), user)).order_by(
            "-starts_on", "pk"
        ),
        filterset_class=CampaignFilter,
        template="customers/campaigns.html",
        fragment="customers/_campaign_table.html",
        sort={
            "name": "name",
            "starts_on": "starts_on",
            "cost": "cost",
            "leads": "leads",
            "qualified_rate": "qualified_rate",
            "conversion": "conversion",
            "cost_per_lead": "cost_per_lead",
            "cost_per_deal": "cost_per_deal",
        },
        export=(
            "campaigns",
            [
                _("Campaign"),
                _("Channel"),
                _("Store"),
                _("Starts on"),
                _("Ends on"),
                _("Cost"),
                _("Leads"),
                _("Qualified"),
                _("Deals"),
                _("Qualified rate"),
                _("Conversion"),
                _("Cost per lead"),
                _("Cost per deal"),
            ],
            lambda c: [
                c.name,
                c.get_source_display(),
                str(c.store),
                c.starts_on,
                c.ends_on,
                c.cost,
                c.leads,
                c.qualified,
                c.deals,
                c.qualified_rate,
                c.conversion,
                c.cost_per_lead,
                c.cost_per_deal,
            ],
        ),
        extra={"form": form, "sources": source_rows},
    )


@role_required(Role.MANAGER)
def settings_edit(request: HttpRequest) -> HttpResponse:
    store = _home_store(request.user)
    current = services.settings_for(store)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_settings_save(store=store, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("customers:settings")
    return render(request, "customers/settings.html", {"form": form, "store": store})


@role_required(*SALES)
def strategy_card(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_visible_or_404(Customer.objects.filter(kind=Kind.COMPANY), request.user, pk=pk)
    form = StrategyCardForm(request.POST or None, instance=getattr(customer, "strategy_card", None))
    if request.method == "POST" and form.is_valid():
        services.strategy_card_save(customer=customer, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        messages.success(request, _("Strategy card saved."))
        return redirect("customers:detail", customer.pk)
    return render(
        request, "customers/card_form.html", {"form": form, "customer": customer, "title": _("Strategy card")}
    )


@role_required(*SALES)
def evaluation_card(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_visible_or_404(Customer.objects.filter(kind=Kind.COMPANY), request.user, pk=pk)
    form = EvaluationCardForm(request.POST or None, initial={"month": timezone.localdate().strftime("%Y-%m")})
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_card_save(customer=customer, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Monthly evaluation card saved."))
            return redirect("customers:detail", customer.pk)
    return render(
        request,
        "customers/card_form.html",
        {"form": form, "customer": customer, "title": _("Monthly evaluation card")},
    )


IMPORT_MAX_ROWS = 1000


@role_required(*SALES)
def customer_import(request: HttpRequest) -> HttpResponse:
    """Register customers from an Excel sheet; each bad row is reported, the rest are kept."""
    from openpyxl import load_workbook

    user: Any = request.user
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            book = load_workbook(form.cleaned_data["file"], read_only=True, data_only=True)
            sheet = book.active
            assert sheet is not None
            # Read one row past the limit, never the whole sheet: a 100k-row upload is
            # refused after IMPORT_MAX_ROWS + 2 rows, not after reading all of it.
            values = list(islice(sheet.iter_rows(values_only=True), IMPORT_MAX_ROWS + 2))
        except Exception:  # noqa: BLE001 — any unreadable upload is the user's input error
            form.add_error("file", _("This is not an Excel (.xlsx) file."))
        else:
            if len(values) > IMPORT_MAX_ROWS + 1:
                form.add_error(
                    "file",
                    _("A sheet may have at most %(n)d customers; split it into several files.")
                    % {"n": IMPORT_MAX_ROWS},
                )
                return render(request, "customers/import.html", {"form": form, "errors": errors})
            header = [str(h or "").strip().lower() for h in (values[0] if values else [])]
            if "name" not in header or "mobile" not in header:
                form.add_error(
                    "file", _("The first row must name the columns, with at least name and mobile.")
                )
            else:
                rows = [dict(zip(header, row, strict=False)) for row in values[1:]]
                created, errors = services.customers_import(store=_home_store(user), owner=user, rows=rows)
                messages.success(request, _("%(n)d customers registered.") % {"n": created})
                if not errors:
                    return redirect("customers:list")
    return render(request, "customers/import.html", {"form": form, "errors": errors})


@role_required(*READERS)
def customer_pick(request: HttpRequest) -> JsonResponse:
    """JSON for the searchable customer pickers: the user's customers matching the typed
    name or mobile, with mobile, store and owner — and the open balance with `balance=1`.
    One query, at most 20 rows."""
    q = " ".join(request.GET.get("q", "").split())[:50]
    if not q:
        return JsonResponse({"results": []})
    qs = selectors.customer_list(request.user).filter(match_query(q)).order_by("name", "pk")[:20]
    with_balance = request.GET.get("balance") == "1"
    results = []
    c: Any
    for c in qs:
        detail = [c.mobile, str(c.store), str(c.owner or _("Public pool"))]
        if with_balance:
            detail.append(_("open %(amount)s") % {"amount": f"¥{c.outstanding:,.2f}"})
        results.append({"value": c.pk, "text": c.name, "detail": " · ".join(detail)})
    return JsonResponse({"results": results})


@require_POST
@role_required(*SALES)
def referral_reward(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the reward the referrer of this (converted) customer got."""
    referral = get_visible_or_404(Customer.objects.all(), request.user, pk=pk)
    try:
        services.referral_reward_record(
            referral=referral,
            by=request.user,  # type: ignore[arg-type]
            reward=request.POST.get("reward", ""),
            value=request.POST.get("value") or 0,
        )
    except (ValidationError, ArithmeticError, ValueError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [_("Give the value as a number.")])))
    else:
        messages.success(request, _("Reward recorded."))
    return redirect("customers:detail", pk=referral.referred_by_id or referral.pk)
