"""LINE's multicast rate limit (200 requests per second per channel), shared by every sender.

LINE counts requests in any one-second window. A token bucket sized for 200/s would let 200 through at
once and 200 more as it refills within the same second (429s); evenly spaced tokens would waste the
slack after any hiccup. So this is a sliding-window log of the last second's requests, the same rule
LINE applies, with a small margin on the window for network jitter between our clock and LINE's.

With Redis configured, the log is one sorted set updated atomically by a Lua script on Redis's clock,
so all workers of all processes share one budget. Without Redis (the embedded queue, one process) it
lives in memory. If Redis stops answering, senders fall back to a local log at half the rate (we cannot
know how many workers remain) and LINE's 429s, retried with the same retry key, absorb any excess.
Either way the limiter only paces requests: the batch rows in the database are the guarantee.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections import deque
from typing import Any, Protocol

from linecomm.config import Settings

log = logging.getLogger(__name__)
WINDOW_SECONDS = 1.0
JITTER_MARGIN = 0.03  # our window is this much longer than LINE's

# KEYS[1]: the log. ARGV: limit, window (µs), a unique member. Returns 0 (go) or µs to wait.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1000)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, math.ceil(tonumber(oldest[2]) + window - now))
"""


class RateLimiter(Protocol):
    def acquire(self) -> float:
        """Block until one more request may go; return the seconds spent waiting."""


class LocalWindowLimiter:
    """At most `limit` acquisitions in any `window` seconds within this process."""

    def __init__(self, limit: int, window: float = WINDOW_SECONDS + JITTER_MARGIN):
        self.limit, self.window = limit, window
        self._log: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        started = time.monotonic()
        while True:
            with self._lock:
                now = time.monotonic()
                while self._log and self._log[0] <= now - self.window:
                    self._log.popleft()
                if len(self._log) < self.limit:
                    self._log.append(now)
                    return now - started
                wait = self._log[0] + self.window - now
            time.sleep(max(wait, 0.0005))


class RedisWindowLimiter:
    """The same window, kept in Redis so every worker shares it; falls back to a local one on errors."""

    def __init__(self, redis: Any, key: str, limit: int, window: float = WINDOW_SECONDS + JITTER_MARGIN):
        self.key, self.limit, self.window_us = key, limit, int(window * 1_000_000)
        self._script = redis.register_script(_ACQUIRE)
        self._fallback = LocalWindowLimiter(max(1, limit // 2), window)
        self._prefix = os.urandom(6).hex()
        self._counter = 0
        self._lock = threading.Lock()
        self._warned_at = 0.0

    def _member(self) -> str:
        with self._lock:
            self._counter += 1
            return f"{self._prefix}:{self._counter}"

    def acquire(self) -> float:
        from redis.exceptions import RedisError

        started = time.monotonic()
        while True:
            try:
                wait_us = int(self._script(keys=[self.key], args=[self.limit, self.window_us, self._member()]))
            except RedisError:
                if time.monotonic() - self._warned_at > 60:
                    self._warned_at = time.monotonic()
                    log.warning("Redis is unavailable: pacing multicasts locally at half of LINE's rate")
                self._fallback.acquire()
                return time.monotonic() - started
            if wait_us == 0:
                return time.monotonic() - started
            time.sleep(wait_us / 1_000_000)


_limiters: dict[tuple[str, ...], RateLimiter] = {}
_limiters_lock = threading.Lock()


def channel_key(settings: Settings) -> str:
    """The channel a limit belongs to, without putting the access token in a Redis key."""
    digest = hashlib.sha256(f"{settings.line_api_base_url}|{settings.line_channel_access_token}".encode())
    return digest.hexdigest()[:16]


def limiter_for(settings: Settings, redis: Any | None) -> RateLimiter:
    """This process's limiter for the channel in `settings` (one per channel, shared by all threads)."""
    channel = channel_key(settings)
    key = (settings.redis_url or "local", settings.queue_name, channel, str(settings.push_rate_per_second))
    with _limiters_lock:
        limiter = _limiters.get(key)
        if limiter is None:
            if redis is not None:
                redis_key = f"linecomm:{settings.queue_name}:multicast-rate:{channel}"
                limiter = RedisWindowLimiter(redis, redis_key, settings.push_rate_per_second)
            else:
                limiter = LocalWindowLimiter(settings.push_rate_per_second)
            _limiters[key] = limiter
        return limiter
