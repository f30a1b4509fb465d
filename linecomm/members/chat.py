"""How the account answers a LINE user in chat: follow, unfollow, the join flow, keywords, leaving."""
from __future__ import annotations

import logging

from linecomm.line.client import LineError
from linecomm.members import copy, service
from linecomm.members.invites import CodeCheck
from linecomm.members.models import JoinStep, Member, MemberStatus
from linecomm.moderation import chat as moderation_chat
from linecomm.moderation import sanctions as moderation_sanctions
from linecomm.text.normalise import keyword_key
from linecomm.themes import chat as theme_chat
from linecomm.webhooks.context import EventContext

log = logging.getLogger(__name__)

# Readings are listed too: many members type keywords in kana without converting them.
HELP_KEYWORDS = {keyword_key(k) for k in ("ヘルプ", "help", "使い方", "つかいかた", "メニュー")}
JOIN_KEYWORDS = {keyword_key(k) for k in ("参加", "参加する", "さんか", "さんかする", "入会", "join")}
LEAVE_KEYWORDS = {keyword_key(k) for k in ("退会", "退会する", "たいかい", "たいかいする")}
CANCEL_KEYWORDS = {keyword_key(k) for k in ("キャンセル", "やめる", "中止")}
THEME_KEYWORDS = {keyword_key(k) for k in ("テーマ", "今月のテーマ", "お題", "おだい")}

CODE_FAILURES = {
    CodeCheck.NOT_FOUND: copy.code_not_found,
    CodeCheck.EXPIRED: copy.code_expired,
    CodeCheck.USED_UP: copy.code_used_up,
    CodeCheck.DISABLED: copy.code_disabled,
}


def _member(ctx: EventContext) -> Member | None:
    if ctx.source_type != "user" or not ctx.user_id:
        return None
    member = ctx.members.get(ctx.user_id) if ctx.members is not None else None
    if member is None:
        member = service.get_or_create(ctx.session, ctx.user_id, ctx.now)
    ctx.member_id = member.id
    return member


def on_follow(ctx: EventContext) -> None:
    member = _member(ctx)
    if member is None:
        return
    profile = None
    try:
        profile = ctx.line.get_profile(member.line_user_id)
    except LineError as exc:  # the greeting matters more than the profile; it is fetched again next time
        log.info("profile of %s not available: %s", member.line_user_id, exc)
    service.record_follow(member, profile, ctx.now)
    if member.status in (MemberStatus.MEMBER, MemberStatus.SUSPENDED):
        ctx.reply(copy.welcome_back(member.nickname))
    else:
        unblocked = bool((ctx.raw.get("follow") or {}).get("isUnblocked"))
        ctx.reply(copy.greeting(member.display_name, unblocked=unblocked))


def on_unfollow(ctx: EventContext) -> None:
    member = _member(ctx)
    if member is not None:
        service.record_unfollow(member, ctx.now)


def on_message(ctx: EventContext) -> None:
    member = _member(ctx)
    if member is None:
        return
    service.touch(member, ctx.now)
    if ctx.text is None:
        if member.status == MemberStatus.JOINING:
            ctx.reply(copy.join_step_reminder(member.join_step or ""))
        elif member.is_member:
            if not theme_chat.try_answer(ctx, member):  # an image answering a theme post
                ctx.reply(copy.member_thanks())
        elif member.status == MemberStatus.SUSPENDED:
            ctx.reply(moderation_sanctions.suspended_notice(ctx.session, member))  # says why
        else:
            ctx.reply(copy.guest_guidance())
        return
    key = keyword_key(ctx.text)
    if member.status == MemberStatus.JOINING:
        _continue_join(ctx, member, key)
    elif key in HELP_KEYWORDS:
        ctx.reply(copy.help_for_member(member.nickname) if member.is_member else copy.help_for_guest())
    elif key in JOIN_KEYWORDS:
        _start_join(ctx, member)
    elif key in LEAVE_KEYWORDS:
        _ask_leave(ctx, member)
    elif key in THEME_KEYWORDS and member.is_member:  # a keyword, never an answer to the open post
        theme_chat.show_open_post(ctx, member)
    elif member.is_member:
        if not theme_chat.try_answer(ctx, member):  # an answer to the theme post open for them
            ctx.reply(copy.member_thanks())
    elif member.status == MemberStatus.SUSPENDED:
        ctx.reply(moderation_sanctions.suspended_notice(ctx.session, member))  # says why
    else:
        ctx.reply(copy.guest_guidance())


def _start_join(ctx: EventContext, member: Member) -> None:
    if service.start_join(member):
        ctx.reply(copy.ask_code())
    else:
        ctx.reply(copy.already_member(member.nickname))


def _ask_leave(ctx: EventContext, member: Member) -> None:
    if member.status in (MemberStatus.MEMBER, MemberStatus.SUSPENDED):
        member.leave_requested_at = ctx.now
        ctx.reply(copy.confirm_leave())
    else:
        ctx.reply(copy.not_a_member())


def _continue_join(ctx: EventContext, member: Member, key: str) -> None:
    text = ctx.text or ""
    if key in CANCEL_KEYWORDS:
        service.cancel_join(member)
        ctx.reply(copy.join_cancelled())
    elif key in HELP_KEYWORDS:
        ctx.reply(copy.help_for_guest())
    elif member.join_step == JoinStep.CODE and key in JOIN_KEYWORDS:  # 参加する tapped twice: not a code
        ctx.reply(copy.ask_code())
    elif member.join_step == JoinStep.CODE:
        attempt = service.submit_code(ctx.session, member, text, ctx.now)
        if attempt.result is CodeCheck.OK:
            ctx.reply(copy.ask_consent(ctx.settings.privacy_notice_url, ctx.settings.privacy_notice_version))
        elif attempt.retry_after is not None:
            ctx.reply(copy.code_entry_closed(attempt.retry_after, ctx.now, everyone=attempt.result is CodeCheck.PAUSED))
        else:
            ctx.reply(CODE_FAILURES[attempt.result]())
    elif member.join_step == JoinStep.CONSENT:
        ctx.reply(copy.join_step_reminder(JoinStep.CONSENT))
        ctx.reply(copy.ask_consent(ctx.settings.privacy_notice_url, ctx.settings.privacy_notice_version))
    elif member.join_step == JoinStep.NICKNAME:
        problem = service.complete_join(ctx.session, member, text, ctx.now)
        if problem is None:
            ctx.reply(copy.joined(member.nickname or "", member.cohort or ""))
        elif isinstance(problem, CodeCheck):  # the code was used up (or closed) while they chose a name
            ctx.reply(copy.code_gone_meanwhile(problem.value))
        else:
            ctx.reply(copy.nickname_invalid(problem.value))
    else:  # an inconsistent row: start over rather than leave them stuck
        service.start_join(member)
        ctx.reply(copy.ask_code())


def on_postback(ctx: EventContext) -> None:
    member = _member(ctx)
    if member is None:
        return
    service.touch(member, ctx.now)
    data = ctx.postback
    action = data.get("action")
    if action == "join":
        _start_join(ctx, member)
    elif action == "consent":
        version = data.get("v", "")
        if member.status != MemberStatus.JOINING or member.join_step != JoinStep.CONSENT:
            return  # a stale button tapped again: nothing to do, say nothing twice
        if version != ctx.settings.privacy_notice_version:
            ctx.reply(copy.ask_consent(ctx.settings.privacy_notice_url, ctx.settings.privacy_notice_version))
            return
        service.record_consent(ctx.session, member, version, ctx.now)
        ctx.reply(copy.ask_nickname())
    elif action == "decline":
        if member.status == MemberStatus.JOINING:
            service.cancel_join(member)
            ctx.reply(copy.consent_declined())
    elif action == "leave_confirm":
        if member.leave_requested_at is not None and service.leave(member, ctx.now):
            ctx.reply(copy.left())
        elif not member.is_member:
            ctx.reply(copy.not_a_member())
    elif action == "report":
        moderation_chat.on_report(ctx, member)
    elif action in theme_chat.THEME_ACTIONS:
        theme_chat.on_postback(ctx, member)
    elif action == "leave_cancel":
        if member.leave_requested_at is not None:
            member.leave_requested_at = None
            ctx.reply(copy.leave_cancelled())
    else:
        log.info("postback with unknown action %r from %s", action, member.line_user_id)
