"""XLSX exports that stream: rows are written one at a time by openpyxl's write-only
workbook into a temporary file, which is then sent in chunks (no sheet in memory)."""

import tempfile
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import FileResponse
from openpyxl import Workbook

from apps.org.listing import cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, int | float | Decimal | date):
        return value
    return cell(value)  # the one helper: formula-like text stays text


def stream_xlsx(filename: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> FileResponse:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([str(h) for h in headers])
    for row in rows:
        sheet.append([_cell(v) for v in row])
    out = tempfile.TemporaryFile()
    book.save(out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX)
