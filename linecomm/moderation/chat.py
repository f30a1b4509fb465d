"""Reports (通報) from chat: a postback `action=report&content=<id>[&reason=...]` on a member's post."""
from __future__ import annotations

from linecomm.members.models import Member
from linecomm.moderation import copy, service
from linecomm.moderation.service import ReportResult
from linecomm.webhooks.context import EventContext

ANSWERS = {
    ReportResult.ACCEPTED: copy.report_received,
    ReportResult.HIDDEN: copy.report_received,
    ReportResult.DUPLICATE: copy.report_duplicate,
    ReportResult.NOT_VISIBLE: copy.report_not_possible,
    ReportResult.OWN_CONTENT: copy.report_own_post,
    ReportResult.NOT_MEMBER: copy.report_members_only,
}


def on_report(ctx: EventContext, member: Member) -> None:
    content_id = ctx.postback_id("content")
    if content_id is None:
        ctx.reply(copy.report_not_possible())
        return
    result = service.report(ctx.session, content_id, member.id, ctx.postback.get("reason") or "chat", ctx.now)
    ctx.reply(ANSWERS[result]())
