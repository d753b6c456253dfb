"""The store month as files: XLSX (one sheet per section, numbers as numbers, money to
the fen) and PDF (rendered on the server by WeasyPrint from the same sections as the
page, with the CJK font from Debian's fonts-noto-cjk)."""

from collections.abc import Iterator
from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.org.listing import xlsx_sheets_response
from apps.plans.models import Measure

from .present import Row, Section, sections
from .store_month import SALES_MEASURES

PDF = "application/pdf"


def _filename(data: dict[str, Any], names: list[str]) -> str:
    ids = data["store_ids"]
    who = "group" if len(ids) > 1 else f"store{ids[0]}"
    return f"store-month-{who}-{data['month']}"


def _figure_rows(rows: list[Row]) -> Iterator[list[Any]]:
    for row in rows:
        f = row.figure
        yield [
            row.label,
            f.get("value"),
            f.get("mom"),
            f.get("mom_change"),
            f.get("mom_pct"),
            f.get("yoy"),
            f.get("yoy_change"),
            f.get("yoy_pct"),
            f.get("target"),
            f.get("gap"),
        ]


def _section_rows(section: Section) -> Iterator[list[Any]]:
    yield from _figure_rows(section.rows)
    for table in section.tables:
        yield []
        yield [table.title]
        yield [header for header, _kind in table.columns]
        yield from table.rows


def xlsx(data: dict[str, Any], names: list[str]) -> HttpResponseBase:
    headers = [
        _("Figure"),
        data["month"],
        data["prev_month"],
        _("Change vs last month"),
        _("Change vs last month (%)"),
        data["yoy_month"],
        _("Change vs last year"),
        _("Change vs last year (%)"),
        _("Target"),
        _("Gap to target"),
    ]
    sheets: list[tuple[str, Any, Any]] = [(str(s.title), headers, _section_rows(s)) for s in sections(data)]
    text = data.get("text")
    summary = [
        [_("Stores"), " · ".join(names)],
        [_("Month"), data["month"]],
        [_("Closed"), _("yes") if data["closed"] else _("no")],
        [_("Problems"), getattr(text, "problems", "")],
        [_("Improvement measures"), getattr(text, "measures", "")],
        [_("Next month's key points"), getattr(text, "next_month", "")],
        *[
            [
                _("Next month's target: %(measure)s") % {"measure": Measure(m).label},
                data["next_targets"].get(m),
            ]
            for m in SALES_MEASURES
        ],
    ]
    sheets.append((_("Summary"), [_("Item"), _("Value")], summary))
    return xlsx_sheets_response(_filename(data, names), sheets)


def pdf_bytes(data: dict[str, Any], names: list[str], base_url: str = "", **options: Any) -> bytes:
    from weasyprint import CSS, HTML  # imported here: it loads Pango, which only this needs

    html = render_to_string(
        "dashboard/store_month_pdf.html",
        {
            "data": data,
            "sections": sections(data),
            "store_names": names,
            "month": data["month"],
            "printed_at": timezone.localtime(),
        },
    )
    css = finders.find("css/store_month.css")
    return HTML(string=html, base_url=base_url).write_pdf(
        stylesheets=[CSS(filename=css)] if css else None, **options
    )


def pdf(request: HttpRequest, data: dict[str, Any], names: list[str]) -> HttpResponse:
    response = HttpResponse(pdf_bytes(data, names, request.build_absolute_uri("/")), content_type=PDF)
    response["Content-Disposition"] = f'attachment; filename="{_filename(data, names)}.pdf"'
    return response
