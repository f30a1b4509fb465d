"""Referrals in the console (read only): invites shared, newcomers who accepted an invite link, joins
attributed, top referrers and the latest attributed joins, each member linking to their page. Marketers
and owners (Permission.REFERRALS_READ); nothing here changes data, so nothing is audit-logged."""
from __future__ import annotations

from typing import Any

from flask import render_template

from linecomm.admin.blueprint import bp, db
from linecomm.admin.security import requires
from linecomm.referrals import stats
from linecomm.staff.roles import Permission


@bp.get("/referrals")
@requires(Permission.REFERRALS_READ)
def referrals() -> Any:
    session = db()
    return render_template("admin/referrals.html", totals=stats.totals(session),
                           top=stats.top_referrers(session), recent=stats.recent(session))
