"""Q&A in chat: 「質問」 (and variants) replies with the Q&A page's LIFF link and the newest FAQ titles.
For members, like 「アンケート」; anyone else gets the usual guidance. Registered with linecomm.chat.router
when imported (listed in linecomm.chat.features)."""
from __future__ import annotations

from linecomm.chat import router
from linecomm.chat.context import EventContext
from linecomm.members.models import Member
from linecomm.qa import copy, faq

QA_WORDS = ("質問", "しつもん", "質問する", "質問したい", "Q&A", "QandA", "よくある質問", "FAQ")
LIFF_BASE = "https://liff.line.me"
FAQ_TITLES_SHOWN = 5


def _is_member(member: Member) -> bool:
    return member.is_member


@router.keyword(QA_WORDS, when=_is_member)
def show_qa(ctx: EventContext, member: Member) -> None:
    titles = faq.newest_titles(ctx.session, FAQ_TITLES_SHOWN)
    ctx.reply(copy.qa_menu(f"{LIFF_BASE}/{ctx.settings.liff_id}/qa", titles))
