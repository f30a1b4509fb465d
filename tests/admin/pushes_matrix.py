"""The pushes and theme-answer routes in the role matrix (tests/admin/test_role_matrix.py): the rows they
act on, and one case per route. Marketers and owners may use them all; moderators none."""
from __future__ import annotations

from typing import Any

from linecomm.db import utcnow
from linecomm.members.models import Member
from linecomm.pushes import policy as policies
from linecomm.pushes import steps
from linecomm.pushes.segments import Segment
from linecomm.themes import posts
from linecomm.themes import service as themes
from tests.admin.console import Console, make_member

MARKETING = {"owner", "marketer"}
WORLD_KEYS = ("post", "sent_post", "delivery", "answer", "photo", "step")
STAFF_LINE_ID = "U" + "b" * 32


def world(console: Console) -> dict[str, Any]:
    """A draft post, a post with a (test) delivery and answers (one a stored photo), and a step."""
    now = utcnow()
    console.community.fake.add_user(STAFF_LINE_ID, "スタッフ")
    with console.community.session() as s:
        member = make_member(s, nickname="こたえるひと")
        draft = posts.create_post(s, posts.PostDraft(title="下書き", text="本文", segment=Segment()))
        sent = posts.create_post(s, posts.PostDraft(title="配信した投稿", text="本文"))
        policies.add_test_recipient(s, STAFF_LINE_ID, "スタッフ")
        delivery = posts.test_send(s, sent.id, now)
        answer = themes.record_answer(s, sent, s.get(Member, member.id), kind="text", body="おいしかったです",
                                      line_message_id="matrix-1", now=now).answer
        photo = themes.record_answer(s, sent, s.get(Member, member.id), kind="image", body="",
                                     line_message_id="matrix-2", now=now).answer
        themes.store_image(s, photo.id, b"\xff\xd8\xff\xd9", "image/jpeg", now)
        step = steps.create_step(s, name="3日目", days_after_join=3, time_of_day="10:00", text="いかがですか")
        ids = {"post": draft.id, "sent_post": sent.id, "delivery": delivery.id, "answer": answer.id,
               "photo": photo.id, "step": step.id}
    console.community.drain()
    return ids


def cases(w: dict[str, Any], case: Any) -> list[Any]:
    post, sent, delivery = w["post"], w["sent_post"], w["delivery"]
    compose = {"title": "新しいテーマ", "text": "教えてください", "action": "save"}
    return [
        case("GET", "admin.posts", "/admin/posts", MARKETING),
        case("GET", "admin.post_new", "/admin/posts/new", MARKETING),
        case("POST", "admin.post_new", "/admin/posts/new", MARKETING, compose),
        case("GET", "admin.post_count", "/admin/posts/count.json?cohort=1期生", MARKETING),
        case("GET", "admin.post_detail", f"/admin/posts/{post}", MARKETING),
        case("GET", "admin.post_edit", f"/admin/posts/{post}/edit", MARKETING),
        case("POST", "admin.post_edit", f"/admin/posts/{post}/edit", MARKETING, compose | {"title": "改題"}),
        case("GET", "admin.post_progress", f"/admin/posts/{sent}/progress.json", MARKETING),
        case("POST", "admin.post_test", f"/admin/posts/{post}/test", MARKETING),
        case("POST", "admin.post_schedule", f"/admin/posts/{post}/schedule", MARKETING,
             {"kind": "once", "at": "2031-01-05T10:00"}),
        case("POST", "admin.post_cancel", f"/admin/posts/{post}/cancel", MARKETING),
        case("GET", "admin.delivery", f"/admin/deliveries/{delivery}", MARKETING),
        case("GET", "admin.delivery_progress", f"/admin/deliveries/{delivery}/progress.json", MARKETING),
        case("POST", "admin.delivery_control", f"/admin/deliveries/{delivery}/control", MARKETING, {"op": "stop"}),
        case("GET", "admin.step_list", "/admin/steps", MARKETING),
        case("POST", "admin.step_list", "/admin/steps", MARKETING,
             {"name": "7日目", "days": "7", "time_of_day": "10:00", "text": "1週間ありがとうございます"}),
        case("POST", "admin.step_update", f"/admin/steps/{w['step']}", MARKETING, {"op": "disable"}),
        case("GET", "admin.push_settings", "/admin/push-settings", MARKETING),
        case("POST", "admin.push_settings", "/admin/push-settings", MARKETING,
             {"op": "policy", "quiet_start": "22:00", "quiet_end": "08:00", "weekly_cap": "4"}),
        case("GET", "admin.post_answers", f"/admin/posts/{sent}/answers", MARKETING),
        case("GET", "admin.post_answers_csv", f"/admin/posts/{sent}/answers.csv", MARKETING),
        case("POST", "admin.answer_feature", f"/admin/answers/{w['answer']}/feature", MARKETING, {"op": "feature"}),
        case("GET", "admin.answer_image", f"/admin/answers/{w['photo']}/image", MARKETING),
    ]
