"""Charts of the store month as SVG made on the server.

The same chart has to appear on the page, on paper (the print stylesheet) and in the
PDF, and WeasyPrint runs no JavaScript; an SVG drawn here is identical in all three,
needs no script (nothing for the Content-Security-Policy to allow) and scales on A4.
The portal's interactive charts (the manager dashboard) stay on Chart.js.
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = "'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei',sans-serif"
BAR = "#0d6efd"
MUTED = "#9ec5fe"
GRID = "#dee2e6"
INK = "#212529"


def _svg(width: int, height: int, body: list[str], label: str) -> SafeString:
    return mark_safe(  # noqa: S308 - every text below is escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(label)}" font-family="{FONT}" font-size="11">'
        + "".join(body)
        + "</svg>"
    )


def _text(x: float, y: float, text: Any, anchor: str = "middle", fill: str = INK) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}">{escape(str(text))}</text>'


def _fmt(value: Any) -> str:
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def _empty(width: int, height: int) -> SafeString:
    return _svg(
        width,
        height,
        [f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="#6c757d">—</text>'],
        "",
    )


def bars(items: Sequence[tuple[Any, Any]], width: int = 480) -> SafeString:
    """Horizontal bars, one per (label, value), largest value full width."""
    if not items:
        return _empty(width, 60)
    row, left, right = 22, 150, 40
    height = row * len(items) + 8
    top = max(float(v or 0) for _l, v in items) or 1.0
    body = []
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        w = (width - left - right) * float(value or 0) / top
        text = escape(str(label))
        body.append(
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" fill="{INK}">{text[:18]}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{BAR}"/>'
            f'<text x="{left + w + 4:.1f}" y="{y + 14}" fill="{INK}">{escape(_fmt(value))}</text>'
        )
    return _svg(width, height, body, ", ".join(f"{label} {_fmt(v)}" for label, v in items))


def columns(items: Sequence[tuple[Any, Any]], highlight: int | None = None, width: int = 480) -> SafeString:
    """Vertical columns over months (the highlighted one is this month)."""
    if not items:
        return _empty(width, 60)
    height, bottom, top_pad = 170, 22, 16
    plot = height - bottom - top_pad
    slot = width / len(items)
    top = max(float(v or 0) for _l, v in items) or 1.0
    body = [f'<line x1="0" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="{GRID}"/>']
    for i, (label, value) in enumerate(items):
        h = plot * float(value or 0) / top
        x = i * slot + slot * 0.15
        y = height - bottom - h
        colour = BAR if i == highlight else MUTED
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{colour}"/>'
            + _text(x + slot * 0.35, y - 3, _fmt(value))
            + _text(x + slot * 0.35, height - 6, label)
        )
    return _svg(width, height, body, ", ".join(f"{label} {_fmt(v)}" for label, v in items))


def line(items: Sequence[tuple[Any, Any]], low: float, high: float, width: int = 480) -> SafeString:
    """A line over months on a fixed scale (satisfaction 1–5); a month without a value
    breaks the line rather than dropping to zero."""
    if not items:
        return _empty(width, 60)
    height, bottom, top_pad, left = 170, 22, 12, 24
    plot = height - bottom - top_pad
    slot = (width - left) / len(items)
    body = []
    for tick in range(int(low), int(high) + 1):
        y = top_pad + plot * (1 - (tick - low) / (high - low))
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#6c757d">{tick}</text>'
        )
    points: list[list[tuple[float, float]]] = [[]]
    for i, (label, value) in enumerate(items):
        x = left + i * slot + slot / 2
        body.append(_text(x, height - 6, label))
        if value is None:
            points.append([])
            continue
        y = top_pad + plot * (1 - (float(value) - low) / (high - low))
        points[-1].append((x, y))
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{BAR}"/>' + _text(x, y - 6, _fmt(value)))
    for run in points:
        if len(run) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            body.insert(0, f'<polyline points="{path}" fill="none" stroke="{BAR}" stroke-width="2"/>')
    return _svg(
        width, height, body, ", ".join(f"{label} {_fmt(v) if v is not None else '—'}" for label, v in items)
    )
