"""Surveys in chat: 「アンケート」 replies with the surveys open for this member (their LIFF links) or says
there are none. Like 「テーマ」, the keyword is for members: anyone else gets the usual guidance.
Registered with linecomm.chat.router when imported (listed in linecomm.chat.features)."""
from __future__ import annotations

from linecomm.chat import router
from linecomm.chat.context import EventContext
from linecomm.members.models import Member
from linecomm.surveys import copy, service

SURVEY_WORDS = ("アンケート", "アンケートに答える", "アンケート一覧")
LIFF_BASE = "https://liff.line.me"


def liff_url(liff_id: str, path: str) -> str:
    """A LIFF deep link (LINE opens the LIFF app and forwards to `path` after sign-in)."""
    return f"{LIFF_BASE}/{liff_id}/{path.lstrip('/')}"


def _is_member(member: Member) -> bool:
    return member.is_member


@router.keyword(SURVEY_WORDS, when=_is_member)
def show_open_surveys(ctx: EventContext, member: Member) -> None:
    listings = service.open_for_member(ctx.session, member.id, ctx.now)
    if not listings:
        ctx.reply(copy.no_open_surveys())
        return
    liff_id = ctx.settings.liff_id
    shown = listings[:copy.CHAT_LIST_MAX]
    entries = [(item.survey.title, item.response is not None, item.survey.closes_at,
                liff_url(liff_id, f"surveys/{item.survey.id}")) for item in shown]
    ctx.reply(copy.open_surveys(entries, len(listings) - len(shown), liff_url(liff_id, "surveys")))
