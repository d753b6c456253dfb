"""The shape every list page shares: filter → paginate → full page or htmx fragment,
and the same rows exported with ?export=xlsx (or csv).

Exports stream: CSV row by row through StreamingHttpResponse; XLSX through openpyxl's
write-only mode into a temporary file that is then streamed, so a 100k-row export
never holds the workbook in memory. Every exported value goes through `cell()`, the
one place that decides how a value is written (escaping lands there)."""

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_filters import FilterSet
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def cell(value: Any) -> Any:
    """A value as an export cell: numbers stay numbers, dates stay dates (datetimes in
    the local time zone, without tzinfo, which Excel cannot hold), the rest is text."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value
    text = str(value)
    # A text cell that begins like a formula (a customer named "=HYPERLINK(…)") would
    # run in the reader's spreadsheet; a leading apostrophe keeps it plain text.
    if text[:1] in FORMULA_STARTS:
        return "'" + text
    return text


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def xlsx_file(sheets: Iterable[tuple[str, Sequence[Any], Iterable[Sequence[Any]]]]) -> Any:
    """A workbook of (title, headers, rows) sheets, written row by row into a temporary
    file (write-only mode keeps no rows in memory); returns the file, rewound."""
    book = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title=_sheet_title(title))
        sheet.append([str(h) for h in headers])
        for row in rows:
            sheet.append([cell(v) for v in row])
    out = tempfile.TemporaryFile()
    book.save(out)
    out.seek(0)
    return out


def _sheet_title(title: Any) -> str:
    text = str(title)
    for bad in "[]:*?/\\":
        text = text.replace(bad, " ")
    return text[:31] or "Sheet"


def xlsx_response(filename: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    # Typed as HttpResponse for the views that return it (a FileResponse streams).
    return cast(HttpResponse, xlsx_sheets_response(filename, [(filename, headers, rows)]))


def xlsx_sheets_response(
    filename: str, sheets: Iterable[tuple[str, Sequence[Any], Iterable[Sequence[Any]]]]
) -> FileResponse:
    return FileResponse(xlsx_file(sheets), as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    filename: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """CSV streamed row by row (UTF-8 with a BOM, so that Excel reads the Chinese)."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([str(h) for h in headers])
        for row in rows:
            yield writer.writerow(["" if v is None else cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


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
    sort: dict[str, str] | None = None,
    summary: Callable[[QuerySet[Any]], dict[str, Any]] | None = None,
) -> HttpResponse:
    """Render a filtered, sorted, paginated list; `export` = (filename, headers, row
    function); `sort` = column key → the field it orders by (?sort=key, ?sort=-key;
    the headers link to it with {% sort_th key label %} from listing_tags); `summary`
    = a function of the filtered rows whose figures join the context, so totals follow
    the filters (draw them inside the fragment, which a filter change redraws)."""
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    filtered = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    qs, current = sorted_by(filtered, request.GET.get("sort", ""), sort or {})
    kind = request.GET.get("export")
    if export and kind in ("xlsx", "csv"):
        filename, headers, row = export
        rows = (row(obj) for obj in qs.iterator(chunk_size=2000))
        # Typed as HttpResponse for the views that return it; a streamed file is what
        # Django's HttpResponseBase promises, which is all a view needs to be.
        return cast(
            HttpResponse, (xlsx_response if kind == "xlsx" else csv_response)(filename, headers, rows)
        )
    page = Paginator(qs, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "filter": filterset,
        "page_obj": page,
        "object_list": page.object_list,
        "querystring": params.urlencode(),
        "can_export": export is not None,
        "sort": current,
        **(extra or {}),
        **(summary(filtered) if summary else {}),
    }
    is_fragment = request.headers.get("HX-Request") and request.headers.get("HX-Target") == "list"
    return render(request, fragment if is_fragment else template, context)


def sorted_by(qs: QuerySet[Any], key: str, columns: dict[str, str]) -> tuple[QuerySet[Any], str]:
    """`qs` ordered by the column `key` names ("-" first: descending), with pk as the
    tie-breaker so that pages never repeat or skip a row; an unknown key is ignored."""
    name = key.removeprefix("-")
    if name not in columns:
        return qs, ""
    field = columns[name]
    if key.startswith("-"):
        return qs.order_by(F(field).desc(nulls_last=True), "-pk"), key
    return qs.order_by(F(field).asc(nulls_last=True), "pk"), key
