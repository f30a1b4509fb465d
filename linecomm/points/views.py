"""Members' points on LIFF: my page's 「ポイント」 block (balance, rank and the way to the next one, lifetime
total, the last 20 ledger rows) and /liff/points with the longer history."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from sqlalchemy.orm import Session

from linecomm.liff.access import SignedInMember, db, member_page
from linecomm.liff.sections import register_my_page_section
from linecomm.points import copy, ranks, service

bp = Blueprint("liff_points", __name__, url_prefix="/liff/points")
MY_PAGE_ROWS = 20
PAGE_ROWS = 100


def _context(session: Session, member_id: int, rows: int) -> dict[str, Any]:
    held = service.balance_of(session, member_id)
    history = [(entry, copy.describe(entry.kind, entry.action_kind, entry.reason), copy.valid_until(entry))
               for entry in service.history(session, member_id, rows)]
    progress = ranks.progress_of(session, member_id)
    return {"balance": copy.points(held.balance), "lifetime": copy.points(held.lifetime), "history": history,
            "empty": copy.NO_HISTORY, "rank": progress.rank.name, "rank_next": copy.rank_line(progress),
            "rank_percent": progress.percent}


def my_points(session: Session, member: SignedInMember) -> dict[str, Any] | None:
    return _context(session, member.member_id, MY_PAGE_ROWS)


@bp.get("", strict_slashes=False)
@member_page
def index(member: SignedInMember) -> Any:
    return render_template("liff/points.html", section=_context(db(), member.member_id, PAGE_ROWS))


register_my_page_section("points", 10, "liff/points_my_page.html", my_points)
