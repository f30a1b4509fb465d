"""NG-word matching is Japanese-aware: width, case, kana, and characters slipped between the letters."""
from __future__ import annotations

import pytest

from linecomm.moderation import ngwords
from linecomm.moderation.matcher import NgEntry, NgMatcher, term_key

LIST = [("バカ", "hold"), ("死ね", "block"), ("副業", "flag"), ("fuck", "block"), ("ass", "flag"),
        ("ばーか", "hold"), ("LINE ID", "flag"), ("キモい", "hold")]
MATCHER = NgMatcher(NgEntry(t, term_key(t), a) for t, a in LIST)


@pytest.mark.parametrize(
    ("text", "action", "terms"),
    [
        ("バカ", "hold", ["バカ"]),
        ("ばか", "hold", ["バカ"]),  # hiragana for katakana
        ("ﾊﾞｶ", "hold", ["バカ"]),  # half-width katakana with a separate dakuten
        ("バ カ", "hold", ["バカ"]),  # a space between the letters
        ("バ　カ", "hold", ["バカ"]),  # an ideographic space
        ("ば.か", "hold", ["バカ"]),
        ("バ・カ", "hold", ["バカ"]),
        ("バ★カ！！", "hold", ["バカ"]),
        ("ば\u200bか", "hold", ["バカ"]),  # a zero-width space
        ("お前ほんとバカだな", "hold", ["バカ"]),
        ("ばーーか", None, []),  # a different word (and not the entry ばーか)
        ("ばーか", "hold", ["ばーか"]),
        ("ﾊﾞｰｶ", "hold", ["ばーか"]),
        ("死ね", "block", ["死ね"]),
        ("死 ね", "block", ["死ね"]),
        ("バカ、死ね", "block", ["死ね", "バカ"]),  # the strongest action wins; every match is listed
        ("簡単な副業で稼げます", "flag", ["副業"]),
        ("ＦＵＣＫ", "block", ["fuck"]),  # full-width capitals
        ("f u c k", "block", ["fuck"]),
        ("F.U.C.K!", "block", ["fuck"]),
        ("what the fuck", "block", ["fuck"]),
        ("fuckだ", "block", ["fuck"]),
        ("class", None, []),  # ASCII entries match whole words only
        ("passion", None, []),
        ("ass", "flag", ["ass"]),
        ("my line id is x", "flag", ["LINE ID"]),
        ("きもい", "hold", ["キモい"]),
        ("キ モ イ", "hold", ["キモい"]),
        ("とても美味しいです", None, []),
        ("", None, []),
    ],
)
def test_ng_word_matching(text: str, action: str | None, terms: list[str]) -> None:
    verdict = MATCHER.check(text)
    assert verdict.action == action
    assert verdict.terms == terms


@pytest.mark.parametrize(("term", "key"), [("バカ", "ばか"), ("ﾊﾞｶ", "ばか"), ("Ｂａｋａ", "baka"), ("L I N E", "line"),
                                           ("「死ね」", "死ね"), ("！？", "")])
def test_terms_are_stored_in_their_matching_form(term: str, key: str) -> None:
    assert term_key(term) == key


def test_the_default_list_parses_and_catches_the_usual_suspects() -> None:
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(ngwords.default_list_csv())))
    assert len(rows) >= 30
    assert {r["action"] for r in rows} == {"block", "hold", "flag"}
    assert len({term_key(r["term"]) for r in rows}) == len(rows), "two default entries fold to the same key"
    matcher = NgMatcher(NgEntry(r["term"], term_key(r["term"]), r["action"]) for r in rows)
    assert matcher.check("お前なんか氏ね").action == "block"
    assert matcher.check("ﾊﾞｶじゃないの").action == "hold"
    assert matcher.check("副業で月50万").action == "flag"
    for harmless in ("カスタードクリームが好きです", "気持ちいい朝ですね", "少しねむいです", "おいしかったです！",
                     "クラスのみんなで使いました", "かすかな香りが素敵"):
        assert matcher.check(harmless).action is None, harmless
