"""What `linecomm richmenu ...` says (Japanese first, English after a slash, for operators of either)."""
from __future__ import annotations

KIND_LABELS = {"join": "参加前メニュー (join)", "community": "メンバーメニュー (community)",
               "ranked": "特典メニュー (ranked)"}

IMAGE_OPTION_FORM = ("--image は join=PATH、community=PATH または ranked=PATH の形で指定してください。"
                     " / Use --image join=PATH, community=PATH or ranked=PATH.")
IMAGE_TWICE = "{kind} の画像が2回指定されています。 / The {kind} image is given twice."
IMAGE_UNREADABLE = "画像ファイルを読めませんでした（{path}）: {reason} / Cannot read the image file."
IMAGE_REFUSED = "{path} はリッチメニューの画像に使えません: {problems}"
DEPLOY_FAILED = "リッチメニューを設定できませんでした: {reason} / The rich menus could not be deployed."
BACKFILL_FAILED = "メンバーへのリッチメニューの紐づけが途中で止まりました（もう一度実行すると続きから紐づけます）: {reason} / Linking stopped; run it again."
STATUS_FAILED = "LINE のデフォルトメニューを確認できませんでした: {reason} / Could not read LINE's default menu."
NOT_DEPLOYED = "メンバーメニューがまだありません。先に linecomm richmenu deploy を実行してください。 / Run `linecomm richmenu deploy` first."


def kept(kind: str, menu_id: str) -> str:
    return f"{KIND_LABELS[kind]}: 変更なし {menu_id} / unchanged"


def created(kind: str, menu_id: str) -> str:
    return f"{KIND_LABELS[kind]}: 作成しました {menu_id} / created"


def default_set(menu_id: str) -> str:
    return f"デフォルトのリッチメニュー: {menu_id} / default menu"


def deleted(count: int) -> str:
    return f"古いリッチメニューを{count}件削除しました / deleted {count} old rich menu(s)"


def linked(members: int, unlinked: int) -> str:
    return (f"メンバー{members:,}人にメンバーメニューを紐づけ、退会した{unlinked:,}人の紐づけを解除しました"
            f" / linked {members:,} member(s), unlinked {unlinked:,} former member(s)")
