"""The process's wiring: settings, database, LINE client and job queue, shared by web, jobs and CLI.

Jobs find the runtime they run in through `current()`: the embedded queue sets it for its threads,
`linecomm worker` sets it for the whole process.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from linecomm.config import Settings
from linecomm.db import make_engine, make_session_factory, utcnow
from linecomm.line.client import LineClient
from linecomm.queue import EmbeddedJobQueue, JobQueue, RedisJobQueue, bind_to_sessions, resolve

log = logging.getLogger(__name__)
_current: contextvars.ContextVar[Runtime] = contextvars.ContextVar("linecomm_runtime")
_process_default: Runtime | None = None


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    line: LineClient
    readers: sessionmaker[Session]  # for pages and reports that only read (never wait on SQLite writers)
    queue: JobQueue = field(init=False)
    # What time the jobs believe it is (aware UTC). Tests replace it to move through quiet hours and
    # days without sleeping; everything else uses the real clock.
    clock: Callable[[], datetime] = field(default=utcnow)

    @classmethod
    def build(cls, settings: Settings, line: LineClient | None = None, queue: JobQueue | None = None) -> Runtime:
        """Wire everything from settings; `line` and `queue` may be injected (tests, benchmarks)."""
        load_every_model()
        install_delivery_owners()
        install_recipient_check()
        install_membership_listeners()
        install_action_listeners()
        engine = make_engine(settings.database_url)
        if line is None:
            from linecomm.line.sdk_client import SdkLineClient

            line = SdkLineClient(
                settings.line_channel_access_token, settings.line_api_base_url, timeout=settings.line_timeout_seconds,
                data_api_base_url=settings.api_data_base_url,
            )
        readers = (
            make_session_factory(make_engine(settings.database_url, read_only=True)) if settings.is_sqlite else None
        )
        runtime = cls(
            settings=settings,
            engine=engine,
            sessions=make_session_factory(engine),
            line=line,
            readers=readers or make_session_factory(engine),
        )
        if queue is None:
            if settings.redis_url:
                queue = RedisJobQueue(settings.redis_url, settings.queue_name)
            else:
                queue = EmbeddedJobQueue(runtime.run_job, workers=settings.embedded_workers)
        runtime.queue = queue
        bind_to_sessions(runtime.sessions, queue)
        install_leaderboards(runtime)
        from linecomm.uploads.storage import bind_upload_dir

        bind_upload_dir(runtime.sessions, settings.uploads_path)
        if runtime.readers is not runtime.sessions:
            bind_upload_dir(runtime.readers, settings.uploads_path)
        return runtime

    @property
    def uses_embedded_queue(self) -> bool:
        return isinstance(self.queue, EmbeddedJobQueue)

    def run_job(self, func: str, args: tuple[Any, ...]) -> None:
        """Run one job with this runtime as `current()` (used by the embedded queue)."""
        token = _current.set(self)
        try:
            resolve(func)(*args)
        finally:
            _current.reset(token)

    def database_ok(self) -> bool:
        try:
            with self.readers() as session:
                session.execute(text("SELECT 1"))
            return True
        except Exception:
            log.warning("database check failed", exc_info=True)
            return False

    def close(self) -> None:
        self.queue.close()
        close = getattr(self.line, "close", None)
        if close:
            close()
        self.engine.dispose()
        reader_engine = self.readers.kw.get("bind")
        if reader_engine is not None and reader_engine is not self.engine:
            reader_engine.dispose()


def load_every_model() -> None:
    """Give this process the whole schema. A foreign key names its table by string, which SQLAlchemy
    resolves only among the models imported so far: a process that never imports the staff models (a
    worker that only runs jobs) cannot flush a row pointing at `staff_users`. Every process (web, worker,
    CLI, embedded queue) builds its runtime here, so each one imports the registry and configures the
    mappers once, at start, where a broken mapping fails loudly instead of inside a job."""
    from sqlalchemy.orm import configure_mappers

    import linecomm.models  # noqa: F401  (the registry of every table)

    configure_mappers()


def install_delivery_owners() -> None:
    """Tell the push engine which feature owns each kind of delivery (linecomm.delivery_owners): every
    process that sends or schedules (web, worker, CLI, embedded queue) builds its runtime here."""
    from linecomm.delivery_owners import install

    install()


def install_recipient_check() -> None:
    """Tell the outbox who may still receive a message (members: following, not erased); the outbox sits
    below the members feature and never imports it (linecomm.outbox.recipients)."""
    from linecomm.members.service import reachable_among
    from linecomm.outbox import recipients

    recipients.install(reachable_among)


def install_membership_listeners() -> None:
    """Let the features that follow membership hear of joins and leaves (rich menus switch per user;
    linecomm.members.service.MEMBERSHIP_LISTENERS), without members importing them."""
    from linecomm.referrals import service as referrals
    from linecomm.richmenu import hooks

    hooks.install()
    referrals.install()  # referrals: a join through a member's invite link is attributed once


def install_action_listeners() -> None:
    """Let points hear of member actions and moderation moves in their transaction
    (linecomm.actions.service.BATCH_LISTENERS, moderation seams), without the features importing points."""
    from linecomm.points import badge_grants, ranks, service

    service.install()
    badge_grants.install()  # badges: declarative badges granted in the action's transaction
    ranks.install()  # ranks follow balances (linecomm.points.ledger.BALANCE_LISTENERS)


def install_leaderboards(runtime: Runtime) -> None:
    """Let the leaderboards follow balances and membership in the writing transaction, and (with Redis) send
    their sorted-set writes after each commit of this runtime's sessions (linecomm.points.leaderboard)."""
    from linecomm.points import leaderboard, leaderboard_jobs, leaderboard_store

    leaderboard.install()
    boards = leaderboard_store.boards_of(runtime.settings)
    if boards is not None:
        leaderboard_store.bind(runtime.sessions, boards)
        leaderboard_jobs.ask_rebuild_on_loss(runtime)


def set_process_default(runtime: Runtime | None) -> None:
    global _process_default
    _process_default = runtime


def current() -> Runtime:
    """The runtime the calling job runs in."""
    runtime = _current.get(None) or _process_default
    if runtime is None:
        raise RuntimeError("no linecomm runtime: jobs run inside `linecomm worker` or the embedded queue")
    return runtime
