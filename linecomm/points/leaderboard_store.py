"""The leaderboards in Redis: one sorted set per board (`all`, and `m:2026-12` for a JST month), member →
points, holding only the members who show (members, not opted out, more than 0 points), plus a `ready`
marker written when a board was last built whole from PostgreSQL.

Redis is never the truth: a board without its marker (Redis flushed or restarted, a new month) is not read;
answers come from SQL until a rebuild (linecomm.points.leaderboard_jobs) streams the database into a
temporary key and renames it over the board. Writes are absolute values (ZADD of the new total, ZREM), so
replaying them changes nothing; they are sent after the writing transaction commits, pipelined, through
the hooks `bind()` puts on a session factory.
"""
from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

log = logging.getLogger(__name__)
BOARDS_KEY = "linecomm.leaderboard_boards"  # session.info: the RedisBoards a session's commits update
PENDING_KEY = "linecomm.leaderboard_pending"  # session.info: the writes waiting for the commit
MONTH_TTL_SECONDS = 62 * 86400  # a month's board outlives its month a little, then Redis drops it

# One write: (board, member id, points) — points None removes the member from the board.
Write = tuple[str, int, int | None]

# Absolute writes to one board, noting the members while the board is being rebuilt. ARGV[1] packs them as
# "member:points,member:,..." (no points: remove): one argument per call rather than two per member, since
# the client's packing of arguments cost more than the writes themselves (200,000 of them after a segment
# grant).
_WRITE = """
local adds, gone, touched = {}, {}, {}
for member, points in string.gmatch(ARGV[1], '(%d+):(%d*)') do
  if points == '' then gone[#gone + 1] = member
  else adds[#adds + 1] = points; adds[#adds + 1] = member end
  touched[#touched + 1] = member
end
if #adds > 0 then redis.call('ZADD', KEYS[1], unpack(adds)) end
if #gone > 0 then redis.call('ZREM', KEYS[1], unpack(gone)) end
if #touched > 0 and redis.call('EXISTS', KEYS[2]) == 1 then redis.call('SADD', KEYS[3], unpack(touched)) end
return 0
"""

# ZSCORE and the count of members strictly above, in one round trip; nil when the board is not ready.
_POSITION = """
if redis.call('EXISTS', KEYS[2]) == 0 then return false end
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not s then return {-1, 0} end
return {s, redis.call('ZCOUNT', KEYS[1], '(' .. s, '+inf')}
"""


def member_key(member_id: int) -> str:
    """Zero-padded, so that members with equal points are ordered by id (Redis orders ties by the bytes)."""
    return f"{member_id:010d}"


class RedisBoards:
    """The boards of one deployment (keys under `linecomm:<namespace>:lb:`)."""

    def __init__(self, redis_url: str, namespace: str = "linecomm") -> None:
        from redis import Redis

        self.redis = Redis.from_url(redis_url, socket_connect_timeout=0.5, socket_timeout=3.0)
        self.prefix = f"linecomm:{namespace}:lb:"
        self._position = self.redis.register_script(_POSITION)
        self._write = self.redis.register_script(_WRITE)
        # Told when a read finds a board not ready (the runtime asks for a rebuild job).
        self.on_lost: Callable[[str], None] | None = None

    def key(self, board: str) -> str:
        return self.prefix + board

    def marker(self, board: str) -> str:
        return self.prefix + "ready:" + board

    # ---- writes --------------------------------------------------------------------------------------
    def apply(self, writes: Iterable[Write], chunk: int = 1_000) -> None:
        """ZADD / ZREM each write: one atomic script call per board and chunk, pipelined. While the board is
        being rebuilt, the members written are also noted (`dirty:<board>`) for the rebuild to read again."""
        by_board: dict[str, dict[int, str]] = {}
        for board, member_id, points in writes:  # a member's last write stands (the script adds, then removes)
            shown = "" if points is None or points <= 0 else str(int(points))  # nothing: off the board
            by_board.setdefault(board, {})[member_id] = f"{member_key(member_id)}:{shown}"
        pipe = self.redis.pipeline(transaction=False)
        for board, latest in by_board.items():
            pairs = list(latest.values())
            keys = [self.key(board), self.prefix + "building:" + board, self.prefix + "dirty:" + board]
            for i in range(0, len(pairs), chunk):
                self._write(keys=keys, args=[",".join(pairs[i:i + chunk])], client=pipe)
        pipe.execute()

    def replace(self, board: str, rows: Callable[[], Iterable[list[tuple[int, int]]]], ttl: int | None = None) -> int:
        """Build the board whole from `rows()` (chunks of (member id, points), read from the database after
        this call flags the rebuild) in a temporary key, then put it in place with RENAME and mark it
        ready: readers see the old board or the new one, never half of one. Returns the number of members.
        Writes sent meanwhile are noted; `dirty()` hands them over for the caller to read again."""
        temp = self.prefix + f"temp:{board}:{uuid.uuid4().hex[:8]}"
        flag, dirty = self.prefix + "building:" + board, self.prefix + "dirty:" + board
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(flag, b"1", ex=3600)  # before the database is read: any later commit is noted
        pipe.delete(dirty)
        pipe.execute()
        count = 0
        try:
            for part in rows():
                if not part:
                    continue
                pipe = self.redis.pipeline(transaction=False)
                pipe.zadd(temp, {member_key(m): p for m, p in part})
                pipe.expire(temp, 3600)  # a rebuild that dies leaves nothing behind for long
                pipe.execute()
                count += len(part)
            pipe = self.redis.pipeline(transaction=True)
            if count:
                pipe.rename(temp, self.key(board))
                pipe.persist(self.key(board))
            else:
                pipe.delete(self.key(board))
            pipe.delete(flag)
            pipe.set(self.marker(board), str(time.time()))
            if ttl:
                pipe.expire(self.key(board), ttl)
                pipe.expire(self.marker(board), ttl)
            pipe.execute()
        finally:
            self.redis.delete(temp, flag)
        return count

    def dirty(self, board: str) -> list[int]:
        """The members written while the board was rebuilt (emptied as read)."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.smembers(self.prefix + "dirty:" + board)
        pipe.delete(self.prefix + "dirty:" + board)
        members, _ = pipe.execute()
        return sorted(int(m) for m in members)

    def lock(self, board: str, seconds: int = 900) -> str | None:
        """Take the board's rebuild lock; returns its token, or None when another rebuild holds it."""
        token = uuid.uuid4().hex
        took = self.redis.set(self.prefix + "lock:" + board, token, nx=True, ex=seconds)
        return token if took else None

    def unlock(self, board: str, token: str) -> None:
        key = self.prefix + "lock:" + board
        if self.redis.get(key) == token.encode():
            self.redis.delete(key)

    # ---- reads ---------------------------------------------------------------------------------------
    def built_at(self, board: str) -> float | None:
        """When the board was last built whole (epoch seconds), or None when it is not ready."""
        value = self.redis.get(self.marker(board))
        return float(value) if value is not None else None

    def ready(self, board: str) -> bool:
        if self.redis.exists(self.marker(board)):
            return True
        self.lost(board)
        return False

    def lost(self, board: str) -> None:
        if self.on_lost is not None:
            try:
                self.on_lost(board)
            except Exception:  # the periodic pass rebuilds it anyway
                log.warning("could not ask for a rebuild of leaderboard %s", board, exc_info=True)

    def top(self, board: str, count: int) -> list[tuple[int, int]]:
        """The first `count` members (most points first; equal points by member id, highest first)."""
        rows = self.redis.zrange(self.key(board), 0, count - 1, desc=True, withscores=True)
        return [(int(m), int(s)) for m, s in rows]

    def position(self, board: str, member_id: int) -> tuple[int | None, int] | None:
        """(the member's points on the board or None when absent, how many members have more); None when
        the board is not ready. One round trip."""
        answer = self._position(keys=[self.key(board), self.marker(board)], args=[member_key(member_id)])
        if answer is None:
            self.lost(board)
            return None
        score, above = answer
        return (None, 0) if int(score) == -1 else (int(float(score)), int(above))

    def count_above(self, board: str, points: int) -> int:
        return int(self.redis.zcount(self.key(board), f"({points}", "+inf"))

    def forget(self) -> None:
        """Drop every board and marker of this namespace (tests, `linecomm` maintenance)."""
        keys = list(self.redis.scan_iter(match=self.prefix + "*", count=1000))
        for i in range(0, len(keys), 1000):
            self.redis.delete(*keys[i:i + 1000])


@lru_cache(maxsize=16)
def boards_for(redis_url: str, namespace: str) -> RedisBoards:
    """One client per Redis and deployment in a process."""
    return RedisBoards(redis_url, namespace)


def boards_of(settings: Any) -> RedisBoards | None:
    """The deployment's boards, or None in the embedded default (no Redis: boards are read from SQL)."""
    if not settings.redis_url:
        return None
    return boards_for(settings.redis_url, settings.queue_name)


def bind(factory: sessionmaker[Session], boards: RedisBoards) -> None:
    """Make sessions from `factory` send the writes the balance seam queued once they commit (and drop
    them on rollback). A Redis that does not answer loses nothing: the next rebuild restores the board."""
    info = dict(factory.kw.get("info") or {})
    info[BOARDS_KEY] = boards
    factory.configure(info=info)

    def _after_commit(session: Session) -> None:
        writes = session.info.pop(PENDING_KEY, None)
        if writes:
            try:
                boards.apply(writes)
            except Exception:
                log.warning("leaderboard: could not update Redis; the periodic rebuild will", exc_info=True)

    def _after_rollback(session: Session, previous: SessionTransaction) -> None:
        if not previous.nested:
            session.info.pop(PENDING_KEY, None)

    event.listen(factory, "after_commit", _after_commit)
    event.listen(factory, "after_soft_rollback", _after_rollback)


def queue_writes(session: Session, writes: list[Write]) -> None:
    """Send `writes` to Redis once the session commits (nothing without Redis)."""
    if writes and session.info.get(BOARDS_KEY) is not None:
        session.info.setdefault(PENDING_KEY, []).extend(writes)


def boards_of_session(session: Session) -> RedisBoards | None:
    return session.info.get(BOARDS_KEY)
