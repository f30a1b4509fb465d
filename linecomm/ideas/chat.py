"""Ideas in chat: 「アイデア」 replies with a link to the ideas page on LIFF (and the member's own ideas'
stages, when they have any). For members only, like 「アンケート」: anyone else gets the usual guidance.
Registered with linecomm.chat.router when imported (listed in linecomm.chat.features)."""
from __future__ import annotations

from linecomm.chat import router
from linecomm.chat.context import EventContext
from linecomm.ideas import copy, service
from linecomm.members.models import Member

IDEA_WORDS = ("アイデア", "アイディア", "アイデアを出す", "アイデア一覧")


def _is_member(member: Member) -> bool:
    return member.is_member


@router.keyword(IDEA_WORDS, when=_is_member)
def show_ideas(ctx: EventContext, member: Member) -> None:
    mine = [(idea.title, copy.STAGE_LABELS[idea.stage], idea.support_count)
            for idea, state in service.my_ideas(ctx.session, member.id, 3) if state == "published"]
    ctx.reply(copy.chat_reply(f"https://liff.line.me/{ctx.settings.liff_id}/ideas", mine))
