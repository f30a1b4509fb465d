"""Re-checking published content against a newly added NG word.

A word added today says nothing about what was published yesterday. `affected` finds the published
items the word matches (what it would hide, hold or flag); `apply` moves them as if the word had been on
the list when they were posted, recording each move in the item's history. Functions only flush.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.db import one_of, utcnow
from linecomm.moderation import ngwords
from linecomm.moderation.matcher import NgMatcher
from linecomm.moderation.models import ContentDecision, ContentItem, ContentState, NgAction, NgWord, ReviewReason

CHUNK = 500
# What applying a word does to a published item it matches: (decision, state, queued, review reason).
_MOVES = {
    NgAction.BLOCK: ("ng_word_hidden", ContentState.HIDDEN, False, None),
    NgAction.HOLD: ("ng_word_held", ContentState.HELD, True, ReviewReason.HELD),
    NgAction.FLAG: ("ng_word_flagged", ContentState.PUBLISHED, True, ReviewReason.FLAGGED),
}


def _matcher(word: NgWord) -> NgMatcher:
    return NgMatcher([ngwords.entry_of(word.term, word.term_key, word.action, word.readings)])


def _published(session: Session, word: NgWord) -> Iterator[tuple[int, str]]:
    stmt = select(ContentItem.id, ContentItem.body).where(
        ContentItem.state == ContentState.PUBLISHED, ContentItem.redacted_at.is_(None)
    )
    if word.action == NgAction.FLAG:
        stmt = stmt.where(ContentItem.in_queue.is_(False))  # already waiting for a moderator
    # Streamed: the folding is Python's, so every body is read, but never all at once.
    yield from session.execute(stmt.order_by(ContentItem.id).execution_options(yield_per=CHUNK))  # rows: (id, body)


def affected(session: Session, word: NgWord) -> list[int]:
    """Ids of the published items `word` (with its readings) matches and would move."""
    matcher = _matcher(word)
    return [item_id for item_id, body in _published(session, word) if matcher.check(body).action]


def apply(session: Session, word: NgWord, staff_id: int | None, now: datetime | None = None) -> int:
    """Treat published content as if `word` had been listed when it was posted: hide it (block), hold it
    for review (hold) or queue it for review (flag). Returns how many items moved."""
    now = now or utcnow()
    decision, to_state, queued, reason = _MOVES[word.action]
    ids = affected(session, word)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        for item in session.scalars(select(ContentItem).where(one_of(session, ContentItem.id, chunk))):
            session.add(ContentDecision(content_id=item.id, staff_id=staff_id, action=decision,
                                        from_state=item.state, to_state=to_state,
                                        note=f"NGワード追加: {word.term}"[:500], at=now))
            terms = json.loads(item.ng_terms) if item.ng_terms else []
            item.ng_terms = json.dumps([*terms, word.term], ensure_ascii=False)
            if NgAction.STRENGTH.get(word.action, 0) > NgAction.STRENGTH.get(item.ng_action or "", 0):
                item.ng_action = word.action
            item.state, item.in_queue, item.review_reason = to_state, queued, reason
            if not queued:
                item.decided_at, item.decided_by = now, staff_id
        session.flush()
    return len(ids)
