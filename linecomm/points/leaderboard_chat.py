"""「ランキング」 in chat (also らんきんぐ, ﾗﾝｷﾝｸﾞ: keywords are matched folded) replies with a Flex
carousel: this month's top 10 and the all-time top 10, each with the member's own position. For members
only: anyone else gets the usual guidance. Registered with linecomm.chat.router when imported (listed in
linecomm.chat.features)."""
from __future__ import annotations

from linecomm.chat import router
from linecomm.chat.context import EventContext
from linecomm.members.models import Member
from linecomm.points import leaderboard, leaderboard_copy
from linecomm.points.leaderboard_store import boards_of

LEADERBOARD_WORDS = ("ランキング", "ポイントランキング")
CHAT_TOP = 10


def _is_member(member: Member) -> bool:
    return member.is_member


@router.keyword(LEADERBOARD_WORDS, when=_is_member)
def show_leaderboard(ctx: EventContext, member: Member) -> None:
    boards = boards_of(ctx.settings)
    read = [leaderboard.board(ctx.session, boards, kind, ctx.now, CHAT_TOP, member.id)
            for kind in (leaderboard.MONTHLY, leaderboard.ALL_TIME)]
    liff_id = ctx.settings.liff_id
    url = f"https://liff.line.me/{liff_id}/leaderboard" if liff_id else None
    ctx.reply([leaderboard_copy.chat_message(read, member.id, url)])
