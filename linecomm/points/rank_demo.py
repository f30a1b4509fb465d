"""Demo data for ranks (`linecomm demo`): the default ladder saved as its first version (so the console's
ランク page shows it with its history), and いちろう 20 points short of ブロンズ, so the next thing he does in
chat (answer a theme, react) announces his rank-up and switches his chat menu to the gold 「メンバー特典」
menu (chosen for ブロンズ and above). Once: the grant's operation id is fixed."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.members.models import Member
from linecomm.points import rank_menu, ranks, service
from linecomm.points.rank_models import PointRank, RankMenuSetting

NEAR_RANK_UP_USER = "Ude0000000000000000000000000000a2"  # いちろう (linecomm.demo.seed.DEMO_MEMBERS)
SHORT_BY = 20
OPERATION = "demorankup"


def seed(session: Session) -> None:
    if session.scalar(select(PointRank.id).limit(1)) is None:
        ranks.set_ladder(session, ranks.DEFAULT_LADDER, "demo")
    if session.get(RankMenuSetting, 1) is None:
        rank_menu.set_from_level(session, 1, "demo")  # ブロンズ以上
    member_id = session.scalar(select(Member.id).where(Member.line_user_id == NEAR_RANK_UP_USER))
    if member_id is None:
        return
    ladder, _level, lifetime = ranks.rank_of(session, member_id)
    upper = ladder.progress(lifetime).next
    if upper is not None and upper.threshold - SHORT_BY > lifetime:
        service.grant_manual(session, member_id, upper.threshold - SHORT_BY - lifetime, "イベント参加のお礼",
                             OPERATION, "demo")
