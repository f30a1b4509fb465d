"""The moderation queue and the NG-word page as a moderator uses them."""
from __future__ import annotations

import io

from sqlalchemy import select

from linecomm.db import utcnow
from linecomm.members.models import Member, MemberStatus
from linecomm.moderation import ngwords
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentItem, ContentKind, ContentState, MemberSanction, NgWord
from linecomm.themes import service as themes
from linecomm.themes.models import ThemePost
from tests.admin.console import JPEG, Console, make_member, photo_post


def _queue_setup(console: Console) -> dict[str, int]:
    community = console.community
    user = community.user("書き手")
    with community.session() as s:
        ngwords.add(s, "バカ", "hold")
        ngwords.add(s, "副業", "flag")
        author = make_member(s, nickname="かきて", line_user_id=user.user_id)
        held = moderation.submit(s, author.id, ContentKind.THEME_REPLY, "バカみたいに泡立つ", ref="theme:1")
        flagged = moderation.submit(s, author.id, ContentKind.THEME_REPLY, "副業の話", ref="theme:1")
        fine = moderation.submit(s, author.id, ContentKind.THEME_REPLY, "普通の感想", ref="theme:1")
        return {"author": author.id, "held": held.id, "flagged": flagged.id, "fine": fine.id}


def test_the_queue_lists_held_and_flagged_items_newest_first(console: Console) -> None:
    ids = _queue_setup(console)
    page = console.client("moderator").get("/admin/moderation").get_data(as_text=True)
    assert page.index("副業の話") < page.index("バカみたいに泡立つ")
    assert "普通の感想" not in page
    assert "承認待ち" in page and "要確認" in page and "NGワード：バカ" in page
    only_held = console.client("moderator").get("/admin/moderation?reason=held").get_data(as_text=True)
    assert "バカみたいに泡立つ" in only_held and "副業の話" not in only_held
    assert f'id="item-{ids["held"]}"' in only_held


def test_approve_and_hide_from_the_queue_are_recorded(console: Console) -> None:
    ids = _queue_setup(console)
    client = console.client("moderator")
    response = client.post(f"/admin/moderation/{ids['held']}/decide", {"action": "approve",
                                                                      "back": "/admin/moderation?reason=held"})
    assert response.headers["Location"] == "/admin/moderation?reason=held"
    client.post(f"/admin/moderation/{ids['flagged']}/decide", {"action": "hide"})
    with console.community.session() as s:
        assert s.get(ContentItem, ids["held"]).state == ContentState.PUBLISHED
        assert s.get(ContentItem, ids["flagged"]).state == ContentState.HIDDEN
        assert moderation.queue(s) == []
        history = moderation.history(s, ids["held"])
        assert [h.action for h in history] == ["submitted", "approved"] and history[-1].staff_id is not None
    approvals = console.audit_rows("content.approve")
    assert approvals[0].before == '{"state": "held"}' and approvals[0].after == '{"state": "published"}'
    detail = client.get(f"/admin/moderation/{ids['held']}").get_data(as_text=True)
    assert "承認（承認待ち → 公開中）" in detail


def test_hide_and_suspend_tells_the_member_why_and_they_can_no_longer_post(console: Console) -> None:
    ids = _queue_setup(console)
    client = console.client("moderator")
    empty = client.follow(client.post(f"/admin/moderation/{ids['held']}/decide", {"action": "suspend"}))
    assert "理由を入力してください" in empty.get_data(as_text=True)
    with console.community.session() as s:
        assert s.get(ContentItem, ids["held"]).state == ContentState.HELD  # nothing half-done
    client.post(f"/admin/moderation/{ids['held']}/decide", {"action": "suspend", "reason": "侮辱的な表現のため"})
    console.community.drain()
    with console.community.session() as s:
        member = s.get(Member, ids["author"])
        assert member.status == MemberStatus.SUSPENDED
        assert s.get(ContentItem, ids["held"]).state == ContentState.HIDDEN
        assert moderation.submit(s, member.id, ContentKind.COMMENT, "もう一度").state == ContentState.BLOCKED
    with console.community.session() as s:
        line_user_id = s.get(Member, ids["author"]).line_user_id
    texts = [m.get("text", "") for m in console.community.fake.messages_to(line_user_id)]
    assert any("理由：侮辱的な表現のため" in t for t in texts)
    assert [r.action for r in console.audit_rows("member.suspend")] == ["member.suspend"]
    page = client.get(f"/admin/members/{ids['author']}").get_data(as_text=True)
    assert "利用停止中" in page and "侮辱的な表現のため" in page and "利用停止を解除" in page
    client.post(f"/admin/members/{ids['author']}/sanction", {"action": "lift", "reason": ""})
    with console.community.session() as s:
        assert s.get(Member, ids["author"]).status == MemberStatus.MEMBER


def test_hide_and_warn_sends_the_warning(console: Console) -> None:
    ids = _queue_setup(console)
    client = console.client("owner")
    client.post(f"/admin/moderation/{ids['flagged']}/decide", {"action": "warn", "reason": "宣伝はご遠慮ください"})
    console.community.drain()
    with console.community.session() as s:
        sanction = s.scalars(select(MemberSanction)).one()
        assert (sanction.kind, sanction.reason, sanction.content_id) == ("warn", "宣伝はご遠慮ください", ids["flagged"])
        line_user_id = s.get(Member, ids["author"]).line_user_id
        assert s.get(Member, ids["author"]).status == MemberStatus.MEMBER
    texts = [m.get("text", "") for m in console.community.fake.messages_to(line_user_id)]
    assert any("宣伝はご遠慮ください" in t for t in texts)


def test_the_ng_word_page_adds_changes_tests_imports_and_exports(console: Console) -> None:
    client = console.client("moderator")
    client.post("/admin/ng-words", {"term": "バカ", "action": "hold", "note": "侮辱"})
    dup = client.post("/admin/ng-words", {"term": "ﾊﾞｶ", "action": "block"})
    assert "登録済み" in dup.get_data(as_text=True)
    tested = client.get("/admin/ng-words?text=ば.か").get_data(as_text=True)
    assert "該当：「バカ」（承認まで保留）" in tested
    assert client.get("/admin/ng-words/test.json?text=バ カ").get_json() == {
        "action": "hold", "label": "承認まで保留",
        "matches": [{"term": "バカ", "action": "hold", "label": "承認まで保留"}],
    }
    assert client.get("/admin/ng-words/test.json?text=こんにちは").get_json()["action"] is None
    with console.community.session() as s:
        word_id = s.scalar(select(NgWord.id))
    client.post(f"/admin/ng-words/{word_id}", {"action": "block", "note": "侮辱"})
    assert console.audit_rows("ngword.update")[0].after == '{"action": "block", "term": "バカ"}'

    csv_bytes = "term,action,note\nアホ,hold,\nクズ,要確認,\n,block,\n".encode("cp932")
    page = client.follow(client.post("/admin/ng-words/import", {
        "file": (io.BytesIO(csv_bytes), "ng.csv")}, content_type="multipart/form-data")).get_data(as_text=True)
    assert "追加 2件" in page and "4行目" in page
    exported = client.get("/admin/ng-words/export.csv").get_data(as_text=True)
    assert "バカ,block,侮辱" in exported and "クズ,flag," in exported
    defaults = client.follow(client.post("/admin/ng-words/import", {"defaults": "1"})).get_data(as_text=True)
    assert "取り込みました" in defaults
    client.post(f"/admin/ng-words/{word_id}/delete")
    assert client.get("/admin/ng-words/test.json?text=ばか").get_json()["action"] is None


def _photo_answers(console: Console) -> dict[str, int]:
    """A theme post that went out, and two photos sent as answers: one LINE still has, one it lost."""
    community = console.community
    post_id, author_id = photo_post(community, "しゃしん好き")
    community.fake.add_content("800000000000000001", JPEG, "image/jpeg")
    ids = {}
    with community.session() as s:
        post, member = s.get(ThemePost, post_id), s.get(Member, author_id)
        for name, message_id in (("photo", "800000000000000001"), ("lost", "800000000000000002")):
            answer = themes.record_answer(s, post, member, kind="image", body="", line_message_id=message_id,
                                          now=utcnow()).answer
            ids[name] = answer.content_id
        ids["text"] = themes.record_answer(s, post, member, kind="text", body="朝の光がきれいでした",
                                           line_message_id="800000000000000003", now=utcnow()).item.id
    return ids


def test_a_moderator_sees_the_photo_in_the_queue_fetched_from_line_when_first_opened(console: Console) -> None:
    ids = _photo_answers(console)  # the fetch jobs have not run: the queue fetches the photo itself
    moderator = console.client("moderator")
    queue = moderator.get("/admin/moderation").get_data(as_text=True)
    assert f'src="/admin/moderation/{ids["photo"]}/image"' in queue
    assert f'src="/admin/moderation/{ids["lost"]}/image"' in queue
    assert "写真の確認" in queue and "朝の光がきれいでした" not in queue  # the text answer was published
    for _ in range(2):
        photo = moderator.get(f"/admin/moderation/{ids['photo']}/image")
        assert (photo.status_code, photo.mimetype, photo.data) == (200, "image/jpeg", JPEG)
        assert photo.headers["X-Content-Type-Options"] == "nosniff"
    assert len([r for r in console.community.fake.requests if r.path.endswith("/content")]) == 1
    assert moderator.get(f"/admin/moderation/{ids['lost']}/image").status_code == 404
    assert moderator.get(f"/admin/moderation/{ids['text']}/image").status_code == 404  # no photo behind it

    detail = moderator.get(f"/admin/moderation/{ids['lost']}").get_data(as_text=True)
    assert "写真はLINEから取得できませんでした" in detail and "承認して公開" in detail
    detail = moderator.get(f"/admin/moderation/{ids['photo']}").get_data(as_text=True)
    assert f'src="/admin/moderation/{ids["photo"]}/image"' in detail
    moderator.post(f"/admin/moderation/{ids['photo']}/decide", {"action": "approve"})
    moderator.post(f"/admin/moderation/{ids['lost']}/decide", {"action": "hide"})
    with console.community.session() as s:
        assert s.get(ContentItem, ids["photo"]).state == ContentState.PUBLISHED
        assert s.get(ContentItem, ids["lost"]).state == ContentState.HIDDEN
    assert "確認待ちの投稿はありません" in moderator.get("/admin/moderation").get_data(as_text=True)


def test_the_owner_chooses_whether_photos_wait_for_a_check_and_the_change_is_audited(console: Console) -> None:
    owner = console.client("owner")
    page = owner.get("/admin/settings").get_data(as_text=True)
    assert 'name="image_posts" value="hold" checked' in page
    refused = owner.follow(owner.post("/admin/settings", {"image_posts": "sometimes"}))
    assert "写真の扱いは" in refused.get_data(as_text=True)
    assert console.audit_count("settings.update") == 0
    saved = owner.follow(owner.post("/admin/settings", {"image_posts": "publish"}))
    assert "設定を保存しました" in saved.get_data(as_text=True)
    assert 'name="image_posts" value="publish" checked' in saved.get_data(as_text=True)
    [row] = console.audit_rows("settings.update")
    assert (row.target_id, row.before, row.after) == ("image_posts", '{"image_posts": "hold"}',
                                                     '{"image_posts": "publish"}')
    with console.community.session() as s:
        assert moderation.policy(s).report_hide_threshold == 3  # the other form's setting is left alone
    ids = _photo_answers(console)
    with console.community.session() as s:
        assert s.get(ContentItem, ids["photo"]).state == ContentState.PUBLISHED
