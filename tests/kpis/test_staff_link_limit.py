"""Wrong staff-link codes sent in chat are throttled by rows in the database (no Redis needed): 5 from one
LINE account within 15 minutes close code entry for it, 50 from everyone pause it for all; a closed entry
refuses the right code too, politely and without saying whether it was right. A wrong code counts even
when its reply fails, and once per webhook event however often the event arrives or is handled."""
from __future__ import annotations

import copy
from datetime import timedelta

from sqlalchemy import func, select, update

from linecomm.line.simulator import text_event
from linecomm.staff import line_copy, line_link
from linecomm.staff.line_link import StaffLineLink
from linecomm.staff.link_attempts import WRONG_CODES_ALL_USERS, WRONG_CODES_PER_USER, StaffLinkAttempt
from linecomm.staff.models import StaffUser
from linecomm.sweeper import sweep
from linecomm.webhooks.models import InboxStatus, WebhookEvent
from tests.admin.console import Console
from tests.support.community import Community, RecordingUser


def _issue_code(community: Community) -> tuple[int, str]:
    email = Console(community).staff("owner", name="山田 花子")
    with community.session() as s:
        staff_id = s.scalar(select(StaffUser.id).where(StaffUser.email == email))
        return staff_id, line_link.issue_code(s, staff_id).code


def _wrong(code: str, i: int) -> str:
    return f"{(int(code) + 1 + i) % 10 ** 8:08d}"


def _attempts(community: Community) -> int:
    with community.reader() as s:
        return s.scalar(select(func.count()).select_from(StaffLinkAttempt)) or 0


def _linked(community: Community) -> list[tuple[int, str]]:
    with community.reader() as s:
        return [tuple(r) for r in s.execute(select(StaffLineLink.staff_id, StaffLineLink.line_user_id))]


def _age_attempts(community: Community, by: timedelta) -> None:
    with community.session() as s:
        for attempt in s.scalars(select(StaffLinkAttempt)):
            attempt.at -= by


def _assert_polite_wait(reply: str, everyone: bool) -> None:
    assert reply.startswith("申し訳ありません。") and "以降に、もう一度お試しください。" in reply
    why = "一時的に停止しています" if everyone else "続けて一致しなかったため、しばらくお受けできません"
    assert why in reply
    assert reply != line_copy.link_code_refused() and "連携しました" not in reply


def test_five_wrong_codes_close_entry_even_for_the_right_code_until_the_window_passes(community: Community) -> None:
    staff_id, code = _issue_code(community)
    guesser = community.user("当てずっぽう")
    guesser.follow()
    community.drain()
    community.fake.inject_fault("/v2/bot/message/reply", status=400, times=1)  # LINE refuses the first reply
    guesser.say(f"スタッフ連携 {_wrong(code, 0)}")
    community.drain()
    assert _attempts(community) == 1  # counted although the refusal never reached them
    for i in range(1, WRONG_CODES_PER_USER):
        guesser.say(f"スタッフ連携 {_wrong(code, i)}")
    community.drain()
    assert _attempts(community) == WRONG_CODES_PER_USER
    assert guesser.texts()[-(WRONG_CODES_PER_USER - 1):] == [line_copy.link_code_refused()] * (WRONG_CODES_PER_USER - 1)

    guesser.say(f"スタッフ連携 {code}")  # the sixth try, with the right code
    guesser.say(f"スタッフ連携 {_wrong(code, 9)}")  # and a seventh, wrong
    community.drain()
    closed_right, closed_wrong = guesser.texts()[-2:]
    _assert_polite_wait(closed_right, everyone=False)
    assert closed_wrong == closed_right  # the reply does not tell a right code from a wrong one
    assert _linked(community) == []
    assert _attempts(community) == WRONG_CODES_PER_USER  # tries while closed check nothing and do not count

    _age_attempts(community, timedelta(minutes=15, seconds=1))
    guesser.say(f"スタッフ連携 {code}")
    community.drain()
    assert guesser.last_text().startswith("山田 花子さんのスタッフアカウントと、このLINEアカウントを連携しました")
    assert _linked(community) == [(staff_id, guesser.user_id)]


def test_wrong_codes_from_many_accounts_pause_entry_for_everyone(community: Community) -> None:
    staff_id, code = _issue_code(community)
    accounts = [community.user(f"多数 {n}") for n in range(WRONG_CODES_ALL_USERS // WRONG_CODES_PER_USER)]
    for n, account in enumerate(accounts):  # each stays within its own limit
        events = [text_event(account.user_id, f"スタッフ連携 {_wrong(code, n * 10 + i)}",
                             community.fake.issue_reply_token(account.user_id)) for i in range(WRONG_CODES_PER_USER)]
        assert community.post_events(events).status == 200
    community.drain()
    assert _attempts(community) == WRONG_CODES_ALL_USERS
    assert all(a.last_text() == line_copy.link_code_refused() for a in accounts)

    staff = community.user("スタッフ本人")
    staff.say(f"スタッフ連携 {code}")
    community.drain()
    _assert_polite_wait(staff.last_text(), everyone=True)
    assert _linked(community) == []

    _age_attempts(community, timedelta(minutes=15, seconds=1))
    staff.say(f"スタッフ連携 {code}")
    community.drain()
    assert staff.last_text().startswith("山田 花子さんのスタッフアカウントと")
    assert _linked(community) == [(staff_id, staff.user_id)]


def test_a_wrong_code_counts_once_however_often_its_event_arrives_or_is_handled(community: Community) -> None:
    staff_id, code = _issue_code(community)
    user = RecordingUser(community, "U" + "5" * 32, "何度も届く")
    for i in range(WRONG_CODES_PER_USER - 1):
        user.say(f"スタッフ連携 {_wrong(code, i)}")
    community.drain()
    assert _attempts(community) == WRONG_CODES_PER_USER - 1

    for event in list(user.sent):  # LINE redelivers them all
        redelivered = copy.deepcopy(event)
        redelivered["deliveryContext"] = {"isRedelivery": True}
        assert community.post_events([redelivered]).status == 200
    community.drain()
    with community.session() as s:  # and each inbox row is handled once more, as a replay would
        s.execute(update(WebhookEvent).values(status=InboxStatus.PENDING, handled_at=None))
    sweep(community.runtime, grace_seconds=0)
    community.drain()
    with community.reader() as s:
        assert s.scalar(select(func.count()).select_from(WebhookEvent)
                        .where(WebhookEvent.status == InboxStatus.DONE)) == WRONG_CODES_PER_USER - 1
    assert _attempts(community) == WRONG_CODES_PER_USER - 1

    user.say(f"スタッフ連携 {code}")  # the fifth try: still within the limit
    community.drain()
    assert user.last_text().startswith("山田 花子さんのスタッフアカウントと")
    assert _linked(community) == [(staff_id, user.user_id)]
