"""What the account says in chat about joining, help and leaving. Copy lives here so it can be reviewed
and changed without touching the rules. Written as the brand writes to its customers (丁寧語)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from linecomm.timezones import JST

Message = dict[str, Any]


def text(body: str, quick_replies: list[dict[str, Any]] | None = None) -> Message:
    message: Message = {"type": "text", "text": body}
    if quick_replies:
        message["quickReply"] = {"items": [{"type": "action", "action": a} for a in quick_replies]}
    return message


def postback(label: str, data: str, display_text: str | None = None) -> dict[str, Any]:
    action = {"type": "postback", "label": label, "data": data}
    if display_text:
        action["displayText"] = display_text
    return action


def say(label: str, message_text: str | None = None) -> dict[str, Any]:
    return {"type": "message", "label": label, "text": message_text or label}


JOIN_BUTTON = postback("参加する", "action=join", "参加する")
HELP_BUTTON = say("ヘルプ")


def greeting(display_name: str | None, unblocked: bool = False) -> list[Message]:
    name = f"{display_name}さん、" if display_name else ""
    thanks = "ブロック解除ありがとうございます。" if unblocked else "友だち追加ありがとうございます。"
    return [
        text(
            f"{name}{thanks}\n\n"
            "このアカウントでは、ブランドを愛用してくださる皆さまと一緒に、"
            "商品の使い方を語り合ったり、新しいアイデアを考えたりするメンバー限定のコミュニティを運営しています。"
        ),
        text(
            "コミュニティは招待制です。招待コードをお持ちの方は「参加する」を押してください。",
            [JOIN_BUTTON, HELP_BUTTON],
        ),
    ]


def welcome_back(nickname: str | None) -> list[Message]:
    name = f"{nickname}さん、" if nickname else ""
    return [text(f"{name}おかえりなさい。またお話しできてうれしいです。\n困ったときは「ヘルプ」と送ってください。")]


def ask_code() -> list[Message]:
    return [
        text(
            "コミュニティへのご参加ありがとうございます。\nお手元の招待コードを入力してください。",
            [say("やめる", "キャンセル")],
        )
    ]


def code_not_found() -> list[Message]:
    return [
        text(
            "申し訳ありません。その招待コードは見つかりませんでした。\n"
            "英数字に誤りがないかご確認のうえ、もう一度入力してください。",
            [say("やめる", "キャンセル")],
        )
    ]


def code_expired() -> list[Message]:
    return [text("申し訳ありません。この招待コードは有効期限が切れています。\n招待してくださった方に新しいコードをお問い合わせください。")]


def code_used_up() -> list[Message]:
    return [text("申し訳ありません。この招待コードは利用可能な人数に達しました。\n招待してくださった方に新しいコードをお問い合わせください。")]


def code_disabled() -> list[Message]:
    return [text("申し訳ありません。この招待コードは現在ご利用いただけません。")]


def _when(moment: datetime, now: datetime) -> str:
    """A time in Japan, rounded up to the minute; the date too when it is not today."""
    local = (moment + timedelta(seconds=59)).astimezone(JST)
    today = now.astimezone(JST).date()
    return local.strftime("%H:%M") if local.date() == today else f"{local.month}月{local.day}日 {local:%H:%M}"


def code_entry_closed(until: datetime, now: datetime, everyone: bool = False) -> list[Message]:
    """Wrong codes were typed too often (by this member, or by `everyone`): no code is taken until `until`."""
    why = ("ただいま招待コードの受付を一時的に停止しています。" if everyone
           else "招待コードが続けて一致しなかったため、しばらく入力をお受けできません。")
    return [text(f"申し訳ありません。{why}\n{_when(until, now)}以降に、もう一度入力してください。",
                 [say("やめる", "キャンセル")])]


def code_gone_meanwhile(reason: str) -> list[Message]:
    """The code was fine when they typed it, but not when they finished (`reason`: a CodeCheck value)."""
    what = {"expired": "有効期限が切れました", "disabled": "ご利用いただけなくなりました"}.get(
        reason, "利用可能な人数に達しました")
    return [text(f"申し訳ありません。お手続きの間に、この招待コードは{what}。\n"
                 "お手数ですが、招待してくださった方に新しいコードをお問い合わせのうえ、入力してください。",
                 [say("やめる", "キャンセル")])]


def ask_consent(notice_url: str, version: str) -> list[Message]:
    return [
        text(
            "招待コードを確認しました。\n\n"
            "ご参加にあたり、プライバシーポリシーへの同意をお願いしています。"
            "コミュニティでのご投稿やアンケートのご回答は、商品開発とコミュニティ運営のために利用します。"
            "本名などの個人情報が他のメンバーに表示されることはありません。\n\n"
            f"プライバシーポリシー（{version}版）\n{notice_url}",
            [postback("同意する", f"action=consent&v={version}", "同意する"), postback("同意しない", "action=decline", "同意しない")],
        )
    ]


def ask_nickname() -> list[Message]:
    return [
        text(
            "ご同意ありがとうございます。\n\n"
            "最後に、コミュニティで表示されるニックネームを入力してください（20文字まで）。\n"
            "本名ではなく、お好きな呼び名をおすすめします。"
        )
    ]


def nickname_invalid(reason: str) -> list[Message]:
    return [text(f"申し訳ありません。{reason}\n別のニックネームを入力してください。")]


def joined(nickname: str, cohort: str) -> list[Message]:
    return [
        text(
            f"{nickname}さん、ようこそ！{cohort}としてコミュニティに参加しました。\n\n"
            "これから定期的にテーマをお届けします。お気軽にチャットでお答えください。",
            [HELP_BUTTON],
        )
    ]


def join_cancelled() -> list[Message]:
    return [text("参加の手続きを取りやめました。\nまたいつでも「参加する」からお手続きいただけます。", [JOIN_BUTTON])]


def consent_declined() -> list[Message]:
    return [text("承知しました。同意いただけない場合はコミュニティにご参加いただけません。\nご検討いただけましたら、また「参加する」からお手続きください。", [JOIN_BUTTON])]


def already_member(nickname: str | None) -> list[Message]:
    return [text(f"{nickname or ''}さんはすでにコミュニティのメンバーです。いつもありがとうございます。", [HELP_BUTTON])]


def help_for_member(nickname: str | None) -> list[Message]:
    return [
        text(
            "ご利用いただけるキーワードです。\n\n"
            "・ヘルプ：この案内を表示します\n"
            "・テーマ：回答を受付中のテーマをもう一度表示します\n"
            "・質問：メンバー同士のQ&Aとよくある質問のページをご案内します\n"
            "・アンケート：回答を受付中のアンケートをご案内します\n"
            "・アイデア：アイデアの投稿・応援のページをご案内します\n"
            "・ポイント：ポイントの残高とランクを表示します\n"
            "・ランキング：今月と累計のランキングを表示します\n"
            "・退会：コミュニティを退会します\n\n"
            "届いたテーマには、このチャットでそのままお答えいただけます。",
            [say("退会")],
        )
    ]


def help_for_guest() -> list[Message]:
    return [
        text(
            "このアカウントではメンバー限定のコミュニティを運営しています。\n\n"
            "・参加する：招待コードで参加手続きを始めます\n"
            "・ヘルプ：この案内を表示します",
            [JOIN_BUTTON],
        )
    ]


def guest_guidance() -> list[Message]:
    return [
        text(
            "メッセージありがとうございます。\nコミュニティへのご参加は、招待コードをご用意のうえ「参加する」を押してください。",
            [JOIN_BUTTON, HELP_BUTTON],
        )
    ]


def member_thanks() -> list[Message]:
    return [text("メッセージありがとうございます。次のテーマのお届けまで、今しばらくお待ちください。", [HELP_BUTTON])]


def confirm_leave() -> list[Message]:
    return [
        text(
            "コミュニティを退会しますか？\n退会後はテーマなどのお知らせが届かなくなります。",
            [postback("退会する", "action=leave_confirm", "退会する"), postback("やめる", "action=leave_cancel", "やめる")],
        )
    ]


def left() -> list[Message]:
    return [text("退会の手続きが完了しました。これまでご参加いただき、ありがとうございました。\nまたいつでもお待ちしています。", [JOIN_BUTTON])]


def leave_cancelled() -> list[Message]:
    return [text("退会を取りやめました。引き続きよろしくお願いいたします。")]


def not_a_member() -> list[Message]:
    return [text("現在コミュニティには参加されていません。", [JOIN_BUTTON])]


def join_step_reminder(step: str) -> list[Message]:
    if step == "consent":
        return [text("プライバシーポリシーへの同意について、下のボタンからお選びください。")]
    return [text("お手続きの途中です。画面の案内に沿ってご入力ください。")]


def suspended() -> list[Message]:
    return [text("申し訳ありません。現在、運営の判断により投稿を停止しています。詳しくはヘルプをご覧ください。")]


def group_declined() -> list[Message]:
    return [
        text(
            "グループへのご招待ありがとうございます。\n"
            "申し訳ありませんが、このアカウントは1対1のトークでのみご利用いただけます。退出させていただきます。"
        )
    ]


def unsupported_message() -> list[Message]:
    return [text("申し訳ありません。このメッセージには対応していません。\n困ったときは「ヘルプ」と送ってください。", [HELP_BUTTON])]
