"""Server-drawn SVG charts for the health page: a trend line per day and bars per tag.

Colours come from CSS (classes styled by static/css/health.css from the site's
variables), so the charts follow dark mode; the SVG scales to the page's width
(viewBox, no fixed size). Each chart carries a <title> and the page has the same
numbers as a table.
"""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 600
HEIGHT = 180
PAD_LEFT = 34
PAD_BOTTOM = 22
PAD_TOP = 10


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step:
            return step
    return value


def trend_svg(trend: list[dict], series: list[tuple[str, str, str]], title: str) -> SafeString:
    """A line per (key, label, css class) over `trend` (one point a day)."""
    if not trend:
        return mark_safe("")
    top = _nice_max(max((p[key] for p in trend for key, _, _ in series), default=0))
    inner_w = WIDTH - PAD_LEFT - 8
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = inner_w / max(1, len(trend) - 1)

    def xy(i: int, value: float) -> str:
        return f"{PAD_LEFT + i * step:.1f},{PAD_TOP + inner_h - inner_h * value / top:.1f}"

    lines = format_html_join(
        "",
        '<polyline class="line {}" points="{}"><title>{}</title></polyline>',
        (
            (css, " ".join(xy(i, p[key]) for i, p in enumerate(trend)), label)
            for key, label, css in series
        ),
    )
    grid = format_html_join(
        "",
        '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (
                PAD_LEFT,
                WIDTH - 8,
                f"{PAD_TOP + inner_h * (1 - f):.1f}",
                f"{PAD_TOP + inner_h * (1 - f):.1f}",
                PAD_LEFT - 4,
                f"{PAD_TOP + inner_h * (1 - f) + 4:.1f}",
                f"{top * f:g}",
            )
            for f in (0, 0.5, 1)
        ),
    )
    first, last = trend[0]["day"], trend[-1]["day"]
    labels = format_html(
        '<text class="axis" x="{}" y="{}">{}</text>'
        '<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>',
        PAD_LEFT,
        HEIGHT - 4,
        first.strftime("%d/%m"),
        WIDTH - 8,
        HEIGHT - 4,
        last.strftime("%d/%m"),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}"><title>{}</title>'
        "{}{}{}</svg>",
        WIDTH,
        HEIGHT,
        title,
        title,
        grid,
        lines,
        labels,
    )


def bars_svg(items: list[tuple[str, float | None]], title: str, unit: str) -> SafeString:
    """Horizontal bars, one per (label, value); a missing value is drawn as an empty bar."""
    if not items:
        return mark_safe("")
    row = 22
    label_w = 150
    height = row * len(items) + 6
    top = _nice_max(max((v or 0 for _, v in items), default=0))
    bar_w = WIDTH - label_w - 80
    rows = format_html_join(
        "",
        '<text class="axis label" x="{}" y="{}" text-anchor="end">{}</text>'
        '<rect class="bar" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>'
        '<text class="axis" x="{}" y="{}">{}</text>',
        (
            (
                label_w - 6,
                i * row + 16,
                label[:24],
                label_w,
                i * row + 4,
                f"{bar_w * (value or 0) / top:.1f}",
                row - 8,
                label,
                "–" if value is None else f"{value:g} {unit}",
                label_w + bar_w * (value or 0) / top + 4,
                i * row + 16,
                "–" if value is None else f"{value:g} {unit}",
            )
            for i, (label, value) in enumerate(items)
        ),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}"><title>{}</title>'
        "{}</svg>",
        WIDTH,
        height,
        title,
        title,
        rows,
    )
