"""What counts as farming (linecomm.points.farming): texts with no meaning, and near-same texts, compared
folded. The rule at work through signed webhooks and the console: tests/themes/test_answer_farming.py."""
from __future__ import annotations

import pytest

from linecomm.points import farming


@pytest.mark.parametrize("text", ["。", "！？", "👍", "🙇‍♀️🙇‍♀️", "あかさたな", "アイウエオ", "ｗｗｗ", "あああああ",
                                  "あいあいあい", "abc", "123", "　 ・"])
def test_texts_with_no_meaning(text: str) -> None:
    assert farming.meaningless(farming.fold(text), farming.DEFAULT.min_chars)


@pytest.mark.parametrize("text", ["いい", "わくわく", "白湯です", "朝は散歩", "OK!", "すごく良い👍"])
def test_short_texts_that_mean_something(text: str) -> None:
    assert not farming.meaningless(farming.fold(text), farming.DEFAULT.min_chars)


def test_near_same_ignores_punctuation_width_and_a_changed_letter_but_not_a_new_answer() -> None:
    first = farming.fold("このシャンプー、香りがとても好きです！")
    assert farming.near_same(first, farming.fold("このｼｬﾝﾌﾟｰ香りがとても好きです。"), 90)
    assert farming.near_same(first, farming.fold("このシャンプーの香りがとても好きです"), 90)
    assert not farming.near_same(first, farming.fold("このシャンプーは泡立ちがよくて、髪がまとまります"), 90)
    assert not farming.near_same(farming.fold("美味しい"), farming.fold("美味しかった"), 90)
