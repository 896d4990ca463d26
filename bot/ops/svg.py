"""Small inline SVG charts (no JavaScript, no external files): stacked bars, lines, horizontal bars."""

from __future__ import annotations

import math
from html import escape

FONT = 'font-family="system-ui, sans-serif" font-size="12" fill="#333"'


_NICE = ((1, 5), (1.5, 3), (2, 4), (2.5, 5), (3, 3), (4, 4), (5, 5), (6, 3), (8, 4), (10, 5))


def nice_scale(value: float) -> tuple[float, int]:
    """An axis maximum >= value (a round number) and how many equal, round steps to divide it into."""
    if value <= 0:
        return 1.0, 4
    power = 10 ** math.floor(math.log10(value))
    for mantissa, steps in _NICE:
        if value <= mantissa * power + 1e-9:
            return round(mantissa * power, 9), steps
    return float(10 * power), 5


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def _frame(width: int, height: int, title: str, body: list[str]) -> str:
    head = f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
    return "\n".join([head, f"<title>{escape(title)}</title>", *body, "</svg>"])


def _axes(left: int, top: int, plot_w: int, plot_h: int, scale: tuple[float, int], unit: str) -> list[str]:
    ymax, steps = scale
    out = []
    for i in range(steps + 1):
        value = ymax * i / steps
        y = top + plot_h - plot_h * i / steps
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" {FONT}>{_fmt(value)}{unit}</text>')
    return out


def _x_labels(categories: list[str], left: int, step: float, y: float) -> list[str]:
    every = max(1, math.ceil(len(categories) / 12))
    return [
        f'<text x="{left + step * (i + 0.5):.1f}" y="{y:.1f}" text-anchor="middle" {FONT}>{escape(c[5:] if len(c) == 10 else c)}</text>'
        for i, c in enumerate(categories)
        if i % every == 0
    ]


def _legend(names: list[str], colors: dict[str, str], x: int, y: int) -> list[str]:
    out = []
    for name in names:
        out.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colors.get(name, "#888")}"/>')
        out.append(f'<text x="{x + 16}" y="{y}" {FONT}>{escape(name)}</text>')
        x += 24 + 8 * len(name)
    return out


def stacked_bars(categories: list[str], series: dict[str, list[float]], colors: dict[str, str], title: str, width: int = 1000, height: int = 280) -> str:
    left, top, bottom = 56, 30, 40
    plot_w, plot_h = width - left - 16, height - top - bottom
    totals = [sum(values[i] for values in series.values()) for i in range(len(categories))]
    scale = nice_scale(max(totals, default=0))
    ymax = scale[0]
    step = plot_w / max(1, len(categories))
    body = _axes(left, top, plot_w, plot_h, scale, "")
    for i in range(len(categories)):
        y = top + plot_h
        for name, values in series.items():
            h = plot_h * values[i] / ymax
            if h <= 0:
                continue
            y -= h
            body.append(
                f'<rect x="{left + step * i + step * 0.15:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" '
                f'fill="{colors.get(name, "#888")}"><title>{escape(categories[i])} {escape(name)}: {values[i]:g}</title></rect>'
            )
    body += _x_labels(categories, left, step, top + plot_h + 16)
    body += _legend(list(series), colors, left, 16)
    return _frame(width, height, title, body)


def line_chart(categories: list[str], series: dict[str, list[float]], colors: dict[str, str], title: str, unit: str = "", width: int = 1000, height: int = 260) -> str:
    left, top, bottom = 70, 30, 40
    plot_w, plot_h = width - left - 16, height - top - bottom
    scale = nice_scale(max((v for values in series.values() for v in values), default=0))
    ymax = scale[0]
    step = plot_w / max(1, len(categories))
    body = _axes(left, top, plot_w, plot_h, scale, unit)
    for name, values in series.items():
        points = [(left + step * (i + 0.5), top + plot_h - plot_h * v / ymax) for i, v in enumerate(values)]
        color = colors.get(name, "#888")
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2.5"/>')
        body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}"/>' for x, y in points]
    body += _x_labels(categories, left, step, top + plot_h + 16)
    body += _legend(list(series), colors, left, 16)
    return _frame(width, height, title, body)


def hbars(labels: list[str], values: list[float], color: str, title: str, width: int = 1000, label_width: int = 460) -> str:
    row, top = 26, 8
    height = top * 2 + row * max(1, len(labels))
    plot_w = width - label_width - 70
    vmax = max(values, default=0) or 1
    body = []
    for i, (label, value) in enumerate(zip(labels, values)):
        y = top + row * i
        short = label if len(label) <= 64 else label[:61] + "..."
        body.append(f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" {FONT}><title>{escape(label)}</title>{escape(short)}</text>')
        w = max(2.0, plot_w * value / vmax)
        body.append(f'<rect x="{label_width}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" fill="{color}" rx="2"/>')
        body.append(f'<text x="{label_width + w + 6:.1f}" y="{y + 17}" {FONT}>{_fmt(value)}</text>')
    if not labels:
        body.append(f'<text x="{width / 2}" y="{top + 17}" text-anchor="middle" {FONT}>no data</text>')
    return _frame(width, height, title, body)
