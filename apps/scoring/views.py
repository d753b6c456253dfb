"""Scorecard pages: a consultant's own card, the manager's ranking, a comparison,
the records behind each figure, ratings, the template, closing and export."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.org.forms import add_service_error
from apps.org.listing import xlsx_response
from apps.org.models import Store, User
from apps.org.permissions import role_required
from apps.org.replica import report_reads
from apps.org.roles import Role
from apps.org.scoping import store_ids, visible

from . import selectors, services
from .forms import RatingForm, TemplateForm
from .measures import BY_NAME, CRITERIA, MEASURES, RATING, SCOREABLE
from .models import PeriodClose, Rating, ScorecardTemplate
from .periods import Period, from_picker, month, parse

READERS = (Role.MANAGER, Role.CONSULTANT)
MANAGERS = (Role.MANAGER,)
# The columns of the ranking table (all figures are on the card and in the export).
RANKING_COLUMNS = [
    "sales_revenue",
    "units",
    "collections",
    "gross_profit",
    "new_customers",
    "visits",
    "report_compliance",
    "late_entry_rate",
]


def default_period() -> Period:
    """Last month: the one a manager assesses and closes."""
    first = timezone.localdate().replace(day=1)
    return month(date.fromordinal(first.toordinal() - 1))


def _period(request: HttpRequest) -> Period:
    key = request.GET.get("period") or request.POST.get("period")
    year = request.GET.get("year")
    if not key and year:  # the period picker: a year and a month, a quarter or the whole year
        key = from_picker(year, request.GET.get("part", ""))
    if not key:
        return default_period()
    try:
        return parse(key)
    except ValidationError:
        messages.error(request, _("Unknown period %(period)s: showing last month.") % {"period": key})
        return default_period()


def scorable_consultants(user: Any) -> Any:
    """The consultants whose scorecards `user` may see: himself and, as a team lead, the
    members of the teams he leads (DESIGN.md scoping); a manager his stores' consultants."""
    qs = User.objects.filter(role=Role.CONSULTANT)
    if user.is_admin:
        return qs
    if user.role == Role.CONSULTANT:
        return qs.filter(Q(pk=user.pk) | Q(team__lead=user, stores__in=store_ids(user))).distinct()
    if user.role == Role.MANAGER:
        return qs.filter(stores__in=store_ids(user)).distinct()
    return qs.none()


def _consultant(request: HttpRequest, pk: Any) -> User:
    try:
        found = scorable_consultants(request.user).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise Http404
    return found


def _store_of(consultant: User) -> Store:
    store = consultant.stores.order_by("pk").first()
    if store is None:
        raise Http404
    return store


def _manager_store(request: HttpRequest) -> tuple[Store, list[Store]]:
    stores = list(visible(Store.objects.all(), request.user))
    if not stores:
        raise Http404
    wanted = request.GET.get("store") or request.POST.get("store")
    if wanted:
        chosen = next((s for s in stores if str(s.pk) == wanted), None)
        if chosen is None:
            raise Http404
        return chosen, stores
    return stores[0], stores


@role_required(*READERS)
@report_reads
def home(request: HttpRequest) -> HttpResponse:
    if request.user.role == Role.CONSULTANT:  # type: ignore[union-attr]
        return redirect("scoring:card", pk=request.user.pk)
    return redirect("scoring:ranking")


def _sort_key(name: str) -> Any:
    def key(card: selectors.Card) -> Any:
        if name == "name":
            return (0, card.name)
        if name in ("score", "rank"):
            value = card.score
        elif name == "rating":
            value = card.rating["average"] if card.rating else None
        else:
            value = card.figures.get(name)
        return (1, 0) if value is None else (0, value)

    return key


@role_required(*MANAGERS)
@report_reads
def ranking(request: HttpRequest) -> HttpResponse:
    store, stores = _manager_store(request)
    period = _period(request)
    cards = [
        c for c in selectors.scorecards(stores=[store], periods=[period]).values() if c.store_id == store.pk
    ]
    sort = request.GET.get("sort", "-score")
    name = sort.lstrip("-")
    if name not in {*RANKING_COLUMNS, "score", "name", "rating", "rank"}:
        sort, name = "-score", "score"
    descending = sort.startswith("-")
    present = [c for c in cards if _sort_key(name)(c)[0] == 0]
    missing = [c for c in cards if _sort_key(name)(c)[0] == 1]
    present.sort(key=_sort_key(name), reverse=descending)
    closed = PeriodClose.objects.filter(store=store, period=period.key).select_related("closed_by").first()
    context = {
        "store": store,
        "stores": stores,
        "period": period,
        "cards": present + missing,
        "columns": [BY_NAME[c] for c in RANKING_COLUMNS],
        "sort": sort,
        "closed": closed,
        "can_close": closed is None and period.end < timezone.localdate(),
        "changed": [c for c in cards if c.changed],
    }
    return render(request, "scoring/ranking.html", context)


def _team_cards(user: Any, cards: dict[tuple[int, str], Any], period: Period) -> list[Any]:
    """A team lead's team (himself included) for the period, to switch between cards."""
    if user.role != Role.CONSULTANT:
        return []
    allowed = set(scorable_consultants(user).values_list("pk", flat=True))
    if len(allowed) < 2:
        return []
    found = [c for (cid, key), c in cards.items() if key == period.key and cid in allowed]
    return sorted(found, key=lambda c: c.name)


@role_required(*READERS)
@report_reads
def card(request: HttpRequest, pk: int) -> HttpResponse:
    consultant = _consultant(request, pk)
    store = _store_of(consultant)
    period = _period(request)
    months = period.previous_months(12)
    cards = selectors.scorecards(stores=[store], periods=[period, *[m for m in months if m != period]])
    current = cards.get((consultant.pk, period.key))
    if current is None:
        raise Http404
    trend = [cards[consultant.pk, m.key] for m in months if (consultant.pk, m.key) in cards]
    rows = [
        {
            "measure": m,
            "value": current.figures[m.name],
            "target": current.targets.get(m.name),
            "achievement": current.achievement.get(m.name),
            "score": current.scores.get(m.name),
            "counted": m.name in current.scores,
        }
        for m in MEASURES
    ]
    chart = {
        "labels": [c.period.key for c in trend],
        "score": [float(c.score) if c.score is not None else None for c in trend],
        "revenue": [float(c.figures["sales_revenue"]) for c in trend],
        "visits": [c.figures["visits"] for c in trend],
    }
    context = {
        "consultant": consultant,
        "card": current,
        "rows": rows,
        "period": period,
        "chart": chart,
        "criteria": CRITERIA,
        "rating_score": current.scores.get("rating"),
        "rating_counted": "rating" in current.scores,
        "is_manager": request.user.has_role(*MANAGERS),  # type: ignore[union-attr]
        "team_cards": _team_cards(request.user, cards, period),
    }
    return render(request, "scoring/card.html", context)


@role_required(*READERS)
@report_reads
def drill(request: HttpRequest, pk: int, measure: str) -> HttpResponse:
    consultant = _consultant(request, pk)
    period = _period(request)
    m = BY_NAME.get(measure)
    if m is None or m.drill is None:
        raise Http404
    records = selectors.drill(consultant=consultant, period=period, kind=m.drill)
    return render(
        request,
        "scoring/drill.html",
        {"consultant": consultant, "period": period, "measure": m, "kind": m.drill, **records},
    )


@role_required(*MANAGERS)
@report_reads
def compare(request: HttpRequest) -> HttpResponse:
    store, stores = _manager_store(request)
    period = _period(request)
    cards = {
        c.consultant_id: c
        for c in selectors.scorecards(stores=[store], periods=[period]).values()
        if c.store_id == store.pk
    }
    choices = sorted(cards.values(), key=lambda c: c.name)
    picked = []
    for param in ("a", "b"):
        value = request.GET.get(param)
        if value:
            consultant = _consultant(request, value)
            if consultant.pk not in cards:
                raise Http404
            picked.append(cards[consultant.pk])
    if not picked:
        picked = choices[:2]
    rows = [
        {
            "measure": m,
            "values": [c.figures[m.name] for c in picked],
            "scores": [c.scores.get(m.name) for c in picked],
        }
        for m in MEASURES
    ]
    return render(
        request,
        "scoring/compare.html",
        {
            "store": store,
            "stores": stores,
            "period": period,
            "choices": choices,
            "picked": picked,
            "rows": rows,
        },
    )


@role_required(*MANAGERS)
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    consultant = _consultant(request, pk)
    period = _period(request)
    existing = Rating.objects.filter(consultant=consultant, period=period.key).first()
    initial = (
        {c: getattr(existing, c) for c, _l in CRITERIA} | {"comment": existing.comment} if existing else None
    )
    form = RatingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.rating_save(consultant=consultant, period=period.key, rated_by=request.user, **data)  # type: ignore[arg-type]
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("Rated %(name)s for %(period)s.") % {"name": consultant, "period": period}
            )
            return redirect(f"{reverse('scoring:card', args=[consultant.pk])}?period={period.key}")
    return render(
        request,
        "scoring/rate.html",
        {"form": form, "consultant": consultant, "period": period, "existing": existing},
    )


@require_POST
@role_required(*MANAGERS)
def close(request: HttpRequest) -> HttpResponse:
    store, _stores = _manager_store(request)
    period = _period(request)
    try:
        services.period_close(store=store, period=period.key, closed_by=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Closed %(period)s: the scorecards are frozen.") % {"period": period})
    return redirect(f"{reverse('scoring:ranking')}?store={store.pk}&period={period.key}")


@role_required(*MANAGERS)
@report_reads
def export(request: HttpRequest) -> HttpResponse:
    """A period's scorecards as XLSX: a closed period's frozen figures, an open one's live
    figures as they stand now (the file name says "open")."""
    store, _stores = _manager_store(request)
    period = _period(request)
    closed = PeriodClose.objects.filter(store=store, period=period.key).first()
    if closed is not None:
        consultants = list(closed.snapshot.get("consultants", {}).values())
    else:
        consultants = [
            {
                "name": c.name,
                "team": c.team,
                "figures": c.figures,
                "rating": c.rating,
                "score": c.score,
                "rank_team": c.rank_team,
                "rank_store": c.rank_store,
            }
            for c in selectors.scorecards(stores=[store], periods=[period]).values()
            if c.store_id == store.pk
        ]
    consultants.sort(key=lambda c: (c.get("rank_store") or 10**6, c["name"]))
    headers = [
        _("Consultant"),
        _("Team"),
        *[m.label for m in MEASURES],
        RATING.label,
        _("Score"),
        _("Rank in team"),
        _("Rank in store"),
    ]

    def number(value: Any) -> Any:
        return None if value is None else Decimal(value) if isinstance(value, str) else value

    rows = [
        [
            c["name"],
            c.get("team", ""),
            *[number(c["figures"].get(m.name)) for m in MEASURES],
            number((c.get("rating") or {}).get("average")),
            number(c.get("score")),
            c.get("rank_team"),
            c.get("rank_store"),
        ]
        for c in consultants
    ]
    suffix = "" if closed else "-open"
    return xlsx_response(f"scorecards-{store.code}-{period.key}{suffix}", headers, rows)


@role_required(*MANAGERS)
def template_edit(request: HttpRequest) -> HttpResponse:
    store, stores = _manager_store(request)
    current = selectors.templates_for([store.pk])[store.pk]
    initial: dict[str, Any] = {"cap": current["cap"]}
    for name in SCOREABLE:
        initial[f"w_{name}"] = current["weights"].get(name, 0)
        initial[f"s_{name}"] = current["standards"].get(name)
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.template_save(
                store=store,
                weights={n: data.get(f"w_{n}") or 0 for n in SCOREABLE},
                standards={n: data.get(f"s_{n}") for n in SCOREABLE if n != "rating"},
                cap=data["cap"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved the scorecard template of %(store)s.") % {"store": store})
            return redirect(f"{reverse('scoring:ranking')}?store={store.pk}")
    exists = ScorecardTemplate.objects.filter(store=store).exists()
    return render(
        request,
        "scoring/template_form.html",
        {"form": form, "store": store, "stores": stores, "exists": exists},
    )
