"""KPI charts as server-rendered SVG, built like the survey charts: no script, no library, nothing from a
CDN; role="img" with a <title> and a <desc> that states the figures, so a screen reader reads them (each
chart also has its table on the page). Every label is escaped here; the page inserts the Markup as it is.
Days are Japan-time days, written M/D."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape

WIDTH = 720
HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 44
FONT = "'Hiragino Sans', 'Noto Sans CJK JP', 'Noto Sans JP', Meiryo, sans-serif"
COLOURS = ("#2f6fdb", "#e07b39", "#2e9e5b", "#8e5bd9", "#d9534f", "#7a7a7a")

Value = float | int | None


def _fmt(value: Value, unit: str) -> str:
    if value is None:
        return "未集計"
    if isinstance(value, float):
        return f"{value:.1f}{unit}"
    return f"{value:,}{unit}"


def _top(series: Sequence[tuple[str, Sequence[Value]]]) -> float:
    top = max((v for _, values in series for v in values if v is not None), default=0)
    if top <= 4:
        return 4.0  # gridlines 0, 1, 2, 3, 4: small counts never get fractional ticks
    magnitude = 10 ** (len(str(int(top))) - 1)
    nice = ((int(top) // magnitude) + 1) * magnitude
    return float(nice if nice < 4 else -(-nice // 4) * 4)  # a multiple of 4: the gridlines fall on whole numbers


def _frame(chart_id: str, title: str, desc: str, days: Sequence[date], top: float, unit: str) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kpi-chart" role="img" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" aria-labelledby="{chart_id}-t {chart_id}-d" font-family="{FONT}" '
        f'font-size="12">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for i in range(5):  # gridlines at 0, 25, 50, 75, 100% of the top
        y = TOP + plot_h - plot_h * i / 4
        label = top * i / 4
        text = f"{label:,.0f}" if label == int(label) else f"{label:.1f}"
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#e3e6ea"/>'
                   f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{text}{escape(unit)}</text>')
    if days:
        ticks = sorted({0, len(days) // 2, len(days) - 1})
        for i in ticks:
            x = _x(i, len(days))
            out.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" fill="#555">'
                       f'{days[i].month}/{days[i].day}</text>')
    return out


def _x(i: int, n: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span / 2 if n <= 1 else span * i / (n - 1))


def _legend(series: Sequence[tuple[str, Sequence[Value]]]) -> list[str]:
    out, x = [], LEFT
    for k, (label, _) in enumerate(series):
        colour = COLOURS[k % len(COLOURS)]
        out.append(f'<rect x="{x}" y="{HEIGHT - 16}" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{x + 14}" y="{HEIGHT - 7}" fill="#222">{escape(label)}</text>')
        x += 24 + 13 * len(label)
    return out


def _summary(days: Sequence[date], series: Sequence[tuple[str, Sequence[Value]]], unit: str) -> str:
    if not days:
        return "期間に日がありません。"
    span = f"{days[0].isoformat()}〜{days[-1].isoformat()}（日本時間）"
    parts = []
    for label, values in series:
        known = [v for v in values if v is not None]
        if not known:
            parts.append(f"{label}：データなし")
            continue
        parts.append(f"{label}：最新 {_fmt(known[-1], unit)}、最大 {_fmt(max(known), unit)}、"
                     f"最小 {_fmt(min(known), unit)}")
    missing = sum(1 for _, values in series[:1] for v in values if v is None)
    tail = f"（未集計の日 {missing}日）" if missing else ""
    return f"{span}。" + "。".join(parts) + tail


def line_chart(chart_id: str, title: str, days: Sequence[date], series: Sequence[tuple[str, Sequence[Value]]],
               unit: str = "") -> Markup:
    """One line per (label, values by day); a day without a figure (None) breaks the line."""
    top = _top(series)
    plot_h = HEIGHT - TOP - BOTTOM
    out = _frame(chart_id, title, _summary(days, series, unit), days, top, unit)
    for k, (_, values) in enumerate(series):
        colour = COLOURS[k % len(COLOURS)]
        runs: list[list[str]] = [[]]
        for i, v in enumerate(values):
            if v is None:
                runs.append([])
                continue
            runs[-1].append(f"{_x(i, len(days)):.1f},{TOP + plot_h - plot_h * v / top:.1f}")
        for run in runs:
            if len(run) == 1:
                cx, cy = run[0].split(",")
                out.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{colour}"/>')
            elif run:
                out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(run)}"/>')
    out += _legend(series)
    out.append("</svg>")
    return Markup("".join(out))


WEEKLY_OVER = 92  # more days than this: one bar per week (a year of daily bars cannot be read)


def by_week(days: Sequence[date], series: Sequence[tuple[str, Sequence[Value]]]
            ) -> tuple[list[date], list[tuple[str, list[Value]]]]:
    """Sum each series per week (Monday first); a week whose days all lack a figure stays None."""
    weeks: list[date] = []
    index: dict[date, int] = {}
    for d in days:
        monday = date.fromordinal(d.toordinal() - d.weekday())
        if monday not in index:
            index[monday] = len(weeks)
            weeks.append(monday)
    out: list[tuple[str, list[Value]]] = []
    for label, values in series:
        sums: list[Value] = [None] * len(weeks)
        for d, v in zip(days, values, strict=True):
            if v is not None:
                i = index[date.fromordinal(d.toordinal() - d.weekday())]
                sums[i] = (sums[i] or 0) + v
        out.append((label, sums))
    return weeks, out


def bar_chart(chart_id: str, title: str, days: Sequence[date], series: Sequence[tuple[str, Sequence[Value]]],
              unit: str = "") -> Markup:
    """Stacked bars by day, one colour per (label, values by day); a day without figures has no bar. Over
    WEEKLY_OVER days the bars are weekly sums (the title says so)."""
    if len(days) > WEEKLY_OVER:
        days, series = by_week(days, series)
        title = f"{title}（週ごとの合計、月曜始まり）"
    totals = [sum(v or 0 for _, values in series for v in [values[i]]) for i in range(len(days))]
    top = _top([("", totals)])
    plot_h = HEIGHT - TOP - BOTTOM
    out = _frame(chart_id, title, _summary(days, series, unit), days, top, unit)
    span = WIDTH - LEFT - RIGHT
    width = max(1.0, span / max(len(days), 1) * 0.7)
    for i, day in enumerate(days):
        x = LEFT + span * (i + 0.15) / max(len(days), 1) if len(days) > 1 else LEFT + span / 2 - width / 2
        base = TOP + plot_h
        tip = "、".join(f"{label} {_fmt(values[i], unit)}" for label, values in series)
        out.append(f"<g><title>{day.month}/{day.day}：{escape(tip)}</title>")
        for k, (_, values) in enumerate(series):
            v = values[i] or 0
            h = plot_h * v / top
            if h > 0:
                out.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{width:.1f}" height="{h:.1f}" '
                           f'fill="{COLOURS[k % len(COLOURS)]}"/>')
            base -= h
        out.append("</g>")
    out += _legend(series)
    out.append("</svg>")
    return Markup("".join(out))
