"""Moderation in chat: reports (通報), a postback `action=report&content=<id>[&reason=...]` on a member's
post; and a suspended member who writes is told why they cannot post. Registered with linecomm.chat.router
when imported."""
from __future__ import annotations

from sqlalchemy.orm import Session

from linecomm.chat import router
from linecomm.chat.context import EventContext
from linecomm.members import service as members
from linecomm.members.models import Member, MemberStatus
from linecomm.moderation import copy, sanctions, service
from linecomm.moderation.service import ReportResult

ANSWERS = {
    ReportResult.ACCEPTED: copy.report_received,
    ReportResult.HIDDEN: copy.report_received,
    ReportResult.DUPLICATE: copy.report_duplicate,
    ReportResult.NOT_VISIBLE: copy.report_not_possible,
    ReportResult.OWN_CONTENT: copy.report_own_post,
    ReportResult.NOT_MEMBER: copy.report_members_only,
}


def refuses_nickname(session: Session, nickname: str) -> bool:
    """A nickname passes the screen members' posts pass: what the NG words or the personal-data rule would
    block or hold is refused as a name (members ask for another)."""
    return service.screen(session, nickname).refused_as_name


if refuses_nickname not in members.NICKNAME_RULES:
    members.NICKNAME_RULES.append(refuses_nickname)


@router.postback("report")
def on_report(ctx: EventContext, member: Member) -> None:
    content_id = ctx.postback_id("content")
    if content_id is None:
        ctx.reply(copy.report_not_possible())
        return
    result = service.report(ctx.session, content_id, member.id, ctx.postback.get("reason") or "chat", ctx.now)
    ctx.reply(ANSWERS[result]())


def _suspended(member: Member) -> bool:
    return member.status == MemberStatus.SUSPENDED


@router.message(router.RESTRICTED, when=_suspended)
def tell_suspended(ctx: EventContext, member: Member) -> bool:
    """A suspended member's message (a keyword aside) is not taken: they are told why."""
    ctx.reply(sanctions.suspended_notice(ctx.session, member))
    return True
