"""Theme posts in chat: a member's text or image while an answer window is open becomes their answer;
reaction and poll taps are counted; 「みんなの回答を見る」 shows other members' answers with a report
button for each; 「テーマ」 shows the open post again. Registered with linecomm.chat.router when imported."""
from __future__ import annotations

import logging

from linecomm.chat import router
from linecomm.chat.context import EventContext
from linecomm.members.models import Member, MemberStatus
from linecomm.moderation import copy as moderation_copy
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentState, ReviewReason
from linecomm.pushes import service as pushes
from linecomm.queue import enqueue_after_commit
from linecomm.themes import copy, reactions, service
from linecomm.themes.models import AnswerKind, AnswerMode, ThemePost
from linecomm.themes.reactions import Tap

log = logging.getLogger(__name__)
FETCH_IMAGE_JOB = "linecomm.themes.jobs.fetch_answer_image"
THEME_WORDS = ("テーマ", "今月のテーマ", "お題", "おだい")


def _is_member(member: Member) -> bool:
    return member.is_member


def _kind(ctx: EventContext) -> str | None:
    if ctx.text is not None:
        return AnswerKind.TEXT
    if ctx.message_type == "image":
        return AnswerKind.IMAGE
    return None


def _last_of_image_set(ctx: EventContext) -> bool:
    """Several photos sent at once arrive as one event each; acknowledge the set once, at its last one."""
    image_set = (ctx.raw.get("message") or {}).get("imageSet") or {}
    index, total = image_set.get("index"), image_set.get("total")
    return not (isinstance(index, int) and isinstance(total, int) and index < total)


@router.message(router.ANSWER, when=_is_member)
def try_answer(ctx: EventContext, member: Member) -> bool:
    """Take the member's message as an answer to the theme post whose window is open for them, and
    reply. False when no window is open (nor closed lately) or the message is not text or an image:
    the caller answers as usual."""
    kind = _kind(ctx)
    if kind is None or (kind == AnswerKind.TEXT and not (ctx.text or "").strip()):
        return False
    post = service.answerable_post(ctx.session, member.id, ctx.now, ctx.batch)
    if post is None:
        closed = service.recently_closed_post(ctx.session, member.id, ctx.now, ctx.batch)
        if closed is None:
            return False
        ctx.reply(copy.answers_closed(closed.title))
        return True
    if not moderation.can_post(member):
        ctx.reply(moderation_copy.suspended(moderation.suspension_reason(ctx.session, member.id)))
        return True
    message_id = str((ctx.raw.get("message") or {}).get("id") or f"event:{ctx.webhook_event_id}")
    single = post.answer_mode == AnswerMode.SINGLE
    if single and service.answered_before(ctx.session, post.id, member.id, message_id, ctx.batch):
        if kind != AnswerKind.IMAGE or _last_of_image_set(ctx):  # a set of photos is told once
            ctx.reply(copy.already_answered(post.title))
        return True
    submitted = service.record_answer(ctx.session, post, member, kind=kind, body=ctx.text or "",
                                      line_message_id=message_id, now=ctx.now, batch=ctx.batch)
    if kind == AnswerKind.IMAGE and not submitted.repeated:
        enqueue_after_commit(ctx.session, FETCH_IMAGE_JOB, submitted.answer.id)
    if kind == AnswerKind.IMAGE and not _last_of_image_set(ctx):
        return True
    item = submitted.item
    if item.state == ContentState.PUBLISHED:  # flagged answers too: published, reviewed afterwards
        ctx.reply(copy.answer_published(post.title, post.id, image=kind == AnswerKind.IMAGE))
    elif item.state == ContentState.HELD and item.review_reason == ReviewReason.PERSONAL_DATA:
        ctx.reply(moderation.notice_for(ctx.session, item))  # says why, and asks them not to post such data
    elif item.state == ContentState.HELD:
        ctx.reply(copy.photo_held(post.title) if kind == AnswerKind.IMAGE else copy.answer_held(post.title))
    else:  # blocked: an NG word (nothing is published), or the member's standing
        ctx.reply(moderation.notice_for(ctx.session, item))
    return True


@router.keyword(THEME_WORDS, when=_is_member)  # a keyword, never an answer to the open post
def show_open_post(ctx: EventContext, member: Member) -> None:
    """「テーマ」: the post whose answer window is open for the member, shown again, or that there is none."""
    post = service.answerable_post(ctx.session, member.id, ctx.now)
    if post is None:
        ctx.reply(copy.no_open_theme())
        return
    assert post.answers_close_at is not None
    ctx.reply(copy.open_theme(post.title, post.text, post.answers_close_at, ctx.now,
                              single=post.answer_mode == AnswerMode.SINGLE))


def _post_id(ctx: EventContext) -> int | None:
    return ctx.postback_id("post")


@router.postback("react")
@router.postback("vote")
@router.postback("answers")
def on_postback(ctx: EventContext, member: Member) -> None:
    """`action=react|vote|answers&post=<id>...` from the quick replies of a post or an acknowledgement."""
    action = ctx.postback.get("action")
    post_id = _post_id(ctx)
    if post_id is None:
        ctx.reply(copy.button_unavailable())
        return
    if action == "answers":
        _show_answers(ctx, member, post_id)
        return
    if action == "react":
        result = reactions.react(ctx.session, post_id, member, ctx.postback.get("r", ""), ctx.now)
    else:
        result = reactions.vote(ctx.session, post_id, member, ctx.postback.get("o", ""), ctx.now)
    label = result.choice.label if result.choice else ""
    if result.outcome is Tap.COUNTED:
        ctx.reply(copy.reaction_counted(label) if action == "react" else copy.vote_counted(label))
    elif result.outcome is Tap.CHANGED:
        ctx.reply(copy.vote_changed(label))
    elif result.outcome is Tap.CLOSED:
        ctx.reply(copy.vote_closed())
    elif result.outcome is Tap.TEST:
        ctx.reply(copy.test_button())
    elif result.outcome is Tap.NOT_MEMBER:
        ctx.reply(copy.members_only())
    elif result.outcome is Tap.UNKNOWN:
        ctx.reply(copy.button_unavailable())
    # Tap.REPEATED: counted before and acknowledged then; say nothing twice.


def _show_answers(ctx: EventContext, member: Member, post_id: int) -> None:
    if member.status not in (MemberStatus.MEMBER, MemberStatus.SUSPENDED):
        ctx.reply(copy.members_only())
        return
    post = ctx.session.get(ThemePost, post_id)
    if post is None or not pushes.has_gone_out(ctx.session, post_id):
        ctx.reply(copy.button_unavailable())
        return
    rows = service.others_published(ctx.session, post_id, member.id)
    if not rows:
        ctx.reply(copy.no_other_answers(post.title))
        return
    ctx.reply(copy.others_answers(post.title, [(r.item.id, r.nickname or "メンバー", r.item.body) for r in rows]))
