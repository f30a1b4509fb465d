"""The chat router: where each feature registers how it answers members in chat, and where
linecomm.webhooks.dispatch hands every follow, unfollow, message and postback event of a LINE user.

A feature's `chat.py` registers, when it is imported (linecomm.chat.features names them):
- `keyword(words, handler, when=...)`: words matched after `keyword_key` folding (「ﾍﾙﾌﾟ」 = 「へるぷ」);
- `postback(action, handler)`: a button's `action=<name>`;
- `message(order, handler, when=...)`: a step in the walk every message takes, for members in a state
  (joining) or for everyone else, at an explicit place (`CONVERSATION` … `GUEST`);
- `on_follow` / `on_unfollow`; and one feature (members) says who sent an event: `senders(find, touch)`.
A word, an action or a place taken twice is refused at once (`RegistrationConflict`): a feature adds a
keyword or a button without touching another, and cannot take one over unnoticed.

A message walks the steps in order: the conversation states first, then the keywords, then the free-text
steps; the first step that answers ends the walk. A button no feature handles gets a polite reply."""
from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from linecomm.chat import copy
from linecomm.chat.context import EventContext, Sender
from linecomm.chat.features import FEATURE_CHATS
from linecomm.text.normalise import keyword_key

log = logging.getLogger(__name__)

# The events the router handles; each acts on the LINE user who sent it (their member row is created if new).
MEMBER_EVENTS = frozenset({"follow", "unfollow", "message", "postback"})
# The events that count as the member being active (touched once, before any handler runs).
ACTIVITY_EVENTS = frozenset({"message", "postback"})

# Where a message step stands in the walk (lower first). Each place is taken by one step at most.
CONVERSATION = 100  # a member in the middle of a conversation (joining): all they send belongs to it
KEYWORDS = 200  # the keywords are matched here; no step may take this place
ANSWER = 300  # a member's message answers something open for them (a theme post)
MEMBER = 400  # any other message of a member
RESTRICTED = 500  # a member who may not post (suspended)
GUEST = 900  # everyone else

Handler = Callable[[EventContext, Any], None]  # (ctx, the sender's member row)
Step = Callable[[EventContext, Any], bool]  # True: answered, the walk ends
When = Callable[[Any], bool]  # whether a keyword or step applies to this member
H = TypeVar("H", bound=Callable[..., Any])


class RegistrationConflict(Exception):
    """Two features claim the same keyword, postback action or place in the walk."""


def _owner(handler: Callable[..., Any]) -> str:
    return f"{handler.__module__}.{getattr(handler, '__qualname__', handler)}"


@dataclass(frozen=True)
class _Keyword:
    handler: Handler
    when: When | None


@dataclass(frozen=True)
class _Step:
    order: int
    handler: Step
    when: When | None


@dataclass(frozen=True)
class _Senders:
    find: Callable[[Session, str, datetime], Sender]  # the member row of a LINE user, created and locked
    touch: Callable[[Sender, datetime], None]  # note the member as active now


class Router:
    def __init__(self) -> None:
        self._keywords: dict[str, _Keyword] = {}
        self._postbacks: dict[str, Handler] = {}
        self._steps: list[_Step] = []
        self._follow: list[Handler] = []
        self._unfollow: list[Handler] = []
        self._senders: _Senders | None = None
        self._loaded = False
        self._loading = threading.Lock()

    # -- registration --------------------------------------------------------------------------------------

    def keyword(self, words: Iterable[str], handler: Handler, when: When | None = None) -> None:
        keys = {keyword_key(word): word for word in words}
        if "" in keys or not keys:
            raise RegistrationConflict(f"{_owner(handler)}: a keyword must have letters, got {list(words)!r}")
        for key, word in keys.items():
            if key in self._keywords:
                raise RegistrationConflict(
                    f"keyword {word!r} of {_owner(handler)} is already {_owner(self._keywords[key].handler)}'s")
        entry = _Keyword(handler, when)
        self._keywords.update({key: entry for key in keys})

    def postback(self, action: str, handler: Handler) -> None:
        if not action:
            raise RegistrationConflict(f"{_owner(handler)}: a postback action needs a name")
        if action in self._postbacks:
            raise RegistrationConflict(
                f"postback action {action!r} of {_owner(handler)} is already {_owner(self._postbacks[action])}'s")
        self._postbacks[action] = handler

    def message(self, order: int, handler: Step, when: When | None = None) -> None:
        taken = next((s for s in self._steps if s.order == order), None)
        if order == KEYWORDS or taken is not None:
            holder = "the keywords" if taken is None else _owner(taken.handler)
            raise RegistrationConflict(f"{_owner(handler)}: place {order} in the walk is {holder}'s")
        self._steps = sorted([*self._steps, _Step(order, handler, when)], key=lambda s: s.order)

    def on_follow(self, handler: Handler) -> None:
        self._follow.append(handler)

    def on_unfollow(self, handler: Handler) -> None:
        self._unfollow.append(handler)

    def senders(self, find: Callable[[Session, str, datetime], Sender],
                touch: Callable[[Sender, datetime], None]) -> None:
        if self._senders is not None:
            raise RegistrationConflict(f"{_owner(find)}: senders are already found by {_owner(self._senders.find)}")
        self._senders = _Senders(find, touch)

    def copy(self) -> Router:
        """A router with the same registrations (a test adds its own without changing this one)."""
        self.load_features()
        other = Router()
        other._keywords, other._postbacks = dict(self._keywords), dict(self._postbacks)
        other._steps, other._follow, other._unfollow = list(self._steps), list(self._follow), list(self._unfollow)
        other._senders, other._loaded = self._senders, True
        return other

    def load_features(self) -> None:
        """Import the feature chat modules once (they register themselves as they are imported)."""
        if self._loaded:
            return
        with self._loading:
            if not self._loaded:
                for name in FEATURE_CHATS:
                    importlib.import_module(name)
                self._loaded = True

    # -- routing -------------------------------------------------------------------------------------------

    def dispatch(self, ctx: EventContext) -> None:
        """Handle a follow, unfollow, message or postback of a LINE user; answers go to `ctx.reply`."""
        self.load_features()
        member = self._sender(ctx)
        if member is None:
            return
        event = ctx.event_type
        if event in ACTIVITY_EVENTS:
            self._found().touch(member, ctx.now)
        if event == "follow":
            for handler in self._follow:
                handler(ctx, member)
        elif event == "unfollow":
            for handler in self._unfollow:
                handler(ctx, member)
        elif event == "message":
            self._walk(ctx, member)
        elif event == "postback":
            self._postback(ctx, member)

    def _found(self) -> _Senders:
        if self._senders is None:
            raise RuntimeError(f"no feature among {FEATURE_CHATS} registered chat.router.senders()")
        return self._senders

    def _sender(self, ctx: EventContext) -> Sender | None:
        if ctx.source_type != "user" or not ctx.user_id:
            return None
        member = ctx.members.get(ctx.user_id) if ctx.members is not None else None
        if member is None:
            member = self._found().find(ctx.session, ctx.user_id, ctx.now)
        ctx.member_id = member.id
        return member

    def _walk(self, ctx: EventContext, member: Sender) -> None:
        keyword = self._keywords.get(keyword_key(ctx.text)) if ctx.text is not None else None
        keywords_tried = False
        for step in self._steps:
            if not keywords_tried and step.order > KEYWORDS:
                keywords_tried = True
                if keyword is not None and (keyword.when is None or keyword.when(member)):
                    keyword.handler(ctx, member)
                    return
            if (step.when is None or step.when(member)) and step.handler(ctx, member):
                return
        if not keywords_tried and keyword is not None and (keyword.when is None or keyword.when(member)):
            keyword.handler(ctx, member)

    def _postback(self, ctx: EventContext, member: Sender) -> None:
        action = ctx.postback.get("action")
        handler = self._postbacks.get(action or "")
        if handler is None:  # a crafted button, or one from a version that had it: answered, never an error
            log.info("postback with unknown action %r from %s", action, member.line_user_id)
            ctx.reply(copy.button_unavailable())
            return
        handler(ctx, member)


ROUTER = Router()


# The registrations features make as they are imported, on the process's router (read when called, so a
# test may put a copy in its place).

def keyword(words: Iterable[str], when: When | None = None) -> Callable[[H], H]:
    """Decorator: `handler(ctx, member)` answers these words (matched as `keyword_key`s) when `when(member)`
    holds; otherwise the message walks on as if it were no keyword."""
    def register(handler: H) -> H:
        ROUTER.keyword(words, handler, when)
        return handler
    return register


def postback(action: str) -> Callable[[H], H]:
    """Decorator: `handler(ctx, member)` answers buttons whose postback data carries `action=<action>`."""
    def register(handler: H) -> H:
        ROUTER.postback(action, handler)
        return handler
    return register


def message(order: int, when: When | None = None) -> Callable[[H], H]:
    """Decorator: `handler(ctx, member) -> bool` is the step at `order` in every message's walk, for the
    members `when` accepts; True when it answered (the walk ends), False to let the next step answer."""
    def register(handler: H) -> H:
        ROUTER.message(order, handler, when)
        return handler
    return register


def on_follow(handler: H) -> H:
    ROUTER.on_follow(handler)
    return handler


def on_unfollow(handler: H) -> H:
    ROUTER.on_unfollow(handler)
    return handler


def senders(find: Callable[[Session, str, datetime], Any], touch: Callable[[Any, datetime], None]) -> None:
    """Who sent an event: `find(session, line_user_id, now)` returns their member row (created and locked);
    `touch(member, now)` notes them as active. One feature (members) registers it."""
    ROUTER.senders(find, touch)


def dispatch(ctx: EventContext) -> None:
    ROUTER.dispatch(ctx)
