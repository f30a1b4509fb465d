"""Group chats and rooms: recorded, politely declined, and left."""
from __future__ import annotations

import logging

from sqlalchemy import select

from linecomm.chat.context import EventContext
from linecomm.members import copy
from linecomm.queue import enqueue_after_commit
from linecomm.webhooks.models import ChatGroup

log = logging.getLogger(__name__)
LEAVE_JOB = "linecomm.webhooks.jobs.leave_chat"


def _chat(ctx: EventContext) -> ChatGroup | None:
    source = ctx.raw.get("source") or {}
    chat_type = source.get("type")
    chat_id = source.get("groupId") if chat_type == "group" else source.get("roomId")
    if chat_type not in ("group", "room") or not chat_id:
        return None
    chat = ctx.session.scalar(select(ChatGroup).where(ChatGroup.chat_id == chat_id))
    if chat is None:
        chat = ChatGroup(chat_id=chat_id, chat_type=chat_type, created_at=ctx.now)
        ctx.session.add(chat)
        ctx.session.flush()
    return chat


def on_join(ctx: EventContext) -> None:
    """Invited into a group: say why we cannot stay, and leave once the message is out."""
    chat = _chat(ctx)
    if chat is None:
        return
    chat.joined_at, chat.left_at = ctx.now, None
    ctx.reply(copy.group_declined())
    ctx.flush_reply(to=chat.chat_id)
    enqueue_after_commit(ctx.session, LEAVE_JOB, chat.chat_type, chat.chat_id, ctx.store_queued_now())


def on_leave(ctx: EventContext) -> None:
    chat = _chat(ctx)
    if chat is not None:
        chat.left_at = ctx.now


def on_member_change(ctx: EventContext) -> None:
    chat = _chat(ctx)
    if chat is not None:
        chat.member_events += 1
