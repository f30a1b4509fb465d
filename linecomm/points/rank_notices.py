"""Telling members their rank went up, once per member and level: by the reply to the chat event that
earned it when there is one with room (free: linecomm.chat.replies, e.g. a theme answer that ranks its
author up gets the thanks and the news in one reply), otherwise by one push through the outbox (UNIQUE key
`rank-up:<member>:<level>`), held until quiet hours end (the outbox row's `not_before`) and sent after the
transaction commits (`enqueue_after_commit`; a held one is left to the sweeper, which sends pending
messages once their `not_before` has passed). Once is kept by `member_points.rank_announced`, which the
same transaction raises."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.chat import replies
from linecomm.db import one_of
from linecomm.members.models import Member
from linecomm.outbox import queueing
from linecomm.points import copy
from linecomm.points.ranks import Ladder
from linecomm.pushes import policy as push_policy
from linecomm.pushes.segments import reachable
from linecomm.queue import enqueue_after_commit


def rank_up_key(member_id: int, level: int) -> str:
    return f"rank-up:{member_id}:{level}"


def held_until(session: Session, now: datetime) -> datetime | None:
    """The end of quiet hours when `now` falls in them, else None."""
    release = push_policy.quiet_hours(push_policy.read(session)).release(now)
    return release if release > now else None


def announce(session: Session, ladder: Ladder, ups: dict[int, int], now: datetime) -> list[int]:
    """Tell each member in `ups` (member id -> new level): in the reply they are getting, or else by a push
    to those who can receive it (one query, one INSERT; a key stored before is skipped), sent after commit.
    Returns the outbox ids of the pushes stored."""
    replied = {member_id for member_id, level in ups.items()
               if replies.add_to_reply(session, member_id, copy.rank_up(ladder.rank(level).name))}
    ups = {member_id: level for member_id, level in ups.items() if member_id not in replied}
    if not ups:
        return []
    recipients = session.execute(select(Member.id, Member.line_user_id).where(
        one_of(session, Member.id, sorted(ups)), reachable(), Member.line_user_id.like("U%"))).all()
    if not recipients:
        return []
    not_before = held_until(session, now)
    by_level: dict[int, list[tuple[str, str, int | None]]] = {}
    for member_id, user_id in recipients:
        by_level.setdefault(ups[member_id], []).append((rank_up_key(member_id, ups[member_id]), user_id, member_id))
    rows = [row for level, to in sorted(by_level.items())
            for row in queueing.message_rows(copy.rank_up(ladder.rank(level).name), to)]
    for row in rows:
        row["not_before"] = not_before
    ids = [i for i in queueing.store_new(session, rows) if i is not None]
    send_after_commit(session, ids, not_before)
    return ids


def send_after_commit(session: Session, message_ids: list[int], not_before: datetime | None) -> None:
    """Ask for the sends once the transaction commits (in chunks the sender handles at once); messages held
    for quiet hours are left to the sweeper."""
    from linecomm.outbox import sending

    if not_before is not None:
        return
    for start in range(0, len(message_ids), sending.CHUNK):
        enqueue_after_commit(session, sending.DELIVER_JOB, message_ids[start:start + sending.CHUNK])
