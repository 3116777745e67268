"""Charts drawn on the server as inline SVG: no script, no outside library, readable at 360 px.

    bar_chart([Bar("市委办公室", Decimal("85.0"), "34/40")], title="参与率", target=Decimal("70"))
    line_chart([Series("覆盖率", [(date(2026, 3, 1), Decimal("12.5")), …])], title="每日参与")

Both return Markup: an <svg> with a viewBox 360 units wide (so on a 360 px phone one unit is one
pixel and 12-unit text is 12 px), role="img", a <title> and a <desc>, and every bar or point as an
element carrying data-label / data-value (what the table beside the chart shows, for tests and for
assistive technology) and its own <title> (the tooltip). Long labels wrap onto two lines and are
abbreviated with "…" past that; the full text stays in the tooltip and in the table. Values are
percentages (Decimal 0–100) or None (nothing to measure: drawn as "—", no bar).
"""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from markupsafe import Markup, escape

WIDTH = 360
FONT = 12
LINE = 15  # a label line's height
BAR = 14
GAP = 10
PAD = 8
VALUE_SPACE = 86  # room right of the plot for "100.0% · 1234/1234"
LABEL_UNITS = WIDTH - 2 * PAD  # a label line spans the chart's width, above its bar
COLOURS = ("#b71c1c", "#1f5fbf", "#1b7f3b", "#9a6700", "#6f42c1", "#00838f")
BELOW = "#e0a800"
BAR_COLOUR = "#b71c1c"


@dataclass(frozen=True)
class Bar:
    """One bar: its label (a unit's name), its value (percent, or None), and the note beside it (n)."""

    label: str
    value: Decimal | None
    note: str = ""
    below_target: bool = False
    key: str = ""


@dataclass(frozen=True)
class Series:
    """One line: its name and its (day, percent or None) points in date order."""

    name: str
    points: Sequence[tuple[date, Decimal | None]]


def text_units(text: str, size: int = FONT) -> float:
    """Approximate drawn width: CJK and full-width characters are one em, others a little over half."""
    return sum(size if unicodedata.east_asian_width(char) in "WF" else size * 0.58 for char in text)


def wrap_label(text: str, *, units: float = LABEL_UNITS, lines: int = 2, size: int = FONT) -> list[str]:
    """`text` broken into at most `lines` lines of at most `units` width; what does not fit ends in "…"."""
    out: list[str] = []
    current = ""
    for index, char in enumerate(text):
        if text_units(current + char, size) > units:
            if len(out) == lines - 1:
                rest = text[index:]
                if rest:
                    while current and text_units(current + "…", size) > units:
                        current = current[:-1]
                    current += "…"
                out.append(current)
                return out
            out.append(current)
            current = ""
        current += char
    out.append(current)
    return out


def _fmt(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _open_svg(chart_id: str, height: float, title: str, description: str, css_class: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" viewBox="0 0 {WIDTH} {_num(height)}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-size="{FONT}" font-family="sans-serif" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def bar_chart(bars: Sequence[Bar], *, title: str, description: str = "", target: Decimal | None = None,
              target_label: str = "", chart_id: str = "bars", empty_text: str = "") -> Markup:
    """Horizontal bars of a percentage per row against an optional target line (dashed, labelled).

    Each row: the label on one or two lines across the chart, then the bar on a 0–100 scale with the
    value and its note after it. Bars below the target are drawn in the warning colour.
    """
    plot_left, plot_width = PAD, WIDTH - 2 * PAD - VALUE_SPACE
    heights = [len(wrap_label(bar.label)) * LINE + BAR + GAP for bar in bars]
    top = LINE + 4 if target is not None else 4
    height = top + sum(heights) + (LINE if not bars else 0) + PAD
    parts = _open_svg(chart_id, height, title, description, "bar-chart")
    if not bars:
        parts.append(f'<text x="{PAD}" y="{top + FONT}" fill="#5f6670">{escape(empty_text)}</text>')
    y = top
    for bar, row_height in zip(bars, heights, strict=True):
        lines = wrap_label(bar.label)
        value_text = _fmt(bar.value) + (f" · {bar.note}" if bar.note else "")
        attrs = (f'class="chart-bar{" is-below" if bar.below_target else ""}" data-label="{escape(bar.label)}" '
                 f'data-value="{"" if bar.value is None else f"{bar.value:.1f}"}"')
        if bar.key:
            attrs += f' data-key="{escape(bar.key)}"'
        parts.append(f"<g {attrs}><title>{escape(bar.label)}：{escape(value_text)}</title>")
        for number, line in enumerate(lines):
            parts.append(f'<text x="{plot_left}" y="{_num(y + FONT + number * LINE)}">{escape(line)}</text>')
        bar_y = y + len(lines) * LINE
        width = 0.0
        if bar.value is not None:
            width = plot_width * float(min(max(bar.value, Decimal(0)), Decimal(100))) / 100
            colour = BELOW if bar.below_target else BAR_COLOUR
            parts.append(f'<rect x="{plot_left}" y="{_num(bar_y)}" width="{_num(width)}" height="{BAR}" rx="2" '
                         f'fill="{colour}"/>')
        parts.append(f'<rect x="{plot_left}" y="{_num(bar_y)}" width="{_num(plot_width)}" height="{BAR}" rx="2" '
                     f'fill="none" stroke="#dfe3e8"/>')
        parts.append(f'<text x="{_num(plot_left + plot_width + 4)}" y="{_num(bar_y + BAR - 2)}" '
                     f'fill="#1f2328">{escape(value_text)}</text>')
        parts.append("</g>")
        y += row_height
    if target is not None:
        x = plot_left + plot_width * float(min(max(target, Decimal(0)), Decimal(100))) / 100
        label = target_label or _fmt(target)
        anchor = "end" if x > WIDTH / 2 else "start"
        parts.append(f'<g class="chart-target" data-value="{target:.1f}">'
                     f'<line x1="{_num(x)}" y1="{top - 2}" x2="{_num(x)}" y2="{_num(y)}" stroke="#1f2328" '
                     f'stroke-width="1.5" stroke-dasharray="4 3"/>'
                     f'<text x="{_num(x)}" y="{FONT}" text-anchor="{anchor}" fill="#1f2328">{escape(label)}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(series: Sequence[Series], *, title: str, description: str = "", target: Decimal | None = None,
               target_label: str = "", chart_id: str = "lines", empty_text: str = "") -> Markup:
    """Daily percentages as lines on a 0–100 scale, one per series, with a legend below; a None
    point breaks its line. Days on the x axis: the first, the last and a few between (MM-DD)."""
    left, right, top, plot_height = 34, WIDTH - PAD, PAD + 4, 150
    bottom = top + plot_height
    days = sorted({day for line in series for day, _value in line.points})
    legend_rows = (len(series) + 1) // 2
    height = bottom + 22 + legend_rows * LINE + PAD
    parts = _open_svg(chart_id, height, title, description, "line-chart")
    for tick in (0, 25, 50, 75, 100):
        y = bottom - plot_height * tick / 100
        parts.append(f'<line x1="{left}" y1="{_num(y)}" x2="{right}" y2="{_num(y)}" stroke="#eceef1"/>'
                     f'<text x="{left - 4}" y="{_num(y + 4)}" text-anchor="end" fill="#5f6670">{tick}%</text>')
    if not days:
        parts.append(f'<text x="{left + 8}" y="{_num(top + plot_height / 2)}" fill="#5f6670">'
                     f'{escape(empty_text)}</text>')
    span = max(len(days) - 1, 1)

    def x_of(day: date) -> float:
        position = days.index(day) if len(days) > 1 else span / 2
        return left + (right - left) * position / span

    if days:
        step = max(1, round(len(days) / 4))
        shown = sorted({0, len(days) - 1, *range(0, len(days), step)})
        shown = [index for index in shown if index == len(days) - 1 or len(days) - 1 - index >= step / 2]
        for index in shown:
            day = days[index]
            anchor = "end" if index == len(days) - 1 and len(days) > 1 else ("start" if index == 0 else "middle")
            parts.append(f'<text x="{_num(x_of(day))}" y="{bottom + 16}" text-anchor="{anchor}" fill="#5f6670">'
                         f'{day.month:02d}-{day.day:02d}</text>')
    if target is not None:
        y = bottom - plot_height * float(min(max(target, Decimal(0)), Decimal(100))) / 100
        parts.append(f'<g class="chart-target" data-value="{target:.1f}"><line x1="{left}" y1="{_num(y)}" '
                     f'x2="{right}" y2="{_num(y)}" stroke="#1f2328" stroke-dasharray="4 3"/>'
                     f'<text x="{right}" y="{_num(y - 3)}" text-anchor="end" fill="#1f2328">'
                     f'{escape(target_label or _fmt(target))}</text></g>')
    for number, line in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        parts.append(f'<g class="chart-series" data-label="{escape(line.name)}">')
        segment: list[str] = []
        segments: list[list[str]] = []
        for day, value in line.points:
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            y = bottom - plot_height * float(min(max(value, Decimal(0)), Decimal(100))) / 100
            segment.append(f"{_num(x_of(day))},{_num(y)}")
        if segment:
            segments.append(segment)
        for points in segments:
            parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for day, value in line.points:
            if value is None:
                continue
            y = bottom - plot_height * float(min(max(value, Decimal(0)), Decimal(100))) / 100
            parts.append(f'<circle class="chart-point" cx="{_num(x_of(day))}" cy="{_num(y)}" r="3" fill="{colour}" '
                         f'data-date="{day.isoformat()}" data-value="{value:.1f}">'
                         f'<title>{escape(line.name)} {day.isoformat()}：{_fmt(value)}</title></circle>')
        parts.append("</g>")
        legend_x = PAD + (number % 2) * (WIDTH - 2 * PAD) / 2
        legend_y = bottom + 22 + (number // 2) * LINE + FONT
        name = wrap_label(line.name, units=(WIDTH - 2 * PAD) / 2 - 22, lines=1)[0]
        parts.append(f'<rect x="{_num(legend_x)}" y="{_num(legend_y - 9)}" width="14" height="4" fill="{colour}"/>'
                     f'<text x="{_num(legend_x + 18)}" y="{_num(legend_y)}">{escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
