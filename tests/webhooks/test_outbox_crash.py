"""A `linecomm worker` killed with SIGKILL while LINE is slow to answer its replies: every member still
gets their answer, and no message is recorded as sent that LINE did not take."""
from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from linecomm.config import Settings
from linecomm.db import utcnow
from linecomm.line.simulator import text_event
from linecomm.outbox.models import OutboundMessage, OutboundStatus
from tests.pushes.processes import WorkerProcess, worker_env
from tests.support.community import Community

REPLY, PUSH = "/v2/bot/message/reply", "/v2/bot/message/push"


def _wait_until(probe, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


@pytest.mark.parametrize("backend", ["postgres"])
def test_a_worker_killed_mid_chunk_leaves_no_member_without_an_answer(
    community: Community, settings: Settings, tmp_path: Path
) -> None:
    users = [community.user(f"困りごと {i}") for i in range(30)]
    token = community.fake.issue_reply_token
    community.fake.inject_fault(REPLY, status=None, delay=2.0, times=3)  # LINE is slow to answer at first
    assert community.post_events([text_event(u.user_id, "ヘルプ", token(u.user_id)) for u in users]).status == 200

    first = WorkerProcess(worker_env(settings), tmp_path / "first.log")
    try:
        _wait_until(lambda: any(r.path == REPLY and r.status == 200 for r in community.fake.requests))
        first.kill()  # mid-chunk: some replies taken by LINE, one in flight, the rest not yet tried
    finally:
        first.stop()
    with community.reader() as s:
        in_doubt = s.scalar(select(OutboundMessage.id).where(OutboundMessage.status == OutboundStatus.PENDING))
    assert in_doubt is not None, "the worker finished before it was killed"

    community.fake.let_time_pass(300)  # later: the reply tokens have expired at LINE...
    with community.session() as s:  # ...and the dead worker's lease on its messages has run out
        s.execute(update(OutboundMessage).where(OutboundMessage.status == OutboundStatus.PENDING)
                  .values(lease_until=utcnow(), created_at=utcnow() - timedelta(minutes=5)))
    second = WorkerProcess(worker_env(settings), tmp_path / "second.log")  # sweeps at start
    try:
        def all_settled() -> bool:
            with community.reader() as s:
                return not s.scalar(select(OutboundMessage.id).where(OutboundMessage.status == OutboundStatus.PENDING))

        _wait_until(all_settled)
    finally:
        second.stop()

    # Every member has their answer (at least once; those whose reply LINE took before the kill, twice).
    assert [u.user_id for u in users if not u.texts()] == []
    # Nothing is recorded as sent that LINE did not accept for that very member.
    accepted = Counter()
    for r in community.fake.requests:
        if r.status == 200 and r.path == PUSH:
            accepted[r.json["to"]] += 1
    replied = Counter(u.user_id for u in users for m in community.fake.messages_to(u.user_id))
    with community.reader() as s:
        rows = list(s.scalars(select(OutboundMessage)))
    assert {row.status for row in rows} == {OutboundStatus.SENT}
    for row in rows:
        if row.sent_via == "push":
            assert accepted[row.to] >= 1, row.to
        else:
            assert row.sent_via == "reply" and replied[row.to] >= 1, row.to
    duplicates = sum(1 for u in users if len(u.received()) > 1)
    assert duplicates <= 2, "only replies LINE took before the kill may arrive twice"
