"""A member's message while a theme post's answer window is open becomes their answer: a community post
through the moderation core (published, held or refused), acknowledged in chat; other members can read
the answers and report one. Everything is driven by signed webhooks from simulated LINE users."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from linecomm.members.models import Member
from linecomm.moderation import ngwords, sanctions
from linecomm.moderation.models import ContentItem, ContentKind, ContentReport, ContentState
from linecomm.pushes.segments import Segment
from linecomm.themes.models import AnswerImage, ImageStatus, ThemeAnswer
from linecomm.webhooks.models import InboxStatus, WebhookEvent
from tests.admin.console import Console
from tests.themes.talk import Talk

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"


def test_answers_are_published_held_or_refused_and_members_can_read_and_report_them(talk: Talk) -> None:
    hana, taro, jiro = talk.member("はなまる"), talk.member("たろう"), talk.member("じろう")
    outsider = talk.member("よその期", cohort="2期生")
    with talk.community.session() as s:
        ngwords.add(s, "ばか", "block")
        ngwords.add(s, "副業", "hold")
    post_id = talk.theme(title="朝のひと手間", segment=Segment(cohorts=("1期生",)))

    ack = talk.say(hana, "白湯を一杯飲んでから、コーヒーを丁寧に淹れます☕")
    assert "「朝のひと手間」へのご回答ありがとうございます" in ack and "掲載しました" in ack
    assert [a["label"] for a in hana.quick_replies()] == ["みんなの回答を見る"]

    refused = talk.say(taro, "そんなの、ばかみたい")
    assert "掲載できませんでした" in refused and "ありがとうございます" not in refused
    held = talk.say(jiro, "副業の合間に朝ヨガをしています")
    assert "運営で確認したうえで掲載" in held

    # Not in the post's segment: the message is not an answer, the usual thanks.
    assert "次のテーマのお届けまで" in talk.say(outsider, "こんにちは")
    # Out of the segment since, but LINE delivered the post to her: still an answer.
    with talk.community.session() as s:
        s.execute(update(Member).where(Member.id == talk.member_id(hana)).values(cohort="9期生"))
    assert "ご回答ありがとうございます" in talk.say(hana, "それと、朝は窓を開けます")

    assert talk.answers(post_id) == [
        ("はなまる", "text", ContentState.PUBLISHED, "白湯を一杯飲んでから、コーヒーを丁寧に淹れます☕"),
        ("たろう", "text", ContentState.BLOCKED, "そんなの、ばかみたい"),
        ("じろう", "text", ContentState.HELD, "副業の合間に朝ヨガをしています"),
        ("はなまる", "text", ContentState.PUBLISHED, "それと、朝は窓を開けます"),
    ]
    with talk.community.reader() as s:
        kinds = set(s.scalars(select(ContentItem.kind)))
        refs = set(s.scalars(select(ContentItem.ref)))
    assert kinds == {ContentKind.THEME_REPLY} and refs == {f"theme:{post_id}"}

    # Another member reads the published answers (only those) and reports one.
    shown = talk.tap(taro, f"action=answers&post={post_id}")
    assert len(shown) == 1 and "① はなまるさん\nそれと、朝は窓を開けます" in shown[0]
    assert "② はなまるさん\n白湯を一杯" in shown[0]
    assert "副業" not in shown[0] and "ばか" not in shown[0]
    assert [a["label"] for a in taro.quick_replies()] == ["①を通報", "②を通報"]
    assert "通報を受け付けました" in talk.tap(taro, taro.quick_replies()[0]["data"])[0]
    with talk.community.reader() as s:
        assert s.scalar(select(ContentReport.reporter_member_id)) == talk.member_id(taro)
    # The author sees no one else's answer yet.
    assert "まだほかの方の回答がありません" in talk.tap(hana, f"action=answers&post={post_id}")[0]


def test_the_newest_open_post_wins_closed_windows_say_so_and_suspended_members_are_told_why(talk: Talk) -> None:
    hana, yuki = talk.member("はなまる"), talk.member("ゆき")
    closed = talk.theme(title="先月のテーマ", opens=timedelta(days=-3), closes=timedelta(hours=-1))
    assert "「先月のテーマ」へのご回答の受付は終了しました" in talk.say(hana, "遅れてすみません、私は早起きです")
    older = talk.theme(title="春のテーマ")
    newer = talk.theme(title="夏のテーマ")
    assert "「夏のテーマ」へのご回答" in talk.say(hana, "夏は冷たい麦茶です")
    assert [a[3] for a in talk.answers(newer)] == ["夏は冷たい麦茶です"]
    assert talk.answers(older) == [] and talk.answers(closed) == []

    with talk.community.session() as s:
        member = s.get(Member, talk.member_id(yuki))
        sanctions.suspend(s, member, "他の会員への攻撃的な表現があったため", staff_id=None)
    talk.community.drain()  # the suspension notice
    answer = talk.say(yuki, "私の朝は…")
    assert "ご投稿を停止しています" in answer and "他の会員への攻撃的な表現があったため" in answer
    yuki.send_image()
    talk.community.drain()
    assert "他の会員への攻撃的な表現があったため" in yuki.last_text()
    assert [a[0] for a in talk.answers(newer)] == ["はなまる"]


def test_a_photo_is_an_answer_and_its_bytes_are_fetched_from_line_once(talk: Talk) -> None:
    hana = talk.member("はなまる")
    post_id = talk.theme(title="お気に入りの一枚")
    talk.community.fake.add_content("900000000000000001", JPEG, "image/jpeg")
    assert hana.send_image("900000000000000001").status == 200
    talk.community.drain()
    assert "「お気に入りの一枚」へのお写真ありがとうございます" in hana.last_text()
    assert "写真は確認後に公開されます" in hana.last_text()
    # Two photos sent at once are two answers, acknowledged once; LINE no longer has the second one.
    talk.community.fake.add_content("900000000000000002", JPEG, "image/jpeg")
    before = len(hana.received())
    hana.send_image("900000000000000002", image_set={"id": "set1", "index": 1, "total": 2})
    hana.send_image("900000000000000003", image_set={"id": "set1", "index": 2, "total": 2})
    talk.community.drain()
    assert len(hana.received()) == before + 1
    talk.community.drain()  # the image jobs
    with talk.community.reader() as s:
        answers = list(s.scalars(select(ThemeAnswer).where(ThemeAnswer.post_id == post_id).order_by(ThemeAnswer.id)))
        assert [(a.kind, a.line_message_id, a.image_status) for a in answers] == [
            ("image", "900000000000000001", ImageStatus.STORED),
            ("image", "900000000000000002", ImageStatus.STORED),
            ("image", "900000000000000003", ImageStatus.GONE),
        ]
        image = s.get(AnswerImage, answers[0].id)
        assert image is not None and image.data == JPEG and image.content_type == "image/jpeg"
        assert s.get(ContentItem, answers[0].content_id).state == ContentState.HELD  # a moderator looks first
    fetches = [r for r in talk.community.fake.requests if r.path.endswith("/content")]
    assert len(fetches) == 3


def test_a_photo_answer_is_held_until_a_moderator_approves_it_in_the_queue(talk: Talk) -> None:
    hana, taro = talk.member("はなまる"), talk.member("たろう")
    post_id = talk.theme(title="お気に入りの一枚")
    talk.community.fake.add_content("910000000000000001", JPEG, "image/jpeg")
    assert hana.send_image("910000000000000001").status == 200
    talk.community.drain()
    ack = hana.last_text()
    assert "「お気に入りの一枚」へのお写真ありがとうございます" in ack and "写真は確認後に公開されます" in ack
    assert "掲載しました" not in ack
    talk.community.drain()  # the image job
    assert talk.answers(post_id) == [("はなまる", "image", ContentState.HELD, "（画像）")]
    with talk.community.reader() as s:
        answer = s.scalar(select(ThemeAnswer).where(ThemeAnswer.post_id == post_id))
        answer_id, content_id = answer.id, answer.content_id

    # Nobody else sees it, and the marketer cannot feature it yet.
    assert "まだほかの方の回答がありません" in talk.tap(taro, f"action=answers&post={post_id}")[0]
    console = Console(talk.community)
    marketer = console.client("marketer")
    refused = marketer.follow(marketer.post(f"/admin/answers/{answer_id}/feature", {"op": "feature"}))
    assert "公開中の回答だけ" in refused.get_data(as_text=True)

    # The moderator finds it in the queue, under its own filter, and sees the photo itself.
    moderator = console.client("moderator")
    queue = moderator.get("/admin/moderation?reason=image").get_data(as_text=True)
    assert f'id="item-{content_id}"' in queue and "写真の確認" in queue
    assert f'src="/admin/moderation/{content_id}/image"' in queue and "（画像）" not in queue
    photo = moderator.get(f"/admin/moderation/{content_id}/image")
    assert (photo.status_code, photo.mimetype, photo.data) == (200, "image/jpeg", JPEG)
    assert moderator.post(f"/admin/moderation/{content_id}/decide", {"action": "approve"}).status_code == 303

    assert talk.answers(post_id) == [("はなまる", "image", ContentState.PUBLISHED, "（画像）")]
    assert "① はなまるさん\n（画像）" in talk.tap(taro, f"action=answers&post={post_id}")[0]
    featured = marketer.follow(marketer.post(f"/admin/answers/{answer_id}/feature", {"op": "feature"}))
    assert "ピックアップしました" in featured.get_data(as_text=True)


def test_when_the_owner_publishes_photos_at_once_reports_can_still_hide_them(talk: Talk) -> None:
    hana, taro = talk.member("はなまる"), talk.member("たろう")
    owner = Console(talk.community).client("owner")
    assert "確認後に公開する（おすすめ）" in owner.get("/admin/settings").get_data(as_text=True)
    assert owner.post("/admin/settings", {"image_posts": "publish"}).status_code == 303
    assert owner.post("/admin/settings", {"report_hide_threshold": "1"}).status_code == 303
    post_id = talk.theme(title="お気に入りの一枚")
    talk.community.fake.add_content("920000000000000001", JPEG, "image/jpeg")
    hana.send_image("920000000000000001")
    talk.community.drain()
    assert "お写真ありがとうございます" in hana.last_text() and "掲載しました" in hana.last_text()
    assert talk.answers(post_id) == [("はなまる", "image", ContentState.PUBLISHED, "（画像）")]

    assert "① はなまるさん\n（画像）" in talk.tap(taro, f"action=answers&post={post_id}")[0]
    assert "通報を受け付けました" in talk.tap(taro, taro.quick_replies()[0]["data"])[0]
    assert talk.answers(post_id) == [("はなまる", "image", ContentState.HIDDEN, "（画像）")]
    assert "まだほかの方の回答がありません" in talk.tap(taro, f"action=answers&post={post_id}")[0]


def test_crafted_buttons_with_ids_out_of_range_get_a_polite_answer(talk: Talk) -> None:
    """Postback data is the member's to forge: an id too large for the database is a stale button, never a
    failing event (PostgreSQL refuses an INTEGER parameter over 2**31 - 1)."""
    hana = talk.member("はなまる")
    talk.theme()
    for data in ("action=report&content=99999999999999999", "action=report&content=2147483648",
                 "action=answers&post=99999999999999999", "action=vote&post=2147483648&c=a"):
        answers = talk.tap(hana, data)
        assert answers and all(a for a in answers), data
    with talk.community.reader() as s:
        assert s.scalar(select(ContentReport.id)) is None
        assert set(s.scalars(select(WebhookEvent.status))) == {InboxStatus.DONE}
