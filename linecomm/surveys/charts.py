"""Survey charts as server-rendered SVG: no script, no library, nothing from a CDN, and readable to a
screen reader (role="img" with a <title> and a <desc> that states every number). Every piece of text
that comes from staff or members (question prompts, choice labels) is escaped here; the page inserts the
returned Markup as it is. Japanese labels use the system's Japanese fonts."""
from __future__ import annotations

from markupsafe import Markup, escape

WIDTH = 640
LABEL_WIDTH = 210
BAR_WIDTH = 320
ROW = 30
FONT = "'Hiragino Sans', 'Noto Sans CJK JP', 'Noto Sans JP', Meiryo, sans-serif"
LABEL_CHARS = 14  # about what fits LABEL_WIDTH at 13 px for full-width characters
BLUE = "#2f6fdb"
NPS_COLOURS = {"detractors": "#d9534f", "passives": "#b0b0b0", "promoters": "#2e9e5b"}


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "0%"


def bar_chart(chart_id: str, title: str, bars: list[tuple[str, int]], base: int,
              colours: list[str] | None = None) -> Markup:
    """Horizontal bars, one per (label, count), each with its count and share of `base` (the people who
    answered the question: a multiple-choice question's shares can add up to more than 100%)."""
    height = ROW * max(len(bars), 1) + 10
    top = max((n for _, n in bars), default=0)
    summary = "、".join(f"{label} {n}件（{percent(n, base)}）" for label, n in bars) or "回答はまだありません"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="svy-chart" role="img" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" aria-labelledby="{chart_id}-t {chart_id}-d" font-family="{FONT}" '
        f'font-size="13">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">回答者{base}人。{escape(summary)}</desc>',
    ]
    for i, (label, n) in enumerate(bars):
        y = 5 + i * ROW
        width = round(BAR_WIDTH * n / top) if top else 0
        colour = colours[i] if colours else BLUE
        parts.append(
            f'<g><title>{escape(label)}：{n}件（{percent(n, base)}）</title>'
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 19}" text-anchor="end" fill="#222">{escape(_short(label))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 5}" width="{BAR_WIDTH}" height="18" fill="#eef1f5"/>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 5}" width="{width}" height="18" fill="{colour}"/>'
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 8}" y="{y + 19}" fill="#222">{n}件 {percent(n, base)}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def nps_colours() -> list[str]:
    """The colour of each score 0..10 by its NPS group."""
    return [NPS_COLOURS["detractors"]] * 7 + [NPS_COLOURS["passives"]] * 2 + [NPS_COLOURS["promoters"]] * 2


def split_bar(chart_id: str, title: str, parts: list[tuple[str, str, int]]) -> Markup:
    """One bar split into its parts (key, label, count), e.g. NPS detractors / passives / promoters."""
    total = sum(n for _, _, n in parts)
    summary = "、".join(f"{label} {n}人（{percent(n, total)}）" for _, label, n in parts)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="svy-chart" role="img" width="{WIDTH}" height="64" '
        f'viewBox="0 0 {WIDTH} 64" aria-labelledby="{chart_id}-t {chart_id}-d" font-family="{FONT}" font-size="13">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(summary)}</desc>',
        f'<rect x="0" y="4" width="{WIDTH}" height="24" fill="#eef1f5"/>',
    ]
    x = 0.0
    for i, (key, label, n) in enumerate(parts):
        width = WIDTH * n / total if total else 0
        colour = NPS_COLOURS.get(key, BLUE)
        out.append(f'<rect x="{x:.1f}" y="4" width="{width:.1f}" height="24" fill="{colour}">'
                   f'<title>{escape(label)}：{n}人（{percent(n, total)}）</title></rect>')
        anchor = ("start", "middle", "end")[min(i, 2)] if len(parts) == 3 else "start"
        tx = {"start": 0, "middle": WIDTH / 2, "end": WIDTH}[anchor]
        out.append(f'<text x="{tx:.0f}" y="50" text-anchor="{anchor}" fill="#222">'
                   f'{escape(label)} {n}人（{percent(n, total)}）</text>')
        x += width
    out.append("</svg>")
    return Markup("".join(out))
