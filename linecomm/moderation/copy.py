"""What the account tells a member about moderation: refused or held posts, reports, warnings and
suspensions. Polite (丁寧語) and short; kept here so it can be reviewed without touching the rules."""
from __future__ import annotations

from typing import Any

Message = dict[str, Any]


def text(body: str) -> Message:
    return {"type": "text", "text": body}


def report_action(content_id: int, label: str = "通報する") -> dict[str, Any]:
    """The postback action a feature puts under a member's post so others can report it."""
    return {"type": "postback", "label": label, "data": f"action=report&content={content_id}", "displayText": label}


def blocked_by_ng_word() -> list[Message]:
    return [
        text(
            "申し訳ありません。ご投稿に、コミュニティではお使いいただけない表現が含まれていたため、"
            "掲載できませんでした。\n表現を変えて、もう一度お送りいただけますと幸いです。"
        )
    ]


def held_for_review() -> list[Message]:
    return [text("ご投稿ありがとうございます。内容を運営で確認したうえで掲載いたします。しばらくお待ちください。")]


def held_for_personal_data() -> list[Message]:
    return [
        text(
            "ご投稿ありがとうございます。電話番号・メールアドレス・LINE ID・住所などの個人情報が含まれている"
            "可能性があるため、運営で確認したうえで掲載いたします。\n"
            "安全のため、個人情報は投稿しないようお願いいたします。"
        )
    ]


def not_a_member() -> list[Message]:
    return [text("申し訳ありません。投稿はコミュニティのメンバーの方のみご利用いただけます。")]


def suspended(reason: str | None) -> list[Message]:
    why = f"\n理由：{reason}" if reason else ""
    return [
        text(
            "申し訳ありません。現在、運営の判断によりご投稿を停止しています。"
            f"{why}\n\nテーマやお知らせは引き続きご覧いただけます。"
        )
    ]


def suspension_started(reason: str) -> list[Message]:
    return [
        text(
            "運営事務局よりお知らせです。\nコミュニティガイドラインに基づき、ご投稿を一時停止させていただきました。"
            f"\n理由：{reason}\n\nテーマやお知らせは引き続きご覧いただけます。"
        )
    ]


def suspension_lifted() -> list[Message]:
    return [text("運営事務局よりお知らせです。\nご投稿の停止を解除しました。これからもコミュニティをお楽しみください。")]


def warning(reason: str) -> list[Message]:
    return [
        text(
            "運営事務局よりお知らせです。\nご投稿の内容について、コミュニティガイドラインに沿わない点がありました。"
            f"\n理由：{reason}\n\n皆さまが気持ちよく参加できるよう、ご協力をお願いいたします。"
        )
    ]


def report_received() -> list[Message]:
    return [text("ご報告ありがとうございます。通報を受け付けました。運営で内容を確認いたします。")]


def report_duplicate() -> list[Message]:
    return [text("この投稿の通報はすでに受け付けています。ご協力ありがとうございます。")]


def report_not_possible() -> list[Message]:
    return [text("申し訳ありません。この投稿は通報できませんでした。すでに非表示になっているか、見つかりませんでした。")]


def report_own_post() -> list[Message]:
    return [text("ご自身の投稿は通報できません。")]


def report_members_only() -> list[Message]:
    return [text("通報はコミュニティのメンバーの方のみご利用いただけます。")]
