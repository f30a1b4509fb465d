"""Members' leaderboards on LIFF: /liff/leaderboard (this month / all-time tabs, the top 50, the member's own
position, the choice to show on the boards or not) and my page's 「ランキング」 block."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from linecomm.liff import access
from linecomm.liff.access import SignedInMember, commit, db, member_action, member_page
from linecomm.liff.sections import register_my_page_section
from linecomm.points import leaderboard, leaderboard_copy
from linecomm.points.leaderboard_store import boards_of
from linecomm.web_runtime import get_runtime

bp = Blueprint("liff_leaderboard", __name__, url_prefix="/liff/leaderboard")
PAGE_TOP = 50
CHOICES = {"hide": True, "show": False}


def _read(session: Session, kind: str, member_id: int, limit: int) -> leaderboard.Board:
    rt = get_runtime()
    return leaderboard.board(session, boards_of(rt.settings), kind, rt.clock(), limit, member_id)


@bp.get("", strict_slashes=False)
@member_page
def index(member: SignedInMember) -> Any:
    kind = request.args.get("board", leaderboard.MONTHLY)
    if kind not in leaderboard.KINDS:
        kind = leaderboard.MONTHLY  # an old or hand-made link: show this month's board
    session = db()
    board = _read(session, kind, member.member_id, PAGE_TOP)
    return render_template("liff/leaderboard.html", board=board, copy=leaderboard_copy, me_id=member.member_id,
                           hidden=leaderboard.is_hidden(session, member.member_id), kinds=leaderboard.KINDS,
                           saved=request.args.get("saved"), can_post=member.can_post)


@bp.post("/visibility")
@member_action
def visibility(member: SignedInMember) -> Any:
    choice = request.form.get("choice", "")
    if choice not in CHOICES:
        return access.refusal(400, leaderboard_copy.BAD_CHOICE)
    leaderboard.set_hidden(db(), member.member_id, CHOICES[choice], get_runtime().clock())
    commit()
    return redirect(url_for("liff_leaderboard.index", board=request.form.get("board") or None, saved=choice), 303)


def my_leaderboard(session: Session, member: SignedInMember) -> dict[str, Any] | None:
    board = _read(session, leaderboard.MONTHLY, member.member_id, 0)
    return {"title": leaderboard_copy.board_title(board), "mine": leaderboard_copy.my_line(board.me),
            "hidden": bool(board.me and board.me.hidden), "opted_out": leaderboard_copy.OPTED_OUT}


register_my_page_section("leaderboard", 12, "liff/leaderboard_my_page.html", my_leaderboard)
