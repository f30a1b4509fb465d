"""The KPI dashboard's sections: for each, its charts (SVG), its tables (each downloadable as CSV) and a
note saying how its figures are defined. Built from the daily snapshots (`series`) and a few live tables
(`live`); nothing here writes."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from markupsafe import Markup
from sqlalchemy.orm import Session

from linecomm.ideas.copy import STAGE_LABELS
from linecomm.ideas.models import IdeaStage
from linecomm.kpis import charts, live, metrics, series
from linecomm.kpis.models import NO_COHORT
from linecomm.timezones import format_jst

Cell = str | int | float | None
PAGE_DAYS = 31  # a daily table shows its last 31 days on the page (the chart and the CSV cover the range)


@dataclass(frozen=True)
class Table:
    key: str  # the CSV's name: /admin/kpis/<key>.csv
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    blank: str = "—"  # how the page shows None: not applicable, or (daily tables) not computed
    page_rows: int | None = None  # show only the last n rows on the page (the CSV has them all)

    @property
    def shown_rows(self) -> list[list[Cell]]:
        return self.rows if self.page_rows is None else self.rows[-self.page_rows:]


@dataclass
class Section:
    key: str
    title: str
    note: str
    charts: list[Markup] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    session: Session
    rng: series.Range
    figures: series.Figures
    start: datetime  # the range as [start, end) in UTC
    end: datetime


def cohort_label(cohort: str) -> str:
    return "全体" if cohort == "" else ("期なし" if cohort == NO_COHORT else cohort)


def pct(value: float | None) -> str | None:
    return None if value is None else f"{value:.1f}%"


def _daily_table(ctx: Context, key: str, title: str, columns: list[tuple[str, list]]) -> Table:  # type: ignore[type-arg]
    days = ctx.figures.days
    return Table(key, title, ["日付（日本時間）", *(h for h, _ in columns)],
                 [[d.isoformat(), *(values[i] for _, values in columns)] for i, d in enumerate(days)], "未集計",
                 PAGE_DAYS)


def members_section(ctx: Context) -> Section:
    f, days = ctx.figures, ctx.figures.days
    members, joined, left = f.get("members"), f.get("joined"), f.get("left")
    s = Section("members", "メンバー",
                "メンバー数はその日の終わり（日本時間）に参加中の方です（退会・削除済みは除きます）。"
                "ブロック率＝その週のブロック数 ÷ 週の初めの友だち数。定着率＝各月に参加した方のうち、"
                "nか月後の月にアクティブだった方の割合です。")
    s.charts.append(charts.line_chart("kpi-members", "メンバー数の推移", days, [("メンバー数", members)], "人"))
    s.charts.append(charts.bar_chart("kpi-joins", "参加・退会の数（日別）", days,
                                     [("参加", joined), ("退会", left)], "人"))
    s.tables.append(_daily_table(ctx, "members-daily", "メンバー数・参加・退会（日別）",
                                 [("メンバー数", members), ("参加", joined), ("退会", left)]))
    followers, unfollows = f.get("followers"), f.get("unfollows")
    rows: list[list[Cell]] = []
    for week, idx in series.weeks(days):
        blocks = [unfollows[i] for i in idx]
        base = followers[idx[0] - 1] if idx[0] > 0 else followers[idx[0]]
        total = None if any(b is None for b in blocks) else sum(b or 0 for b in blocks)
        rate = None if total is None or not base else 100.0 * total / base
        rows.append([week.isoformat(), total, base, pct(rate)])
    s.tables.append(Table("members-blocks", "ブロック率（週別、月曜始まり）",
                          ["週の初日", "ブロック数", "週の初めの友だち数", "ブロック率"], rows))
    retention = series.retention_rows(ctx.session, ctx.rng)
    months = series.snapshot.RETENTION_MONTHS
    s.tables.append(Table("members-retention", "参加月別の定着率",
                          ["参加月", "参加者数", *(f"{k}か月後" for k in range(1, months + 1))],
                          [[m.strftime("%Y-%m"), n, *(pct(100.0 * r / n) if r is not None and n else None
                                                       for r in kept)] for m, n, kept in retention]))
    return s


def activity_section(ctx: Context) -> Section:
    f, days = ctx.figures, ctx.figures.days
    a7, a30, members = f.get("active_7d"), f.get("active_30d"), f.get("members")
    pushed, rom = f.get("pushed_30d"), f.get("rom_30d")
    rate7, rate30, rom_rate = series.ratio(a7, members), series.ratio(a30, members), series.ratio(rom, pushed)
    s = Section("activity", "アクティブ",
                "アクティブ＝期間内にトークへのメッセージ、テーマへの回答、リアクション・投票、アンケート回答、"
                "レビュー、アイデアの投稿・応援、コメント、質問・回答のどれかをした方（その日の終わりに参加中の方）。"
                "ROM率＝過去30日にプッシュを受け取った方のうち、何もしなかった方の割合です。")
    s.charts.append(charts.line_chart("kpi-active", "アクティブな方（7日・30日）", days,
                                      [("7日", a7), ("30日", a30)], "人"))
    s.charts.append(charts.line_chart("kpi-active-rate", "アクティブ率とROM率", days,
                                      [("7日アクティブ率", rate7), ("30日アクティブ率", rate30), ("ROM率", rom_rate)],
                                      "%"))
    s.tables.append(_daily_table(ctx, "activity-daily", "アクティブ（日別）", [
        ("7日アクティブ", a7), ("30日アクティブ", a30), ("メンバー数", members),
        ("7日アクティブ率", [pct(v) for v in rate7]), ("30日アクティブ率", [pct(v) for v in rate30]),
        ("30日にプッシュを受け取った方", pushed), ("うち何もしなかった方", rom),
        ("ROM率", [pct(v) for v in rom_rate])]))
    return s


UGC_LABELS = {"theme_reply": "テーマへの回答", "review": "レビュー", "idea": "アイデア", "comment": "コメント",
              "question": "質問", "answer": "Q&Aの回答"}


def ugc_section(ctx: Context) -> Section:
    f, days = ctx.figures, ctx.figures.days
    kinds = [(UGC_LABELS[k], f.get(f"ugc.{k}")) for k in metrics.UGC_KINDS]
    s = Section("ugc", "投稿（UGC）",
                "公開中の投稿だけを数えます（非表示・確認待ち・ブロックされた投稿は数えません）。"
                "返信率＝回答したメンバー数 ÷ 配信数。"
                "配信数は期で分けられないため、期を選んだときは返信率を出しません。")
    s.charts.append(charts.bar_chart("kpi-ugc", "投稿の数（日別・種類別）", days, kinds, "件"))
    s.tables.append(_daily_table(ctx, "ugc-daily", "投稿の数（日別）", kinds))
    posts = live.theme_posts(ctx.session, ctx.start, ctx.end, ctx.rng.cohort)
    s.tables.append(Table("ugc-posts", "テーマ配信ごとの返信率とリアクション",
                          ["配信ID", "タイトル", "配信日時（日本時間）", "配信数", "回答したメンバー", "返信率",
                           "リアクション"],
                          [[p.post_id, p.title, format_jst(p.sent_at), p.recipients, p.answerers,
                            pct(p.reply_rate) if ctx.rng.cohort == "" else None, p.reactions] for p in posts]))
    return s


def cocreation_section(ctx: Context) -> Section:
    f, days = ctx.figures, ctx.figures.days
    submitters, supporters = f.get("idea_submitters"), f.get("idea_supporters")
    members_now = next((v for v in reversed(f.get("members")) if v is not None), 0)
    s = Section("cocreation", "共創",
                "アイデアを投稿した方・応援した方の人数（日別、応援を取り消した方は除きます）。"
                "アンケートの参加率＝期間内の回答数 ÷ 期間末のメンバー数。"
                "ステージは期間内に公開されたアイデアの今のステージです。")
    s.charts.append(charts.bar_chart("kpi-ideas", "アイデアの投稿者と応援者（日別）", days,
                                     [("投稿した方", submitters), ("応援した方", supporters)], "人"))
    s.tables.append(_daily_table(ctx, "cocreation-daily", "アイデアの投稿者・応援者とアンケート回答（日別）", [
        ("投稿した方", submitters), ("応援した方", supporters), ("アンケート回答", f.get("survey_responses"))]))
    rows = live.surveys(ctx.session, ctx.start, ctx.end, f.survey_responses, members_now or 0)
    s.tables.append(Table("cocreation-surveys", "アンケートの参加率",
                          ["アンケートID", "タイトル", "期間内の回答数", "期間末のメンバー数", "参加率"],
                          [[r.survey_id, r.title, r.responses, r.members, pct(r.rate)] for r in rows]))
    stages = live.idea_stages(ctx.session, ctx.start, ctx.end, ctx.rng.cohort)
    s.tables.append(Table("cocreation-stages", "ステージ別のアイデア数",
                          ["ステージ", "アイデア数"],
                          [[STAGE_LABELS.get(st, st), stages.get(st, 0)] for st in IdeaStage.ALL]))
    return s


def nps_section(ctx: Context) -> Section:
    f = ctx.figures
    p, pa, d = f.get("nps.promoters"), f.get("nps.passives"), f.get("nps.detractors")
    rows: list[list[Cell]] = []
    week_days: list[date] = []
    scores: list[float | None] = []
    for week, idx in series.weeks(f.days):
        if any(p[i] is None for i in idx):
            rows.append([week.isoformat(), None, None, None, None])
            week_days.append(week)
            scores.append(None)
            continue
        sp, spa, sd = (sum(v[i] or 0 for i in idx) for v in (p, pa, d))
        score = metrics.nps_score(sp, spa, sd)
        rows.append([week.isoformat(), sp, spa, sd, score])
        week_days.append(week)
        scores.append(None if score is None else float(score))
    totals = [sum(v or 0 for v in values) for values in (p, pa, d)]
    overall = metrics.nps_score(*totals)
    s = Section("nps", "NPS",
                "アンケートのNPS設問（0〜10）への回答から：推奨者（9〜10）の割合 − 批判者（0〜6）の割合。"
                "回答のない週は空欄です。", extra={"overall": overall, "split": totals})
    s.charts.append(charts.line_chart("kpi-nps", "NPSの推移（週別）", week_days, [("NPS", scores)]))
    s.tables.append(Table("nps-weekly", "NPS（週別、月曜始まり）",
                          ["週の初日", "推奨者", "中立者", "批判者", "NPS"], rows))
    return s


def referrals_section(ctx: Context) -> Section:
    f, days = ctx.figures, ctx.figures.days
    invites, joins = f.get("referral_invites"), f.get("referral_joins")
    s = Section("referrals", "友だち紹介",
                "招待の送信＝メンバーが紹介リンクを共有した回数。紹介による参加＝紹介が認められた参加（参加した方の期で数えます）。")
    s.charts.append(charts.bar_chart("kpi-referrals", "招待の送信と紹介による参加（日別）", days,
                                     [("招待の送信", invites), ("紹介による参加", joins)], "件"))
    s.tables.append(_daily_table(ctx, "referrals-daily", "招待の送信と紹介による参加（日別）",
                                 [("招待の送信", invites), ("紹介による参加", joins)]))
    top = live.top_referrers(ctx.session, ctx.start, ctx.end, ctx.rng.cohort)
    s.tables.append(Table("referrals-top", "紹介の多いメンバー", ["メンバーID", "ニックネーム", "期", "紹介による参加"],
                          [[r.member_id, r.nickname or "（削除済み・未設定）", cohort_label(r.cohort or NO_COHORT),
                            r.joins]
                           for r in top]))
    return s


SECTIONS: dict[str, Callable[[Context], Section]] = {
    "members": members_section, "activity": activity_section, "ugc": ugc_section,
    "cocreation": cocreation_section, "nps": nps_section, "referrals": referrals_section,
}


def build(session: Session, rng: series.Range, today: date, now: datetime, only: str | None = None,
          cache: series.LiveCache | None = None) -> list[Section]:
    """The sections for the range and cohort (just `only` when given)."""
    figures = series.load(session, rng, today, now, cache)
    start, end = metrics.window_days(rng.end, len(rng.days))
    ctx = Context(session, rng, figures, start, min(end, now))
    return [make(ctx) for key, make in SECTIONS.items() if only is None or key == only]


def find_table(sections: list[Section], key: str) -> Table | None:
    return next((t for s in sections for t in s.tables if t.key == key), None)
