"""Ranks in the console (marketers and owners, Permission.POINTS): the ladder of ranks by lifetime points
(names and thresholds; a change is a new version, audited, and every member is moved to their rank on it
at once, without announcements), its history, and how many members hold each rank. The segment forms
offer "this rank or above" through `rank_options` (a template global of the console)."""
from __future__ import annotations

import unicodedata
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from linecomm.admin import security
from linecomm.admin.blueprint import bp, commit, db, reader
from linecomm.admin.security import requires
from linecomm.audit import service as audit
from linecomm.points import copy, rank_menu, ranks
from linecomm.points import segments as point_segments
from linecomm.points.models import MemberPoints
from linecomm.richmenu import service as richmenu
from linecomm.staff.roles import Permission

ROWS = ranks.MAX_RANKS
THRESHOLD_MAX_CHARS = 9


class BadRow(ValueError):
    pass


def _steps(names: list[str], thresholds: list[str]) -> list[tuple[str, int]]:
    """The rows typed (blank rows skipped), or BadRow with the row that cannot be read."""
    steps = []
    for n, (name, raw) in enumerate(zip(names, thresholds, strict=False), start=1):
        # Full-width digits and commas as typed on a Japanese keyboard are read as the number they show.
        raw = unicodedata.normalize("NFKC", raw).strip().replace(",", "")[:THRESHOLD_MAX_CHARS + 1]
        name = unicodedata.normalize("NFKC", name).strip()[:ranks.NAME_MAX + 1]
        if not name and not raw:
            continue
        if not raw.isascii() or not raw.isdigit() or len(raw) > THRESHOLD_MAX_CHARS:
            raise BadRow(copy.RANK_BAD_LINE.format(n=n))
        steps.append((name, int(raw)))
    return steps


def _holders(session: Any) -> dict[int, int]:
    """Members per kept rank level (one GROUP BY; members with no points row hold the first rank)."""
    return {level: count for level, count in session.execute(
        select(MemberPoints.rank_level, func.count()).group_by(MemberPoints.rank_level))}


def _page(rows: list[tuple[str, str]] | None = None, status: int = 200) -> Any:
    session = reader()
    ladder = ranks.current_ladder(session)
    if rows is None:
        rows = [(r.name, str(r.threshold)) for r in ladder.ranks]
    rows = rows + [("", "")] * (ROWS - len(rows))
    body = render_template("admin/ranks.html", ladder=ladder, rows=rows[:ROWS], holders=_holders(session),
                           history=ranks.history(session), max_ranks=ranks.MAX_RANKS, name_max=ranks.NAME_MAX,
                           menu_from=rank_menu.from_level(session), menus_deployed=richmenu.any_deployed(session))
    return body, status


@bp.get("/points/ranks")
@requires(Permission.POINTS)
def point_ranks() -> Any:
    return _page()


@bp.post("/points/ranks")
@requires(Permission.POINTS)
def point_ranks_save() -> Any:
    names = [v[:100] for v in request.form.getlist("name")][:ROWS + 5]
    thresholds = [v[:100] for v in request.form.getlist("threshold")][:ROWS + 5]
    try:
        steps = _steps(names, thresholds)
        before, after = ranks.set_ladder(db(), steps, security.actor().email)
    except (BadRow, ranks.RankError) as exc:
        db().rollback()
        flash(str(exc), "error")
        return _page(list(zip(names, thresholds, strict=False)), 422)
    except IntegrityError:  # another marketer saved a version at the same moment: theirs stands
        db().rollback()
        flash(copy.RANK_RACED, "error")
        return _page(list(zip(names, thresholds, strict=False)), 409)
    audit.record(db(), security.actor(), "points.ranks", "point_ranks", after.version,
                 before={"version": before.version, "ranks": [[r.name, r.threshold] for r in before.ranks]},
                 after={"version": after.version, "ranks": [[r.name, r.threshold] for r in after.ranks]})
    commit()
    flash(copy.RANK_SAVED.format(version=after.version), "info")
    return redirect(url_for("admin.point_ranks"), 303)


@bp.post("/points/ranks/menu")
@requires(Permission.POINTS)
def point_ranks_menu() -> Any:
    raw = (request.form.get("from_level") or "").strip()[:3]
    try:
        if raw and not (raw.isascii() and raw.isdigit()):
            raise rank_menu.MenuError("特典メニューを表示するランクを選び直してください。")
        before, after = rank_menu.set_from_level(db(), int(raw) if raw else None, security.actor().email)
    except rank_menu.MenuError as exc:
        db().rollback()
        flash(str(exc), "error")
        return _page(status=422)
    names = {r.level: r.name for r in ranks.current_ladder(db()).ranks}
    audit.record(db(), security.actor(), "points.rank_menu", "rank_menu_setting", "1",
                 before={"from": names.get(before) if before is not None else None},
                 after={"from": names.get(after) if after is not None else None})
    commit()
    flash("特典メニューの設定を保存しました。メンバーのメニューを順に切り替えます。", "info")
    return redirect(url_for("admin.point_ranks"), 303)


@bp.context_processor
def _rank_options() -> dict[str, Any]:
    """`rank_options()` for the segment fields (templates/admin/_pushes.html): read only when a page that
    shows them is rendered."""
    return {"rank_options": lambda: point_segments.form_options(reader())}
