"""The stand-in LIFF SDK's routes exist only in front of the fake LINE platform; its ID tokens come from the
fake and are verified by the app like LINE's; production pages load LINE's CDN SDK."""
from __future__ import annotations

import pytest
from flask import Flask

from linecomm.config import Settings
from linecomm.liff import standin
from linecomm.web import build_app
from tests.support.liff import ORIGIN

PRODUCTION_SDK = "https://static.line-scdn.net/liff/edge/2/sdk.js"


def _real_line(settings: Settings, **changes: object) -> Settings:
    return settings.replace(line_api_base_url="https://api.line.me", line_login_base_url="https://api.line.me",
                            **changes)


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_the_stand_in_cannot_exist_in_production_or_in_front_of_real_line(settings, redis_url):  # type: ignore[no-untyped-def]
    production = _real_line(settings, env="production", redis_url=redis_url)
    for real in (production, _real_line(settings, env="development"), _real_line(settings, env="demo")):
        app = build_app(real)
        try:
            assert not [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/liff-sdk")]
            shell = app.test_client().get("/liff/me").get_data(as_text=True)
            assert f'<script src="{PRODUCTION_SDK}" defer></script>' in shell
            assert "liff-sdk" not in shell
            assert "static.line-scdn.net" in app.test_client().get("/liff/me").headers["Content-Security-Policy"]
            with pytest.raises(standin.StandInRefused):
                standin.register(app, real)
        finally:
            app.extensions["linecomm"].close()
    with pytest.raises(standin.StandInRefused):  # production settings pointing at the fake refuse too
        standin.register(Flask("elsewhere"), settings.replace(env="production"))


def test_the_stand_in_gets_tokens_from_the_fake_for_the_remembered_user(community, liff_member, liff_client):
    hana = liff_member(nickname="はな")
    client = liff_client(None).client
    assert client.post("/liff-sdk/token", headers={"Origin": ORIGIN}).get_json() == {"idToken": None,
                                                                                    "inClient": False}
    played = client.get(f"/liff-sdk/as/{hana.line_user_id}?next=/liff/me")
    assert played.status_code == 303 and played.headers["Location"] == "/liff/me"
    answer = client.post("/liff-sdk/token", headers={"Origin": ORIGIN}).get_json()
    assert answer["inClient"] is True and answer["idToken"].count(".") == 2
    assert client.post("/liff-sdk/token", headers={"Origin": "https://evil.example"}).status_code == 403
    signed_in = client.post("/liff/session", json={"id_token": answer["idToken"]}, headers={"Origin": ORIGIN})
    assert signed_in.status_code == 200
    assert any(r.path == "/oauth2/v2.1/verify" for r in community.fake.requests)  # verified over HTTP
    assert 'value="はな"' in client.get("/liff/me").get_data(as_text=True)

    # Playing someone else ends the previous user's page session.
    sora = liff_member(nickname="そら")
    switched = client.get(f"/liff-sdk/as/{sora.line_user_id}?next=/liff/me")
    assert "linecomm_liff=;" in " ".join(switched.headers.getlist("Set-Cookie"))
    assert "data-signin" in client.get("/liff/me").get_data(as_text=True)

    assert client.get("/liff-sdk/as/not-a-user?next=/liff/me").status_code == 400
    for target in ("https://evil.example/", "//evil.example/liff", "/admin/"):
        assert client.get(f"/liff-sdk/as/{hana.line_user_id}?next={target}").headers["Location"] == "/liff/"
    stranger = "U" + "e" * 32  # never registered with the fake
    client.get(f"/liff-sdk/as/{stranger}")
    unknown = client.post("/liff-sdk/token", headers={"Origin": ORIGIN})
    assert unknown.status_code == 409 and "登録されていません" in unknown.get_json()["error"]

    sdk = client.get("/liff-sdk/sdk.js")
    assert sdk.status_code == 200 and sdk.mimetype == "text/javascript" and b"window.liff" in sdk.data
    shell = client.get("/liff/me").get_data(as_text=True)
    assert 'src="/liff-sdk/sdk.js"' in shell and "static.line-scdn.net" not in shell


def test_the_stand_in_login_screen_remembers_whom_to_play(community, liff_member, liff_client):
    hana = liff_member(nickname="はな")
    client = liff_client(None).client
    page = client.get("/liff-sdk/login?redirectUri=" + "http://localhost/liff/me")
    assert page.status_code == 200 and 'value="/liff/me"' in page.get_data(as_text=True)
    wrong = client.post("/liff-sdk/login", data={"user": "yamada", "redirectUri": "/liff/me"})
    assert wrong.status_code == 400 and "形式が正しくありません" in wrong.get_data(as_text=True)
    chosen = client.post("/liff-sdk/login", data={"user": hana.line_user_id, "redirectUri": "/liff/me"})
    assert chosen.status_code == 303 and chosen.headers["Location"] == "/liff/me"


def test_send_messages_is_the_users_message_in_chat_delivered_to_the_webhook(community, liff_member, liff_client):
    follower = liff_member(status="follower")
    # The demo points this at its own webhook (Settings.served_at); here, the test server's.
    community.runtime.settings = community.settings.replace(demo_webhook_url=community.webhook_url)
    client = liff_client(None).client
    client.get(f"/liff-sdk/as/{follower.line_user_id}")
    for bad in ({"messages": []}, {"messages": [{"type": "image"}]}, {"messages": "参加"}):
        assert client.post("/liff-sdk/messages", json=bad, headers={"Origin": ORIGIN}).status_code == 400
    sent = client.post("/liff-sdk/messages", json={"messages": [{"type": "text", "text": "参加"}]},
                       headers={"Origin": ORIGIN})
    assert sent.status_code == 200, sent.get_json()
    community.drain()
    inbound = [e for e in community.fake.conversation(follower.line_user_id) if e["direction"] == "in"]
    assert inbound[-1]["event"]["message"]["text"] == "参加"
    assert "招待コードを入力してください" in community.fake.messages_to(follower.line_user_id)[-1]["text"]
