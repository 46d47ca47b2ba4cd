"""Charts drawn as inline SVG on the server: nothing to download, no script, no CDN.

A trader's cooperative often reads its dashboard on a phone over a slow link: an SVG of a
few kilobytes inside the page renders at once, scales to the screen (``viewBox`` with a
width of 100 %), prints, and works with scripts off. The functions return SVG text; every
label is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

PALETTE = ("#1f6f8b", "#c0392b", "#2e8b57", "#8e44ad", "#d35400", "#34495e")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Decimal | int | None]  # one per label; None: no point
    color: str = ""


def _nice_max(value: Decimal) -> Decimal:
    """A round number at or above ``value`` for the top of the axis (1, 2, 2.5, 5 × 10^n)."""
    if value <= 0:
        return Decimal(1)
    exponent = value.adjusted()
    for step in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        candidate = step.scaleb(exponent)
        if candidate >= value:
            return candidate
    return Decimal(10).scaleb(exponent)  # pragma: no cover


def _fmt(value: Decimal, fmt) -> str:
    return escape(fmt(value) if fmt else format(value.normalize(), "f"))


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    y_format=None,
    width: int = 480,
    height: int = 240,
) -> str:
    """A line chart with a point per label, horizontal grid lines and a legend."""
    left, right, top, bottom = 60, 24, 30, 42
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [Decimal(v) for s in series for v in s.values if v is not None]
    top_value = _nice_max(max(values)) if values else Decimal(1)
    n = max(len(labels), 1)

    def x(i: int) -> Decimal:
        return Decimal(left) + (Decimal(plot_w) * i / (n - 1) if n > 1 else Decimal(plot_w) / 2)

    def y(v: Decimal) -> Decimal:
        return Decimal(top) + Decimal(plot_h) * (1 - Decimal(v) / top_value)

    def f(v: Decimal) -> str:
        return format(v.quantize(Decimal("0.1")), "f")

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="18" class="chart-title" font-size="14" font-weight="bold">'
        f"{escape(title)}</text>",
    ]
    for k in range(5):
        v = top_value * k / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{f(y(v))}" y2="{f(y(v))}" '
            f'stroke="#ddd" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{f(y(v) + 4)}" text-anchor="end" font-size="11">'
            f"{_fmt(v, y_format)}</text>"
        )
    step = max(1, (n + 4) // 5)  # at most about five labels on a phone
    for i, label in enumerate(labels):
        if (i % step == 0 and i < n - step // 2 - 1) or i == n - 1:
            anchor = "end" if i == n - 1 and n > 1 else "middle"
            parts.append(
                f'<text x="{f(x(i) + (6 if anchor == "end" else 0))}" y="{height - bottom + 16}" '
                f'text-anchor="{anchor}" font-size="11">{escape(label)}</text>'
            )
    for idx, s in enumerate(series):
        color = s.color or PALETTE[idx % len(PALETTE)]
        points = [(x(i), y(Decimal(v))) for i, v in enumerate(s.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{f(px)},{f(py)}" for px, py in points)
            parts.append(
                f'<polyline fill="none" stroke="{color}" stroke-width="2.5" points="{path}"/>'
            )
        for (px, py), v in zip(points, [v for v in s.values if v is not None], strict=True):
            parts.append(
                f'<circle cx="{f(px)}" cy="{f(py)}" r="3" fill="{color}">'
                f"<title>{escape(s.name)}: {_fmt(Decimal(v), y_format)}</title></circle>"
            )
        lx = left + idx * 160
        parts.append(
            f'<rect x="{lx}" y="{height - 16}" width="12" height="4" fill="{color}"/>'
            f'<text x="{lx + 16}" y="{height - 11}" font-size="11">{escape(s.name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[Decimal | int | None],
    value_format=None,
    width: int = 480,
    bar_height: int = 22,
    color: str = PALETTE[1],
) -> str:
    """Horizontal bars, one per label (e.g. PAR30 by branch or by border post); a long
    label is shortened on the bar and given whole in its tooltip."""
    left, right, top = 150, 64, 30
    height = top + bar_height * max(len(labels), 1) + 10
    vals = [Decimal(v) for v in values if v is not None]
    top_value = _nice_max(max(vals)) if vals else Decimal(1)
    plot_w = width - left - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<text x="4" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y0 = top + i * bar_height
        w = Decimal(0) if v is None else Decimal(plot_w) * Decimal(v) / top_value
        text = "—" if v is None else _fmt(Decimal(v), value_format)
        short = label if len(label) <= 22 else label[:21] + "…"
        parts.append(
            f'<text x="{left - 6}" y="{y0 + bar_height - 8}" text-anchor="end" font-size="12">'
            f"<title>{escape(label)}</title>{escape(short)}</text>"
            f'<rect x="{left}" y="{y0 + 3}" width="{format(w.quantize(Decimal("0.1")), "f")}" '
            f'height="{bar_height - 6}" fill="{color}"><title>{escape(label)}: {text}</title></rect>'
            f'<text x="{left + int(w) + 4}" y="{y0 + bar_height - 8}" font-size="12">{text}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
