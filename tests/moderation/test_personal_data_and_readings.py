"""Issue item 11, the moderation core safe by default: the shipped list catches ＢＡＫＡ and しね (readings),
personal data is held for review (switchable in 設定), a new NG word can be applied to what is already
published, and nicknames pass the same check. Driven by signed webhooks and the admin pages over HTTP."""
from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import select

from linecomm.members import invites
from linecomm.members.models import Member, MemberStatus
from linecomm.moderation import ngwords
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentDecision, ContentItem, ContentKind, ContentState, NgWord, ReviewReason
from tests.admin.console import Console, make_member
from tests.support.community import ChatUser, Community
from tests.themes.talk import Talk


def test_the_default_list_catches_full_width_latin_and_kana_readings_in_chat(talk: Talk) -> None:
    hana, taro = talk.member("はなまる"), talk.member("たろう")
    with talk.community.session() as s:
        ngwords.load_defaults(s)
    post_id = talk.theme(title="朝のひと手間")

    assert "掲載できませんでした" in talk.say(taro, "お前、しね")  # the reading of 死ね
    assert "確認したうえで掲載" in talk.say(taro, "ＢＡＫＡじゃないの")  # full-width romaji of バカ
    # A kana reading must stand on its own: しね inside ordinary words is no insult.
    for harmless in ("少しねむいですが、白湯を飲みます", "雨だしね、家でシネマを観ます"):
        assert "掲載しました" in talk.say(hana, harmless)
    assert [(a[2], a[3]) for a in talk.answers(post_id)] == [
        (ContentState.BLOCKED, "お前、しね"),
        (ContentState.HELD, "ＢＡＫＡじゃないの"),
        (ContentState.PUBLISHED, "少しねむいですが、白湯を飲みます"),
        (ContentState.PUBLISHED, "雨だしね、家でシネマを観ます"),
    ]


def test_personal_data_is_held_with_its_reason_in_the_queue_until_the_owner_switches_the_rule_off(
    talk: Talk,
) -> None:
    hana = talk.member("はなまる")
    post_id = talk.theme(title="朝のひと手間")
    held = talk.say(hana, "詳しくは０９０ー１２３４ー５６７８までお電話ください")
    assert "個人情報が含まれている可能性" in held and "確認したうえで掲載" in held
    assert "確認したうえで掲載" in talk.say(hana, "LINE ID: hanamaru_88 で話しましょう")
    assert "確認したうえで掲載" in talk.say(hana, "〒150-0041 東京都渋谷区神南1-2-3 に送ってください")
    assert "確認したうえで掲載" in talk.say(hana, "hana.maru@example.co.jp にどうぞ")
    assert "掲載しました" in talk.say(hana, "朝は7時に起きて、2-3杯お茶を飲みます")

    console = Console(talk.community)
    queue = console.client("moderator").get("/admin/moderation?reason=personal_data").get_data(as_text=True)
    assert "個人情報の可能性：電話番号" in queue and "個人情報の可能性：LINE ID" in queue
    assert "個人情報の可能性：住所・郵便番号" in queue and "個人情報の可能性：メールアドレス" in queue
    assert "朝は7時に起きて" not in queue
    with talk.community.reader() as s:
        item_id = s.scalar(select(ContentItem.id).where(ContentItem.review_reason == ReviewReason.PERSONAL_DATA))
    detail = console.client("moderator").get(f"/admin/moderation/{item_id}").get_data(as_text=True)
    assert "個人情報の可能性：電話番号" in detail

    owner = console.client("owner")
    assert 'name="hold_personal_data" value="on" checked' in owner.get("/admin/settings").get_data(as_text=True)
    refused = owner.follow(owner.post("/admin/settings", {"hold_personal_data": "maybe"}))
    assert refused.status_code == 200 and "個人情報の扱いは" in refused.get_data(as_text=True)
    saved = owner.follow(owner.post("/admin/settings", {"hold_personal_data": "off"}))
    assert 'name="hold_personal_data" value="off" checked' in saved.get_data(as_text=True)
    [row] = console.audit_rows("settings.update")
    assert (row.target_id, row.before, row.after) == ("hold_personal_data", '{"hold_personal_data": true}',
                                                     '{"hold_personal_data": false}')
    assert "掲載しました" in talk.say(hana, "電話は03-1234-5678です")
    states = [a[2] for a in talk.answers(post_id)]
    assert states == [ContentState.HELD] * 4 + [ContentState.PUBLISHED] * 2


def test_adding_an_ng_word_offers_to_apply_it_to_published_content(console: Console) -> None:
    community = console.community
    with community.session() as s:
        author = make_member(s, nickname="かきて").id
        ids = [moderation.submit(s, author, ContentKind.THEME_REPLY, body, ref="theme:1").id
               for body in ("あの店員はヘボだった", "ﾍﾎﾞ！", "とても良い朝でした", "へぼい")]
    moderator = console.client("moderator")
    page = moderator.follow(moderator.post("/admin/ng-words", {"term": "ヘボ", "action": "block"}))
    html = page.get_data(as_text=True)
    assert "公開中の投稿のうち <strong>3件</strong> が「ヘボ」に該当します" in html and "非表示にします" in html
    with community.reader() as s:
        word_id = s.scalar(select(NgWord.id).where(NgWord.term == "ヘボ"))
        assert {s.get(ContentItem, i).state for i in ids} == {ContentState.PUBLISHED}  # nothing moved yet
    assert console.audit_count("ngword.apply") == 0

    applied = moderator.follow(moderator.post(f"/admin/ng-words/{word_id}/apply"))
    assert "公開中の投稿に適用しました（3件）" in applied.get_data(as_text=True)
    with community.reader() as s:
        assert [s.get(ContentItem, i).state for i in ids] == [ContentState.HIDDEN, ContentState.HIDDEN,
                                                              ContentState.PUBLISHED, ContentState.HIDDEN]
        decision = s.scalar(select(ContentDecision).where(ContentDecision.content_id == ids[0],
                                                          ContentDecision.action == "ng_word_hidden"))
        assert decision is not None and decision.staff_id is not None
        assert moderation.verdict_terms(s.get(ContentItem, ids[0])) == ["ヘボ"]
    [row] = console.audit_rows("ngword.apply")
    assert '"items": 3' in row.after
    again = moderator.get(f"/admin/ng-words?recheck={word_id}").get_data(as_text=True)
    assert "該当するものはありません" in again

    # A hold word sends what it matches back to the queue; bad ids get a 404 or are ignored, never a 500.
    moderator.post("/admin/ng-words", {"term": "良い朝", "action": "hold"})
    with community.reader() as s:
        hold_id = s.scalar(select(NgWord.id).where(NgWord.term == "良い朝"))
    moderator.post(f"/admin/ng-words/{hold_id}/apply")
    with community.reader() as s:
        item = s.get(ContentItem, ids[2])
        assert (item.state, item.in_queue, item.review_reason) == (ContentState.HELD, True, ReviewReason.HELD)
    assert moderator.post("/admin/ng-words/999999/apply").status_code == 404
    assert moderator.get("/admin/ng-words?recheck=abc").status_code == 200
    assert console.client("marketer").post(f"/admin/ng-words/{word_id}/apply").status_code == 403


def test_readings_are_added_edited_imported_and_exported_in_the_console(console: Console) -> None:
    moderator = console.client("moderator")
    moderator.post("/admin/ng-words", {"term": "阿呆", "action": "hold", "readings": "あほう、アホウ aho"})
    json = moderator.get("/admin/ng-words/test.json?text=ｱﾎｳだな").get_json()
    assert json["matches"] == [{"term": "阿呆", "action": "hold", "label": "承認まで保留"}]
    assert moderator.get("/admin/ng-words/test.json?text=AHO!").get_json()["action"] == "hold"
    bad = moderator.post("/admin/ng-words", {"term": "愚か", "action": "hold", "readings": "・・"})
    assert bad.status_code == 200 and "読み「・・」" in bad.get_data(as_text=True)
    with console.community.reader() as s:
        word = s.scalar(select(NgWord).where(NgWord.term == "阿呆"))
        assert word.readings == "あほう|aho"  # アホウ is あほう once folded
        assert s.scalar(select(NgWord).where(NgWord.term == "愚か")) is None
    moderator.post(f"/admin/ng-words/{word.id}", {"action": "hold", "note": "", "readings": "あほう"})
    assert moderator.get("/admin/ng-words/test.json?text=aho").get_json()["action"] is None
    assert console.audit_rows("ngword.update")[0].after == '{"readings": "あほう", "term": "阿呆"}'

    csv_bytes = "語句,対応,メモ,読み\n死ね,block,暴言,しね|シネ\n阿呆,hold,,あほう|aho\n".encode("cp932")
    page = moderator.follow(moderator.post("/admin/ng-words/import", {
        "file": (io.BytesIO(csv_bytes), "ng.csv")}, content_type="multipart/form-data")).get_data(as_text=True)
    assert "追加 1件、更新 1件" in page
    assert moderator.get("/admin/ng-words/test.json?text=しね").get_json()["action"] == "block"
    exported = moderator.get("/admin/ng-words/export.csv").get_data(as_text=True)
    assert "term,action,note,readings" in exported and "死ね,block,暴言,しね" in exported
    assert "阿呆,hold,,あほう|aho" in exported


def _join(community: Community, user: ChatUser, code: str) -> None:
    for step in (user.follow, lambda: user.tap_quick_reply("参加する"), lambda: user.say(code),
                 lambda: user.tap_quick_reply("同意する")):
        assert step().status == 200
        community.drain()


def _nickname(community: Community, user: ChatUser, nickname: str) -> str:
    assert user.say(nickname).status == 200
    community.drain()
    return user.last_text()


def test_nicknames_pass_the_ng_words_and_the_personal_data_rule(community: Community) -> None:
    with community.session() as s:
        ngwords.load_defaults(s)
        code = invites.create_code(s, "1期生", 50, date.today() + timedelta(days=30)).code
    user = community.user()
    _join(community, user, code)
    for refused in ("ＢＡＫＡうさぎ", "しね", "０９０ー１２３４ー５６７８", "LINE ID hana_88"):
        answer = _nickname(community, user, refused)
        assert "お使いいただけない表現" in answer and "別のニックネームを入力してください" in answer, refused
    assert "ようこそ" in _nickname(community, user, "すこしねむい")  # しね inside a word is fine
    with community.reader() as s:
        member = s.scalar(select(Member).where(Member.line_user_id == user.user_id))
        assert (member.status, member.nickname) == (MemberStatus.MEMBER, "すこしねむい")
