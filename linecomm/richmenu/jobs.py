"""RQ entry points: give one LINE user the menu their membership (and rank) calls for, after the change is
committed.

Safe to run twice and in any order: the job reads the member's standing when it runs (not when it was
enqueued) and links the community menu (or the ranked one) or unlinks (back to the default join menu)
accordingly, so a join and a quick leave end with the join menu whichever job runs last.
429/5xx/timeouts (LineRetryable) propagate and the queue retries the job; LINE refusing for good (e.g. the
user blocked the account) is logged and done.
"""
from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from linecomm import runtime
from linecomm.db import transaction
from linecomm.line.client import LineClient, LineRejected
from linecomm.richmenu import layout, service

log = logging.getLogger(__name__)
SYNC_JOB = "linecomm.richmenu.jobs.sync_member_menu"
BACKFILL_JOB = "linecomm.richmenu.jobs.relink_everyone"


def sync(line: LineClient, sessions: sessionmaker[Session], member_id: int, line_user_id: str) -> str:
    """Link or unlink; returns "linked", "unlinked", "refused" or "not-deployed"."""
    with transaction(sessions) as session:
        community = service.current(session, layout.COMMUNITY)
        kind = service.menu_for(session, member_id, line_user_id)
        wanted = service.current(session, kind) if kind != layout.JOIN else None
        community_id = community.line_rich_menu_id if community is not None else None
        menu_id = wanted.line_rich_menu_id if wanted is not None else community_id  # ranked not deployed yet
    if community_id is None:
        return "not-deployed"
    try:
        if kind != layout.JOIN:
            line.link_rich_menu(line_user_id, menu_id)
            return "linked"
        line.unlink_rich_menu(line_user_id)
        return "unlinked"
    except LineRejected as exc:
        log.info("LINE refused the rich menu of %s: %s", line_user_id, exc)
        return "refused"


def sync_member_menu(member_id: int, line_user_id: str) -> None:
    rt = runtime.current()
    sync(rt.line, rt.sessions, member_id, line_user_id)


def relink_everyone() -> None:
    """Give every member the menu they should see, in bulk (who sees the ranked menu changed for many at
    once). Safe to run twice: linking a user to the menu they have changes nothing."""
    from linecomm.richmenu import deploy

    rt = runtime.current()
    with transaction(rt.sessions) as session:
        deployed = service.current(session, layout.COMMUNITY) is not None
    if deployed:
        deploy.backfill(rt.line, rt.sessions)
