"""Member actions are recorded once per key, however often a feature's call is retried or raced; a
withdrawn action recorded again counts again; listeners (points, later) hear each change once."""
from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from linecomm.actions import service as actions
from linecomm.actions.models import MemberAction
from linecomm.db import make_engine, make_session_factory, transaction
from tests.admin.console import make_member
from tests.support.community import Community


@pytest.fixture
def heard() -> Iterator[list[tuple[str, str]]]:
    events: list[tuple[str, str]] = []

    def listen(_session, action: MemberAction, change: str) -> None:  # type: ignore[no-untyped-def]
        events.append((action.key, change))

    actions.LISTENERS.append(listen)
    yield events
    actions.LISTENERS.remove(listen)


def test_an_action_is_recorded_once_and_a_withdrawn_one_counts_again(community: Community, heard) -> None:  # type: ignore[no-untyped-def]
    with community.session() as s:
        member = make_member(s, nickname="はなこ")
        s.commit()
        key = f"idea-support:1:{member.id}"
        first = actions.record(s, member.id, actions.ActionKind.IDEA_SUPPORTED, key,
                               ref="idea:1")
        assert first is not None and first.kind == "idea_supported" and first.ref == "idea:1"
        assert actions.record(s, member.id, actions.ActionKind.IDEA_SUPPORTED, key) is None
        assert actions.withdraw(s, key) is not None
        assert actions.withdraw(s, key) is None  # once
        again = actions.record(s, member.id, actions.ActionKind.IDEA_SUPPORTED, key)
        assert again is not None and again.id == first.id and again.withdrawn_at is None
        s.commit()
        assert s.scalar(select(func.count()).select_from(MemberAction)) == 1
    assert heard == [(key, "recorded"), (key, "withdrawn"), (key, "recorded")]
    with pytest.raises(ValueError):
        with community.session() as s:
            actions.record(s, member.id, "x" * 33, "too-long-kind")


@pytest.mark.parametrize("backend", ["postgres"])
def test_the_same_action_raced_from_three_transactions_is_recorded_once(community: Community, heard) -> None:  # type: ignore[no-untyped-def]
    with community.session() as s:
        member_id = make_member(s, nickname="いちろう").id
        s.commit()
    engine = make_engine(community.settings.database_url)
    sessions = make_session_factory(engine)
    barrier = threading.Barrier(3)
    results: list[bool] = []

    def race() -> None:
        with transaction(sessions) as session:
            barrier.wait()
            results.append(actions.record(session, member_id, actions.ActionKind.BEST_ANSWER, "best-answer:7")
                           is not None)

    threads = [threading.Thread(target=race) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    assert sorted(results) == [False, False, True]
    with community.reader() as s:
        assert s.scalar(select(func.count()).select_from(MemberAction).where(MemberAction.key == "best-answer:7")) == 1
