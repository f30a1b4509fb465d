"""The fake LINE platform's rich menu endpoints refuse what LINE refuses and remember who sees which menu.

Requests that should pass are also checked against LINE's OpenAPI description (refused ones are
deliberately malformed, so only their answers are checked)."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from linecomm.line.fake import FakeLinePlatform
from tests.richmenu.menu_images import png
from tests.support.line_openapi import assert_conforms_to_openapi

TOKEN = "fake-richmenu-token"
USER = "U" + "1" * 32
OTHER = "U" + "2" * 32


@pytest.fixture
def fake() -> Iterator[FakeLinePlatform]:
    platform = FakeLinePlatform(channel_access_token=TOKEN)
    platform.start()
    yield platform
    platform.stop()


def call(fake: FakeLinePlatform, method: str, path: str, body: Any = None, *, data: bytes | None = None,
         content_type: str = "application/json") -> tuple[int, Any]:
    payload = data if data is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(fake.url + path, data=payload, method=method, headers={
        "Authorization": f"Bearer {TOKEN}", "Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw, status = response.read(), response.status
    except urllib.error.HTTPError as error:
        raw, status = error.read(), error.code
    try:
        return status, json.loads(raw or b"null")
    except ValueError:
        return status, raw


def menu(width: int = 1200, height: int = 405, **changes: Any) -> dict[str, Any]:
    body = {"size": {"width": width, "height": height}, "selected": False, "name": "test menu",
            "chatBarText": "メニュー",
            "areas": [{"bounds": {"x": 0, "y": 0, "width": width // 2, "height": height},
                       "action": {"type": "message", "text": "参加する"}},
                      {"bounds": {"x": width // 2, "y": 0, "width": width - width // 2, "height": height},
                       "action": {"type": "uri", "uri": "https://liff.line.me/123-abc/me"}}]}
    body.update(changes)
    return body


def created(fake: FakeLinePlatform, width: int = 1200, height: int = 405, image: bool = True) -> str:
    status, body = call(fake, "POST", "/v2/bot/richmenu", menu(width, height))
    assert status == 200, body
    if image:
        status, body = call(fake, "POST", f"/v2/bot/richmenu/{body['richMenuId']}/content",
                            data=png(width, height), content_type="image/png")
        assert status == 200, body
    return fake.rich_menus()[-1]["richMenuId"]


def details(answer: tuple[int, Any]) -> list[str]:
    status, body = answer
    assert status == 400, body
    return [d["property"] for d in body.get("details", [])]


def test_a_menu_is_created_uploaded_made_default_linked_and_deleted_as_on_line(fake: FakeLinePlatform) -> None:
    join, community = created(fake), created(fake, 2500, 1686)
    assert call(fake, "POST", f"/v2/bot/user/all/richmenu/{join}") == (200, {})
    assert call(fake, "GET", "/v2/bot/user/all/richmenu") == (200, {"richMenuId": join})
    assert fake.rich_menu_shown_to(USER)["richMenuId"] == join
    assert fake.rich_menu_shown_to(USER)["source"] == "default"
    assert call(fake, "POST", f"/v2/bot/user/{USER}/richmenu/{community}") == (200, {})
    assert call(fake, "GET", f"/v2/bot/user/{USER}/richmenu") == (200, {"richMenuId": community})
    assert fake.rich_menu_shown_to(USER)["richMenuId"] == community
    assert call(fake, "GET", f"/v2/bot/user/{OTHER}/richmenu")[0] == 404  # the default is not "linked"
    assert call(fake, "DELETE", f"/v2/bot/user/{USER}/richmenu") == (200, {})
    assert fake.rich_menu_shown_to(USER)["richMenuId"] == join
    assert call(fake, "POST", "/v2/bot/richmenu/bulk/link", {"richMenuId": community, "userIds": [USER, OTHER]}) \
        == (202, {})
    assert {fake.rich_menu_shown_to(u)["richMenuId"] for u in (USER, OTHER)} == {community}
    assert call(fake, "POST", "/v2/bot/richmenu/bulk/unlink", {"userIds": [OTHER]}) == (202, {})
    assert fake.rich_menu_shown_to(OTHER)["richMenuId"] == join
    status, listing = call(fake, "GET", "/v2/bot/richmenu/list")
    assert status == 200 and [m["richMenuId"] for m in listing["richmenus"]] == [join, community]
    status, image = call(fake, "GET", f"/v2/bot/richmenu/{community}/content")
    assert status == 200 and image == png(2500, 1686)
    assert call(fake, "DELETE", f"/v2/bot/richmenu/{community}") == (200, {})
    assert fake.rich_menu_shown_to(USER)["richMenuId"] == join  # a deleted menu is nobody's any more
    assert call(fake, "GET", f"/v2/bot/richmenu/{community}")[0] == 404
    assert call(fake, "DELETE", "/v2/bot/user/all/richmenu") == (200, {})
    assert fake.rich_menu_shown_to(USER) is None
    assert_conforms_to_openapi(fake.requests)


@pytest.mark.parametrize(("width", "height"), [(799, 540), (2501, 1686), (1200, 200), (1000, 800)])
def test_a_size_line_refuses_is_a_400(fake: FakeLinePlatform, width: int, height: int) -> None:
    assert details(call(fake, "POST", "/v2/bot/richmenu", menu(1200, 405, size={"width": width, "height": height}))) \
        == ["size"]
    assert details(call(fake, "POST", "/v2/bot/richmenu/validate",
                        menu(1200, 405, size={"width": width, "height": height}))) == ["size"]
    assert fake.rich_menus() == []


def test_areas_out_of_bounds_too_many_areas_and_bad_actions_are_refused(fake: FakeLinePlatform) -> None:
    outside = menu()
    outside["areas"][1]["bounds"]["x"] = 700  # 700 + 600 > 1200
    assert details(call(fake, "POST", "/v2/bot/richmenu", outside)) == ["areas[1].bounds"]
    area = {"bounds": {"x": 0, "y": 0, "width": 50, "height": 50}, "action": {"type": "message", "text": "a"}}
    assert details(call(fake, "POST", "/v2/bot/richmenu", menu(areas=[area] * 21))) == ["areas"]
    camera = menu()
    camera["areas"][0]["action"] = {"type": "camera", "label": "カメラ"}
    assert details(call(fake, "POST", "/v2/bot/richmenu", camera)) == ["areas[0].action.type"]
    assert details(call(fake, "POST", "/v2/bot/richmenu", menu(chatBarText="あ" * 15))) == ["chatBarText"]
    assert details(call(fake, "POST", "/v2/bot/richmenu", menu(name="a" * 301))) == ["name"]
    assert call(fake, "POST", "/v2/bot/richmenu/validate", menu()) == (200, {})
    assert fake.rich_menus() == []


def test_images_must_match_the_menu_and_come_once_and_first(fake: FakeLinePlatform) -> None:
    status, body = call(fake, "POST", "/v2/bot/richmenu", menu())
    menu_id = body["richMenuId"]
    assert call(fake, "POST", f"/v2/bot/user/all/richmenu/{menu_id}")[0] == 400  # no image yet
    assert call(fake, "POST", f"/v2/bot/user/{USER}/richmenu/{menu_id}")[0] == 400
    upload = f"/v2/bot/richmenu/{menu_id}/content"
    assert call(fake, "POST", upload, data=png(1200, 405), content_type="image/gif")[0] == 415
    assert call(fake, "POST", upload, data=png(1200, 810), content_type="image/png")[0] == 400  # wrong size
    assert call(fake, "POST", upload, data=b"\x89PNG" + b"\0" * (1024 * 1024), content_type="image/png")[0] == 413
    assert call(fake, "POST", upload, data=png(1200, 405), content_type="image/png") == (200, {})
    status, body = call(fake, "POST", upload, data=png(1200, 405), content_type="image/png")
    assert status == 400 and "already" in body["message"]
    assert call(fake, "POST", "/v2/bot/richmenu/richmenu-" + "0" * 32 + "/content", data=png(1200, 405),
                content_type="image/png")[0] == 404
    assert call(fake, "POST", f"/v2/bot/user/notauser/richmenu/{menu_id}")[0] == 400


def test_bulk_link_takes_1_to_500_user_ids(fake: FakeLinePlatform) -> None:
    menu_id = created(fake)
    users = [f"U{i:032x}" for i in range(501)]
    assert details(call(fake, "POST", "/v2/bot/richmenu/bulk/link", {"richMenuId": menu_id, "userIds": users})) \
        == ["userIds"]
    assert details(call(fake, "POST", "/v2/bot/richmenu/bulk/link", {"richMenuId": menu_id, "userIds": []})) \
        == ["userIds"]
    assert call(fake, "POST", "/v2/bot/richmenu/bulk/link", {"richMenuId": menu_id, "userIds": users[:500]}) \
        == (202, {})
    assert fake.rich_menu_shown_to(users[499])["richMenuId"] == menu_id
    assert fake.rich_menu_shown_to(users[500]) is None


def test_a_channel_holds_at_most_1000_rich_menus(fake: FakeLinePlatform) -> None:
    body = json.dumps(menu()).encode()
    import http.client

    connection = http.client.HTTPConnection(fake.url.removeprefix("http://"), timeout=10)
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    for _ in range(1000):
        connection.request("POST", "/v2/bot/richmenu", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        assert response.status == 200
    connection.close()
    status, answer = call(fake, "POST", "/v2/bot/richmenu", menu())
    assert status == 400 and "upper limit" in answer["message"]
    first = fake.rich_menus()[0]["richMenuId"]
    assert call(fake, "DELETE", f"/v2/bot/richmenu/{first}") == (200, {})
    assert call(fake, "POST", "/v2/bot/richmenu", menu())[0] == 200
