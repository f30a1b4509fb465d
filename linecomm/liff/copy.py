"""What LIFF pages say to members: sign-in problems, the invitation to join, the read-only notice, my page.
Written as the brand writes to its customers (丁寧語). Chat keywords are the members feature's own."""
from __future__ import annotations

SITE_NAME = "コミュニティ"

# Sign-in (POST /liff/session) and member actions.
TOKEN_MISSING = "LINEの認証情報が届きませんでした。ページを開き直してください。"
TOKEN_REFUSED = "LINEでの本人確認ができませんでした。お手数ですが、LINEのトーク画面からもう一度ページを開いてください。"
TOKEN_EXPIRED = "LINEでの本人確認の有効期限が切れました。お手数ですが、LINEのトーク画面からもう一度ページを開いてください。"
LOGIN_UNAVAILABLE = "ただいまLINEでの本人確認に時間がかかっています。少し時間をおいて「もう一度試す」を押してください。"
SESSION_EXPIRED = "しばらく操作がなかったため、LINEでの確認をやり直しています。"
CROSS_ORIGIN = "この送信はお受けできません。ページを開き直してから、もう一度お試しください。"
MEMBERS_ONLY = "この操作はコミュニティのメンバーの方のみご利用いただけます。"
READ_ONLY = "現在、運営の判断により投稿を停止しています。ページの閲覧は引き続きご利用いただけます。"
BAD_REQUEST = "送信内容を確認できませんでした。ページを開き直してから、もう一度お試しください。"

# Pages.
SIGNING_IN = "LINEで確認しています…"
RETRY = "もう一度試す"
INVITATION_TITLE = "コミュニティへのご招待"
SUSPENDED_NOTICE = READ_ONLY

# My page.
MY_PAGE = "マイページ"
NICKNAME_SAVED = "ニックネームを変更しました。"
LEAVE_TITLE = "コミュニティを退会する"
LEFT_TITLE = "退会の手続きが完了しました"

# The stand-in LIFF SDK (demo and tests on the fake LINE platform only).
STANDIN_NO_USER = "シミュレーションするLINEユーザーが選ばれていません。"
STANDIN_FAKE_DOWN = "疑似LINEプラットフォームに接続できませんでした。"
STANDIN_UNKNOWN_USER = "このLINEユーザーは疑似LINEプラットフォームに登録されていません（デモのチャット画面で友だち追加してください）。"
STANDIN_BAD_USER = "LINEユーザーIDの形式が正しくありません（U と32桁の英数字）。"
