"""What members, newcomers and marketers read about referrals (丁寧語)."""
from __future__ import annotations

from linecomm.referrals.service import Verdict

INVITE_TITLE = "友だちを招待する"
INVITE_LEAD = "あなた専用の招待リンクです。LINEで友だちに送ると、友だちがこのリンクから参加したときに紹介として記録されます。"
SHARE_BUTTON = "LINEで友だちに送る"
SHARE_DONE = "招待メッセージを送りました。ありがとうございます。"
SHARE_UNAVAILABLE = "この環境では友だちの選択画面を開けません。リンクをコピーして送ってください。"
SHARE_FAILED = "送信できませんでした。もう一度お試しください。"
COPY_HINT = "リンクを長押しするとコピーできます。"
SECTION_TITLE = "友だち紹介"
SUSPENDED = "現在ご利用を停止しているため、招待リンクはお使いいただけません。"
MY_PAGE_LINK = "招待リンクを開く"


def share_message(nickname: str | None, url: str) -> str:
    who = f"{nickname}さん" if nickname else "メンバー"
    return (f"{who}から、招待制コミュニティへのご招待です。\n"
            f"下のリンクを開いて「紹介を受けて参加する」を押し、案内にそって参加してください。\n{url}")


JOIN_TITLE = "コミュニティへのご招待"
ACCEPT_BUTTON = "紹介を受けて参加する"
ACCEPTED_TITLE = "紹介を受け付けました"


def invited_by(nickname: str | None) -> str:
    return f"{nickname}さんから、コミュニティへのご招待が届いています。" if nickname else "コミュニティへのご招待が届いています。"


REFUSALS = {
    Verdict.UNKNOWN_CODE: "この招待リンクは無効です。リンクが途中で切れていないか、送ってくれた方にご確認ください。",
    Verdict.REFERRER_INACTIVE: "この招待リンクは現在ご利用いただけません。恐れ入りますが、別のメンバーからの招待をご利用ください。",
    Verdict.SELF: "これはあなた自身の招待リンクです。ご自分を紹介することはできません。友だちに送ってご利用ください。",
    Verdict.LOOP: "このメンバーはあなたの紹介で参加された方のため、その方からの紹介は受け付けられません。",
    Verdict.ALREADY_MEMBER: "すでにコミュニティのメンバーです。紹介は、はじめて参加される方のみが対象です。",
    Verdict.FORMER_MEMBER: "以前ご参加いただいていた方は、紹介の対象外です。再参加はトーク画面から「参加」と送ってお手続きください。",
    Verdict.OTHER_REFERRER: "すでに別のメンバーからの紹介を受け付けています。そのまま参加のお手続きにお進みください。",
}
REFUSAL_TITLE = "紹介を受け付けられませんでした"

# The admin page
ADMIN_TITLE = "友だち紹介"
