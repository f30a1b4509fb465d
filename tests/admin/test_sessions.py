"""Admin sessions live on the server: a cookie saved before logout, a password change, a deactivation, a
role change or "sign out everywhere" opens nothing afterwards, whoever replays it."""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import select

from linecomm.staff.models import StaffSession, StaffUser
from tests.admin.console import PASSWORD, Console, StaffClient

COOKIE = "linecomm_admin"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"


def _saved_cookie(client: StaffClient) -> str:
    cookie = client.http.get_cookie(COOKIE, path="/admin")
    assert cookie is not None, "the client holds no admin cookie"
    return cookie.value


def _replay(console: Console, cookie: str, path: str = "/admin/members") -> object:
    """Open `path` from another browser that presents a copy of `cookie`."""
    thief = console.anonymous()
    thief.http.set_cookie(COOKIE, cookie, path="/admin")
    return thief.get(path)


def _assert_sign_in_page(console: Console, response: object) -> None:
    assert response.status_code == 303, response.status_code  # type: ignore[attr-defined]
    location = response.headers["Location"]  # type: ignore[attr-defined]
    assert location.startswith("/admin/login"), location
    page = console.anonymous().get(location).get_data(as_text=True)
    assert 'name="password"' in page


def _staff_id(console: Console, email: str) -> int:
    with console.community.session() as s:
        return s.scalar(select(StaffUser.id).where(StaffUser.email == email))


def _second_browser(console: Console, email: str, user_agent: str = PHONE) -> StaffClient:
    browser = StaffClient(console.community.app.test_client(), email)
    browser.http.environ_base["HTTP_USER_AGENT"] = user_agent
    assert browser.login(email).status_code == 303
    return browser


def test_a_cookie_saved_before_logout_opens_nothing_after_it(console: Console) -> None:
    client = console.client("marketer")
    saved = _saved_cookie(client)
    assert _replay(console, saved).status_code == 200  # a copy works while the session is open

    assert client.post("/admin/logout").status_code == 303
    _assert_sign_in_page(console, _replay(console, saved))
    _assert_sign_in_page(console, _replay(console, saved, "/admin/"))
    with console.community.session() as s:
        row = s.scalar(select(StaffSession).where(StaffSession.staff_id == _staff_id(console, client.email)))
        assert row.revoked_at is not None
    assert len(console.audit_rows("auth.sign_out")) == 1


def test_the_cookie_carries_a_random_token_and_the_table_only_its_hash(console: Console) -> None:
    client = console.client("owner")
    with client.http.session_transaction("/admin/") as s:
        token = s["sid"]
        assert set(s.keys()) == {"sid", "csrf"}  # no staff id, no role: nothing to forge
    with console.community.session() as s:
        stored = list(s.scalars(select(StaffSession.token_hash)))
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]


def test_a_browser_name_with_control_characters_is_stored_without_them(console: Console) -> None:
    email = console.staff("owner")
    browser = _second_browser(console, email, user_agent="Evil\x00Agent\r\n/1.0")
    assert browser.get("/admin/account").status_code == 200
    with console.community.session() as s:
        assert s.scalar(select(StaffSession.user_agent)) == "EvilAgent/1.0"


def test_a_cookie_of_the_old_kind_signs_no_one_in(console: Console) -> None:
    client = console.client("owner")
    staff_id = _staff_id(console, client.email)
    forged = console.anonymous()
    with forged.http.session_transaction("/admin/") as s:
        s.update(staff_id=staff_id, epoch=1, issued=0, seen=0)
    _assert_sign_in_page(console, forged.get("/admin/members"))


def test_changing_ones_password_ends_every_other_session_and_keeps_this_browser_in(console: Console) -> None:
    client = console.client("moderator")
    other = _second_browser(console, client.email)
    saved = _saved_cookie(client)
    response = client.post("/admin/account/password", {"current_password": PASSWORD,
                                                        "new_password": "another password 456",
                                                        "new_password_confirm": "another password 456"})
    assert response.status_code == 303
    assert client.get("/admin/members").status_code == 200  # a fresh session for the browser that changed it
    assert _saved_cookie(client) != saved
    _assert_sign_in_page(console, _replay(console, saved))
    _assert_sign_in_page(console, other.get("/admin/members"))


def test_deactivating_an_account_ends_its_sessions_for_good(console: Console) -> None:
    marketer, owner = console.client("marketer"), console.client("owner")
    saved = _saved_cookie(marketer)
    staff_id = _staff_id(console, marketer.email)
    assert owner.post(f"/admin/staff/{staff_id}", {"op": "disable"}).status_code == 303
    _assert_sign_in_page(console, _replay(console, saved))
    # Enabling the account again does not bring the old session back.
    assert owner.post(f"/admin/staff/{staff_id}", {"op": "enable"}).status_code == 303
    _assert_sign_in_page(console, _replay(console, saved))
    assert console.anonymous().login(marketer.email).status_code == 303


def test_a_role_change_ends_the_accounts_sessions(console: Console) -> None:
    marketer, owner = console.client("marketer"), console.client("owner")
    saved = _saved_cookie(marketer)
    staff_id = _staff_id(console, marketer.email)
    assert owner.post(f"/admin/staff/{staff_id}", {"op": "role", "role": "moderator"}).status_code == 303
    _assert_sign_in_page(console, _replay(console, saved))
    assert owner.get("/admin/staff").status_code == 200  # the owner who changed it stays in


def test_sign_out_everywhere_from_ones_own_account_page(console: Console) -> None:
    client = console.client("marketer")
    phone = _second_browser(console, client.email)
    saved = _saved_cookie(client)
    page = client.get("/admin/account").get_data(as_text=True)
    assert "ログイン中の端末" in page and "iPhone" in page and "この端末" in page
    assert "すべての端末からログアウト" in page
    assert "/admin/account" in client.get("/admin/").get_data(as_text=True)  # reachable from the home page

    response = client.post("/admin/account")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/login"
    assert "すべての端末からログアウトしました" in client.follow(response).get_data(as_text=True)
    _assert_sign_in_page(console, client.get("/admin/members"))
    _assert_sign_in_page(console, phone.get("/admin/members"))
    _assert_sign_in_page(console, _replay(console, saved))
    rows = console.audit_rows("auth.sign_out_everywhere")
    assert len(rows) == 1 and rows[0].target_id == str(_staff_id(console, client.email))
    assert json.loads(rows[0].after or "{}") == {"sessions": 2}
    assert console.anonymous().login(client.email).status_code == 303  # signing in again works


def test_the_owner_signs_a_staff_member_out_everywhere(console: Console) -> None:
    moderator, owner = console.client("moderator"), console.client("owner")
    phone = _second_browser(console, moderator.email)
    staff_id = _staff_id(console, moderator.email)
    page = owner.get("/admin/staff").get_data(as_text=True)
    row = page.split(f'id="staff-{staff_id}"', 1)[1].split("</tr>", 1)[0]
    assert "ログイン中の端末 2台" in row and 'value="sign_out_everywhere"' in row

    response = owner.post(f"/admin/staff/{staff_id}", {"op": "sign_out_everywhere"})
    assert "すべての端末からログアウトしました" in owner.follow(response).get_data(as_text=True)
    _assert_sign_in_page(console, moderator.get("/admin/moderation"))
    _assert_sign_in_page(console, phone.get("/admin/moderation"))
    assert owner.get("/admin/staff").status_code == 200  # the owner's own session is untouched
    rows = console.audit_rows("staff.sign_out_everywhere")
    assert [(r.staff_email, r.target_id) for r in rows] == [(owner.email, str(staff_id))]
    assert json.loads(rows[0].after or "{}") == {"sessions": 2}
    row = owner.get("/admin/staff").get_data(as_text=True).split(f'id="staff-{staff_id}"', 1)[1]
    assert 'value="sign_out_everywhere"' not in row.split("</tr>", 1)[0]
