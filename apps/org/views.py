from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import services
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
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    return redirect(target)


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
