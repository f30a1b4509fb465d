"""Demo data for the leaderboards (`linecomm demo`): thanks for a (fictional) event, in different amounts, so
「ランキング」 and /liff/leaderboard show an order rather than a three-way tie of welcome points. Once only:
the operation id is fixed."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.members.models import Member
from linecomm.points import service

OPERATION = "demoleaderboard"
REASON = "オンラインイベントご参加のお礼"


def seed(session: Session, line_user_ids: list[str]) -> None:
    amounts = dict(zip(line_user_ids, (120, 50, 30), strict=False))
    rows = session.execute(select(Member.id, Member.line_user_id).where(Member.line_user_id.in_(list(amounts))))
    for member_id, line_user_id in sorted(rows, key=lambda r: r[1]):
        service.grant_manual(session, member_id, amounts[line_user_id], REASON, OPERATION, "demo")
