"""Segments gain "reviewed product X", "supported an idea" and "asked or answered a question": counted by
the pushes' own set-based statements (each condition is registered by the feature that owns the rows;
pushes never import them), kept through JSON and the admin form, described in Japanese."""
from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from linecomm.admin.post_forms import PostForm, SegmentForm
from linecomm.db import utcnow
from linecomm.ideas import copy as idea_copy
from linecomm.ideas import service as ideas
from linecomm.members.models import MemberStatus
from linecomm.moderation import ngwords
from linecomm.moderation.models import ContentState
from linecomm.pushes.segments import Segment, count_recipients, segment_problems
from linecomm.qa import copy as qa_copy
from linecomm.qa import service as qa
from linecomm.reviews import service as reviews
from tests.admin.console import make_member
from tests.reviews.factories import BODY, make_product
from tests.support.community import Community


def _idea(s: Any, member_id: int, title: str) -> int:
    draft = ideas.Draft.read(title, "詳しい説明です。", next(iter(idea_copy.CATEGORIES)))
    return ideas.submit(s, member_id, draft, utcnow()).id


def _review(s: Any, product_id: int, member_id: int, body: str = BODY) -> str | None:
    saved = reviews.save(s, product_id, member_id, reviews.Draft(stars="5", body=body), max_photo_bytes=10_000_000)
    assert not saved.errors, saved.errors
    return saved.state


def test_reviewers_supporters_and_people_who_asked_or_answered_are_counted(community: Community) -> None:
    now = utcnow()
    with community.session() as s:
        ngwords.add(s, "ばか", "hold")
        author, fan, fan_who_left, asker, helper = (
            make_member(s, nickname=n) for n in ("作者", "応援", "退会", "質問者", "回答者"))
        make_member(s, nickname="見る専")
        bottle, pot = make_product(s), make_product(s, name="白湯ポット")
        assert _review(s, bottle, author.id) == ContentState.PUBLISHED
        assert _review(s, pot, fan.id) == ContentState.PUBLISHED
        assert _review(s, bottle, asker.id, "ばかみたいに便利です。毎日使っています。") == ContentState.HELD
        idea_id = _idea(s, author.id, "詰め替えボトル")
        assert ideas.support(s, idea_id, fan.id, now, "1234567890-test").outcome is ideas.SupportOutcome.SUPPORTED
        assert ideas.support(s, idea_id, fan_who_left.id, now, "1234567890-test").outcome \
            is ideas.SupportOutcome.SUPPORTED
        category = next(iter(qa_copy.CATEGORIES))
        question = qa.ask(s, asker.id, "洗い方", "どうやって洗いますか？", category, now).question
        assert question is not None
        assert qa.answer(s, question.id, helper.id, "水洗いです", now).answer is not None
        fan_who_left.status = MemberStatus.LEFT  # pushes never reach former members
    with community.reader() as s:
        assert count_recipients(s, Segment()) == 5
        assert count_recipients(s, Segment(reviewed_products=(bottle,))) == 1  # the held review does not count
        assert count_recipients(s, Segment(reviewed_products=(bottle, pot))) == 2
        assert count_recipients(s, Segment(supported_an_idea=True)) == 1
        assert count_recipients(s, Segment(asked_or_answered=True)) == 2
        assert count_recipients(s, Segment(asked_or_answered=True, cohorts=("どこにもない期",))) == 0
        assert count_recipients(s, Segment(supported_an_idea=True, asked_or_answered=True)) == 0


def test_the_new_conditions_survive_json_and_the_admin_form_and_are_described(community: Community) -> None:
    segment = Segment(reviewed_products=(3, 7), supported_an_idea=True, asked_or_answered=True)
    assert Segment.from_json(segment.to_json()) == segment
    assert "supported_an_idea" not in Segment().to_json()  # unset flags are not stored
    form = SegmentForm.read(MultiDict([("reviewed_product", "3"), ("reviewed_product", "7"),
                                       ("supported_an_idea", "1"), ("asked_or_answered", "1")]))
    assert form.segment() == segment
    assert SegmentForm.of(segment) == form
    posted = PostForm.read(MultiDict([("title", "t"), ("reviewed_product", "7"), ("asked_or_answered", "1")]))
    assert posted.segment() == Segment(reviewed_products=(7,), asked_or_answered=True)
    with community.reader() as s:
        text = segment.describe(s)
        assert "アイデアを応援したことがある" in text and "質問または回答を投稿したことがある" in text
        assert "No.3" in text  # a product that does not exist is named by number ...
        assert segment_problems(s, segment) == ["商品（No.3）が見つかりません。", "商品（No.7）が見つかりません。"]
