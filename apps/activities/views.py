"""Pages for rep activity. Thin: scope → form/filter → service/selector → template."""

from datetime import date, timedelta
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.customers.models import Customer, Opportunity, Status
from apps.org.http import record_id
from apps.org.listing import list_page
from apps.org.models import Store, User
from apps.org.permissions import role_required
from apps.org.returning import back, next_url
from apps.org.roles import Role
from apps.org.scoping import get_visible_or_404, visible

from . import selectors, services
from .filters import (
    DailyReportFilter,
    EscalationFilter,
    MarketReportFilter,
    MonthlySummaryFilter,
    VisitFilter,
)
from .forms import (
    ActivitySettingsForm,
    AnswerForm,
    CommentForm,
    DailyReportForm,
    MarketReportForm,
    MonthlySummaryForm,
    PlannedVisitForm,
    VisitForm,
)
from .models import DailyReport, Escalation, MarketReport, MonthlySummary, PlannedVisit, RoutePlan, Visit

C = Role.CONSULTANT
M = Role.MANAGER


def _me(request: HttpRequest) -> User:
    """The signed-in user (role_required has made sure there is one)."""
    return cast(User, request.user)


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    """A service's refusal lands on the field it names (or on the whole form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _day(value: str | None, default: date) -> date:
    try:
        parsed = parse_date(value) if value else None
    except ValueError:  # well-formed but impossible, e.g. 2026-13-45
        parsed = None
    if parsed is not None and not date.min < parsed < date.max:
        parsed = None  # the page links the day before and after: keep one either side
    return parsed or default


# ---------------------------------------------------------------- visits


@role_required(C, M)
def visit_list(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        queryset=visible(Visit.objects.select_related("customer", "consultant"), _me(request)),
        filterset_class=VisitFilter,
        template="activities/visit_list.html",
        fragment="activities/_visit_table.html",
        sort={
            "start": "started_at",
            "consultant": "consultant__name",
            "customer": "customer__name",
            "channel": "channel",
            "minutes": "minutes",
        },
        export=(
            "visits",
            [
                _("Start"),
                _("End"),
                _("Minutes"),
                _("Consultant"),
                _("Customer"),
                _("Channel"),
                _("Purpose"),
                _("Result"),
                _("Next step"),
                _("Next follow-up"),
                _("Expense"),
                _("Entered"),
                _("Late"),
            ],
            lambda v: [
                timezone.localtime(v.started_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(v.ended_at).strftime("%Y-%m-%d %H:%M"),
                v.minutes,
                str(v.consultant),
                v.customer.name,
                v.get_channel_display(),
                v.purpose,
                v.result,
                v.next_step,
                v.next_follow_up,
                v.expense,
                timezone.localtime(v.entered_at).strftime("%Y-%m-%d %H:%M"),
                _("yes") if v.late else _("no"),
            ],
        ),
        extra={"is_consultant": _me(request).role == C},
    )


def _recent_customers(user: Any) -> list[Customer]:
    """One-tap choices: the consultant's follow-ups due today, then the overdue ones; never
    a customer already delivered (bought, no open opportunity) or lost."""
    today = timezone.localdate()
    open_opportunity = Opportunity.objects.filter(customer=OuterRef("pk")).exclude(
        stage__in=["delivered", "lost"]
    )
    return list(
        visible(Customer.objects.all(), user)
        .filter(owner=user, next_follow_up__lte=today)
        .exclude(status=Status.LOST)
        .filter(Q(status=Status.PROSPECT) | Exists(open_opportunity))
        .order_by(
            ExpressionWrapper(Q(next_follow_up=today), output_field=BooleanField()).desc(),
            "next_follow_up",
            "grade",
        )[:6]
    )


@role_required(C)
def visit_new(request: HttpRequest) -> HttpResponse:
    # Opened from a customer's file or "My day": that customer is already chosen.
    preset = None
    if request.method == "GET" and (pk := record_id(request.GET.get("customer"))) is not None:
        preset = get_visible_or_404(Customer.objects.all(), _me(request), pk=pk)
    form = VisitForm(
        request.POST or None, user=_me(request), initial={"customer": preset} if preset else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_log(consultant=_me(request), **form.service_kwargs())
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            note = _("Visit to %(customer)s saved.") % {"customer": visit.customer}
            if visit.late:
                note += " " + _("It was entered late.")
            messages.success(request, note)
            return redirect(back(request, "activities:visit_new"))
    chosen = form.cleaned_data.get("customer") if form.is_bound and hasattr(form, "cleaned_data") else preset
    opportunities = None
    if chosen is not None:
        opportunities = list(
            visible(Opportunity.objects.select_related("vehicle_model"), _me(request))
            .filter(customer=chosen)
            .exclude(stage__in=["delivered", "lost"])
        )
    return render(
        request,
        "activities/visit_form.html",
        {
            "form": form,
            "chosen": chosen,
            "opportunities": opportunities,
            "next": next_url(request),
            "unread": selectors.unread_comments(_me(request)),
        },
    )


@role_required(C, M)
def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visible_or_404(
        Visit.objects.select_related("customer", "consultant", "opportunity"), _me(request), pk=pk
    )
    can_edit = _me(request).pk == visit.consultant_id and not services.visit_locked(visit)
    initial = {
        "customer": visit.customer,
        "channel": visit.channel,
        "started_at": timezone.localtime(visit.started_at),
        "ended_at": timezone.localtime(visit.ended_at),
        "purpose": visit.purpose,
        "result": visit.result,
        "next_step": visit.next_step,
        "next_follow_up": visit.next_follow_up,
        "expense": visit.expense,
        "opportunity": visit.opportunity,
    }
    form = VisitForm(request.POST or None, user=_me(request), editing=True, initial=initial)
    if request.method == "POST":
        if not can_edit:
            form.add_error(None, _("This visit cannot be changed any more."))
        elif form.is_valid():
            try:
                services.visit_update(visit=visit, by=_me(request), **form.service_kwargs())
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Visit saved."))
                return redirect("activities:visit_list")
    history = visit.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "activities/visit_edit.html",
        {"form": form, "visit": visit, "can_edit": can_edit, "history": history},
    )


@role_required(C)
def customer_search(request: HttpRequest) -> HttpResponse:
    """htmx: the consultant's customers matching the typed name or mobile, as tap targets."""
    q = request.GET.get("q", "").strip()
    if q:
        found = list(
            visible(Customer.objects.all(), _me(request))
            .filter(Q(owner=_me(request)) | Q(owner__isnull=True))
            .filter(Q(name__icontains=q) | Q(mobile__contains=q))
            .exclude(status=Status.LOST)
            .order_by("name")[:8]
        )
    else:
        found = _recent_customers(_me(request))
    return render(request, "activities/_customer_choices.html", {"customers": found, "q": q})


@role_required(C)
def customer_opportunities(request: HttpRequest) -> HttpResponse:
    """htmx: the chosen customer's open opportunities, for the stage a visit moves."""
    opps = list(
        visible(Opportunity.objects.select_related("vehicle_model"), _me(request))
        .filter(customer_id=record_id(request.GET.get("customer")) or 0)
        .exclude(stage__in=["delivered", "lost"])
    )
    form = VisitForm(user=_me(request))
    return render(request, "activities/_opportunity_fields.html", {"opportunities": opps, "form": form})


# ---------------------------------------------------------------- daily reports


@role_required(C, M)
def report_list(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    # Who has not submitted for the day the list ends on (today unless "to" is set).
    day = _day(request.GET.get("date_to"), timezone.localdate())
    oversees = me.role != C or me.led_teams.exists()
    return list_page(
        request,
        queryset=selectors.with_day_figures(visible(DailyReport.objects.select_related("consultant"), me)),
        filterset_class=DailyReportFilter,
        template="activities/report_list.html",
        fragment="activities/_report_table.html",
        sort={"date": "date", "consultant": "consultant__name", "submitted": "submitted_at"},
        export=(
            "daily-reports",
            [
                _("Date"),
                _("Consultant"),
                _("Submitted"),
                _("On time"),
                _("Visits"),
                _("Orders"),
                _("Collections (CNY)"),
                _("Problems"),
                _("Help needed"),
                _("Market notes"),
                _("Manager's comment"),
            ],
            lambda r: [
                r.date,
                r.consultant,
                r.submitted_at,
                r.on_time,
                r.visits_count,
                r.orders_count,
                r.payments_total,
                r.problems,
                r.help_needed,
                r.market_notes,
                r.manager_comment,
            ],
        ),
        extra={
            "is_consultant": me.role == C,
            "missing_day": day,
            "missing": selectors.missing_reports(me, day) if oversees else None,
        },
    )


@role_required(C)
def report_day(request: HttpRequest, day: str | None = None) -> HttpResponse:
    """The consultant's report for a day, pre-filled from the day's records."""
    today = timezone.localdate()
    on = _day(day, today)
    if on > today:
        raise Http404
    report = DailyReport.objects.filter(consultant=_me(request), date=on).first()
    initial = {f: getattr(report, f) for f in ("problems", "help_needed", "market_notes")} if report else {}
    form = DailyReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            report = services.daily_report_save(
                consultant=_me(request),
                date=on,
                submit=submit,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            if submit:
                messages.success(
                    request,
                    _("Report submitted on time.")
                    if report.on_time
                    else _("Report submitted after the cut-off."),
                )
            else:
                messages.success(request, _("Draft saved."))
            return redirect("activities:report_day", day=on.isoformat())
    unread = bool(report and report.comment_unread)
    if report is not None:
        services.daily_report_mark_read(report=report, by=_me(request))
    return render(
        request,
        "activities/report_day.html",
        {
            "form": form,
            "report": report,
            "day": on,
            "figures": selectors.day_figures(_me(request), on),
            "deadline": services.report_deadline(services.default_store(_me(request)).pk, on),
            "unread": unread,
            "comments": report.comments.select_related("author") if report else [],
            "reply_form": CommentForm(),
            "previous": on - timedelta(days=1),
            "next": on + timedelta(days=1) if on < today else None,
        },
    )


@role_required(C, M)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_visible_or_404(
        DailyReport.objects.select_related("consultant", "commented_by"), _me(request), pk=pk
    )
    if _me(request).pk == report.consultant_id:
        return redirect("activities:report_day", day=report.date.isoformat())
    form = CommentForm(request.POST or None)
    is_manager = _me(request).has_role(M)
    if request.method == "POST" and is_manager and form.is_valid():
        try:
            services.daily_report_comment(
                report=report, by=_me(request), comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Comment sent to %(name)s.") % {"name": report.consultant})
            return redirect(back(request, "activities:team"))
    return render(
        request,
        "activities/report_detail.html",
        {
            "report": report,
            "figures": selectors.day_figures(report.consultant, report.date),
            "form": form,
            "comments": report.comments.select_related("author"),
            "can_comment": is_manager,
            "next": next_url(request),
        },
    )


@require_POST
@role_required(C)
def report_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The consultant answers the comments on his own report."""
    report = get_object_or_404(DailyReport, pk=pk, consultant=_me(request))
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.daily_report_reply(report=report, by=_me(request), comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Reply sent."))
    else:
        messages.error(request, _("Write a comment."))
    return redirect("activities:report_day", day=report.date.isoformat())


# ---------------------------------------------------------------- team view


@require_POST
@role_required(M)
def summary_comment(request: HttpRequest, pk: int) -> HttpResponse:
    summary = get_visible_or_404(MonthlySummary.objects.all(), _me(request), pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.monthly_summary_comment(
                summary=summary, by=_me(request), comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Comment sent to %(name)s.") % {"name": summary.consultant})
    else:
        messages.error(request, _("Write a comment."))
    return redirect("activities:summaries")


@role_required(M)
def team(request: HttpRequest) -> HttpResponse:
    return render(request, "activities/team.html", selectors.team_view(_me(request)))


# ---------------------------------------------------------------- route plans


@role_required(C, M)
def route_plan(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    monday = services.week_start_of(_day(request.GET.get("week"), today))
    context: dict[str, Any] = {
        "monday": monday,
        "prev": monday - timedelta(days=7),
        "next": monday + timedelta(days=7),
    }
    if _me(request).role != C:
        plans = selectors.with_adherence(
            visible(RoutePlan.objects.select_related("consultant"), _me(request)).filter(week_start=monday)
        )
        context["plans"] = plans
        return render(request, "activities/route_team.html", context)
    form = PlannedVisitForm(request.POST or None, user=_me(request), initial={"date": max(today, monday)})
    if request.method == "POST" and form.is_valid():
        plan = services.route_plan_get_or_create(consultant=_me(request), week_start=monday)
        try:
            services.planned_visit_add(plan=plan, by=_me(request), **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            return redirect(f"{request.path}?week={monday.isoformat()}")
    current = RoutePlan.objects.filter(consultant=_me(request), week_start=monday).first()
    stops = list(selectors.route_plan_stops(current)) if current else []
    days = [
        {
            "date": monday + timedelta(days=i),
            "stops": [s for s in stops if s.date == monday + timedelta(days=i)],
        }
        for i in range(7)
    ]
    context.update(
        {
            "form": form,
            "plan": current,
            "days": days,
            "adherence": selectors.adherence(stops),
            "done": sum(1 for s in stops if getattr(s, "done", False)),
            "planned": len(stops),
            "today": today,
        }
    )
    return render(request, "activities/route_plan.html", context)


@require_POST
@role_required(C)
def route_stop_remove(request: HttpRequest, pk: int) -> HttpResponse:
    stop = get_visible_or_404(PlannedVisit.objects.select_related("plan"), _me(request), pk=pk)
    try:
        services.planned_visit_remove(stop=stop, by=_me(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(f"/activities/routes/?week={stop.plan.week_start.isoformat()}")


# ---------------------------------------------------------------- monthly summaries


@role_required(C, M)
def summaries(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    qs = visible(MonthlySummary.objects.select_related("consultant"), _me(request))
    form = None
    if _me(request).role == C:
        month = _day(
            request.GET.get("month", "") + "-01" if request.GET.get("month") else None, today.replace(day=1)
        )
        current = qs.filter(consultant=_me(request), month=month).first()
        initial: dict[str, Any] = {"month": month}
        if current:
            initial.update(summary=current.summary, key_points=current.key_points)
        form = MonthlySummaryForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.monthly_summary_save(consultant=_me(request), **form.cleaned_data)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Summary saved."))
                return redirect("activities:summaries")
    return list_page(
        request,
        queryset=qs.order_by("-month", "consultant__name", "pk"),
        filterset_class=MonthlySummaryFilter,
        template="activities/summaries.html",
        fragment="activities/_summary_list.html",
        per_page=12,
        sort={"month": "month", "consultant": "consultant__name"},
        export=(
            "monthly-summaries",
            [
                _("Month"),
                _("Consultant"),
                _("Work summary"),
                _("Next month's key points"),
                _("Manager's comment"),
            ],
            lambda s: [f"{s.month:%Y-%m}", s.consultant, s.summary, s.key_points, s.manager_comment],
        ),
        extra={"form": form, "can_comment": _me(request).has_role(M)},
    )


# ---------------------------------------------------------------- market reports

MARKET_READERS = (C, M, Role.MARKETING)


@role_required(*MARKET_READERS)
def market_feed(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        queryset=visible(MarketReport.objects.select_related("consultant"), _me(request)),
        filterset_class=MarketReportFilter,
        template="activities/market_feed.html",
        fragment="activities/_market_table.html",
        export=(
            "market-reports",
            [
                _("Date"),
                _("Consultant"),
                _("Brand"),
                _("Model"),
                _("Retail price"),
                _("Transaction price"),
                _("Discount"),
                _("Quality feedback"),
                _("Trend"),
                _("Customer needs"),
                _("Dealer requirements"),
                _("Tags"),
            ],
            lambda r: [
                r.date,
                str(r.consultant),
                r.competitor_brand,
                r.competitor_model,
                r.retail_price,
                r.transaction_price,
                r.discount,
                r.quality_feedback,
                r.trend,
                r.customer_needs,
                r.dealer_requirements,
                " ".join(r.tag_list),
            ],
        ),
        extra={"can_write": _me(request).role == C},
    )


@role_required(C)
def market_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    instance = get_visible_or_404(MarketReport.objects.all(), _me(request), pk=pk) if pk else None
    form = MarketReportForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.market_report_save(consultant=_me(request), instance=instance, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Market report saved."))
            return redirect("activities:market_feed")
    return render(request, "activities/market_form.html", {"form": form, "object": instance})


@role_required(*MARKET_READERS)
def market_prices(request: HttpRequest) -> HttpResponse:
    filterset = MarketReportFilter(
        request.GET or None, queryset=visible(MarketReport.objects.all(), _me(request)), request=request
    )
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    return render(
        request,
        "activities/market_prices.html",
        {"filter": filterset, "rows": selectors.price_comparison(qs)},
    )


# ---------------------------------------------------------------- escalations


@role_required(C, M)
def escalations(request: HttpRequest) -> HttpResponse:
    qs = visible(Escalation.objects.select_related("raised_by", "assigned_to", "report"), _me(request))
    show = request.GET.get("show", "open")
    if show == "open":
        qs = qs.filter(answered_at__isnull=True)
    return list_page(
        request,
        queryset=qs.order_by("-raised_at", "pk"),
        filterset_class=EscalationFilter,
        template="activities/escalations.html",
        fragment="activities/_escalation_list.html",
        sort={"raised": "raised_at", "raised_by": "raised_by__name", "answered": "answered_at"},
        export=(
            "escalations",
            [_("Raised"), _("Raised by"), _("Assigned to"), _("Problem"), _("Answer"), _("Answered")],
            lambda e: [e.raised_at, e.raised_by, e.assigned_to or "", e.question, e.answer, e.answered_at],
        ),
        extra={
            "stats": selectors.escalation_stats(_me(request)),
            "show": show,
            "can_answer": _me(request).has_role(M),
            "answer_form": AnswerForm(),
        },
    )


@require_POST
@role_required(M)
def escalation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = get_visible_or_404(Escalation.objects.all(), _me(request), pk=pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.escalation_answer(
                escalation=escalation, by=_me(request), answer=form.cleaned_data["answer"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Answer sent."))
    else:
        messages.error(request, _("Write an answer."))
    return redirect("activities:escalations")


# ---------------------------------------------------------------- settings


@role_required(M)
def activity_settings(request: HttpRequest) -> HttpResponse:
    """A manager sets his store's late-entry allowance, report cut-off and lock window."""
    stores = visible(Store.objects.all(), _me(request))
    pk = record_id(request.GET.get("store"))
    first = {"pk__in": stores.order_by("pk").values("pk")[:1]}
    lookup: dict[str, Any] = {"pk": pk} if pk is not None else first
    store = get_visible_or_404(Store.objects.all(), _me(request), **lookup)
    current = services.settings_for(store)
    form = ActivitySettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_settings_save(store=store, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Settings saved for %(store)s.") % {"store": store})
            return redirect(f"{request.path}?store={store.pk}")
    return render(request, "activities/settings.html", {"form": form, "store": store, "stores": stores})
