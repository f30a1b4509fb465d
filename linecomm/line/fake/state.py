"""The fake LINE platform's memory: users, tokens, retry keys, deliveries, quota and faults.

Every method that reads or changes state takes `self.lock`; handlers that need several steps to happen
atomically (check a retry key, check the quota, deliver, remember the key) hold the lock around all of
them, so two concurrent retries with one key can never both deliver.
"""

from __future__ import annotations

import secrets
import threading
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from linecomm.line.fake.records import (
    AcceptedRetryKey,
    Fault,
    LoginAccessToken,
    RecordedRequest,
    ReplyTokenRecord,
)
from linecomm.line.fake.richmenu_store import RichMenuStore

# LINE: "The retry key is valid for 24 hours after attempting the first request."
RETRY_KEY_TTL = 24 * 60 * 60
REPLY_TOKEN_TTL = 60.0  # LINE: "must be used within one minute after receiving the webhook".
JST = timezone(timedelta(hours=9))
QUOTABLE_TYPES = frozenset({"text", "textV2", "sticker", "image", "video"})
FIRST_MESSAGE_ID = 600_000_000_000_000_000

Clock = Callable[[], float]


class ChannelState:
    """Everything one fake channel remembers, behind one lock."""

    def __init__(self, *, channel_access_token: str, login_channel_id: str, login_channel_secret: str,
                 multicast_rate_limit: int | None, monthly_quota: int | None, reply_token_ttl: float,
                 clock: Clock) -> None:
        self.lock = threading.RLock()
        self.channel_access_token = channel_access_token
        self.login_channel_id = login_channel_id
        self.login_channel_secret = login_channel_secret
        self.multicast_rate_limit = multicast_rate_limit
        self.monthly_quota = monthly_quota
        self.reply_token_ttl = reply_token_ttl
        self.clock = clock
        # For load tests: any well-formed user ID counts as a friend of the channel, and `lean` keeps
        # counters instead of every request and conversation (a million recipients stay cheap).
        self.open_audience = False
        self.lean = False
        self.users: dict[str, dict[str, Any]] = {}
        self.contents: dict[str, tuple[bytes, str]] = {}
        self._next_message_id = FIRST_MESSAGE_ID
        self.clear()

    def clear(self) -> None:
        """Forget what tests did (requests, conversations, faults, keys, tokens, usage); keep users,
        content and configuration."""
        with self.lock:
            self.requests: list[RecordedRequest] = []
            self.conversations: dict[str, list[dict[str, Any]]] = defaultdict(list)
            self.faults: list[Fault] = []
            self.retry_keys: dict[str, AcceptedRetryKey] = {}
            self.reply_tokens: dict[str, ReplyTokenRecord] = {}
            self.login_tokens: dict[str, LoginAccessToken] = {}
            self.multicast_window: deque[float] = deque()
            self.usage: dict[str, int] = defaultdict(int)
            self.left_chats: set[str] = set()
            self.answered: Counter[tuple[str, str, int]] = Counter()  # (method, path, status) -> requests
            self.delivered: Counter[str] = Counter()  # via -> recipients delivered to
            self.recipients_seen: set[str] = set()  # every chat anything was delivered to
            self.rich_menus = RichMenuStore()  # rich menus, their images, the default and per-user links

    # --- time -------------------------------------------------------------------------------------

    def now(self) -> float:
        """Return the fake's clock (seconds since the epoch)."""
        return self.clock()

    def iso_now(self) -> str:
        """Return the fake's clock as an ISO 8601 UTC timestamp."""
        return datetime.fromtimestamp(self.clock(), tz=UTC).isoformat()

    def month(self) -> str:
        """Return the billing month LINE counts in (Japan time), e.g. `2025-04`."""
        return datetime.fromtimestamp(self.clock(), tz=JST).strftime("%Y-%m")

    # --- recording and faults ---------------------------------------------------------------------

    def record(self, request: RecordedRequest) -> None:
        """Remember one handled request (in lean mode, only count it)."""
        with self.lock:
            self.answered[(request.method, request.path, request.status)] += 1
            if not self.lean:
                self.requests.append(request)

    def add_fault(self, fault: Fault) -> None:
        """Queue a fault; faults are matched in the order they were added."""
        with self.lock:
            self.faults.append(fault)

    def take_fault(self, method: str, path: str, late: bool = False) -> Fault | None:
        """Use up one application of the first fault matching this request, if any (of the `late` kind:
        handled at once, answered after the delay; or of the other kind)."""
        with self.lock:
            for fault in self.faults:
                if fault.remaining > 0 and fault.late == late and fault.matches(method, path):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    # --- users, chats and tokens --------------------------------------------------------------------

    def add_user(self, profile: dict[str, Any]) -> None:
        """Make a user a friend of the channel (replacing any earlier profile)."""
        with self.lock:
            self.users[profile["userId"]] = profile

    def issue_reply_token(self, chat_id: str) -> str:
        """Issue a fresh single-use reply token for an event from this user, group or room."""
        token = secrets.token_hex(16)
        with self.lock:
            self.reply_tokens[token] = ReplyTokenRecord(chat_id=chat_id, issued_at=self.now())
        return token

    def consume_reply_token(self, token: str) -> str | None:
        """Use a reply token: return the chat it answers, or None when it is unknown, used or expired."""
        with self.lock:
            record = self.reply_tokens.get(token)
            if record is None or record.used or self.now() - record.issued_at > self.reply_token_ttl:
                return None
            record.used = True
            return record.chat_id

    def can_receive_push(self, chat_id: str) -> bool:
        """Say whether a push to this ID reaches someone: a friend, or a group/room the bot is in."""
        with self.lock:
            if chat_id in self.users:
                return True
            if chat_id in self.left_chats:
                return False
            return len(chat_id) == 33 and chat_id[0] in "CR" and _is_hex(chat_id[1:])

    def leave_chat(self, chat_id: str) -> None:
        """Remember that the bot left this group or room."""
        with self.lock:
            self.left_chats.add(chat_id)

    # --- retry keys, rate limit and quota ------------------------------------------------------------

    def accepted_retry_key(self, key: str) -> AcceptedRetryKey | None:
        """Return the acceptance of this retry key within the last 24 hours, if any."""
        with self.lock:
            accepted = self.retry_keys.get(key)
            if accepted is not None and self.now() - accepted.accepted_at > RETRY_KEY_TTL:
                del self.retry_keys[key]
                return None
            return accepted

    def accept_retry_key(self, key: str, request_id: str, sent_messages: list[dict[str, str]] | None) -> None:
        """Remember that the request `request_id` carrying this key was accepted."""
        with self.lock:
            self.retry_keys[key] = AcceptedRetryKey(request_id, self.now(), sent_messages)

    def admit_multicast(self) -> bool:
        """Count one multicast against the per-second limit; False when it must get a 429."""
        with self.lock:
            limit = self.multicast_rate_limit
            if limit is None:
                return True
            now = self.now()
            window = self.multicast_window
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= limit:
                return False
            window.append(now)
            return True

    def usage_this_month(self) -> int:
        """Return how many billed messages (recipients of push/multicast/broadcast) went out this month."""
        with self.lock:
            return self.usage[self.month()]

    def over_quota(self, recipients: int) -> bool:
        """Say whether sending to `recipients` more people would exceed the monthly quota."""
        with self.lock:
            quota = self.monthly_quota
            return quota is not None and self.usage[self.month()] + recipients > quota

    # --- deliveries and conversations ---------------------------------------------------------------

    def deliver(self, chat_ids: list[str], via: str, messages: list[dict[str, Any]], request_id: str,
                *, billed: bool) -> list[dict[str, str]]:
        """Put messages into each chat's conversation, billing one message per chat if `billed`;
        return LINE's `sentMessages` (message IDs, and quote tokens for quotable types)."""
        with self.lock:
            at = self.iso_now()
            sent = []
            for message in messages:
                self._next_message_id += 1
                entry = {"id": str(self._next_message_id)}
                if message.get("type") in QUOTABLE_TYPES:
                    entry["quoteToken"] = secrets.token_urlsafe(48)
                sent.append(entry)
            self.delivered[via] += len(chat_ids)
            self.recipients_seen.update(chat_ids)
            for chat_id in chat_ids if not self.lean else ():
                self.conversations[chat_id].append({
                    "direction": "out", "via": via, "messages": messages, "at": at, "requestId": request_id,
                })
            if billed:
                self.usage[self.month()] += len(chat_ids)
            return sent

    def record_inbound(self, chat_id: str, event: dict[str, Any]) -> None:
        """Put an event the simulated user caused into the chat's conversation."""
        with self.lock:
            self.conversations[chat_id].append(
                {"direction": "in", "via": "user", "event": event, "at": self.iso_now()})

    def conversation(self, chat_id: str) -> list[dict[str, Any]]:
        """Return a copy of the chat's conversation, oldest first."""
        with self.lock:
            return [dict(entry) for entry in self.conversations.get(chat_id, [])]

    def messages_to(self, chat_id: str) -> list[dict[str, Any]]:
        """Return every message object delivered to the chat, in delivery order."""
        with self.lock:
            return [message for entry in self.conversations.get(chat_id, []) if entry["direction"] == "out"
                    for message in entry["messages"]]


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)
