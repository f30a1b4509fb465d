"""What a member is told when a photo is refused (丁寧語, shown beside the photo field)."""
from __future__ import annotations

NOT_AN_IMAGE = "写真はJPEGまたはPNGの画像を選んでください。"
TOO_LARGE = "写真のファイルが大きすぎます（{limit}MBまで）。小さくしてからもう一度お選びください。"
TOO_MANY_PIXELS = "写真の画素数が大きすぎます。小さくしてからもう一度お選びください。"
BROKEN = "写真を読み込めませんでした。ファイルが壊れていないかご確認のうえ、もう一度お選びください。"
EMPTY = "写真のファイルが空です。もう一度お選びください。"


def too_large(limit_bytes: int) -> str:
    return TOO_LARGE.format(limit=max(1, limit_bytes // (1024 * 1024)))
