"""How the account answers a LINE user in chat: who sent an event (their member row), follow, unfollow,
the join flow, the keywords ヘルプ/参加/退会, leaving, and what members and guests are told otherwise.
Registered with linecomm.chat.router when imported."""
from __future__ import annotations

import logging

from linecomm.chat import router
from linecomm.chat.context import EventContext
from linecomm.line.client import LineError
from linecomm.members import copy, service
from linecomm.members.invites import CodeCheck
from linecomm.members.models import JoinStep, Member, MemberStatus
from linecomm.text.normalise import keyword_key

log = logging.getLogger(__name__)

# Readings are listed too: many members type keywords in kana without converting them.
HELP_WORDS = ("ヘルプ", "help", "使い方", "つかいかた", "メニュー")
JOIN_WORDS = ("参加", "参加する", "さんか", "さんかする", "入会", "join")
LEAVE_WORDS = ("退会", "退会する", "たいかい", "たいかいする")
# Within the join flow, which takes everything a joining member sends before any keyword is matched:
HELP_KEYWORDS = {keyword_key(k) for k in HELP_WORDS}
JOIN_KEYWORDS = {keyword_key(k) for k in JOIN_WORDS}
CANCEL_KEYWORDS = {keyword_key(k) for k in ("キャンセル", "やめる", "中止")}

CODE_FAILURES = {
    CodeCheck.NOT_FOUND: copy.code_not_found,
    CodeCheck.EXPIRED: copy.code_expired,
    CodeCheck.USED_UP: copy.code_used_up,
    CodeCheck.DISABLED: copy.code_disabled,
}


router.senders(service.get_or_create, service.touch)


@router.on_follow
def on_follow(ctx: EventContext, member: Member) -> None:
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


@router.on_unfollow
def on_unfollow(ctx: EventContext, member: Member) -> None:
    service.record_unfollow(member, ctx.now)


def _joining(member: Member) -> bool:
    return member.status == MemberStatus.JOINING


@router.message(router.CONVERSATION, when=_joining)
def on_join_flow_message(ctx: EventContext, member: Member) -> bool:
    """Everything a joining member sends belongs to the join flow (its own keywords included)."""
    if ctx.text is None:
        ctx.reply(copy.join_step_reminder(member.join_step or ""))
    else:
        _continue_join(ctx, member, keyword_key(ctx.text))
    return True


@router.keyword(HELP_WORDS)
def on_help(ctx: EventContext, member: Member) -> None:
    ctx.reply(copy.help_for_member(member.nickname) if member.is_member else copy.help_for_guest())


@router.keyword(JOIN_WORDS)
@router.postback("join")
def start_join(ctx: EventContext, member: Member) -> None:
    if service.start_join(member):
        ctx.reply(copy.ask_code())
    else:
        ctx.reply(copy.already_member(member.nickname))


@router.keyword(LEAVE_WORDS)
def ask_leave(ctx: EventContext, member: Member) -> None:
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


@router.postback("consent")
def on_consent(ctx: EventContext, member: Member) -> None:
    version = ctx.postback.get("v", "")
    if member.status != MemberStatus.JOINING or member.join_step != JoinStep.CONSENT:
        return  # a stale button tapped again: nothing to do, say nothing twice
    if version != ctx.settings.privacy_notice_version:
        ctx.reply(copy.ask_consent(ctx.settings.privacy_notice_url, ctx.settings.privacy_notice_version))
        return
    service.record_consent(ctx.session, member, version, ctx.now)
    ctx.reply(copy.ask_nickname())


@router.postback("decline")
def on_decline(ctx: EventContext, member: Member) -> None:
    if member.status == MemberStatus.JOINING:
        service.cancel_join(member)
        ctx.reply(copy.consent_declined())


@router.postback("leave_confirm")
def on_leave_confirmed(ctx: EventContext, member: Member) -> None:
    if member.leave_requested_at is not None and service.leave(member, ctx.now):
        ctx.reply(copy.left())
    elif not member.is_member:
        ctx.reply(copy.not_a_member())


@router.postback("leave_cancel")
def on_leave_cancelled(ctx: EventContext, member: Member) -> None:
    if member.leave_requested_at is not None:
        member.leave_requested_at = None
        ctx.reply(copy.leave_cancelled())


def _is_member(member: Member) -> bool:
    return member.is_member


@router.message(router.MEMBER, when=_is_member)
def thank_member(ctx: EventContext, member: Member) -> bool:
    """A member's message no other step took (no open theme post): thanks."""
    ctx.reply(copy.member_thanks())
    return True


@router.message(router.GUEST)
def guide_guest(ctx: EventContext, member: Member) -> bool:
    """Anyone else (a follower, a former member): what the community is and how to join."""
    ctx.reply(copy.guest_guidance())
    return True
