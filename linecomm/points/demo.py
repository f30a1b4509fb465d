"""Demo data for points (`linecomm demo`): a welcome grant to each demo member (once: the operation id is
fixed), so 「ポイント」 in chat and my page have something to show; the demo's reviews, ideas and answers earn
points by the default rules as they are recorded."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.members.models import Member
from linecomm.points import service

WELCOME = 100
OPERATION = "demowelcome"


def seed(session: Session, line_user_ids: list[str]) -> None:
    for member_id in session.scalars(select(Member.id).where(Member.line_user_id.in_(line_user_ids))):
        service.grant_manual(session, member_id, WELCOME, "コミュニティへようこそ", OPERATION, "demo")
