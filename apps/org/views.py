from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import services


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
