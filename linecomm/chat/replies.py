"""Adding to a member's reply from anywhere in the transaction that handles their chat event: a feature that
learns something worth telling while the event is handled (points: a rank-up paid by a theme answer) rides
on the reply, which is free, instead of pushing, which is billed.

The webhook dispatcher names, in the session, the event being handled (`handling`) and the replies queued
but not stored yet (`queued`: in a batch, every event's reply waits until the batch's end, when the batch's
answers are stored and paid). `add_to_reply` appends to the member's reply while it still has room (LINE
takes up to 5 messages in one reply) and says whether it did; otherwise the caller pushes."""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from linecomm.line.client import Message
from linecomm.line.limits import MAX_MESSAGES
from linecomm.outbox import queueing

HANDLING = "linecomm.chat.handling"  # the EventContext being handled
QUEUED = "linecomm.chat.queued_replies"  # member id -> the reply row (outbox.message_row) not stored yet


@contextmanager
def handling(session: Session, ctx: Any) -> Iterator[None]:
    """While `ctx` is handled, `add_to_reply` may add to its reply."""
    session.info[HANDLING] = ctx
    try:
        yield
    finally:
        session.info.pop(HANDLING, None)


def queued(session: Session, rows: list[dict[str, Any]]) -> None:
    """The event's reply rows, queued for storing later in this transaction."""
    held = session.info.setdefault(QUEUED, {})
    for row in rows:
        if row.get("member_id") is not None and row.get("reply_token"):
            held[row["member_id"]] = row


def stored(session: Session) -> None:
    """The queued rows were stored: nothing more can be added to them."""
    session.info.pop(QUEUED, None)


def add_to_reply(session: Session, member_id: int, messages: list[Message]) -> bool:
    """Append `messages` to the reply the member is getting in this transaction, if there is one with room
    for them; False: nothing was added (push instead)."""
    ctx = session.info.get(HANDLING)
    if ctx is not None and ctx.member_id == member_id and ctx.reply_token:
        if len(ctx.outgoing) + len(messages) <= MAX_MESSAGES:
            ctx.reply(messages)
            return True
        return False
    row = session.info.get(QUEUED, {}).get(member_id)
    if row is None:
        return False
    held = json.loads(row["messages"])
    if len(held) + len(messages) > MAX_MESSAGES:
        return False
    together = held + list(messages)
    queueing.check_messages(together)
    row["messages"] = json.dumps(together, ensure_ascii=False)
    return True
