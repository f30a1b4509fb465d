"""`linecomm demo`, the README's first command: everything on one machine, demo data, accounts to try."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import select

from linecomm.db import make_engine, make_session_factory, transaction
from linecomm.demo.seed import DEMO_ANSWERS, DEMO_STAFF, DEMO_STAFF_PASSWORD, DEMO_SURVEY_TITLE, seed
from linecomm.members import tags
from linecomm.members.models import Member
from linecomm.moderation import ngwords
from linecomm.moderation import service as moderation
from linecomm.staff import service as staff
from linecomm.surveys.models import Survey, SurveyResponse
from tests.support.redis_server import free_port


def test_linecomm_demo_serves_the_console_the_admin_and_a_working_webhook(tmp_path: Path) -> None:
    port, fake_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "LINE_"))}
    exe = Path(sys.executable).parent / "linecomm"
    process = subprocess.Popen(
        [str(exe), "demo", "--port", str(port), "--fake-port", str(fake_port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(base + "/readyz", timeout=1) as r:
                    assert json.loads(r.read())["status"] == "ready"
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("the demo did not become ready")
        for path in ("/demo/chat", "/admin/login"):
            with urllib.request.urlopen(base + path, timeout=5) as r:
                assert r.status == 200
        assert (tmp_path / "instance" / "linecomm.sqlite3").exists()
    finally:
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=30)[0]
    assert "WELCOME1" in output and "/demo/chat" in output and "/admin/login" in output
    # The demo community is moderated from the start: the shipped NG words and the personal-data rule.
    engine = make_engine(f"sqlite:///{tmp_path / 'instance' / 'linecomm.sqlite3'}")
    with transaction(make_session_factory(engine)) as session:
        assert moderation.screen(session, "死ね").verdict.action == "block"
        assert moderation.screen(session, "しね").verdict.action == "block"
        assert moderation.screen(session, "電話は090-1234-5678です").personal == ("phone",)
    engine.dispose()


def test_the_demo_seed_is_idempotent_and_its_staff_can_sign_in(tmp_path: Path) -> None:
    from linecomm import migrate

    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    for _ in range(2):
        with transaction(sessions) as session:
            assert seed(session, "2026-11") == "WELCOME1"
    with transaction(sessions) as session:
        assert len(staff.list_staff(session)) == len(DEMO_STAFF)
        words = ngwords.list_words(session)
        assert len(words) == len(ngwords.default_list_csv().splitlines()) - 1
        ngwords.delete(session, next(w for w in words if w.term == "デブ"))
    with transaction(sessions) as session:  # a word the demo user deleted is not loaded again
        seed(session, "2026-11")
        assert ngwords.check_text(session, "デブ").action is None
        assert ngwords.check_text(session, "死ね").action == "block"
        result = staff.sign_in(session, DEMO_STAFF[0][0], DEMO_STAFF_PASSWORD, "127.0.0.1")
        assert result.user is not None and result.user.role == "owner"
        # One open survey, answered by two of the three demo members, each once however often it is seeded.
        survey = session.scalar(select(Survey).where(Survey.title == DEMO_SURVEY_TITLE))
        assert survey is not None and survey.published_at is not None
        answered = session.scalars(select(Member.nickname).join(SurveyResponse, SurveyResponse.member_id == Member.id)
                                   .where(SurveyResponse.survey_id == survey.id)).all()
        assert sorted(answered) == sorted(DEMO_ANSWERS)
        hanako = session.scalar(select(Member).where(Member.nickname == "はなこ"))
        assert hanako is not None and "朝は白湯派" in [t.name for t in tags.of_member(session, hanako.id)]
    engine.dispose()
