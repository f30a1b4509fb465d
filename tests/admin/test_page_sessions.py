"""Admin pages read in the read-only sessions (`Runtime.readers`): on SQLite a page never takes the write
lock, so a webhook posted while a page is being rendered is stored at once; what a page must record (a
staff session's last use, an export's audit row) is one short write transaction of its own."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select, update

from linecomm.db import utcnow
from linecomm.line.simulator import body_of, post_webhook, text_event
from linecomm.members import directory
from linecomm.staff.models import StaffSession, StaffUser
from linecomm.webhooks.models import WebhookEvent
from tests.admin.console import Console, make_member
from tests.admin.test_role_matrix import _cases, _world

# The only page requests that write: the audit rows of the CSV downloads (in `write()`).
WRITES_ONCE = {"admin.post_answers_csv", "admin.survey_responses_csv", "admin.ideas_csv"}


@contextmanager
def write_transactions(console: Console) -> Iterator[list[str]]:
    """The write transactions (SQLite: BEGIN IMMEDIATE) this thread begins, on any of the app's engines."""
    rt = console.community.runtime
    engines = {rt.engine, rt.readers.kw["bind"]}
    thread = threading.get_ident()
    begun: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.strip().upper().startswith("BEGIN IMMEDIATE") and threading.get_ident() == thread:
            begun.append(statement)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", note)
    try:
        yield begun
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", note)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_no_admin_page_opens_a_write_transaction(console: Console) -> None:
    cases = [c for c in _cases(_world(console)) if c.method == "GET"]
    owner = console.client("owner")
    for case in cases:
        with write_transactions(console) as begun:
            response = owner.get(case.path)
        assert response.status_code == 200, (case.path, response.status_code)
        assert len(begun) == (1 if case.endpoint in WRITES_ONCE else 0), case.path
    assert {c.endpoint for c in cases} >= WRITES_ONCE | {"admin.dashboard", "admin.members", "admin.post_detail"}
    assert console.audit_count("answer.export") == 1
    assert console.audit_count("survey.export") == 1


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_webhook_is_stored_at_once_while_an_admin_page_is_rendered(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    community = console.community
    with community.session() as s:
        make_member(s, nickname="よむひと")
    owner = console.client("owner")
    search = directory.search
    seen: dict[str, Any] = {}

    def search_then_receive_a_webhook(session: Any, *args: Any, **kwargs: Any) -> Any:
        page = search(session, *args, **kwargs)  # the page's read transaction is open from here on
        body = body_of([text_event(community.user().user_id, "ヘルプ")])
        seen["status"] = post_webhook(community.webhook_url, community.settings.line_channel_secret, body,
                                      timeout=5.0).status
        with community.reader() as s:
            seen["stored"] = s.scalar(select(func.count()).select_from(WebhookEvent))
        return page

    monkeypatch.setattr(directory, "search", search_then_receive_a_webhook)
    page = owner.get("/admin/members")
    assert page.status_code == 200 and "よむひと" in page.get_data(as_text=True)
    assert seen == {"status": 200, "stored": 1}


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_page_notes_the_sessions_last_use_in_a_short_write_of_its_own(console: Console) -> None:
    owner = console.client("owner")
    long_ago = utcnow() - timedelta(minutes=5)
    with console.community.session() as s:
        staff_id = s.scalar(select(StaffUser.id).where(StaffUser.email == owner.email))
        s.execute(update(StaffSession).where(StaffSession.staff_id == staff_id).values(last_seen_at=long_ago))
    with write_transactions(console) as begun:
        assert owner.get("/admin/members").status_code == 200
        assert owner.get("/admin/members").status_code == 200  # noted once a minute, not on every page
    assert len(begun) == 1
    with console.community.reader() as s:
        seen = s.scalar(select(StaffSession.last_seen_at).where(StaffSession.staff_id == staff_id,
                                                                StaffSession.revoked_at.is_(None)))
    assert seen is not None and seen > long_ago + timedelta(minutes=4)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_pages_read_the_push_and_moderation_rules_on_a_fresh_database_without_writing_them(
    console: Console,
) -> None:
    """Before anyone saved the push rules or the moderation settings, pages show the defaults: they never
    write those rows from their read-only session (on SQLite that write waited for, or failed on, the lock
    a webhook or a job holds)."""
    from linecomm.moderation.models import ModerationPolicy
    from linecomm.pushes.models import PushPolicy

    with console.community.session() as s:
        s.execute(PushPolicy.__table__.delete())
        s.execute(ModerationPolicy.__table__.delete())
        s.commit()
    rt = console.community.runtime
    engines = {rt.engine, rt.readers.kw["bind"]}
    inserts: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT") and ("push_policy" in statement
                                                                or "moderation_policy" in statement):
            inserts.append(statement)

    marketer = console.client("owner")
    for engine in engines:
        event.listen(engine, "before_cursor_execute", note)
    try:
        for path in ("/admin/posts/new", "/admin/posts/count.json", "/admin/settings"):
            response = marketer.get(path)
            assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
            assert path != "/admin/posts/new" or "21:00" in response.get_data(as_text=True)
            assert path != "/admin/settings" or 'name="image_posts" value="hold" checked' in response.get_data(
                as_text=True)
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", note)
    assert inserts == []
