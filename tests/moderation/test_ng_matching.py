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


def _default_matcher() -> NgMatcher:
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(ngwords.default_list_csv())))
    return NgMatcher(ngwords.entry_of(r["term"], term_key(r["term"]), r["action"],
                                      ngwords.clean_readings(r.get("readings"), term_key(r["term"]))) for r in rows)


@pytest.mark.parametrize(
    ("text", "action", "terms"),
    [
        ("ＢＡＫＡ", "hold", ["バカ"]),  # full-width romaji: the entry バカ carries the reading baka
        ("お前ｂａｋａだろ", "hold", ["バカ"]),
        ("kabaka", None, []),  # ASCII readings stand as words
        ("しね", "block", ["死ね"]),  # kana for a kanji entry
        ("ｼﾈ", "block", ["死ね"]),
        ("お前、しねよ", "block", ["死ね"]),  # hiragana may follow a reading
        ("少しねむいです", None, []),  # a kana reading must start a word…
        ("雨だしね", None, []),
        ("シネマに行きました", None, []),  # …and not run on into katakana or a kanji
        ("ころすぞ", "block", ["ころすぞ", "殺す"]),
        ("こころすっきり", None, []),
    ],
)
def test_the_default_list_matches_readings(text: str, action: str | None, terms: list[str]) -> None:
    verdict = _default_matcher().check(text)
    assert (verdict.action, verdict.terms) == (action, terms)


def test_readings_are_cleaned_and_checked() -> None:
    key = term_key("死ね")
    # シネ folds to しね, and 死ね is the term itself: both left out.
    assert ngwords.clean_readings("しね、シネ | shine／死ね", key) == "しね|shine"
    assert ngwords.clean_readings("", key) is None
    with pytest.raises(ngwords.NgWordError, match="記号や空白だけ"):
        ngwords.clean_readings("しね、！？", key)
    with pytest.raises(ngwords.NgWordError, match="10個まで"):
        ngwords.clean_readings("、".join(f"よみ{i}" for i in range(11)), key)


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("090-1234-5678", ("phone",)),
        ("０９０ー１２３４ー５６７８", ("phone",)),  # full-width digits, the long-vowel mark as a hyphen
        ("０９０－１２３４－５６７８", ("phone",)),
        ("03-1234-5678", ("phone",)),
        ("(03)1234-5678", ("phone",)),
        ("+81-90-1234-5678", ("phone",)),
        ("+81 3 1234 5678", ("phone",)),
        ("電話は09012345678です", ("phone",)),
        ("0120-123-456", ("phone",)),
        ("taro.yamada@example.co.jp", ("email",)),
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ", ("email",)),
        ("LINE ID: hanako_123", ("line_id",)),
        ("ラインIDはhanako123です", ("line_id",)),
        ("ID教えて", ("line_id",)),
        ("LINE交換しませんか", ("line_id",)),
        ("〒123-4567", ("address",)),
        ("郵便番号は150-0041です", ("address",)),
        ("東京都渋谷区神南1-2-3", ("address",)),
        ("渋谷区神南１丁目２番３号", ("address",)),
        ("090-1234-5678 か a@b.jp へ", ("phone", "email")),
        ("2024-03-15に行きました", ()),
        ("価格は1,980円です", ()),
        ("3-4人で使いました", ()),
        ("このラインの化粧水が好き", ()),
        ("IDカードを忘れました", ()),
        ("品番 0001234567", ()),
        ("100-1000円くらい", ()),
        ("電話番号は秘密です", ()),
    ],
)
def test_the_personal_data_rule_finds_japanese_phone_numbers_mail_line_ids_and_addresses(
    text: str, kinds: tuple[str, ...]
) -> None:
    from linecomm.moderation import personal_data

    assert personal_data.find(text) == kinds
