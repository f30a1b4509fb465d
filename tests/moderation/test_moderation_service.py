"""The moderation core: what submit decides, reports, approvals, sanctions, NG-word list management,
and reporting (通報) and suspension as a member sees them in chat."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from linecomm.members.models import Member, MemberStatus
from linecomm.moderation import ngwords, sanctions
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentItem, ContentKind, ContentState, ImagePolicy, ReviewReason
from linecomm.moderation.service import ReportResult
from tests.admin.console import Console, make_member
from tests.support.community import Community

KIND = ContentKind.THEME_REPLY


def _setup(community: Community) -> tuple[int, list[int]]:
    with community.session() as s:
        ngwords.add(s, "バカ", "hold")
        ngwords.add(s, "死ね", "block")
        ngwords.add(s, "副業", "flag")
        author = make_member(s, nickname="かきて").id
        readers = [make_member(s, nickname=f"よみて{i}").id for i in range(4)]
    return author, readers


@pytest.mark.parametrize(
    ("body", "state", "in_queue", "reason"),
    [
        ("朝に使うと香りが気持ちいいです", ContentState.PUBLISHED, False, None),
        ("副業の話ですが", ContentState.PUBLISHED, True, ReviewReason.FLAGGED),
        ("バ カみたいに泡立つ", ContentState.HELD, True, ReviewReason.HELD),
        ("し.ね じゃなくて 死 ね", ContentState.BLOCKED, False, None),
    ],
)
def test_submit_decides_the_state_from_the_ng_words(community: Community, body: str, state: str, in_queue: bool,
                                                    reason: str | None) -> None:
    author, _ = _setup(community)
    with community.session() as s:
        item = moderation.submit(s, author, KIND, body, ref="theme:1")
        assert (item.state, item.in_queue, item.review_reason) == (state, in_queue, reason)
        history = moderation.history(s, item.id)
        assert [(h.action, h.from_state, h.to_state) for h in history] == [("submitted", None, state)]
        notice = moderation.notice_for(s, item)
    texts = " ".join(m["text"] for m in notice)
    if state == ContentState.BLOCKED:
        assert item.blocked_reason == "ng_word" and "お使いいただけない表現" in texts
    elif state == ContentState.HELD:
        assert "確認したうえで掲載" in texts
    else:
        assert notice == []


def test_suspended_members_and_non_members_cannot_post_and_are_told_why(community: Community) -> None:
    author, _ = _setup(community)
    with community.session() as s:
        member = s.get(Member, author)
        assert moderation.can_post(member)
        sanctions.suspend(s, member, "他の会員への暴言が続いたため", staff_id=None)
        assert not moderation.can_post(member)
        item = moderation.submit(s, author, KIND, "こんにちは")
        assert (item.state, item.blocked_reason) == (ContentState.BLOCKED, "suspended")
        assert "理由：他の会員への暴言が続いたため" in moderation.notice_for(s, item)[0]["text"]
        guest = make_member(s, nickname=None, status=MemberStatus.FOLLOWER)
        other = moderation.submit(s, guest.id, KIND, "こんにちは")
        assert other.blocked_reason == "not_member"
        with pytest.raises(ValueError):
            moderation.submit(s, author, KIND, "   ")


def test_reports_from_distinct_members_hide_the_item_at_the_threshold(community: Community) -> None:
    author, readers = _setup(community)
    with community.session() as s:
        moderation.set_report_threshold(s, 3)
        item = moderation.submit(s, author, KIND, "ふつうの投稿です")
        results = [
            moderation.report(s, item.id, readers[0], "不快"),
            moderation.report(s, item.id, readers[0], "もう一度"),
            moderation.report(s, item.id, author),
            moderation.report(s, item.id, readers[1]),
        ]
        assert results == [ReportResult.ACCEPTED, ReportResult.DUPLICATE, ReportResult.OWN_CONTENT,
                           ReportResult.ACCEPTED]
        assert (item.state, item.in_queue, item.review_reason, item.report_count) == (
            ContentState.PUBLISHED, True, ReviewReason.REPORTED, 2)
        assert moderation.report(s, item.id, readers[2]) is ReportResult.HIDDEN
        assert item.state == ContentState.HIDDEN
        assert moderation.report(s, item.id, readers[3]) is ReportResult.NOT_VISIBLE
        assert moderation.report(s, 999999, readers[3]) is ReportResult.NOT_VISIBLE

        before, after = moderation.approve(s, item, staff_id=None)  # type: ignore[arg-type]
        assert (before, after, item.in_queue) == (ContentState.HIDDEN, ContentState.PUBLISHED, False)
        # Reports before the approval no longer count towards hiding it again.
        assert moderation.report(s, item.id, readers[3]) is ReportResult.ACCEPTED
        assert item.state == ContentState.PUBLISHED and item.report_count == 4
        actions = [h.action for h in moderation.history(s, item.id)]
        assert actions == ["submitted", "auto_hidden", "approved"]


def test_held_items_wait_invisible_until_approved_and_hidden_ones_leave_the_queue(community: Community) -> None:
    author, _ = _setup(community)
    with community.session() as s:
        held = moderation.submit(s, author, KIND, "バカうま", ref="theme:7")
        fine = moderation.submit(s, author, KIND, "おいしい", ref="theme:7")
        flagged = moderation.submit(s, author, KIND, "副業で", ref="theme:7")
        assert [i.id for i in moderation.visible(s, KIND, "theme:7")] == [fine.id, flagged.id]
        assert [e.item.id for e in moderation.queue(s)] == [flagged.id, held.id]  # newest first
        moderation.approve(s, held, staff_id=None)  # type: ignore[arg-type]
        moderation.hide(s, flagged, staff_id=None, note="宣伝")  # type: ignore[arg-type]
        assert [i.id for i in moderation.visible(s, KIND, "theme:7")] == [held.id, fine.id]
        assert moderation.queue(s) == []
        blocked = moderation.submit(s, author, KIND, "死ね")
        with pytest.raises(moderation.ModerationError):
            moderation.approve(s, blocked, staff_id=None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("body", "state", "reason"),
    [
        ("（画像）", ContentState.HELD, ReviewReason.IMAGE),  # nothing for words to screen: held all the same
        ("副業の写真です", ContentState.HELD, ReviewReason.IMAGE),  # a flag is not enough to publish a picture
        ("バカうまの写真", ContentState.HELD, ReviewReason.HELD),  # the NG word is the reason shown
        ("死ねの写真", ContentState.BLOCKED, None),
    ],
)
def test_content_with_an_image_is_held_for_review_by_default(community: Community, body: str, state: str,
                                                             reason: str | None) -> None:
    author, readers = _setup(community)
    with community.session() as s:
        assert moderation.policy(s).image_posts == ImagePolicy.HOLD
        item = moderation.submit(s, author, KIND, body, ref="theme:3", has_image=True)
        assert (item.state, item.review_reason) == (state, reason)
        assert item.in_queue is (state == ContentState.HELD)
        assert moderation.visible(s, KIND, "theme:3") == []
        assert moderation.report(s, item.id, readers[0]) is ReportResult.NOT_VISIBLE
        if state == ContentState.HELD:
            assert [e.item.id for e in moderation.queue(s, reason)] == [item.id]
            moderation.approve(s, item, staff_id=None)  # type: ignore[arg-type]
            assert [i.id for i in moderation.visible(s, KIND, "theme:3")] == [item.id]
            assert (item.in_queue, item.review_reason) == (False, None)


def test_the_image_policy_can_publish_images_at_once_and_reports_still_hide_them(community: Community) -> None:
    author, readers = _setup(community)
    with community.session() as s:
        assert moderation.set_image_policy(s, ImagePolicy.PUBLISH) == (ImagePolicy.HOLD, ImagePolicy.PUBLISH)
        with pytest.raises(moderation.ModerationError, match="写真の扱い"):
            moderation.set_image_policy(s, "sometimes")
        assert moderation.policy(s).image_posts == ImagePolicy.PUBLISH
        moderation.set_report_threshold(s, 2)
        photo = moderation.submit(s, author, KIND, "（画像）", ref="theme:4", has_image=True)
        assert (photo.state, photo.in_queue) == (ContentState.PUBLISHED, False)
        held_by_word = moderation.submit(s, author, KIND, "バカうまの写真", ref="theme:4", has_image=True)
        assert held_by_word.state == ContentState.HELD  # NG words still apply to what words there are
        assert moderation.report(s, photo.id, readers[0]) is ReportResult.ACCEPTED
        assert moderation.report(s, photo.id, readers[1]) is ReportResult.HIDDEN
        assert photo.state == ContentState.HIDDEN and moderation.visible(s, KIND, "theme:4") == []
        # Text never depended on the image policy.
        moderation.set_image_policy(s, ImagePolicy.HOLD)
        assert moderation.submit(s, author, KIND, "おいしい", ref="theme:4").state == ContentState.PUBLISHED


def test_ng_word_list_add_update_import_export(community: Community) -> None:
    with community.session() as s:
        word = ngwords.add(s, "バカ", "hold", "侮辱")
        with pytest.raises(ngwords.NgWordError, match="登録済み"):
            ngwords.add(s, "ﾊﾞｶ", "block")
        with pytest.raises(ngwords.NgWordError):
            ngwords.add(s, "・・", "block")
        assert ngwords.update(s, word, "block", "侮辱") == {"action": ("hold", "block")}
        result = ngwords.import_csv(s, "term,action,note\nアホ,保留,\nばか,flag,\n,block,\nクズ,nonsense,\n")
        assert (result.added, result.updated) == (1, 1)
        assert result.errors and "4行目" in result.errors[0] and "5行目" in result.errors[1]
        assert word.action == "flag"
        exported = ngwords.export_csv(s)
        assert exported.splitlines()[0] == "term,action,note,readings" and "アホ,hold," in exported
        defaults = ngwords.load_defaults(s)
        assert defaults.added >= 30 and defaults.updated == 0
        assert word.action == "flag"  # the staff's choice survives loading the defaults
        with pytest.raises(ngwords.NgWordError, match="見出し"):
            ngwords.import_csv(s, "foo,bar\n1,2\n")


def test_a_member_reports_a_post_from_chat_and_enough_reports_hide_it(console: Console) -> None:
    community = console.community
    author, _ = _setup(community)
    users = [community.user(f"読者{i}") for i in range(3)]
    with community.session() as s:
        moderation.set_report_threshold(s, 2)
        for u in users:
            make_member(s, nickname=f"読者{u.user_id[-4:]}", line_user_id=u.user_id)
        item_id = moderation.submit(s, author, KIND, "ふつうの投稿").id
    assert users[0].tap(f"action=report&content={item_id}").status == 200
    community.drain()
    assert "通報を受け付けました" in users[0].last_text()
    users[0].tap(f"action=report&content={item_id}")
    community.drain()
    assert "すでに受け付けています" in users[0].last_text()
    users[1].tap(f"action=report&content={item_id}&reason=spam")
    community.drain()
    with community.session() as s:
        assert s.get(ContentItem, item_id).state == ContentState.HIDDEN
    users[2].tap(f"action=report&content={item_id}")
    users[2].tap("action=report&content=abc")
    community.drain()
    assert all("通報できませんでした" in t for t in users[2].texts()[-2:])


def test_a_suspended_member_is_told_why_in_chat_and_when_it_happens(console: Console) -> None:
    community = console.community
    user = community.user("停止 される")
    with community.session() as s:
        member = make_member(s, nickname="とめられ", line_user_id=user.user_id)
        sanctions.suspend(s, member, "宣伝の投稿が続いたため", staff_id=None)
    community.drain()
    assert "ご投稿を一時停止させていただきました" in user.last_text()
    assert "理由：宣伝の投稿が続いたため" in user.last_text()
    user.say("こんにちは")
    community.drain()
    assert "理由：宣伝の投稿が続いたため" in user.last_text()
    assert "引き続きご覧いただけます" in user.last_text()
    with community.session() as s:
        member = s.scalar(select(Member).where(Member.line_user_id == user.user_id))
        sanctions.lift(s, member, "", staff_id=None)
        assert member.status == MemberStatus.MEMBER
    community.drain()
    assert "停止を解除しました" in user.last_text()
