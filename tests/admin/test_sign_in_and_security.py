"""Sign-in, sessions, CSRF, throttling, security headers and the append-only audit log."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from linecomm.admin import security
from linecomm.audit.models import AuditEntry
from linecomm.config import Settings
from linecomm.db import utcnow
from linecomm.line.fake import FakeLinePlatform
from linecomm.members import invites
from linecomm.members.models import InviteCode
from linecomm.staff import service as staff_service
from linecomm.staff import sessions as staff_sessions
from linecomm.staff.models import LoginAttempt, StaffSession, StaffUser
from tests.admin.console import PASSWORD, Console
from tests.support.community import Community


def _cookie_header(response) -> str:  # type: ignore[no-untyped-def]
    return next(v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("linecomm_admin="))


def test_sign_in_sets_a_hardened_cookie_and_sign_out_ends_the_session(console: Console) -> None:
    email = console.staff("owner")
    client = console.anonymous()
    response = client.login(email)
    assert response.status_code == 303 and response.headers["Location"] == "/admin/"
    cookie = _cookie_header(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/admin" in cookie
    assert "Secure" not in cookie  # plain http on loopback in the test environment
    assert client.get("/admin/").status_code == 200
    assert [r.staff_email for r in console.audit_rows("auth.sign_in")] == [email]

    out = client.post("/admin/logout")
    assert out.status_code == 303 and out.headers["Location"] == "/admin/login"
    assert client.get("/admin/").status_code == 303
    assert len(console.audit_rows("auth.sign_out")) == 1


def test_the_cookie_is_secure_in_production(console: Console) -> None:
    from flask import Flask

    app = Flask("probe")
    security.configure_session_cookie(app, console.community.settings.replace(env="production"))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_wrong_password_and_unknown_email_get_the_same_answer(console: Console) -> None:
    email = console.staff("marketer")
    wrong = console.anonymous().login(email, "not the password")
    unknown = console.anonymous().login("nobody@example.com", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "メールアドレスまたはパスワードが正しくありません" in wrong.get_data(as_text=True)
    assert wrong.get_data(as_text=True).replace(email, "") .count("正しくありません") == \
        unknown.get_data(as_text=True).count("正しくありません")


def test_five_failures_lock_the_account_and_it_says_so_until_an_owner_unlocks_it(console: Console) -> None:
    email = console.staff("moderator")
    client = console.anonymous()
    for _ in range(staff_service.ACCOUNT_MAX_FAILURES - 1):
        assert client.login(email, "guess").status_code == 401
    locked = client.login(email, "guess")
    assert locked.status_code == 429
    assert "ロックされています" in locked.get_data(as_text=True)
    # Even the right password is refused while locked, and the attempt is not checked at all.
    still = console.anonymous().login(email, PASSWORD)
    assert still.status_code == 429 and "ロックされています" in still.get_data(as_text=True)

    owner = console.client("owner")
    page = owner.get("/admin/staff").get_data(as_text=True)
    assert "ロック中" in page
    with console.community.session() as s:
        staff_id = s.scalar(select(StaffUser.id).where(StaffUser.email == email))
    assert owner.post(f"/admin/staff/{staff_id}", {"op": "unlock"}).status_code == 303
    assert console.anonymous().login(email, PASSWORD).status_code == 303
    assert len(console.audit_rows("staff.unlock")) == 1


def test_a_lock_ends_by_itself_after_fifteen_minutes(console: Console) -> None:
    email = console.staff("marketer")
    long_ago = utcnow() - staff_service.ACCOUNT_LOCK - timedelta(minutes=1)
    with console.community.session() as s:
        for i in range(staff_service.ACCOUNT_MAX_FAILURES):
            s.add(LoginAttempt(email=email, address="10.0.0.9", outcome="failure", at=long_ago + timedelta(seconds=i)))
    assert console.anonymous().login(email, PASSWORD).status_code == 303


def test_many_failures_from_one_address_are_throttled_whatever_the_account(console: Console) -> None:
    email = console.staff("owner")
    with console.community.session() as s:
        now = utcnow()
        for i in range(staff_service.ADDRESS_MAX_FAILURES):
            s.add(LoginAttempt(email=f"spray{i}@example.com", address="203.0.113.7", outcome="failure", at=now))
    throttled = console.anonymous().login(email, PASSWORD, address="203.0.113.7")
    assert throttled.status_code == 429
    assert "このネットワークからのログインの失敗が多すぎます" in throttled.get_data(as_text=True)
    assert console.anonymous().login(email, PASSWORD, address="198.51.100.1").status_code == 303


PROXY = "10.0.0.2"  # the load balancer: every request behind it arrives from this address


def _failures_from(console: Console, address: str) -> None:
    with console.community.session() as s:
        now = utcnow()
        for i in range(staff_service.ADDRESS_MAX_FAILURES):
            s.add(LoginAttempt(email=f"spray{i}@example.com", address=address, outcome="failure", at=now))


def _addresses_of(console: Console, email: str) -> list[str]:
    with console.community.session() as s:
        return list(s.scalars(select(LoginAttempt.address).where(LoginAttempt.email == email)
                              .order_by(LoginAttempt.id)))


def test_behind_one_trusted_proxy_each_client_is_throttled_by_its_own_address(
    settings: Settings, fake_line: FakeLinePlatform
) -> None:
    with Community.start(settings.replace(trusted_proxies=1), fake_line) as community:
        console = Console(community)
        email = console.staff("owner")
        _failures_from(console, "203.0.113.7")
        throttled = console.anonymous().login(email, PASSWORD, address=PROXY, forwarded_for="203.0.113.7")
        assert throttled.status_code == 429
        # Another client behind the same proxy is not locked out with the first one.
        wrong = console.anonymous().login(email, "guess", address=PROXY, forwarded_for="198.51.100.1")
        assert wrong.status_code == 401
        right = console.anonymous().login(email, PASSWORD, address=PROXY, forwarded_for="198.51.100.1")
        assert right.status_code == 303
        # A client cannot slip out by prepending a forged hop: only the hop the proxy appended is believed.
        forged = console.anonymous().login(email, PASSWORD, address=PROXY, forwarded_for="192.0.2.1, 203.0.113.7")
        assert forged.status_code == 429
        assert _addresses_of(console, email) == ["198.51.100.1", "198.51.100.1"]  # the failure, the success


def test_without_trusted_proxies_a_forged_forwarded_for_does_not_escape_the_throttle(console: Console) -> None:
    assert console.community.settings.trusted_proxies == 0
    email = console.staff("owner")
    _failures_from(console, "203.0.113.7")
    forged = console.anonymous().login(email, PASSWORD, address="203.0.113.7", forwarded_for="198.51.100.99")
    assert forged.status_code == 429
    assert "このネットワークからのログインの失敗が多すぎます" in forged.get_data(as_text=True)
    console.anonymous().login(email, "guess", address="198.51.100.1", forwarded_for="203.0.113.200")
    assert _addresses_of(console, email) == ["198.51.100.1"]


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_a_form_without_the_right_csrf_token_is_refused_and_not_performed(console: Console, token: str | None) -> None:
    client = console.client("marketer")
    data = {"cohort": "2期生", "max_uses": "10"}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/admin/invites", data, csrf=False)
    assert response.status_code == 400
    assert "不正な送信" in response.get_data(as_text=True)
    with console.community.session() as s:
        assert s.scalar(select(InviteCode)) is None
    assert console.audit_count("invite.create") == 0
    good = client.post("/admin/invites", {"cohort": "2期生", "max_uses": "10"})
    assert good.status_code == 303  # with the session's token it works


def test_the_csrf_token_of_another_session_does_not_work(console: Console) -> None:
    a, b = console.client("marketer"), console.client("owner")
    response = a.post("/admin/invites", {"cohort": "x", "max_uses": "1", "csrf_token": b.csrf}, csrf=False)
    assert response.status_code == 400


def test_sign_in_itself_needs_the_csrf_token(console: Console) -> None:
    email = console.staff("owner")
    client = console.anonymous()
    response = client.http.post("/admin/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 303


def _age_sessions(console: Console, email: str, **ago: timedelta) -> None:
    """Move the account's session rows back in time: issued_at=..., last_seen_at=... (how long ago)."""
    with console.community.session() as s:
        staff_id = s.scalar(select(StaffUser.id).where(StaffUser.email == email))
        s.execute(update(StaffSession).where(StaffSession.staff_id == staff_id)
                  .values({column: utcnow() - delta for column, delta in ago.items()}))


def test_an_idle_session_expires_and_says_why(console: Console) -> None:
    client = console.client("owner")
    _age_sessions(console, client.email, last_seen_at=staff_sessions.IDLE_TIMEOUT + timedelta(seconds=5))
    response = client.get("/admin/members")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/admin/login?next=/admin/members&expired=1")
    page = client.follow(response).get_data(as_text=True)
    assert "一定時間操作がなかったため、ログアウトしました" in page
    assert client.get("/admin/").status_code == 303  # the session is gone, not just refused once


def test_a_session_ends_after_twelve_hours_even_when_used(console: Console) -> None:
    client = console.client("owner")
    _age_sessions(console, client.email, issued_at=staff_sessions.ABSOLUTE_TIMEOUT + timedelta(seconds=5),
                  last_seen_at=timedelta(seconds=5))
    assert client.get("/admin/").status_code == 303


def test_a_password_reset_or_disabling_ends_existing_sessions(console: Console) -> None:
    marketer, owner = console.client("marketer"), console.client("owner")
    with console.community.session() as s:
        staff_id = s.scalar(select(StaffUser.id).where(StaffUser.email == marketer.email))
    reset = owner.post(f"/admin/staff/{staff_id}", {"op": "password", "password": "a new password 123"})
    assert reset.status_code == 303
    assert marketer.get("/admin/").status_code == 303
    assert console.anonymous().login(marketer.email, "a new password 123").status_code == 303

    fresh = console.anonymous()
    fresh.login(marketer.email, "a new password 123")
    assert owner.post(f"/admin/staff/{staff_id}", {"op": "disable"}).status_code == 303
    assert fresh.get("/admin/").status_code == 303
    disabled = console.anonymous().login(marketer.email, "a new password 123")
    assert disabled.status_code == 403 and "無効" in disabled.get_data(as_text=True)


def test_the_last_owner_cannot_be_demoted_or_disabled(console: Console) -> None:
    owner = console.client("owner")
    with console.community.session() as s:
        owner_id = s.scalar(select(StaffUser.id).where(StaffUser.email == owner.email))
    page = owner.follow(owner.post(f"/admin/staff/{owner_id}", {"op": "role", "role": "marketer"}))
    assert "有効なオーナーが一人もいなくなる" in page.get_data(as_text=True)
    with console.community.session() as s:
        assert s.get(StaffUser, owner_id).role == "owner"


def test_after_sign_in_only_admin_paths_are_followed(console: Console) -> None:
    email = console.staff("owner")
    for target, expected in (("/admin/members?q=a", "/admin/members?q=a"), ("//evil.example/x", "/admin/"),
                             ("https://evil.example/", "/admin/"), ("/admin\\..\\x", "/admin/")):
        client = console.anonymous()
        client.http.get("/admin/login")
        response = client.http.post("/admin/login", data={
            "email": email, "password": PASSWORD, "next": target, "csrf_token": client.csrf})
        assert response.headers["Location"] == expected, target


def test_every_admin_page_carries_the_security_headers(console: Console) -> None:
    for response in (console.anonymous().get("/admin/login"), console.client("owner").get("/admin/members"),
                     console.client("marketer").get("/admin/audit")):
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cache-Control"] == "no-store"


def test_the_audit_log_cannot_be_edited_or_deleted(console: Console) -> None:
    console.client("owner")  # signing in writes a row
    with console.community.session() as s:
        assert s.scalar(select(AuditEntry.id)) is not None
    for statement in (update(AuditEntry).values(action="forged"), text("DELETE FROM audit_log")):
        with pytest.raises(DBAPIError, match="append-only"):
            with console.community.session() as s:
                s.execute(statement)
    assert console.audit_count("auth.sign_in") == 1


def test_the_audit_log_is_filterable_by_the_owner(console: Console) -> None:
    marketer = console.client("marketer")
    marketer.post("/admin/invites", {"cohort": "2期生", "max_uses": "10"})
    with console.community.session() as s:
        code = s.scalar(select(InviteCode.code))
    marketer.post(f"/admin/invites/{code}/disable")
    owner = console.client("owner")
    page = owner.get("/admin/audit?action=invite.disable").get_data(as_text=True)
    assert "招待コード無効化" in page and code in page and marketer.email in page
    assert "招待コード作成</td>" not in page
    with console.community.session() as s:
        marketer_id = s.scalar(select(StaffUser.id).where(StaffUser.email == marketer.email))
    by_staff = owner.get(f"/admin/audit?staff={marketer_id}").get_data(as_text=True)
    assert by_staff.count("<tr>") == 1 + 3  # header + sign-in, create, disable
    rows = console.audit_rows("invite.disable")
    assert rows[0].target_id == code and '"disabled": true' in (rows[0].after or "")


def test_the_cli_creates_the_first_owner(console: Console, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from linecomm.cli import main

    monkeypatch.setenv("DATABASE_URL", console.community.settings.database_url)
    runner = CliRunner()
    result = runner.invoke(main, ["admin", "create-user", "--email", "Boss@Example.com", "--role", "owner",
                                  "--name", "店長", "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "boss@example.com (owner)" in result.output
    again = runner.invoke(main, ["admin", "create-user", "--email", "boss@example.com", "--password-stdin"],
                          input=PASSWORD + "\n")
    assert again.exit_code != 0 and "すでにあります" in again.output
    short = runner.invoke(main, ["admin", "create-user", "--email", "x@example.com", "--password-stdin"],
                          input="short\n")
    assert short.exit_code != 0 and "10文字以上" in short.output
    assert console.anonymous().login("boss@example.com").status_code == 303
    assert [r.staff_email for r in console.audit_rows("staff.create")] == ["cli"]


def test_invite_codes_from_the_console_can_be_disabled_and_then_refuse_joining(console: Console) -> None:
    client = console.client("marketer")
    response = client.post("/admin/invites", {"cohort": "2期生", "max_uses": "3", "expires_on": "2030-03-31",
                                              "code": "SPRING-2030"})
    page = client.follow(response).get_data(as_text=True)
    assert "招待コード SPRING2030 を作成しました" in page
    assert "0 / 3" in page and "2030-03-31" in page
    client.post("/admin/invites/SPRING2030/disable")
    with console.community.session() as s:
        code = invites.find(s, "SPRING2030")
        assert invites.check(code, utcnow()) is invites.CodeCheck.DISABLED
    page = client.get("/admin/invites").get_data(as_text=True)
    assert "無効" in page
    bad = client.post("/admin/invites", {"cohort": "", "max_uses": "0"})  # shown again with the error
    assert "利用上限は1から" in bad.get_data(as_text=True)
