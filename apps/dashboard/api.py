"""`store-months/` (read-only): the monthly store summary as JSON (API.md), or with
?format=xlsx / ?format=pdf as the files. Money is a 2-place string, ratios a number or
null where the denominator is zero; `mom` / `yoy` are last month's and the same month
last year's values."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from apps.org.models import Store
from apps.org.permissions import RolePermission
from apps.org.roles import Role
from apps.org.scoping import visible
from apps.scoring.periods import parse

from . import exports
from .models import StoreMonth
from .store_month import store_month


class _FileRenderer(renderers.BaseRenderer):
    """Lets ?format=xlsx / ?format=pdf through DRF's negotiation; the view answers
    those with the file itself."""

    def render(self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None) -> Any:
        return data


class XLSXRenderer(_FileRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"


class PDFRenderer(_FileRenderer):
    media_type = "application/pdf"
    format = "pdf"


def money(value: Any) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def number(value: Any) -> float | None:
    return None if value is None else float(value)


def _figure(f: dict[str, Any], convert: Any) -> dict[str, Any]:
    return {k: convert(f[k]) for k in ("value", "target", "mom", "yoy")}


def represent(data: dict[str, Any], stores: list[Store]) -> dict[str, Any]:
    s, sh, cs, af, mo = (data[k] for k in ("sales", "showroom", "service", "aftersales", "money"))
    count = lambda v: None if v is None else int(v)  # noqa: E731
    return {
        "stores": [st.pk for st in stores],
        "month": data["month"],
        "closed": data["closed"],
        "units": _figure(s["units"], count),
        "revenue": _figure(s["revenue"], money),
        "gross_profit": _figure(s["gross_profit"], money),
        "by_model": [
            {
                "vehicle_model": r["vehicle_model_id"],
                "vehicle_model_name": r["vehicle_model"],
                "body_type": r["body_type"],
                "units": r["units"],
                "revenue": money(r["revenue"]),
                "share": number(r["share"]),
            }
            for r in s["by_model"]
        ],
        "by_body_type": [
            {
                "body_type": r["body_type"],
                "units": r["units"],
                "revenue": money(r["revenue"]),
                "share": number(r["share"]),
            }
            for r in s["by_body_type"]
        ],
        "walk_ins": {
            "total": sh["walk_ins"]["value"],
            "new": sh["new"]["value"],
            "returning": sh["returning"]["value"],
        },
        "satisfaction": {
            "average": number(cs["satisfaction"]["value"]),
            "responses": cs["responses"],
            "percent": number(cs["satisfaction_pct"]["value"]),
            "mom": number(cs["satisfaction"]["mom"]),
            "yoy": number(cs["satisfaction"]["yoy"]),
        },
        "complaints": {
            "received": cs["complaints"]["value"],
            "resolved": cs["resolved"]["value"],
            "resolution_rate": number(cs["resolution_rate"]["value"]),
            "by_category": {r["category"]: r["received"] for r in cs["by_category"]},
        },
        "service_visits": {
            "total": af["visits"]["value"],
            "by_kind": {r["kind"]: r["visits"] for r in af["by_kind"]},
            "revenue": money(af["revenue"]["value"]),
            "maintenance_on_time_rate": number(af["on_time_rate"]["value"]),
            "lapsed_owners": af["lapsed"]["value"],
        },
        "collections": {
            "value": money(mo["collections"]["value"]),
            "target": money(mo["collections"]["target"]),
        },
        "leads": {"total": sh["leads"]["value"], "conversion": number(sh["conversion"]["value"])},
        **_additions(data),
        "test_drives": sh["test_drives"]["value"],
    }


def _additions(data: dict[str, Any]) -> dict[str, Any]:
    """Figures added by issue 15 (escalation breaches, appointments, referrals, training);
    a month closed before them has none of these keys."""
    out: dict[str, Any] = {}
    if esc := data.get("escalations"):
        out["complaint_breaches"] = {
            k: esc[k]["value"] for k in ("not_acknowledged", "not_answered", "not_resolved")
        }
    if ap := data.get("appointments"):
        out["appointments"] = {
            "invitations": ap["invitations"]["value"],
            "attended": ap["attended"]["value"],
            "confirmed_rate": number(ap["confirmed_rate"]["value"]),
            "arrival_rate": number(ap["arrival_rate"]["value"]),
            "no_show_rate": number(ap["no_show_rate"]["value"]),
        }
    if rf := data.get("referrals"):
        out["referrals"] = {
            "referred": rf["referred"]["value"],
            "converted": rf["converted"]["value"],
            "conversion": number(rf["conversion"]["value"]),
            "rewards": rf["rewards"],
            "reward_value": money(rf["reward_value"]),
        }
    if tr := data.get("training"):
        out["training"] = {
            "sessions": tr["sessions"]["value"],
            "hours": number(tr["hours"]["value"]),
            "people_trained": tr["attendances"]["value"],
            "attendee_hours": number(tr["person_hours"]["value"]),
            "average_score": number(tr["average_score"]["value"]),
        }
    return out


PARAMS = [
    OpenApiParameter(
        "store", OpenApiTypes.INT, description="a store id (default: all the caller's stores, summed)"
    ),
    OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM (default: last month)"),
    OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "xlsx", "pdf"]),
]


class StoreMonthViewSet(viewsets.ViewSet):
    """Managers and finance, for their stores; a store outside them is 404."""

    queryset = StoreMonth.objects.none()  # names the route; the figures are computed
    permission_classes = [RolePermission]
    read_roles = (Role.MANAGER, Role.FINANCE)
    renderer_classes = [renderers.JSONRenderer, renderers.BrowsableAPIRenderer, XLSXRenderer, PDFRenderer]

    @extend_schema(parameters=PARAMS, responses=OpenApiTypes.OBJECT)
    def list(self, request: Request) -> Any:
        stores = visible(Store.objects.all(), request.user).order_by("name")
        raw_store = request.query_params.get("store")
        if raw_store:
            try:
                stores = stores.filter(pk=int(raw_store))
            except (TypeError, ValueError) as exc:
                raise ValidationError({"store": [_("Give a store's id (a whole number).")]}) from exc
        found = list(stores)
        if not found:
            raise Http404
        key = request.query_params.get("month") or ""
        if not key:
            last = timezone.localdate().replace(day=1) - timedelta(days=1)
            key = f"{last:%Y-%m}"
        try:
            period = parse(key)
        except Exception as exc:  # ValidationError from the parser
            raise ValidationError({"month": [_("Give a month as YYYY-MM, e.g. 2026-10.")]}) from exc
        if period.kind != "month":
            raise ValidationError({"month": [_("Give a month as YYYY-MM, e.g. 2026-10.")]})
        data = store_month(stores=found, month_key=period.key)
        fmt = getattr(request.accepted_renderer, "format", "json")
        names = [s.name for s in found]
        if fmt == "xlsx":
            return exports.xlsx(data, names)
        if fmt == "pdf":
            return exports.pdf(request, data, names)
        return Response(represent(data, found))
