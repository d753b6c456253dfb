"""The shape every list page shares: filter → paginate → full page or htmx fragment,
and the same rows exported to Excel with ?export=xlsx."""

from collections.abc import Callable, Sequence
from io import BytesIO
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_filters import FilterSet
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(filename: str, headers: Sequence[Any], rows: Any) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([str(h) for h in headers])
    for row in rows:
        sheet.append([value if isinstance(value, int | float) else _cell(value) for value in row])
    out = BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _cell(value: Any) -> Any:
    from datetime import date
    from decimal import Decimal

    if value is None or isinstance(value, Decimal | date):
        return value
    return str(value)


def list_page(
    request: HttpRequest,
    *,
    queryset: QuerySet[Any],
    filterset_class: type[FilterSet],
    template: str,
    fragment: str,
    export: tuple[str, Sequence[Any], Callable[[Any], Sequence[Any]]] | None = None,
    per_page: int = 25,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """Render a filtered, paginated list; `export` = (filename, headers, row function)."""
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    if export and request.GET.get("export") == "xlsx":
        filename, headers, row = export
        return xlsx_response(filename, headers, (row(obj) for obj in qs.iterator(chunk_size=500)))
    page = Paginator(qs, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "filter": filterset,
        "page_obj": page,
        "object_list": page.object_list,
        "querystring": params.urlencode(),
        "can_export": export is not None,
        **(extra or {}),
    }
    is_fragment = request.headers.get("HX-Request") and request.headers.get("HX-Target") == "list"
    return render(request, fragment if is_fragment else template, context)
