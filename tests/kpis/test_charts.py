"""The KPI charts' SVG: labels escaped, an accessible title and description stating the figures, a missing
day shown as such (a break in the line, 「未集計」 in the description), whole-number gridlines, and weekly
bars over long ranges."""
from __future__ import annotations

from datetime import date, timedelta

from linecomm.kpis import charts

DAYS = [date(2026, 11, 1) + timedelta(days=i) for i in range(5)]


def test_a_line_chart_escapes_labels_and_describes_its_figures() -> None:
    svg = str(charts.line_chart("c1", "<script>題</script>", DAYS, [("人数<b>", [1, None, 2, 4, 6])], "人"))
    assert "<script>" not in svg and "&lt;script&gt;題&lt;/script&gt;" in svg and "人数&lt;b&gt;" in svg
    assert 'role="img"' in svg and 'aria-labelledby="c1-t c1-d"' in svg
    assert "2026-11-01〜2026-11-05（日本時間）。人数&lt;b&gt;：最新 6人、最大 6人、最小 1人（未集計の日 1日）" in svg
    assert svg.count("<polyline") == 1 and svg.count("<circle") == 1  # the gap splits the line: a dot, then [2, 4, 6]
    ticks = [t.split(">")[-1] for t in svg.split("</text>") if 'text-anchor="end" fill="#555"' in t]
    assert ticks == ["0人", "2人", "4人", "6人", "8人"]
    assert ">11/1<" in svg and ">11/5<" in svg


def test_bars_over_a_long_range_are_weekly_sums() -> None:
    days = [date(2026, 1, 5) + timedelta(days=i) for i in range(100)]  # Monday 2026-01-05, 100 days
    svg = str(charts.bar_chart("c2", "投稿", days, [("件数", [1] * 99 + [None])], "件"))
    assert "投稿（週ごとの合計、月曜始まり）" in svg
    assert svg.count("<g><title>") == 15  # 14 full weeks and 2 days
    assert "<g><title>1/5：件数 7件</title>" in svg and "<g><title>4/13：件数 1件</title>" in svg
