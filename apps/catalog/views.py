from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.org.listing import list_page
from apps.org.permissions import role_required
from apps.org.roles import Role
from apps.org.scoping import get_visible_or_404, visible

from . import services
from .filters import VehicleModelFilter
from .forms import VehicleModelForm
from .models import VehicleModel

READERS = (Role.MANAGER, Role.CONSULTANT, Role.SERVICE_ADVISOR, Role.MARKETING)
EDITORS = (Role.MANAGER,)


@role_required(*READERS)
def model_list(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        queryset=visible(VehicleModel.objects.all(), request.user),
        filterset_class=VehicleModelFilter,
        template="catalog/model_list.html",
        fragment="catalog/_model_table.html",
        sort={"brand": "brand", "name": "name", "body_type": "body_type", "msrp": "msrp", "cost": "cost"},
        export=(
            "vehicle-models",
            [
                _("Brand"),
                _("Model"),
                _("Body type"),
                _("MSRP"),
                _("Cost"),
                _("First service km"),
                _("First service months"),
                _("Interval km"),
                _("Interval months"),
                _("On sale"),
            ],
            lambda m: [
                m.brand,
                m.name,
                m.get_body_type_display(),
                m.msrp,
                m.cost,
                m.first_service_km,
                m.first_service_months,
                m.service_interval_km,
                m.service_interval_months,
                _("yes") if m.is_active else _("no"),
            ],
        ),
        extra={"can_edit": request.user.has_role(*EDITORS)},  # type: ignore[union-attr]
    )


@role_required(*EDITORS)
def model_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    instance = get_visible_or_404(VehicleModel.objects.all(), request.user, pk=pk) if pk else None
    form = VehicleModelForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            model = services.vehicle_model_save(instance=instance, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved %(model)s.") % {"model": model})
            return redirect("catalog:model_list")
    return render(request, "catalog/model_form.html", {"form": form, "object": instance})
