from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from . import services
from .authentication import token_expired, token_expires_at
from .http import redirect_back
from .models import Store, User
from .permissions import role_required
from .roles import Role
from .scoping import get_visible_or_404, visible


@require_POST
@login_required
def set_language(request: HttpRequest) -> HttpResponse:
    """Save the user's language and show the page again in it."""
    language = request.POST.get("language", "")
    try:
        services.user_set_language(user=request.user, language=language)  # type: ignore[arg-type]
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    if language:
        translation.activate(language)
    return redirect_back(request, "/")


STAFF_VIEWERS = (Role.MANAGER, Role.FINANCE, Role.CUSTOMER_SERVICE, Role.MARKETING, Role.SERVICE_ADVISOR)


@role_required(*STAFF_VIEWERS)
def store_list(request: HttpRequest) -> HttpResponse:
    stores = visible(Store.objects.select_related("region"), request.user).annotate(
        staff=Count("users", filter=Q(users__is_active=True), distinct=True),
        team_count=Count("teams", distinct=True),
    )
    return render(request, "org/store_list.html", {"stores": stores})


@role_required(*STAFF_VIEWERS)
def store_detail(request: HttpRequest, pk: int) -> HttpResponse:
    store = get_visible_or_404(Store.objects.select_related("region"), request.user, pk=pk)
    teams = store.teams.select_related("lead").prefetch_related(
        Prefetch("members", queryset=User.objects.filter(is_active=True).order_by("username"))
    )
    staff = store.users.filter(is_active=True, team__isnull=True).order_by("role", "username")
    return render(request, "org/store_detail.html", {"store": store, "teams": teams, "staff": staff})


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The user's API token (phone app, integrations): when it was issued and expires."""
    token = Token.objects.filter(user=request.user).first()  # type: ignore[misc]
    context = {
        "token": token,
        "prefix": token.key[:8] if token else "",
        "expires": token_expires_at(token) if token else None,
        "expired": token_expired(token) if token else False,
        "ttl": settings.TOKEN_TTL_DAYS,
    }
    return render(request, "org/tokens.html", context)


@require_POST
@login_required
def token_revoke(request: HttpRequest) -> HttpResponse:
    """Revoke the user's own token: every device using it must log in again."""
    deleted, _rows = Token.objects.filter(user=request.user).delete()  # type: ignore[misc]
    if deleted:
        messages.success(request, _("The token is revoked. Devices that used it must log in again."))
    return redirect("tokens")


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The navigation bar's search: customers, vehicles and orders the user may open,
    grouped by kind (a fragment for the live results, a page otherwise)."""
    from . import search as registry

    q = registry.normalise(request.GET.get("q", ""))
    groups = registry.find(request.user, q)
    context = {"q": q, "groups": groups, "too_short": 0 < len(q) < registry.MIN_LENGTH}
    if request.headers.get("HX-Request") == "true":
        return render(request, "org/_search_results.html", context)
    return render(request, "org/search.html", context)
