"""Who may still receive a message. The outbox does not know members (they are a feature above it): the
members feature answers, installed when every process builds its runtime (linecomm.runtime), so the outbox
never imports it. Before a message goes out, recipients who unfollowed or were erased since it was stored
are left out (the message is stored as skipped)."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

Reachable = Callable[[Session, list[str]], set[str]]
_reachable: Reachable | None = None


def install(reachable: Reachable) -> None:
    global _reachable
    _reachable = reachable


def reachable_among(session: Session, line_user_ids: list[str]) -> set[str]:
    """The LINE user ids among `line_user_ids` that may receive a message now."""
    if _reachable is None:
        raise RuntimeError("no recipient check installed: build the process's runtime (linecomm.runtime) first")
    return _reachable(session, line_user_ids)
