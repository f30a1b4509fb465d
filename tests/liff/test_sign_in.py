"""Signing in to LIFF pages: ID tokens the fake platform issued, verified by the app over HTTP at
`/oauth2/v2.1/verify` as in production; who gets member pages; the session cookie cannot be forged."""
from __future__ import annotations

import time

from itsdangerous import URLSafeTimedSerializer

from linecomm.liff.access import COOKIE_NAME
from linecomm.members.models import MemberStatus
from tests.support.liff import expired_session_cookie

VERIFY = "/oauth2/v2.1/verify"


def _verify_calls(community):  # type: ignore[no-untyped-def]
    return [r for r in community.fake.requests if r.path == VERIFY]


def test_a_member_signs_in_with_a_fake_issued_token_verified_over_http(community, liff_member, liff_client):
    hana = liff_member(nickname="はなまる")
    client = liff_client()
    response = client.sign_in(community.fake.issue_liff_id_token(hana.line_user_id))
    assert response.status_code == 200 and response.get_json() == {"status": "member"}
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(COOKIE_NAME + "=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # only in production
    (call,) = _verify_calls(community)
    assert call.method == "POST" and call.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert "client_id=1234567890" in call.body.decode()

    page = client.get("/liff/me")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "はなまる" in html and "1期生" in html and "data-liff-form" in html


def test_tokens_that_are_forged_expired_or_for_another_channel_get_401_in_japanese(community, liff_member,
                                                                                  liff_client):
    hana = liff_member(nickname="はな")
    client = liff_client()
    good = community.fake.issue_liff_id_token(hana.line_user_id)
    header, payload, signature = good.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    other_channel = community.fake.issue_liff_id_token(hana.line_user_id, audience="9999999999")
    for token in (forged, other_channel, "not-a-jwt"):
        response = client.sign_in(token)
        assert response.status_code == 401, token
        assert "本人確認ができませんでした" in response.get_json()["error"]
        assert COOKIE_NAME + "=;" in response.headers.get("Set-Cookie", "")  # any old session is ended
    expired = community.fake.issue_liff_id_token(hana.line_user_id, expires_in=0)
    response = client.sign_in(expired)
    assert response.status_code == 401 and response.get_json()["expired"] is True
    assert "有効期限が切れました" in response.get_json()["error"]
    assert client.get("/liff/me").get_data(as_text=True).count("data-signin") == 1  # still the sign-in shell
    assert client.sign_in("").status_code == 400


def test_login_endpoint_timing_out_or_failing_gets_503_and_a_retry_never_500(community, liff_member, liff_client):
    hana = liff_member(nickname="はな")
    client = liff_client()
    token = community.fake.issue_liff_id_token(hana.line_user_id)
    community.fake.inject_fault(VERIFY, status=None, delay=1.5, method="POST")  # the app waits 1 s (conftest)
    started = time.monotonic()
    response = client.sign_in(token)
    assert response.status_code == 503, response.get_json()
    assert time.monotonic() - started < 1.5
    assert response.get_json() == {"error": response.get_json()["error"], "retry": True}
    assert "もう一度試す" in response.get_json()["error"]
    community.fake.inject_fault(VERIFY, status=500, method="POST")
    assert client.sign_in(token).status_code == 503
    community.fake.inject_fault(VERIFY, status=429, method="POST")
    assert client.sign_in(token).status_code == 503
    assert client.sign_in(token).status_code == 200  # the retry button's request


def test_followers_and_former_members_are_invited_to_join_suspended_members_only_read(community, liff_member,
                                                                                     liff_client):
    follower = liff_member(status=MemberStatus.FOLLOWER)
    former = liff_member(nickname="元メンバー", status=MemberStatus.LEFT)
    suspended = liff_member(nickname="お休み中", status=MemberStatus.SUSPENDED)
    stranger = "U" + "7" * 32  # a LINE user who never followed the account
    community.fake.add_user(stranger, "通りすがり")

    for user_id, kind in ((follower.line_user_id, "guest"), (former.line_user_id, "guest"), (stranger, "guest")):
        client = liff_client(None)
        assert client.sign_in(community.fake.issue_liff_id_token(user_id)).get_json() == {"status": kind}
        page = client.get("/liff/me")
        html = page.get_data(as_text=True)
        assert page.status_code == 403
        assert "コミュニティへのご招待" in html and "「参加」と送ってください" in html
        assert "data-liff-form" not in html  # no member content
        refused = client.post("/liff/me/nickname", data={"nickname": "なりすまし"})
        assert refused.status_code == 403 and "メンバーの方のみ" in refused.get_json()["error"]
    assert "退会されています" in liff_client(former.line_user_id).get("/liff/me").get_data(as_text=True)
    assert "友だち追加" in liff_client(stranger).get("/liff/me").get_data(as_text=True)

    reader = liff_client(suspended.line_user_id)
    page = reader.get("/liff/me")
    assert page.status_code == 200
    assert "お休み中" in page.get_data(as_text=True) and "data-read-only" in page.get_data(as_text=True)
    refused = reader.post("/liff/me/nickname", data={"nickname": "復活"})
    assert refused.status_code == 403 and refused.get_json()["read_only"] is True
    assert "投稿を停止しています" in refused.get_json()["error"]


def test_no_session_a_forged_or_expired_cookie_and_a_cross_origin_post_are_refused(community, liff_member,
                                                                                   liff_client):
    hana = liff_member(nickname="はな")
    other = liff_member(nickname="ほか")
    anonymous = liff_client(None)
    refused = anonymous.post("/liff/me/nickname", data={"nickname": "x"})
    assert refused.status_code == 401
    assert refused.get_json() == {"error": refused.get_json()["error"], "reauth": True}
    assert "data-signin" in anonymous.get("/liff/me").get_data(as_text=True)

    forger = liff_client(None)
    wrong_key = URLSafeTimedSerializer("not-the-app-secret", salt="linecomm.liff.session")
    forger.client.set_cookie(COOKIE_NAME, wrong_key.dumps({"sub": hana.line_user_id}))
    assert "data-signin" in forger.get("/liff/me").get_data(as_text=True)
    assert forger.post("/liff/me/nickname", data={"nickname": "のっとり"}).status_code == 401

    signed_in = liff_client(hana.line_user_id)
    value = signed_in.client.get_cookie(COOKIE_NAME).value
    payload, stamp_and_signature = value.rsplit(".", 2)[0], value.rsplit(".", 2)[1:]
    tampered = liff_client(None)  # another member's id spliced into a signed cookie
    spliced = URLSafeTimedSerializer("x").dump_payload({"sub": other.line_user_id}).decode()
    tampered.client.set_cookie(COOKIE_NAME, ".".join([spliced, *stamp_and_signature]))
    assert payload != spliced
    assert "data-signin" in tampered.get("/liff/me").get_data(as_text=True)

    stale = liff_client(None)
    stale.client.set_cookie(COOKIE_NAME, expired_session_cookie(community, hana.line_user_id))
    assert "data-signin" in stale.get("/liff/me").get_data(as_text=True)
    assert stale.post("/liff/me/nickname", data={"nickname": "x"}).get_json()["reauth"] is True

    for origin in ("https://evil.example", "null"):
        attack = signed_in.post("/liff/me/nickname", data={"nickname": "乗っ取り"}, origin=origin)
        assert attack.status_code == 403 and "お受けできません" in attack.get_json()["error"]
    assert signed_in.post("/liff/me/nickname", data={"nickname": "x"}, origin=None).status_code == 403
    token = community.fake.issue_liff_id_token(hana.line_user_id)
    assert anonymous.client.post("/liff/session", json={"id_token": token},
                                 headers={"Origin": "https://evil.example"}).status_code == 403
    with community.reader() as s:
        from linecomm.members.models import Member

        assert s.get(Member, hana.member_id).nickname == "はな"


def test_the_login_client_translates_line_answers_into_two_kinds_of_error(community):  # type: ignore[no-untyped-def]
    import socket

    import pytest

    from linecomm.line.client import LineRejected, LineRetryable
    from linecomm.line.login_client import IdTokenRejected, LineLoginClient, LoginUnavailable

    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(LoginUnavailable) as down:
        LineLoginClient(f"http://127.0.0.1:{port}", "1234567890", timeout=1.0).verify_id_token("x.y.z")
    assert isinstance(down.value, LineRetryable)
    fake = community.fake
    fake.add_user("U" + "1" * 32, "確認 太郎")
    client = LineLoginClient(fake.url, "1234567890", timeout=1.0)
    claims = client.verify_id_token(fake.issue_liff_id_token("U" + "1" * 32))
    assert claims.sub == "U" + "1" * 32 and claims.aud == "1234567890" and claims.name == "確認 太郎"
    with pytest.raises(IdTokenRejected) as wrong:
        LineLoginClient(fake.url, "5555555555", timeout=1.0).verify_id_token(fake.issue_liff_id_token("U" + "1" * 32))
    assert isinstance(wrong.value, LineRejected) and wrong.value.reason == "Invalid IdToken Audience."
    assert not wrong.value.expired
