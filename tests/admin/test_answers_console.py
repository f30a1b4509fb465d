"""Answers to a theme post in the console: the list with moderation states, poll results, featuring an
answer and quoting it as 「みなさんの声」 in the next post, and the photos members sent."""
from __future__ import annotations

import re

from sqlalchemy import select

from linecomm.db import utcnow
from linecomm.members.models import Member
from linecomm.moderation import ngwords
from linecomm.themes import reactions
from linecomm.themes import service as themes
from linecomm.themes.content import Choice
from linecomm.themes.models import AnswerImage, ImageStatus, ThemeAnswer, ThemePost
from tests.admin.console import JPEG, Console, make_member, photo_post
from tests.pushes.desk import Desk

XSS = '<script>window.__xss=1</script>'


def _answer(console: Console, post_id: int, member_id: int, body: str, *, image: str | None = None) -> int:
    with console.community.session() as s:
        post, member = s.get(ThemePost, post_id), s.get(Member, member_id)
        kind = "image" if image else "text"
        return themes.record_answer(s, post, member, kind=kind, body=body, line_message_id=image or f"m-{body}",
                                    now=utcnow()).answer.id


def test_answers_poll_results_featuring_and_voices_in_the_next_post(console: Console) -> None:
    community = console.community
    desk = Desk(community)
    desk.no_quiet_hours()
    with community.session() as s:
        ngwords.add(s, "副業", "hold")
        people = [make_member(s, nickname=n) for n in ("はなまる", XSS, "じろう")]
        ids = [p.id for p in people]
    for person in people:
        community.fake.add_user(person.line_user_id, "会員")
    choices = (Choice("1", "コーヒー"), Choice("2", "お茶"))
    post_id = desk.post(title="朝のひと手間", choice_kind="poll", choices=choices)
    desk.send_now(post_id)
    hana = _answer(console, post_id, ids[0], "白湯を飲んでから、コーヒーを丁寧に淹れます")
    evil = _answer(console, post_id, ids[1], f"{XSS}朝は走ります")
    held = _answer(console, post_id, ids[2], "副業の前にヨガ")
    with community.session() as s:
        for member_id, key in zip(ids, ("1", "1", "2"), strict=True):
            reactions.vote(s, post_id, s.get(Member, member_id), key, utcnow())

    client = console.client("marketer")
    page = client.get(f"/admin/posts/{post_id}/answers").get_data(as_text=True)
    assert XSS not in page and "&lt;script&gt;window.__xss=1&lt;/script&gt;朝は走ります" in page
    assert "白湯を飲んでから" in page and "副業の前にヨガ" in page and "承認待ち" in page
    assert "投票の結果（3票）" in page
    assert re.search(r"コーヒー</span>\s*<meter[^>]*value=\"0.66", page) and "2票（67%）" in page
    held_only = client.get(f"/admin/posts/{post_id}/answers?state=held").get_data(as_text=True)
    assert "副業の前にヨガ" in held_only and "白湯" not in held_only

    refused = client.follow(client.post(f"/admin/answers/{held}/feature", {"op": "feature"}))
    assert "公開中の回答だけ" in refused.get_data(as_text=True)
    for answer_id in (hana, evil):
        done = client.follow(client.post(f"/admin/answers/{answer_id}/feature", {"op": "feature"}))
        assert "ピックアップしました" in done.get_data(as_text=True)
    client.post(f"/admin/answers/{evil}/feature", {"op": "unfeature"})
    assert [e.target_id for e in console.audit_rows("answer.feature")] == [str(hana), str(evil)]
    assert console.audit_count("answer.unfeature") == 1

    compose = client.get("/admin/posts/new").get_data(as_text=True)
    assert f'name="voice" value="{hana}"' in compose and f'name="voice" value="{evil}"' not in compose
    preview = client.post("/admin/posts/new", {"title": "来月のテーマ", "text": "来月もよろしくお願いします。",
                                               "voice": str(hana), "action": "preview"}).get_data(as_text=True)
    assert "【みなさんの声】\n・はなまるさん「白湯を飲んでから、コーヒーを丁寧に淹れます」" in preview
    saved = client.post("/admin/posts/new", {"title": "来月のテーマ", "text": "来月もよろしくお願いします。",
                                             "voice": str(hana), "action": "save"})
    new_id = int(saved.headers["Location"].rsplit("/", 1)[1])
    with community.session() as s:
        assert s.get(ThemePost, new_id).text == (
            "来月もよろしくお願いします。\n\n【みなさんの声】\n・はなまるさん「白湯を飲んでから、コーヒーを丁寧に淹れます」")
    assert f'name="voice" value="{hana}"' not in client.get("/admin/posts/new").get_data(as_text=True)
    assert "投稿で紹介済み" in client.get(f"/admin/posts/{post_id}/answers").get_data(as_text=True)


def test_photos_are_fetched_when_first_opened_and_erased_with_the_member(console: Console) -> None:
    community = console.community
    post_id, member_id = photo_post(community, "はなまる")
    community.fake.add_content("700000000000000001", JPEG, "image/jpeg")
    photo = _answer(console, post_id, member_id, "", image="700000000000000001")
    lost = _answer(console, post_id, member_id, "", image="700000000000000002")  # LINE no longer has it

    client = console.client("marketer")
    page = client.get(f"/admin/posts/{post_id}/answers").get_data(as_text=True)
    assert f'src="/admin/answers/{photo}/image"' in page
    for _ in range(2):
        response = client.get(f"/admin/answers/{photo}/image")
        assert (response.status_code, response.mimetype, response.data) == (200, "image/jpeg", JPEG)
    assert len([r for r in community.fake.requests if r.path.endswith("/content")]) == 1
    assert client.get(f"/admin/answers/{lost}/image").status_code == 404
    assert "画像はLINEから取得できませんでした" in client.get(f"/admin/posts/{post_id}/answers").get_data(as_text=True)

    owner = console.client("owner")
    assert owner.post(f"/admin/members/{member_id}/delete", {"confirm": str(member_id)}).status_code == 303
    with community.session() as s:
        assert s.scalar(select(AnswerImage)) is None
        assert s.get(ThemeAnswer, photo).image_status == ImageStatus.GONE
    assert client.get(f"/admin/answers/{photo}/image").status_code == 404
