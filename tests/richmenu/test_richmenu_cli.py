"""`linecomm richmenu deploy|backfill|status` as an operator runs them: subprocesses against a running fake
LINE platform (every request they send is checked against LINE's OpenAPI description by `fake_line`)."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from linecomm.config import Settings
from linecomm.db import make_engine, make_session_factory, transaction, utcnow
from linecomm.line.fake import FakeLinePlatform
from linecomm.members.models import Member, MemberStatus
from linecomm.richmenu import images
from linecomm.richmenu.models import RichMenu
from tests.richmenu.menu_images import png
from tests.support.environment import environment_for

LINECOMM = str(Path(sys.executable).parent / "linecomm")


@pytest.fixture
def sessions(settings: Settings) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(settings.database_url)
    yield make_session_factory(engine)
    engine.dispose()


def linecomm(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **environment_for(settings)}
    return subprocess.run([LINECOMM, "richmenu", *args], env=env, capture_output=True, text=True, timeout=120)


def add_members(sessions: sessionmaker[Session], count: int, status: str = MemberStatus.MEMBER) -> list[str]:
    ids = [f"U{status[:2].encode().hex()}{i:028x}" for i in range(count)]
    with transaction(sessions) as session:
        session.add_all(Member(line_user_id=u, status=status, is_following=True, created_at=utcnow()) for u in ids)
    return ids


def test_deploy_creates_both_menus_with_images_and_the_join_menu_as_default(
        settings: Settings, fake_line: FakeLinePlatform, sessions: sessionmaker[Session]) -> None:
    members = add_members(sessions, 3)
    former = add_members(sessions, 1, MemberStatus.LEFT)
    result = linecomm(settings, "deploy")
    assert result.returncode == 0, result.stderr
    menus = fake_line.rich_menus()
    assert len(menus) == 3 and all(m["hasImage"] for m in menus)
    by_bar = {m["name"].split(":")[1]: m for m in menus}
    join, community = by_bar["join"], by_bar["community"]
    assert fake_line.default_rich_menu_id == join["richMenuId"]
    assert fake_line.rich_menu_image(join["richMenuId"]) == ((images.IMAGES_DIR / "join.png").read_bytes(),
                                                             "image/png")
    liff = f"https://liff.line.me/{settings.liff_id}"
    assert [a["action"].get("uri") for a in community["areas"]][:5] == [
        f"{liff}/surveys", f"{liff}/reviews", f"{liff}/ideas", f"{liff}/qa", f"{liff}/me"]
    assert all(fake_line.rich_menu_shown_to(u)["richMenuId"] == community["richMenuId"] for u in members)
    assert fake_line.rich_menu_shown_to(former[0])["richMenuId"] == join["richMenuId"]
    assert "作成しました" in result.stdout and "メンバー3人" in result.stdout
    with transaction(sessions) as session:
        rows = session.scalars(select(RichMenu).order_by(RichMenu.id)).all()
        assert [(r.kind, r.line_rich_menu_id, r.retired_at) for r in rows] == [
            ("join", join["richMenuId"], None), ("community", community["richMenuId"], None),
            ("ranked", by_bar["ranked"]["richMenuId"], None)]


def test_deploying_again_keeps_unchanged_menus_and_replaces_changed_ones_without_leaving_duplicates(
        settings: Settings, fake_line: FakeLinePlatform, sessions: sessionmaker[Session], tmp_path: Path) -> None:
    members = add_members(sessions, 2)
    assert linecomm(settings, "deploy").returncode == 0
    first = {m["richMenuId"] for m in fake_line.rich_menus()}
    again = linecomm(settings, "deploy")
    assert again.returncode == 0 and "変更なし" in again.stdout
    assert {m["richMenuId"] for m in fake_line.rich_menus()} == first
    assert [r.path for r in fake_line.requests].count("/v2/bot/richmenu") == 3  # created once each
    own = tmp_path / "community.png"
    own.write_bytes(png(2500, 1686))
    replaced = linecomm(settings, "deploy", "--image", f"community={own}")
    assert replaced.returncode == 0, replaced.stderr
    menus = fake_line.rich_menus()
    assert len(menus) == 3  # the old community menu is deleted once members have the new one
    community = next(m for m in menus if m["name"].startswith("linecomm:community:"))
    assert community["richMenuId"] not in first and community["size"] == {"width": 2500, "height": 1686}
    assert all(fake_line.rich_menu_shown_to(u)["richMenuId"] == community["richMenuId"] for u in members)
    status = linecomm(settings, "status")
    assert community["richMenuId"] in status.stdout and "2500x1686" in status.stdout


@pytest.mark.parametrize(("image", "message"), [
    (png(3000, 1000), "画像の幅は800〜2500ピクセル"),
    (png(1000, 800), "縦横比"),
    (b"GIF89a not a png", "PNGかJPEG"),
])
def test_an_image_line_would_refuse_is_refused_before_line_is_called(
        settings: Settings, fake_line: FakeLinePlatform, tmp_path: Path, image: bytes, message: str) -> None:
    path = tmp_path / "menu.png"
    path.write_bytes(image)
    result = linecomm(settings, "deploy", "--image", f"community={path}")
    assert result.returncode == 2
    assert message in result.stderr and " must " in result.stderr and "Traceback" not in result.stderr
    assert fake_line.requests == []
    result = linecomm(settings, "deploy", "--image", str(path))
    assert result.returncode == 2 and "community=PATH" in result.stderr


def test_backfill_before_any_deploy_says_what_to_do(settings: Settings, fake_line: FakeLinePlatform) -> None:
    result = linecomm(settings, "backfill")
    assert result.returncode == 1 and "linecomm richmenu deploy" in result.stderr
