"""Features plug into chat by registering with linecomm.chat.router from their own module: a keyword
(matched after folding) and a postback action are routed to them; a word, an action or a place in the
walk that another feature holds is refused when registered, loudly."""
from __future__ import annotations

import importlib
import sys
from types import ModuleType

import pytest

from linecomm.chat import router
from tests.support.community import ChatUser, Community

GUEST_GUIDANCE = "招待コードをご用意のうえ"  # what a follower who is not a member is told for free text
GUEST_HELP = "ヘルプ：この案内を表示します"


def _import_fresh(monkeypatch: pytest.MonkeyPatch, name: str) -> ModuleType:
    """Import a test feature module anew (registering into the test's router); forgotten after the test."""
    monkeypatch.delitem(sys.modules, name, raising=False)
    return importlib.import_module(name)


def _answer(community: Community, user: ChatUser, action, *args) -> list[str]:  # type: ignore[no-untyped-def]
    before = len(user.texts())
    assert action(*args).status == 200
    community.drain()
    return user.texts()[before:]


def test_a_feature_adds_a_keyword_and_a_button_from_its_own_module(
    community: Community, chat_router: router.Router, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = community.user("鳥 好子")
    _answer(community, user, user.follow)
    assert any(GUEST_GUIDANCE in t for t in _answer(community, user, user.say, "ｵｳﾑ!"))  # nobody's keyword yet

    _import_fresh(monkeypatch, "tests.chat.parrot_chat")

    assert _answer(community, user, user.say, "ｵｳﾑ!") == ["オウムです。「ｵｳﾑ!」"]  # width, kana, punctuation folded
    assert _answer(community, user, user.say, "Parrot") == ["オウムです。「Parrot」"]
    assert _answer(community, user, user.tap, "action=parrot&color=green") == ["オウムのボタンです（green）。"]
    assert any(GUEST_HELP in t for t in _answer(community, user, user.say, "ヘルプ"))  # the others' keywords stay


def test_a_keyword_another_feature_has_is_refused_when_the_module_registers_it(
    chat_router: router.Router, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(router.RegistrationConflict, match=r"'ﾍﾙﾌﾟ'.*linecomm\.members\.chat\.on_help"):
        _import_fresh(monkeypatch, "tests.chat.greedy_chat")


def test_a_postback_action_or_a_place_in_the_walk_is_held_by_one_feature(chat_router: router.Router) -> None:
    def handler(ctx: object, member: object) -> bool:
        return True

    with pytest.raises(router.RegistrationConflict, match=r"'report'.*linecomm\.moderation\.chat\.on_report"):
        chat_router.postback("report", handler)
    with pytest.raises(router.RegistrationConflict, match=r"linecomm\.members\.chat\.thank_member"):
        chat_router.message(router.MEMBER, handler)
    with pytest.raises(router.RegistrationConflict, match="the keywords"):
        chat_router.message(router.KEYWORDS, handler)
    with pytest.raises(router.RegistrationConflict, match="letters"):
        chat_router.keyword(["！！"], handler)  # nothing left once folded: it would match nothing, or everything
    with pytest.raises(router.RegistrationConflict, match="senders are already found"):
        chat_router.senders(handler, handler)  # type: ignore[arg-type]
