"""Invite codes in the join flow: a use is counted only when the join completes (race-free), and wrong
codes are throttled per member and across all members. Driven by signed webhooks from simulated users."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, update

from linecomm.cli import main
from linecomm.db import transaction, utcnow
from linecomm.line.simulator import text_event
from linecomm.members import invites
from linecomm.members.models import InviteCode, InviteCodeAttempt, InviteRedemption, Member, MemberStatus
from tests.admin.console import Console
from tests.members.test_join_flow import _code, _member, _step, join
from tests.support.community import ChatUser, Community


def _uses(community: Community, code: str) -> tuple[int, int]:
    """(used_count, redemptions) of a code."""
    with community.reader() as s:
        row = s.scalars(select(InviteCode).where(InviteCode.code == code)).one()
        redemptions = s.scalar(select(func.count()).where(InviteRedemption.invite_code_id == row.id))
        return row.used_count, int(redemptions or 0)


def _to_nickname_step(community: Community, user: ChatUser, code: str) -> None:
    _step(community, user, user.follow)
    _step(community, user, user.tap_quick_reply, "参加する")
    assert "プライバシーポリシー" in _step(community, user, user.say, code)
    assert "ニックネーム" in _step(community, user, user.tap_quick_reply, "同意する")


def _at_code_step(community: Community, user: ChatUser) -> None:
    _step(community, user, user.follow)
    assert "招待コードを入力" in _step(community, user, user.tap_quick_reply, "参加する")


# ---- item 7: a use is counted when the join completes ------------------------------------------------
def test_a_cancelled_or_declined_join_keeps_no_use_of_a_one_use_code(community: Community) -> None:
    code = _code(community, max_uses=1)
    quitter, decliner, newcomer = community.user(), community.user(), community.user()

    _at_code_step(community, quitter)
    assert "プライバシーポリシー" in _step(community, quitter, quitter.say, code)
    assert "取りやめました" in _step(community, quitter, quitter.say, "キャンセル")
    assert _uses(community, code) == (0, 0)

    _at_code_step(community, decliner)
    assert "プライバシーポリシー" in _step(community, decliner, decliner.say, code)
    assert "同意いただけない場合" in _step(community, decliner, decliner.tap_quick_reply, "同意しない")
    assert _uses(community, code) == (0, 0)

    assert "ようこそ" in join(community, newcomer, code, "さんにんめ")
    assert _uses(community, code) == (1, 1)
    # Now it is used up: the one who cancelled is told so when they try again.
    _step(community, quitter, quitter.tap_quick_reply, "参加する")
    assert "人数に達しました" in _step(community, quitter, quitter.say, code)


def test_a_code_used_up_while_a_member_chose_a_nickname_is_explained_and_they_can_use_another(
    community: Community,
) -> None:
    code = _code(community, max_uses=1)
    quick, slow = community.user(), community.user()
    _to_nickname_step(community, slow, code)  # typed the code, then took an hour over the nickname
    assert "ようこそ" in join(community, quick, code, "はやいひと")

    reply = _step(community, slow, slow.say, "ゆっくりさん")
    assert "お手続きの間に、この招待コードは利用可能な人数に達しました" in reply
    assert [a["label"] for a in slow.quick_replies()] == ["やめる"]
    member = _member(community, slow)
    assert (member.status, member.join_step, member.nickname) == (MemberStatus.JOINING, "code", None)
    assert _uses(community, code) == (1, 1)

    other = _code(community, cohort="1期生")
    assert "プライバシーポリシー" in _step(community, slow, slow.say, other)
    _step(community, slow, slow.tap_quick_reply, "同意する")
    assert "ゆっくりさんさん、ようこそ" in _step(community, slow, slow.say, "ゆっくりさん")
    assert _uses(community, other) == (1, 1)


def test_two_members_finishing_at_once_on_the_last_use_do_not_both_get_in(community: Community) -> None:
    code = _code(community, max_uses=1)
    first, second = community.user(), community.user()
    _to_nickname_step(community, first, code)
    _to_nickname_step(community, second, code)
    # Both nicknames in one webhook body: handled side by side in one drain.
    both = [text_event(first.user_id, "いちばん"), text_event(second.user_id, "にばん")]
    assert community.post_events(both).status == 200
    community.drain()
    statuses = sorted(_member(community, u).status for u in (first, second))
    assert statuses == [MemberStatus.JOINING, MemberStatus.MEMBER]
    assert _uses(community, code) == (1, 1)


def test_the_last_use_is_taken_by_one_transaction_only(community: Community) -> None:
    """Two joins completing in concurrent transactions: the second waits for the first and finds the code
    used up (PostgreSQL: the row lock of the conditional UPDATE; SQLite: the write lock)."""
    code = _code(community, max_uses=1)
    with community.session() as s:
        code_id = s.scalar(select(InviteCode.id).where(InviteCode.code == code))
        a, b = (Member(line_user_id=f"Urace{n}", status=MemberStatus.JOINING, created_at=utcnow()) for n in "ab")
        s.add_all([a, b])
        s.flush()
        a_id, b_id = a.id, b.id
    outcome: dict[str, invites.CodeCheck] = {}

    def second() -> None:
        with transaction(community.runtime.sessions) as s:
            outcome["b"] = invites.claim_use(s, b_id, code_id)

    with transaction(community.runtime.sessions) as s:
        assert invites.claim_use(s, a_id, code_id) is invites.CodeCheck.OK
        racer = threading.Thread(target=second)
        racer.start()
        racer.join(0.5)
        assert racer.is_alive()  # waiting for the first transaction
    racer.join(10)
    assert outcome == {"b": invites.CodeCheck.USED_UP}
    assert _uses(community, code) == (1, 1)


# ---- item 8: wrong codes are throttled ----------------------------------------------------------------
def test_five_wrong_codes_lock_code_entry_for_a_while_even_for_the_right_code(community: Community) -> None:
    code = _code(community)
    guesser = community.user()
    _at_code_step(community, guesser)
    for guess in ("AAAA1111", "AAAA1112", "AAAA1113", "AAAA1114"):
        assert "見つかりませんでした" in _step(community, guesser, guesser.say, guess)
    fifth = _step(community, guesser, guesser.say, "AAAA1115")
    assert "続けて一致しなかったため" in fifth and "以降に、もう一度入力してください" in fifth
    refused = _step(community, guesser, guesser.say, code)  # the right code, during the lock
    assert "続けて一致しなかったため" in refused and "プライバシーポリシー" not in refused
    assert _member(community, guesser).join_step == "code"
    # Keywords still work during the lock.
    assert "取りやめました" in _step(community, guesser, guesser.say, "キャンセル")

    with community.session() as s:  # a quarter of an hour later
        s.execute(update(InviteCodeAttempt).values(at=utcnow() - timedelta(minutes=16)))
    _step(community, guesser, guesser.tap_quick_reply, "参加する")
    assert "プライバシーポリシー" in _step(community, guesser, guesser.say, code)


def test_many_accounts_guessing_pause_code_entry_for_everyone(community: Community) -> None:
    """One person with many LINE accounts: 100 wrong codes from 20 accounts within 15 minutes pause code
    entry for all, so the code space cannot be swept."""
    code = _code(community)
    events = []
    for n in range(20):
        user_id = community.user().user_id
        events.append(text_event(user_id, "参加"))
        events += [text_event(user_id, f"ZZ{n:02d}{k:04d}") for k in range(5)]
    for start in range(0, len(events), 30):
        assert community.post_events(events[start:start + 30]).status == 200
        community.drain()
    with community.reader() as s:
        assert s.scalar(select(func.count()).select_from(InviteCodeAttempt)) == invites.WRONG_CODES_ALL_MEMBERS

    newcomer = community.user()
    _at_code_step(community, newcomer)
    paused = _step(community, newcomer, newcomer.say, code)
    assert "招待コードの受付を一時的に停止しています" in paused and "以降に" in paused
    assert _member(community, newcomer).join_step == "code"


def test_custom_codes_need_at_least_six_characters_in_the_console_and_the_cli(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Console(community).client("marketer")
    page = client.post("/admin/invites", {"cohort": "2期生", "max_uses": "3", "code": "ABCD"}).get_data(as_text=True)
    assert "コードは英数字6〜32文字で入力してください" in page
    created = client.follow(client.post("/admin/invites", {"cohort": "2期生", "max_uses": "3", "code": "ABC-123"}))
    assert "招待コード ABC123 を作成しました" in created.get_data(as_text=True)

    monkeypatch.setenv("DATABASE_URL", community.settings.database_url)
    result = CliRunner().invoke(main, ["invite", "create", "--cohort", "x", "--max-uses", "3", "--code", "ABCD"])
    assert result.exit_code != 0 and "6 to 32 letters or digits" in result.output
    with community.reader() as s:
        assert s.scalar(select(func.count()).where(InviteCode.code == "ABCD")) == 0
