"""「ポイント」 in chat (also ぽいんと, ﾎﾟｲﾝﾄ: keywords are matched folded) replies with a compact Flex
bubble of the member's balance, rank (with the way to the next one) and lifetime total. For members only:
anyone else gets the usual guidance.
Registered with linecomm.chat.router when imported (listed in linecomm.chat.features)."""
from __future__ import annotations

from linecomm.chat import router
from linecomm.chat.context import EventContext
from linecomm.members.models import Member
from linecomm.points import copy, ranks, service

POINT_WORDS = ("ポイント", "ポイント残高", "ポイント確認")


def _is_member(member: Member) -> bool:
    return member.is_member


@router.keyword(POINT_WORDS, when=_is_member)
def show_points(ctx: EventContext, member: Member) -> None:
    held = service.balance_of(ctx.session, member.id)
    progress = ranks.progress_of(ctx.session, member.id)
    ctx.reply([copy.chat_bubble(member.nickname or "メンバー", held.balance, held.lifetime,
                                copy.points_url(ctx.settings.liff_id), progress)])
