"""Every kind of job, run the way production runs it: by a fresh `linecomm worker` process that has imported
nothing but what its own code imports (the test process has imported every model; a worker has not)."""
from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from rq.registry import FailedJobRegistry
from sqlalchemy import select

from linecomm.db import utcnow
from linecomm.members.models import Member
from linecomm.moderation import ngwords
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentItem, ContentState
from linecomm.pushes import policy as policies
from linecomm.qa import service as qa
from linecomm.richmenu import deploy
from linecomm.staff import service as staff_accounts
from linecomm.themes import posts
from linecomm.themes.models import ImageStatus, ThemeAnswer
from tests.members.test_join_flow import join
from tests.pushes.desk import Desk
from tests.support.community import Community
from tests.themes.talk import Talk

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"
EVERY_JOB = {
    "linecomm.webhooks.jobs.drain_inbox",
    "linecomm.webhooks.jobs.leave_chat",
    "linecomm.outbox.jobs.deliver_messages",
    "linecomm.themes.jobs.fetch_answer_image",
    "linecomm.pushes.jobs.run_schedule",
    "linecomm.pushes.jobs.start_delivery",
    "linecomm.pushes.jobs.send_delivery",
    "linecomm.pushes.jobs.wake_delivery",
    "linecomm.richmenu.jobs.sync_member_menu",
    "linecomm.qa.jobs.tell_asker",
}


@pytest.fixture
def talk(community: Community) -> Talk:
    community.run_jobs_in_worker_processes()
    desk = Desk(community)
    desk.no_quiet_hours()
    return Talk(community, desk)


def _group_join(community: Community) -> str:
    group_id = "C" + uuid.uuid4().hex
    event = {
        "type": "join", "mode": "active", "timestamp": int(time.time() * 1000),
        "source": {"type": "group", "groupId": group_id},
        "webhookEventId": "01GROUP" + uuid.uuid4().hex[:19], "deliveryContext": {"isRedelivery": False},
        "replyToken": community.fake.issue_reply_token(group_id),
    }
    assert community.post_events([event]).status == 200
    return group_id


@pytest.mark.parametrize("backend", ["postgres"])
def test_every_kind_of_job_runs_in_a_fresh_linecomm_worker_process(talk: Talk) -> None:
    community, desk = talk.community, talk.desk
    from linecomm.members import invites

    with community.session() as s:
        code = invites.create_code(s, "0期生", 10, (utcnow() + timedelta(days=30)).date()).code
    rt = community.runtime
    menus = deploy.deploy(rt.line, rt.sessions, rt.settings, sleep=lambda _s: None).menus

    # A newcomer joins in chat, and gets the members' rich menu.
    newcomer = community.user("新井 さくら")
    assert "さくら" in join(community, newcomer, code, "さくら")
    community.drain()
    assert community.fake.rich_menu_shown_to(newcomer.user_id)["richMenuId"] == menus["community"]

    # A theme post is test-sent to a staff account, then goes out to the members, who answer it with text
    # and a photo.
    hana = talk.member("はなまる")
    staff = community.user("運営スタッフ")
    community.fake.add_user(staff.user_id, "運営スタッフ")
    with community.session() as s:
        policies.add_test_recipient(s, staff.user_id, "スタッフ")
    post_id = desk.post("今月のテーマ：朝のひと手間を教えてください",
                        answers_open_at=utcnow() - timedelta(minutes=1), answers_close_at=utcnow() + timedelta(days=1))
    with community.session() as s:
        test_delivery = posts.test_send(s, post_id).id
    desk.finish(test_delivery)
    assert staff.received(), "the test send reached no staff account"
    desk.send_now(post_id)
    # LINE fails the thank-you reply once, so the message is retried by a job of its own.
    community.fake.inject_fault("/v2/bot/message/reply", status=500, times=1)
    assert hana.say("白湯を一杯飲みます").status == 200
    desk.wait_for(lambda: "ありがとうございます" in hana.last_text(), timeout=60)
    community.fake.add_content("920000000000000001", JPEG, "image/jpeg")
    assert hana.send_image("920000000000000001").status == 200
    community.drain()

    # A member's question gets an answer a moderator approves: the asker is told in chat.
    with community.session() as s:
        ngwords.add(s, "ばか", "hold")
        asker_id = s.scalar(select(Member.id).where(Member.line_user_id == hana.user_id))
        helper_id = s.scalar(select(Member.id).where(Member.line_user_id == newcomer.user_id))
        question = qa.ask(s, asker_id, "白湯の温度は？", "何度がいいですか", "usage").question
        held = qa.answer(s, question.id, helper_id, "ばかみたいに簡単です、60度です")
        assert held.state == ContentState.HELD
        moderator = staff_accounts.create_user(s, "mod@example.com", "モデレーター", "moderator", "a-long-password-1")
        moderation.approve(s, s.get(ContentItem, held.answer.content_id), moderator.id)
        s.commit()
    desk.wait_for(lambda: "白湯の温度は？" in hana.last_text(), timeout=60)

    # A group invites the account, which declines and leaves.
    group_id = _group_join(community)
    community.drain()

    with community.reader() as s:
        answers = list(s.scalars(select(ThemeAnswer).where(ThemeAnswer.post_id == post_id).order_by(ThemeAnswer.id)))
    assert [a.kind for a in answers] == ["text", "image"]
    assert answers[1].image_status == ImageStatus.STORED
    assert talk.answers(post_id)[0][2] == ContentState.PUBLISHED
    assert f"/v2/bot/group/{group_id}/leave" in [r.path for r in community.fake.requests]

    queue = community.runtime.queue.queue  # type: ignore[attr-defined]
    assert FailedJobRegistry(queue=queue).get_job_ids() == []
    logs = "\n".join(community.worker_logs)
    assert "Traceback" not in logs, logs
    ran = {name for name in EVERY_JOB if f"{name}(" in logs}
    assert EVERY_JOB - ran == set(), logs
