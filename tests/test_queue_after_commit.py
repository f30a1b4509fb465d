"""Jobs asked for in a transaction are enqueued once it commits; those asked for inside a savepoint that
is rolled back are forgotten with it, and only those."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

from linecomm.queue import bind_to_sessions, enqueue_after_commit


class RecordingQueue:
    def __init__(self) -> None:
        self.jobs: list[tuple[str, tuple[Any, ...]]] = []

    def enqueue(self, func: str, *args: Any, job_id: str | None = None) -> None:
        self.jobs.append((func, args))


@pytest.fixture
def sessions_and_queue(tmp_path):  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite:///{tmp_path / 'q.db'}")
    factory = sessionmaker(bind=engine)
    queue = RecordingQueue()
    bind_to_sessions(factory, queue)  # type: ignore[arg-type]
    yield factory, queue
    engine.dispose()


def test_a_rolled_back_savepoint_forgets_only_its_own_jobs(sessions_and_queue) -> None:  # type: ignore[no-untyped-def]
    factory, queue = sessions_and_queue
    with factory() as session, session.begin():
        session.execute(text("SELECT 1"))
        enqueue_after_commit(session, "jobs.first", 1)
        try:
            with session.begin_nested():
                enqueue_after_commit(session, "jobs.inside", 2)
                raise RuntimeError("this event failed")
        except RuntimeError:
            pass
        with session.begin_nested():
            enqueue_after_commit(session, "jobs.after", 3)
    assert queue.jobs == [("jobs.first", (1,)), ("jobs.after", (3,))]


def test_a_rolled_back_transaction_enqueues_nothing(sessions_and_queue) -> None:  # type: ignore[no-untyped-def]
    factory, queue = sessions_and_queue
    with factory() as session:
        session.begin()
        enqueue_after_commit(session, "jobs.lost", 1)
        session.rollback()
    assert queue.jobs == []
