"""How a theme post takes answers: keywords win over answers during a window, the marketer chooses one
answer per member or several, and a post without an answer window is flagged in the composer and the CLI.
Driven by signed webhooks from simulated LINE users, the admin console over HTTP and the CLI."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from linecomm.cli import main as cli
from linecomm.moderation import ngwords
from linecomm.moderation.models import ContentState
from linecomm.themes.models import AnswerMode, ThemePost
from tests.admin.console import Console
from tests.pushes.processes import worker_env
from tests.themes.talk import Talk

NO_WINDOW = "回答の受付期間が未設定です"


def test_keywords_win_over_answers_while_a_window_is_open(talk: Talk) -> None:
    hana = talk.member("はなまる")
    post_id = talk.theme(title="朝のひと手間", text="朝のひと手間を教えてください。このトークに返信してください。")

    shown = talk.say(hana, "テーマ")
    assert "受付中のテーマは「朝のひと手間」です" in shown and "朝のひと手間を教えてください" in shown
    assert "まで、このトークにそのままお送りください" in shown
    assert "テーマ：回答を受付中のテーマをもう一度表示します" in talk.say(hana, "ﾍﾙﾌﾟ")
    assert "退会しますか" in talk.say(hana, "退会")
    talk.tap(hana, "action=leave_cancel")
    assert talk.answers(post_id) == []

    assert "ご回答ありがとうございます" in talk.say(hana, "テーマに合わせて白湯を飲みます")  # not a keyword
    assert [a[3] for a in talk.answers(post_id)] == ["テーマに合わせて白湯を飲みます"]


def test_without_an_open_window_the_theme_keyword_says_so(talk: Talk) -> None:
    hana = talk.member("はなまる")
    assert "ただいま回答を受け付けているテーマはありません" in talk.say(hana, "てーま")


def test_one_answer_per_member_when_the_marketer_chooses_so(talk: Talk) -> None:
    hana, taro = talk.member("はなまる"), talk.member("たろう")
    with talk.community.session() as s:
        ngwords.add(s, "ばか", "block")
    once = talk.theme(title="ひとこと", answer_mode=AnswerMode.SINGLE)

    assert "ご回答ありがとうございます" in talk.say(hana, "朝は白湯です")
    again = talk.say(hana, "やっぱりコーヒーです")
    assert "お一人さま1回まで" in again and "最初にお送りいただいた内容を回答として受け付けています" in again
    # A refused answer is not their answer: they may send another.
    assert "掲載できませんでした" in talk.say(taro, "ばかみたい")
    assert "ご回答ありがとうございます" in talk.say(taro, "朝は散歩です")
    assert [(a[0], a[2], a[3]) for a in talk.answers(once)] == [
        ("はなまる", ContentState.PUBLISHED, "朝は白湯です"),
        ("たろう", ContentState.BLOCKED, "ばかみたい"),
        ("たろう", ContentState.PUBLISHED, "朝は散歩です"),
    ]

    several = talk.theme(title="いくつでも")  # the default: every message is an answer
    talk.say(hana, "ひとつめ")
    talk.say(hana, "ふたつめ")
    assert [a[3] for a in talk.answers(several)] == ["ひとつめ", "ふたつめ"]


def test_the_composer_flags_a_post_without_answer_window_and_keeps_the_answer_mode(talk: Talk) -> None:
    marketer = Console(talk.community).client("marketer")
    form = {"title": "お知らせ", "text": "みなさんのおすすめを教えてください。", "choice_kind": "",
            "answer_mode": "single"}
    preview = marketer.post("/admin/posts/new", form | {"action": "preview"}).get_data(as_text=True)
    assert NO_WINDOW in preview and 'value="single" checked' in preview

    saved = marketer.follow(marketer.post("/admin/posts/new", form | {"action": "save"})).get_data(as_text=True)
    assert NO_WINDOW in saved  # said once more after saving, and on the post's page
    with talk.community.reader() as s:
        post = s.scalars(select(ThemePost).where(ThemePost.title == "お知らせ")).one()
        post_id, mode = post.id, post.answer_mode
    assert mode == AnswerMode.SINGLE
    assert NO_WINDOW in marketer.get(f"/admin/posts/{post_id}").get_data(as_text=True)

    with_window = form | {"action": "save", "answers_from": "2030-01-01T10:00", "answers_until": "2030-01-08T10:00",
                          "answer_mode": "multiple"}
    edited = marketer.follow(marketer.post(f"/admin/posts/{post_id}/edit", with_window)).get_data(as_text=True)
    assert NO_WINDOW not in edited and "（何度でも）" in edited
    bad = marketer.post(f"/admin/posts/{post_id}/edit", with_window | {"answer_mode": "often"})
    assert bad.status_code == 400 and "「1人1回」か「何度でも」" in bad.get_data(as_text=True)


def test_push_create_takes_the_answer_mode_and_warns_without_a_window(
    talk: Talk, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in worker_env(talk.community.settings).items():
        if key.startswith(("LINE", "DATABASE", "REDIS")):
            monkeypatch.setenv(key, value)
    result = CliRunner().invoke(cli, ["push", "create", "--title", "一問一答", "--text", "ひとことどうぞ",
                                      "--answer-mode", "single"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert NO_WINDOW in result.stderr
    with talk.community.reader() as s:
        assert s.get(ThemePost, int(result.stdout)).answer_mode == AnswerMode.SINGLE
    bad = CliRunner().invoke(cli, ["push", "create", "--title", "x", "--text", "y", "--answer-mode", "twice"])
    assert bad.exit_code != 0 and "answer-mode" in bad.output
