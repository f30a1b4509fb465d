"""What appointments say, to members (LINE notice, LIFF pages) and to the owner (console). 丁寧語."""
from __future__ import annotations

from linecomm.ambassadors.models import AppointmentRole

TITLES = {AppointmentRole.AMBASSADOR: "公認アンバサダー", AppointmentRole.MEMBER_MODERATOR: "コミュニティモデレーター"}
BADGE_CODES = {AppointmentRole.AMBASSADOR: "ambassador", AppointmentRole.MEMBER_MODERATOR: "member_moderator"}


def appointment_notice(role: str, nickname: str | None, url: str | None) -> list[dict]:
    """The one LINE message a member receives when appointed."""
    name = f"{nickname}さん、" if nickname else ""
    lines = [f"{name}いつもコミュニティを盛り上げていただき、ありがとうございます。",
             f"このたび「{TITLES[role]}」にご就任いただきました。マイページに称号が表示されます。"]
    if role == AppointmentRole.MEMBER_MODERATOR:
        lines.append("通報された投稿を確認し、運営の確認まで非表示にしていただけます。ご協力をよろしくお願いいたします。")
        if url:
            lines.append(url)
    return [{"type": "text", "text": "\n".join(lines)}]


# Console.
RULES_SAVED = "候補者の条件を保存しました。"
APPOINTED = "{nickname}さんを{title}に任命し、LINEでお知らせしました。"
APPOINTED_HELD = "{nickname}さんを{title}に任命しました。お知らせは配信停止時間の終了後（{at}）に届きます。"
REVOKED = "{nickname}さんの{title}を解任しました。"
ALREADY = "{nickname}さんはすでに{title}です。"
NOT_APPOINTED = "この任命はすでに終了しています。"
NOT_A_MEMBER = "コミュニティのメンバー（利用停止中でない方）のみ任命できます。"
BAD_ROLE = "任命する役割を選んでください。"
BAD_NUMBER = "{what}は{low}から{high}までの半角の整数で入力してください。"
BAD_BADGES = "バッジは一覧から選んでください。"
REASON_MAX = 200

# LIFF: the member-moderator's page.
NOT_MODERATOR = "このページはコミュニティモデレーターの方のみご利用いただけます。"
HIDDEN_DONE = "投稿を非表示にしました。運営が内容を確認します。ご協力ありがとうございます。"
LIMIT_REACHED = "本日非表示にできる件数（{limit}件）に達しました。明日以降にお願いいたします。"
OWN_CONTENT = "ご自身の投稿は非表示にできません。"
OFFICIAL_CONTENT = "運営の投稿は非表示にできません。"
GONE = "この投稿はすでに非表示になったか、確認が済んでいます。"
NOTHING_REPORTED = "現在、確認が必要な通報はありません。"
