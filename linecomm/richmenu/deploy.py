"""Deploying the rich menus to LINE and linking members to the community menu (CLI and demo entry points).

`deploy` is safe to run again: a menu whose object and image have not changed is kept; a changed one is
created anew, members are moved to it, and the menus it replaces (any menu named `linecomm:...` that is not
current) are deleted, so LINE never collects duplicates towards its 1,000-menu limit. Each step commits
before the next LINE call; a deploy stopped half-way is finished by running it again.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from linecomm.config import Settings
from linecomm.db import transaction, utcnow
from linecomm.line.client import LineClient, LineError, LineRetryable
from linecomm.line.richmenu_rules import MAX_BULK_USERS
from linecomm.richmenu import images, layout, service
from linecomm.richmenu.images import MenuImage

log = logging.getLogger(__name__)
# Bulk link/unlink requests per second at most, and how often one refused with 429 or 5xx is tried again.
BULK_REQUESTS_PER_SECOND = 5.0
BULK_ATTEMPTS = 6


@dataclass
class DeployResult:
    menus: dict[str, str] = field(default_factory=dict)  # kind -> rich menu id
    created: list[str] = field(default_factory=list)  # kinds created by this deploy
    deleted: list[str] = field(default_factory=list)  # old rich menu ids deleted
    linked: int = 0
    unlinked: int = 0


def _digest(menu: dict[str, object], image: MenuImage) -> str:
    body = json.dumps({k: v for k, v in menu.items() if k != "name"}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(body.encode("utf-8") + image.data).hexdigest()


def deploy(line: LineClient, sessions: sessionmaker[Session], settings: Settings,
           custom_images: dict[str, MenuImage] | None = None, *, clock: Callable[[], datetime] = utcnow,
           sleep: Callable[[float], None] = time.sleep) -> DeployResult:
    """Create (or keep) the join and community menus with their images, make the join menu the default,
    link members to the community menu when it is new, and delete the menus they replace."""
    result = DeployResult()
    wanted = {}
    for kind in layout.KINDS:  # built before any LINE call: a missing LIFF ID or a bad image stops here
        image = (custom_images or {}).get(kind) or images.shipped(kind)
        menu = layout.menu_object(kind, settings, image.size, name="")
        digest = _digest(menu, image)
        menu["name"] = f"{layout.NAME_PREFIX}{kind}:{digest[:16]}"
        wanted[kind] = (menu, image, digest)
    on_line = {m["richMenuId"]: m for m in line.list_rich_menus()}
    with transaction(sessions) as session:
        service.retire_missing(session, on_line, clock())
        current = {kind: service.current(session, kind) for kind in layout.KINDS}
        kept = {kind: (row.line_rich_menu_id if row is not None and row.digest == wanted[kind][2] else None)
                for kind, row in current.items()}
        previous = {row.line_rich_menu_id for row in current.values() if row is not None}
    # Menus of ours that are neither current nor about to be replaced (a deploy that stopped half-way).
    _delete(line, [mid for mid, m in on_line.items() if _ours(m) and mid not in previous], result)
    for kind in layout.KINDS:
        if kept[kind] is not None:
            result.menus[kind] = kept[kind]
            continue
        menu, image, digest = wanted[kind]
        menu_id = line.create_rich_menu(menu)
        try:
            line.set_rich_menu_image(menu_id, image.data, image.content_type)
        except LineError:
            _delete(line, [menu_id], DeployResult())  # a menu without its image can never be shown
            raise
        with transaction(sessions) as session:
            service.record(session, kind, menu_id, digest, image.size, clock())
        result.menus[kind] = menu_id
        result.created.append(kind)
    line.set_default_rich_menu(result.menus[layout.JOIN])
    if layout.COMMUNITY in result.created or layout.RANKED in result.created:
        result.linked, result.unlinked = backfill(line, sessions, result.menus, sleep=sleep)
    _delete(line, [mid for mid in previous if mid not in result.menus.values()], result)
    return result


def _ours(menu: dict[str, object]) -> bool:
    return str(menu.get("name", "")).startswith(layout.NAME_PREFIX)


def _delete(line: LineClient, menu_ids: list[str], result: DeployResult) -> None:
    for menu_id in menu_ids:
        try:
            line.delete_rich_menu(menu_id)
            result.deleted.append(menu_id)
        except LineError as exc:  # already gone (404) or LINE is busy: the next deploy tries again
            log.warning("could not delete rich menu %s: %s", menu_id, exc)


def backfill(line: LineClient, sessions: sessionmaker[Session], menus: dict[str, str] | None = None, *,
             sleep: Callable[[float], None] = time.sleep) -> tuple[int, int]:
    """Link every following member to the community menu (those of the ranks chosen for it to the ranked
    menu) and unlink former members, with LINE's bulk endpoints (500 users a request, paced, retried on
    429/5xx). `menus`: kind -> rich menu id (default: the current ones). Returns (linked, unlinked)."""
    if menus is None:
        with transaction(sessions) as session:
            menus = {kind: row.line_rich_menu_id for kind in (layout.COMMUNITY, layout.RANKED)
                     if (row := service.current(session, kind)) is not None}
    if layout.COMMUNITY not in menus:
        raise LookupError("no community rich menu deployed")
    pace = _Pace(BULK_REQUESTS_PER_SECOND, sleep)
    linked = unlinked = 0
    split = layout.RANKED in menus  # without a ranked menu on LINE yet, its members keep the community one
    kinds = (layout.COMMUNITY, layout.RANKED, layout.JOIN) if split else (layout.COMMUNITY, layout.JOIN)
    for kind in kinds:
        after = 0
        while True:
            with transaction(sessions) as session:  # no transaction is held while LINE answers
                page = service.user_ids_page(session, kind, after, MAX_BULK_USERS, split_ranked=split)
            if not page:
                break
            user_ids = [user_id for _id, user_id in page]
            if kind == layout.JOIN:
                _retrying(line.unlink_rich_menu_from_users, (user_ids,), pace, sleep)
                unlinked += len(user_ids)
            else:
                _retrying(line.link_rich_menu_to_users, (user_ids, menus[kind]), pace, sleep)
                linked += len(user_ids)
            after = page[-1][0]
    return linked, unlinked



class _Pace:
    """At most `per_second` calls a second (LINE's rate limits are per channel)."""

    def __init__(self, per_second: float, sleep: Callable[[float], None]) -> None:
        self._interval, self._sleep, self._next = 1.0 / per_second, sleep, 0.0

    def wait(self) -> None:
        now = time.monotonic()
        if now < self._next:
            self._sleep(self._next - now)
        self._next = max(now, self._next) + self._interval


def _retrying(call: Callable[..., None], args: tuple[object, ...], pace: _Pace,
              sleep: Callable[[float], None]) -> None:
    """Call LINE; on 429, 5xx or a timeout wait (1, 2, 4... s) and try again, BULK_ATTEMPTS times in all.
    Linking a user twice is harmless, so a request whose answer was lost may be sent again."""
    for attempt in range(BULK_ATTEMPTS):
        pace.wait()
        try:
            call(*args)
            return
        except LineRetryable as exc:
            if attempt + 1 == BULK_ATTEMPTS:
                raise
            log.info("bulk rich menu request refused (%s); trying again", exc)
            sleep(min(30.0, 2.0 ** attempt))
