"""The demo chat console (/demo/chat): a newcomer plays a LINE user in Chromium. Every tap is a real signed
webhook request to the app, and the page shows what the fake LINE platform delivered."""
from __future__ import annotations

import json
import os
import re
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from linecomm import migrate
from linecomm.config import Settings
from linecomm.db import transaction
from linecomm.demo import views
from linecomm.demo.run import DEMO_LOGIN_CHANNEL, DEMO_TOKEN, demo_settings
from linecomm.demo.seed import DEMO_CODE, seed
from linecomm.line.fake import FakeLinePlatform
from linecomm.web import build_app
from linecomm.web_runtime import EXTENSION_KEY
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.redis_server import free_port

SCREENSHOT = "/tmp/chat_console.png"
RICH_SCREENSHOT = "/tmp/chat_console_rich.png"
# A CSP without 'unsafe-inline', as the product's pages will get: the console must work under it.
STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:"
XSS_NAME = "<svg onload=__xss=1>"  # 20 characters: fits LINE's display-name limit and our nickname rules
XSS_TEXT = "<img src=x onerror=window.__xss=1>"
WAIT_MS = 15_000
PLACEHOLDER_IMAGE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="260">'
    '<rect width="400" height="260" fill="#a8d8b9"/><circle cx="300" cy="80" r="40" fill="#f6d365"/>'
    '<path d="M0 260 L140 120 L260 260 Z" fill="#5fae7b"/></svg>'
)


# --- a running demo: the fake LINE platform and the app on loopback ports ----------------------------


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("demo-db") / "template.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    return path


def _settings(fake_url: str, tmp_path: Path, migrated_sqlite: Path, **changes: Any) -> Settings:
    db = tmp_path / "demo.sqlite3"
    shutil.copy(migrated_sqlite, db)
    return demo_settings(fake_url, environ={}).replace(
        instance_path=tmp_path / "instance",
        database_url=f"sqlite:///{db}",
        sweep_interval_seconds=3600,
        **changes,
    )


@dataclass
class RunningDemo:
    base_url: str
    fake: FakeLinePlatform
    app: Flask

    def push(self, user_id: str, messages: list[dict[str, Any]]) -> None:
        """Push messages to a user through the fake's Messaging API, as the product would."""
        request = urllib.request.Request(
            self.fake.url + "/v2/bot/message/push",
            data=json.dumps({"to": user_id, "messages": messages}).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {DEMO_TOKEN}"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200


@pytest.fixture
def demo(tmp_path: Path, migrated_sqlite: Path) -> Iterator[RunningDemo]:
    fake = FakeLinePlatform(channel_access_token=DEMO_TOKEN, login_channel_id=DEMO_LOGIN_CHANNEL)
    fake_url = fake.start(host="127.0.0.1", port=0)
    port = free_port()  # the console posts to its configured webhook URL, so the port is known beforehand
    settings = _settings(fake_url, tmp_path, migrated_sqlite,
                         demo_webhook_url=f"http://127.0.0.1:{port}/webhooks/line")
    app = build_app(settings)
    runtime = app.extensions[EXTENSION_KEY]
    with transaction(runtime.sessions) as session:
        seed(session, settings.privacy_notice_version)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield RunningDemo(f"http://127.0.0.1:{server.server_port}", fake, app)
    finally:
        server.shutdown()
        runtime.close()
        fake.stop()


# --- Chromium ------------------------------------------------------------------------------------------


@dataclass
class Browser:
    page: Any
    problems: list[str]


@pytest.fixture
def browser(demo: RunningDemo) -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run scripts/ensure-chromium")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = chromium.new_context(
            viewport={"width": 390, "height": 844}, locale="ja-JP", timezone_id="Asia/Tokyo"
        )
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.on("console", lambda msg: msg.type == "error" and problems.append(f"console: {msg.text}"))

        def with_strict_csp(route: Any) -> None:
            response = route.fetch()
            headers = {**response.headers, "content-security-policy": STRICT_CSP}
            route.fulfill(response=response, headers=headers)

        page.route(re.compile(r".*/demo/chat(\?.*)?$"), with_strict_csp)
        # Messages may carry https images; this machine is offline, so example.com serves a placeholder.
        page.route("https://example.com/**", lambda route: route.fulfill(
            status=200, content_type="image/svg+xml", body=PLACEHOLDER_IMAGE))
        page.set_default_timeout(WAIT_MS)
        try:
            yield Browser(page, problems)
        finally:
            chromium.close()


def _bubbles(page: Any, side: str) -> Any:
    return page.locator(f"#chat-log .chat-row--{side} .bubble")


def _send(page: Any, text: str) -> None:
    page.get_by_label("メッセージ", exact=True).fill(text)
    page.get_by_role("button", name="送信").click()


def _quick_reply(page: Any, label: str) -> None:
    page.locator("#quick-replies").get_by_role("button", name=label, exact=True).click()


def _wait_for_account(page: Any, text: str) -> None:
    from playwright.sync_api import expect

    expect(_bubbles(page, "account").filter(has_text=text).last).to_be_visible()


def _current_user_id(page: Any) -> str:
    match = re.search(r"[?&]user=(U[0-9a-f]{32})$", page.url)
    assert match, page.url
    return match.group(1)


@pytest.mark.browser
def test_newcomer_joins_with_the_invite_code(demo: RunningDemo, browser: Browser) -> None:
    from playwright.sync_api import expect

    page = browser.page
    response = page.goto(demo.base_url + "/demo/chat")
    assert response is not None and response.headers["content-security-policy"] == STRICT_CSP
    expect(page.get_by_text(f"招待コード {DEMO_CODE} で参加できます")).to_be_visible()

    page.get_by_label("新しいユーザーの表示名").fill(XSS_NAME)
    page.get_by_role("button", name="ユーザーを作成").click()
    page.wait_for_url(re.compile(r"/demo/chat\?user=U[0-9a-f]{32}$"))
    user_id = _current_user_id(page)
    expect(page.locator(".console-user.is-current .console-user__name")).to_have_text(XSS_NAME)

    page.get_by_role("button", name="友だち追加").click()
    expect(page.locator(".chat-system__chip", has_text="友だち追加しました")).to_be_visible()
    _wait_for_account(page, f"{XSS_NAME}さん、友だち追加ありがとうございます。")
    expect(page.get_by_role("button", name="ブロック")).to_be_visible()
    expect(page.locator("#follow-banner")).to_be_hidden()

    _quick_reply(page, "参加する")
    expect(_bubbles(page, "user").last).to_have_text("参加する")  # the postback's displayText
    _wait_for_account(page, "お手元の招待コードを入力してください。")

    _send(page, "WRONG999")
    expect(_bubbles(page, "user").last).to_have_text("WRONG999")
    _wait_for_account(page, "その招待コードは見つかりませんでした。")

    _send(page, DEMO_CODE)
    _wait_for_account(page, "招待コードを確認しました。")
    expect(page.locator("#quick-replies a", has_text="https://example.com/privacy")).to_have_count(0)
    expect(_bubbles(page, "account").last.get_by_role("link")).to_have_attribute(
        "href", "https://example.com/privacy"
    )
    _quick_reply(page, "同意する")
    _wait_for_account(page, "ニックネームを入力してください")
    expect(page.locator("#quick-replies")).to_be_hidden()

    _send(page, XSS_NAME)
    _wait_for_account(page, f"{XSS_NAME}さん、ようこそ！0期生としてコミュニティに参加しました。")

    _send(page, "改行も\n送れます")
    expect(_bubbles(page, "user").last).to_have_text("改行も\n送れます")
    _send(page, XSS_TEXT)
    expect(_bubbles(page, "user").last).to_have_text(XSS_TEXT)
    _wait_for_account(page, "次のテーマのお届けまで")

    # Everything typed came back as text: no element was injected, no handler ran.
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("#chat-log svg, #chat-log img, .console-users svg").count() == 0
    page.screenshot(path=SCREENSHOT, full_page=False)

    # Each action reached the app as a real webhook event, and the account replied through LINE.
    inbound = [e["event"] for e in demo.fake.conversation(user_id) if e["direction"] == "in"]
    kinds = [(e["type"], (e.get("message") or {}).get("text") or (e.get("postback") or {}).get("data"))
             for e in inbound]
    assert kinds[:5] == [
        ("follow", None),
        ("displayText", None),
        ("postback", "action=join"),
        ("message", "WRONG999"),
        ("message", DEMO_CODE),
    ]
    replies = [r for r in demo.fake.requests if r.path == "/v2/bot/message/reply"]
    assert replies and all(r.status == 200 for r in replies)
    assert browser.problems == []


@pytest.mark.browser
def test_rich_messages_render_and_their_buttons_work(demo: RunningDemo, browser: Browser) -> None:
    from playwright.sync_api import expect

    page = browser.page
    page.goto(demo.base_url + "/demo/chat")
    page.get_by_label("新しいユーザーの表示名").fill("リッチ 確認")
    page.get_by_role("button", name="ユーザーを作成").click()
    page.wait_for_url(re.compile(r"\?user=U[0-9a-f]{32}$"))
    user_id = _current_user_id(page)

    demo.push(user_id, [
        {
            "type": "flex",
            "altText": "今月のテーマ",
            "contents": {
                "type": "bubble",
                "hero": {"type": "image", "url": "https://example.com/theme.png", "size": "full"},
                "body": {"type": "box", "layout": "vertical", "contents": [
                    {"type": "text", "text": "今月のテーマ", "weight": "bold", "size": "xl"},
                    {"type": "text", "text": XSS_TEXT, "wrap": True},
                ]},
                "footer": {"type": "box", "layout": "vertical", "contents": [
                    {"type": "button", "style": "primary", "action": {
                        "type": "postback", "label": "回答する", "data": "action=answer&t=1",
                        "displayText": "回答します"}},
                    {"type": "button", "style": "link", "action": {
                        "type": "uri", "label": "詳しく見る", "uri": "https://example.com/theme"}},
                ]},
            },
        },
        {
            "type": "template",
            "altText": "アンケート",
            "template": {
                "type": "buttons", "title": "アンケート", "text": "ご協力をお願いします。",
                "actions": [{"type": "message", "label": "ヘルプ", "text": "ヘルプ"}],
            },
        },
        {
            "type": "template",
            "altText": "確認",
            "template": {"type": "confirm", "text": "よろしいですか？", "actions": [
                {"type": "message", "label": "はい", "text": "はい"},
                {"type": "message", "label": "いいえ", "text": "いいえ"},
            ]},
        },
        {"type": "image", "originalContentUrl": "https://example.com/a.jpg",
         "previewImageUrl": "https://example.com/a-small.jpg"},
    ])

    flex = page.locator(".flex-bubble")
    expect(flex.locator(".flex-text").first).to_have_text("今月のテーマ")
    expect(flex.locator(".flex-text").nth(1)).to_have_text(XSS_TEXT)
    expect(flex.locator("img.flex-image")).to_have_attribute("src", "https://example.com/theme.png")
    expect(flex.get_by_role("link", name="詳しく見る")).to_have_attribute("href", "https://example.com/theme")
    expect(page.locator(".template--buttons .template__title")).to_have_text("アンケート")
    expect(page.locator(".template--confirm").get_by_role("button")).to_have_text(["はい", "いいえ"])
    expect(page.locator(".bubble--image img")).to_have_attribute("src", "https://example.com/a-small.jpg")

    flex.get_by_role("button", name="回答する").click()
    expect(_bubbles(page, "user").last).to_have_text("回答します")
    page.locator(".template--buttons").get_by_role("button", name="ヘルプ").click()
    expect(_bubbles(page, "user").last).to_have_text("ヘルプ")
    _wait_for_account(page, "このアカウントではメンバー限定のコミュニティを運営しています。")

    inbound = [e["event"] for e in demo.fake.conversation(user_id) if e["direction"] == "in"]
    assert {"type": "displayText", "text": "回答します"}.items() <= inbound[0].items()
    assert inbound[1]["postback"] == {"data": "action=answer&t=1"}
    assert inbound[2]["message"]["text"] == "ヘルプ"
    page.screenshot(path=RICH_SCREENSHOT)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert browser.problems == []


@pytest.mark.browser
def test_block_and_unblock(demo: RunningDemo, browser: Browser) -> None:
    from playwright.sync_api import expect

    page = browser.page
    page.goto(demo.base_url + "/demo/chat")
    page.get_by_label("新しいユーザーの表示名").fill("ブロック 確認")
    page.get_by_role("button", name="ユーザーを作成").click()
    page.wait_for_url(re.compile(r"\?user=U[0-9a-f]{32}$"))
    user_id = _current_user_id(page)

    page.get_by_role("button", name="友だち追加").click()
    _wait_for_account(page, "友だち追加ありがとうございます。")
    demo.push(user_id, [{"type": "template", "altText": "確認", "template": {
        "type": "confirm", "text": "参加しますか？", "actions": [
            {"type": "message", "label": "はい", "text": "はい"},
            {"type": "message", "label": "いいえ", "text": "いいえ"},
        ]}}])
    expect(page.locator(".template--confirm")).to_be_visible()
    page.get_by_role("button", name="ブロック", exact=True).click()
    expect(page.locator(".chat-system__chip", has_text="ブロックしました")).to_be_visible()
    expect(page.get_by_role("textbox", name="メッセージ")).to_be_disabled()
    expect(page.locator("#quick-replies")).to_be_hidden()
    # An old message's button cannot talk to the account while it is blocked, as on LINE.
    page.locator(".template--confirm").get_by_role("button", name="はい").click()
    expect(page.locator("#chat-toast")).to_have_text("ブロック中はメッセージを送れません。先にブロックを解除してください。")
    assert [p for p in browser.problems if "status of 400" not in p] == []
    browser.problems.clear()

    page.get_by_role("button", name="ブロック解除").click()
    expect(page.locator(".chat-system__chip", has_text="ブロックを解除しました")).to_be_visible()
    expect(page.get_by_role("textbox", name="メッセージ")).to_be_enabled()
    follows = [e["event"] for e in demo.fake.conversation(user_id)
               if e["direction"] == "in" and e["event"]["type"] in ("follow", "unfollow")]
    assert [(e["type"], e.get("follow")) for e in follows] == [
        ("follow", {"isUnblocked": False}), ("unfollow", None), ("follow", {"isUnblocked": True})
    ]
    assert browser.problems == []


# --- plain requests: bad input is a clear 400, and the console exists only in demo/development ----------


@pytest.fixture
def make_app(tmp_path: Path, migrated_sqlite: Path) -> Iterator[Any]:
    """Build apps whose fake LINE platform is not running (nothing here should need it but the 502)."""
    apps: list[Flask] = []

    def build(**changes: Any) -> Flask:
        fake_url = f"http://127.0.0.1:{free_port()}"
        app = build_app(_settings(fake_url, tmp_path, migrated_sqlite, **changes))
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions[EXTENSION_KEY].close()


@pytest.fixture
def client(make_app: Any) -> Any:
    app = make_app()
    app.extensions[views.DIRECTORY_KEY].add(views.ConsoleUser("U" + "a" * 32, "テスト 花子"))
    return app.test_client()


KNOWN = "U" + "a" * 32


@pytest.mark.parametrize(
    ("path", "body", "error"),
    [
        ("/demo/chat/say", {"user": "U" + "b" * 32, "text": "こんにちは"}, views.ERR_UNKNOWN_USER),
        ("/demo/chat/say", {"text": "こんにちは"}, views.ERR_UNKNOWN_USER),
        ("/demo/chat/say", {"user": KNOWN, "text": ""}, views.ERR_EMPTY_TEXT),
        ("/demo/chat/say", {"user": KNOWN, "text": " \n\u3000"}, views.ERR_EMPTY_TEXT),
        ("/demo/chat/say", {"user": KNOWN, "text": 123}, views.ERR_EMPTY_TEXT),
        ("/demo/chat/say", {"user": KNOWN, "text": "あ" * 5001}, views.ERR_LONG_TEXT),
        ("/demo/chat/say", {"user": KNOWN, "text": "😀" * 2501}, views.ERR_LONG_TEXT),  # 5,002 UTF-16 units
        ("/demo/chat/follow", {"user": ["U"]}, views.ERR_UNKNOWN_USER),
        ("/demo/chat/unfollow", {}, views.ERR_UNKNOWN_USER),
        ("/demo/chat/tap", {"user": KNOWN}, views.ERR_BAD_ACTION),
        ("/demo/chat/tap", {"user": KNOWN, "action": {"type": "uri", "uri": "https://example.com"}},
         views.ERR_BAD_ACTION),
        ("/demo/chat/tap", {"user": KNOWN, "action": {"type": "postback", "data": ""}},
         views.ERR_BAD_POSTBACK),
        ("/demo/chat/tap", {"user": KNOWN, "action": {"type": "postback", "data": "x" * 301}},
         views.ERR_BAD_POSTBACK),
        ("/demo/chat/tap", {"user": KNOWN, "action": {"type": "message", "text": ""}}, views.ERR_EMPTY_TEXT),
        ("/demo/chat/users", {"displayName": "  "}, views.ERR_EMPTY_NAME),
        ("/demo/chat/users", {}, views.ERR_EMPTY_NAME),
        ("/demo/chat/users", {"displayName": "あ" * 21}, views.ERR_LONG_NAME),
    ],
)
def test_bad_input_is_a_400_with_a_japanese_message(client: Any, path: str, body: Any, error: str) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 400
    assert response.get_json() == {"error": error}


@pytest.mark.parametrize("data", [b"{not json", b"[1, 2]", b'"text"'])
def test_a_body_that_is_not_a_json_object_is_a_400(client: Any, data: bytes) -> None:
    for path in ("/demo/chat/say", "/demo/chat/tap", "/demo/chat/follow", "/demo/chat/users"):
        response = client.post(path, data=data, content_type="application/json")
        assert response.status_code == 400, path
        assert response.get_json() == {"error": views.ERR_BAD_JSON}


def test_a_form_post_is_refused(client: Any) -> None:
    response = client.post("/demo/chat/say", data={"user": KNOWN, "text": "こんにちは"})
    assert response.status_code == 400
    assert response.get_json() == {"error": views.ERR_BAD_JSON}


def test_conversation_of_an_unknown_user_is_a_400(client: Any) -> None:
    for query in ("", "?user=", "?user=U" + "c" * 32):
        response = client.get("/demo/chat/conversation" + query)
        assert response.status_code == 400
        assert response.get_json() == {"error": views.ERR_UNKNOWN_USER}


def test_fake_platform_down_is_a_clear_502_not_a_500(client: Any) -> None:
    response = client.post("/demo/chat/users", json={"displayName": "山田 花子"})
    assert response.status_code == 502
    assert response.get_json() == {"error": views.ERR_FAKE_DOWN}
    assert client.get("/demo/chat/users").get_json()["users"][0]["displayName"] == "テスト 花子"
    response = client.get(f"/demo/chat/conversation?user={KNOWN}")
    assert response.status_code == 502


def test_page_lists_seeded_members_and_escapes_names(client: Any) -> None:
    client.application.extensions[views.DIRECTORY_KEY].add(views.ConsoleUser("U" + "d" * 32, XSS_NAME))
    page = client.get("/demo/chat")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "招待コード <strong class=\"console-code\">WELCOME1</strong> で参加できます" in html
    assert "佐藤 花子" in html and "デモメンバー" in html
    assert XSS_NAME not in html and "&lt;svg onload=__xss=1&gt;" in html
    # No inline script and no inline event handler: the page must run under a CSP without 'unsafe-inline'.
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all(" src=" in tag for tag in scripts)
    assert not re.search(r"<[^>]*\son[a-z]+=", html)
    unknown = client.get("/demo/chat?user=Unobody")
    assert unknown.status_code == 200
    assert "指定されたユーザーが見つかりませんでした" in unknown.get_data(as_text=True)


def test_console_exists_in_development_too(make_app: Any) -> None:
    client = make_app(env="development").test_client()
    assert client.get("/demo/chat").status_code == 200
    assert client.get("/demo/chat/users").get_json() == {"users": []}  # no seeded members outside the demo


@pytest.mark.parametrize("path", ["/demo/chat", "/demo/chat/users", "/demo/chat/conversation?user=U1"])
def test_console_is_404_outside_demo_and_development(make_app: Any, path: str) -> None:
    app = make_app(env="test")
    assert app.test_client().get(path).status_code == 404
    assert app.test_client().post("/demo/chat/say", json={"user": KNOWN, "text": "x"}).status_code == 404

    # Defence in depth: even if the blueprint were registered by mistake, its views refuse.
    wrongly_wired = make_app(env="test")
    wrongly_wired.register_blueprint(views.bp)
    assert wrongly_wired.test_client().get(path).status_code == 404
    response = wrongly_wired.test_client().post("/demo/chat/say", json={"user": KNOWN, "text": "x"})
    assert response.status_code == 404
