"""APPI export and deletion from the admin console reach every feature's rows: one member with a row in
every table a privacy hook covers, exported (JSON and CSV), then erased."""
from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from linecomm.actions import active_months
from linecomm.ambassadors.models import Appointment, ModeratorHide
from linecomm.db import utcnow
from linecomm.ideas import service as ideas
from linecomm.members import invites, tags
from linecomm.members.models import MemberStatus
from linecomm.models import (
    AnswerImage,
    Base,
    Consent,
    ContentDecision,
    ContentItem,
    ContentReport,
    Delivery,
    InviteCodeAttempt,
    InviteRedemption,
    Member,
    MemberSanction,
    MemberTag,
    OutboundMessage,
    StepMessage,
    StepSkip,
    ThemeAnswer,
    ThemePost,
    ThemeReaction,
    ThemeVote,
    WebhookEvent,
)
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentKind, ContentState
from linecomm.points.leaderboard_models import LeaderboardPreference
from linecomm.privacy.features import registry
from linecomm.qa import service as qa
from linecomm.referrals.models import Referral, ReferralArrival, ReferralCode, ReferralShare
from linecomm.reviews.models import Review, ReviewHelpfulMark, ReviewProduct
from linecomm.staff.link_attempts import StaffLinkAttempt
from linecomm.surveys.models import SurveyAnswer, SurveyResponse
from linecomm.themes.models import ImageStatus
from linecomm.uploads import service as uploads
from tests.admin.console import JPEG, Console, make_member
from tests.surveys.factories import make_survey
from tests.uploads import images

SECTIONS = [
    "member", "invite", "consents", "tags", "wrong_invite_codes_at",  # members
    "posts", "reports_made", "notices_from_moderators",  # moderation
    "theme_answers", "theme_votes", "theme_reactions",  # themes
    "survey_responses",  # surveys
    "ideas", "ideas_supported", "idea_comments",  # ideas
    "messages_sent_to_us",  # webhooks
    "messages_we_sent",  # outbox
    "step_messages_skipped",  # pushes
    "member_actions", "member_active_months",  # actions
    "points_balance", "point_entries",  # points
    "badges",  # badges (their first theme answer earned はじめての回答)
    "leaderboard_hidden",  # leaderboards
    "qa_questions", "qa_answers",  # qa
    "reviews", "review_helpful_marks",  # reviews
    "uploaded_photos",  # uploads
    "referrals",  # referrals
    "appointments", "items_hidden_as_moderator",  # ambassadors
    "wrong_staff_link_codes_at",  # staff
]


def _member_everywhere(console: Console) -> dict[str, Any]:
    """A member with a row in every table a privacy hook covers; returns their ids."""
    now = utcnow()
    with console.community.session() as s:
        member = make_member(s, nickname="はなこ", display_name="佐藤 花子", cohort="0期生")
        other = make_member(s, nickname="たろう")
        code = invites.create_code(s, "0期生", 10, code="HANAKO2026")
        member.invite_code_id = code.id
        s.add(InviteRedemption(invite_code_id=code.id, member_id=member.id, redeemed_at=now))
        s.add(InviteCodeAttempt(member_id=member.id, at=now))
        s.add(StaffLinkAttempt(member_id=member.id, webhook_event_id=uuid.uuid4().hex, at=now))
        tags.assign(s, member, tags.create(s, "常連"))

        post = ThemePost(title="朝のひと手間", text="朝の習慣を教えてください")
        s.add(post)
        s.flush()
        answer_item = moderation.submit(s, member.id, ContentKind.THEME_REPLY, "白湯を飲みます", ref=f"theme:{post.id}")
        photo_item = moderation.submit(s, member.id, ContentKind.THEME_REPLY, "[写真]", ref=f"theme:{post.id}")
        s.add(ThemeAnswer(post_id=post.id, member_id=member.id, content_id=answer_item.id, kind="text",
                          line_message_id="m-text"))
        photo = ThemeAnswer(post_id=post.id, member_id=member.id, content_id=photo_item.id, kind="image",
                            line_message_id="m-photo", image_status=ImageStatus.STORED)
        s.add(photo)
        s.flush()
        s.add(AnswerImage(answer_id=photo.id, content_type="image/jpeg", size=len(JPEG), data=JPEG, fetched_at=now))
        s.add(ThemeVote(post_id=post.id, member_id=member.id, option_key="1", created_at=now, updated_at=now))
        s.add(ThemeReaction(post_id=post.id, member_id=member.id, reaction="like", created_at=now))

        others_post = moderation.submit(s, other.id, ContentKind.REVIEW, "おすすめです")
        s.add(ContentReport(content_id=others_post.id, reporter_member_id=member.id, reason="宣伝だと思います"))
        s.add(MemberSanction(member_id=member.id, kind="warn", reason="言葉づかいにご注意ください"))

        survey = make_survey(s, title="朝の過ごし方", questions=[{"kind": "text", "prompt": "朝の一杯は"}])
        response = SurveyResponse(survey_id=survey.id, member_id=member.id, submission_key="privacy-survey-key-1")
        s.add(response)
        s.flush()
        s.add(SurveyAnswer(response_id=response.id, question_id=survey.q(1), text="白湯です"))

        s.add(WebhookEvent(webhook_event_id=uuid.uuid4().hex, event_type="message", user_id=member.line_user_id,
                           source_type="user", source_id=member.line_user_id, occurred_at=now,
                           payload=json.dumps({"message": {"type": "text", "text": "白湯を飲みます"}})))
        s.add(OutboundMessage(idempotency_key="privacy:1", to=member.line_user_id, member_id=member.id,
                              messages=json.dumps([{"type": "text", "text": "花子さん、ありがとうございます"}]),
                              retry_key=str(uuid.uuid4())))
        step = StepMessage(name="3日後", days_after_join=3, time_of_day="10:00", text="いかがですか")
        s.add(step)
        s.flush()
        delivery = Delivery(kind="step", step_id=step.id, occurrence_key=f"step:{step.id}:test", messages="[]")
        s.add(delivery)
        s.flush()
        s.add(StepSkip(step_id=step.id, member_id=member.id, delivery_id=delivery.id))
        product = ReviewProduct(name="白湯ポット", category="キッチン")
        s.add(product)
        s.flush()
        others_review = Review(product_id=product.id, member_id=other.id, stars=5, body="毎朝使っています。",
                               published=True, counted_stars=None, helpful_count=0)
        s.add_all([others_review, Review(product_id=product.id, member_id=member.id, stars=4, published=False,
                                         body="注ぎやすいポットです。", helpful_count=1)])
        s.flush()
        s.add(ReviewHelpfulMark(review_id=others_review.id, member_id=member.id))
        own_idea = ideas.submit(s, member.id, ideas.Draft.read("目盛り付きボトル", "残量が分かると便利です", "商品"),
                                now)
        others_idea = ideas.submit(s, other.id, ideas.Draft.read("替えパッキン", "別売りがほしいです", "商品"), now)
        assert ideas.support(s, others_idea.id, member.id, now, "1234567890-test").outcome \
            is ideas.SupportOutcome.SUPPORTED
        ideas.add_comment(s, others_idea, member.id, "わたしもほしいです", now)
        assert own_idea.id
        question = qa.ask(s, member.id, "白湯の温度は？", "何度がいいですか", "usage").question
        qa.answer(s, question.id, other.id, "60度くらいです")
        others_question = qa.ask(s, other.id, "お手入れは？", "洗い方を教えてください", "usage").question
        qa.answer(s, others_question.id, member.id, "ぬるま湯で洗っています")
        uploads.store(s, images.png_bytes(), purpose="review", owner_member_id=member.id, max_bytes=1024 * 1024)
        s.add_all([ReferralCode(member_id=member.id, code="hanako-ref-code"), ReferralShare(member_id=member.id),
                   ReferralArrival(line_user_id=member.line_user_id, referrer_member_id=other.id, arrived_at=now,
                                   settled_at=now, outcome="attributed"),
                   Referral(referrer_member_id=other.id, referred_member_id=member.id, attributed_at=now)])
        s.add(LeaderboardPreference(member_id=member.id, hidden=True))  # leaderboards
        s.add_all([Appointment(member_id=member.id, role="member_moderator", appointed_by="owner@example.com"),
                   ModeratorHide(member_id=member.id, content_id=others_post.id, jst_day="2026-12-05", slot=1)])
        s.flush()
        return {"member": member.id, "line_user_id": member.line_user_id, "post": post.id, "photo": photo.id,
                "answer_item": answer_item.id, "report_target": others_post.id}


def test_the_fixture_has_rows_in_every_table_a_hook_covers(console: Console) -> None:
    _member_everywhere(console)
    with console.community.session() as s:
        empty = [t for t in registry.owner_of
                 if not s.scalar(select(func.count()).select_from(Base.metadata.tables[t]))]
    assert empty == []  # a new hook's tables need a row in _member_everywhere


def test_export_has_every_features_section(console: Console) -> None:
    ids = _member_everywhere(console)
    owner = console.client("owner")
    data = json.loads(owner.post(f"/admin/members/{ids['member']}/export", {"format": "json"}).get_data(as_text=True))
    assert list(data) == SECTIONS
    assert data["member"]["line_user_id"] == ids["line_user_id"] and data["member"]["display_name"] == "佐藤 花子"
    assert data["invite"]["code"] == "HANAKO2026" and data["invite"]["redeemed_at"]
    assert [c["notice_version"] for c in data["consents"]] == ["2026-11"]
    assert data["tags"] == ["常連"] and len(data["wrong_invite_codes_at"]) == 1
    assert len(data["wrong_staff_link_codes_at"]) == 1
    assert [p["body"] for p in data["posts"]] == [
        "白湯を飲みます", "[写真]", "目盛り付きボトル\n残量が分かると便利です", "わたしもほしいです",
        "白湯の温度は？\n\n何度がいいですか", "ぬるま湯で洗っています"]
    assert [i["title"] for i in data["ideas"]] == ["目盛り付きボトル"] and len(data["ideas_supported"]) == 1
    assert len(data["idea_comments"]) == 1
    assert [q["title"] for q in data["qa_questions"]] == ["白湯の温度は？"]
    assert data["reports_made"] == [{"content_id": ids["report_target"], "reason": "宣伝だと思います",
                                     "created_at": data["reports_made"][0]["created_at"]}]
    assert [n["reason"] for n in data["notices_from_moderators"]] == ["言葉づかいにご注意ください"]
    assert data["member_active_months"] and set(data["member_active_months"]) == {
        active_months.month_of(datetime.fromisoformat(a["occurred_at"])) for a in data["member_actions"]}
    assert [(a["kind"], a["image_status"]) for a in data["theme_answers"]] == [("text", None), ("image", "stored")]
    assert [(v["post_id"], v["option"]) for v in data["theme_votes"]] == [(ids["post"], "1")]
    assert [r["reaction"] for r in data["theme_reactions"]] == ["like"]
    assert [(r["survey"], r["answers"][0]["text"]) for r in data["survey_responses"]] == [("朝の過ごし方", "白湯です")]
    assert [m["text"] for m in data["messages_sent_to_us"]] == ["白湯を飲みます"]
    assert [m["texts"] for m in data["messages_we_sent"]] == [["花子さん、ありがとうございます"]]
    assert [k["reason"] for k in data["step_messages_skipped"]] == ["weekly_cap"]
    referral = data["referrals"]
    assert (referral["code"], len(referral["invites_shared_at"])) == ("hanako-ref-code", 1)
    assert referral["arrived_by_invite_at"] and referral["referred_by_member_id"] is not None

    response = owner.post(f"/admin/members/{ids['member']}/export", {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert ["theme_votes", "0", "option", "1"] in rows and ["tags", "0", "", "常連"] in rows
    assert {r[0] for r in rows[1:]} == set(SECTIONS)


def test_erase_goes_through_every_feature_and_keeps_the_counts(console: Console) -> None:
    ids = _member_everywhere(console)
    owner = console.client("owner")
    assert owner.post(f"/admin/members/{ids['member']}/delete", {"confirm": str(ids["member"])}).status_code == 303
    line_user_id = ids["line_user_id"]
    with console.community.session() as s:
        member = s.get(Member, ids["member"])  # members: anonymised, kept
        assert (member.status, member.line_user_id, member.display_name, member.nickname) == (
            MemberStatus.DELETED, f"deleted:{member.id}", None, None)
        assert s.scalar(select(func.count()).select_from(MemberTag)) == 0
        assert s.scalar(select(func.count()).select_from(InviteCodeAttempt)) == 0
        assert s.scalar(select(func.count()).select_from(StaffLinkAttempt)) == 0
        assert s.scalar(select(func.count()).where(Consent.member_id == member.id)) == 1
        assert s.scalar(select(func.count()).where(InviteRedemption.member_id == member.id)) == 1
        item = s.get(ContentItem, ids["answer_item"])  # moderation: bodies emptied, reasons dropped
        assert (item.body, item.state) == ("", ContentState.HIDDEN) and item.redacted_at is not None
        assert s.scalar(select(func.count()).where(ContentDecision.action == "erased")) == 6  # + idea, comment, Q&A
        assert s.scalar(select(ContentReport.reason).where(ContentReport.reporter_member_id == member.id)) is None
        assert s.scalar(select(func.count()).where(MemberSanction.member_id == member.id)) == 1
        assert s.scalar(select(func.count()).select_from(AnswerImage)) == 0  # themes: photos deleted
        assert s.get(ThemeAnswer, ids["photo"]).image_status == ImageStatus.GONE
        assert s.scalar(select(func.count()).where(ThemeVote.member_id == member.id)) == 1  # poll results stay
        assert s.scalar(select(func.count()).where(ThemeReaction.member_id == member.id)) == 1
        assert s.scalar(select(SurveyAnswer.text)) == ""  # surveys: free texts emptied, the response counts
        event = s.scalar(select(WebhookEvent))  # webhooks: the inbox copy loses the user and the text
        assert (event.user_id, event.source_id, event.payload) == (None, None, '{"erased":true}')
        sent = s.scalar(select(OutboundMessage))  # outbox: the outgoing copy too
        assert (sent.to, sent.messages) == ("erased", "[]")
        assert s.scalar(select(func.count()).where(StepSkip.member_id == member.id)) == 1  # pushes: kept
        assert s.scalar(select(func.count()).where(WebhookEvent.user_id == line_user_id)) == 0
        assert s.scalar(select(func.count()).select_from(ReferralCode)) == 0  # referrals: the link stops working
        assert s.scalar(select(func.count()).where(ReferralArrival.line_user_id == line_user_id)) == 0
        assert s.scalar(select(func.count()).where(Referral.referred_member_id == member.id)) == 1  # counts stay
    entry = console.audit_rows("member.delete")[0]
    assert json.loads(entry.before or "{}") == {"status": "member", "cohort": "0期生", "posts": 6, "images": 1,
                                                "survey_texts": 1, "inbox_events": 1, "outgoing_messages": 1,
                                                "reviews": 1, "review_helpful_marks": 1, "uploaded_photos": 1,
                                                "qa_questions": 1, "qa_answers": 1, "ideas": 1,
                                                "referral_codes": 1, "appointments_ended": 1,
                                                "leaderboard_preferences": 1, "badges": 1,
                                                "staff_link_attempts": 1}

    again = json.loads(owner.post(f"/admin/members/{ids['member']}/export", {"format": "json"}).get_data(as_text=True))
    assert again["member"]["line_user_id"] == f"deleted:{ids['member']}"
    assert again["messages_sent_to_us"] == again["messages_we_sent"] == [] and again["tags"] == []
    assert [p["body"] for p in again["posts"]] == [""] * 6
