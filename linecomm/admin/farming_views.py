"""The anti-farming setting in the console (marketers and owners, Permission.POINTS): whether duplicate and
meaningless posts earn nothing, and how strict the check is (linecomm.points.farming). Audit-logged."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from linecomm.admin import security
from linecomm.admin.blueprint import bp, commit, db, reader
from linecomm.admin.security import requires
from linecomm.audit import service as audit
from linecomm.points import farming
from linecomm.staff.roles import Permission

FIELDS = {"min_chars": "意味のある文字数の下限", "similarity": "類似度のしきい値（%）",
          "lookback_days": "比較する期間（日）"}


def _page(policy: farming.Policy, status: int = 200) -> Any:
    return render_template("admin/points_farming.html", policy=policy, limits=farming.LIMITS,
                           recent=farming.RECENT_POSTS, fields=FIELDS), status


@bp.get("/points/farming")
@requires(Permission.POINTS)
def points_farming() -> Any:
    return _page(farming.read_policy(reader()))


@bp.post("/points/farming/save")
@requires(Permission.POINTS)
def points_farming_save() -> Any:
    values: dict[str, Any] = {"enabled": request.form.get("enabled") == "on"}
    for name, label in FIELDS.items():
        raw = (request.form.get(name) or "").strip()[:6]
        if not raw.isascii() or not raw.isdigit():
            flash(f"{label}は半角数字で入力してください。", "error")
            return _page(farming.read_policy(reader()), 422)
        values[name] = int(raw)
    try:
        before, after = farming.set_policy(db(), farming.Policy(**values), security.actor().email)
    except farming.PolicyError as exc:
        db().rollback()
        flash(str(exc), "error")
        return _page(farming.Policy(**values), 422)
    audit.record(db(), security.actor(), "points.farming", "points_farming_policy", "1",
                 before=asdict(before), after=asdict(after))
    commit()
    flash("ポイント対象外とする投稿の設定を保存しました。", "info")
    return redirect(url_for("admin.points_farming"), 303)
