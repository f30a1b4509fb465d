"""The synchronous baseline: a webhook handled the way line-bot-sdk's flask-kitchensink example does it.

Modelled on line/line-bot-sdk-python examples/flask-kitchensink (v3 API): `handler.handle(body,
signature)` dispatches every event of the body inside the request, and each handler opens an
`ApiClient` and calls `reply_message(...)` before the next event is looked at; LINE gets its 200 only
after the last reply. Nothing is stored. Served by gunicorn exactly like linecomm:

    gunicorn --pythonpath bench kitchensink_baseline:app

Settings come from the same environment variables as linecomm's (LINE_CHANNEL_SECRET,
LINE_CHANNEL_ACCESS_TOKEN, LINE_API_BASE_URL).
"""
from __future__ import annotations

import os

from flask import Flask, abort, request
from linebot.v3 import WebhookHandler
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, ReplyMessageRequest, TextMessage
from linebot.v3.messaging.exceptions import ApiException
from linebot.v3.webhooks import FollowEvent, MessageEvent, PostbackEvent, TextMessageContent, UnfollowEvent

app = Flask(__name__)
configuration = Configuration(
    access_token=os.environ["LINE_CHANNEL_ACCESS_TOKEN"],
    host=os.environ.get("LINE_API_BASE_URL", "https://api.line.me").rstrip("/"),
)
handler = WebhookHandler(os.environ["LINE_CHANNEL_SECRET"])


@app.route("/callback", methods=["POST"])
@app.route("/webhooks/line", methods=["POST"])  # the path the benchmark's wrk script posts to
def callback() -> str:
    signature = request.headers["X-Line-Signature"]
    body = request.get_data(as_text=True)
    app.logger.info("Request body: %s", body)
    try:
        handler.handle(body, signature)
    except ApiException as exc:
        app.logger.warning("Got exception from LINE Messaging API: %s", exc.body)
    except InvalidSignatureError:
        abort(400)
    return "OK"


@app.get("/healthz")
def healthz() -> str:  # for the benchmark runner to see that gunicorn is up (not in the example)
    return "ok"


def _reply(reply_token: str, text: str) -> None:
    with ApiClient(configuration) as api_client:
        line_bot_api = MessagingApi(api_client)
        line_bot_api.reply_message(ReplyMessageRequest(reply_token=reply_token, messages=[TextMessage(text=text)]))


@handler.add(MessageEvent, message=TextMessageContent)
def handle_text_message(event: MessageEvent) -> None:
    _reply(event.reply_token, event.message.text)


@handler.add(FollowEvent)
def handle_follow(event: FollowEvent) -> None:
    _reply(event.reply_token, "Got follow event")


@handler.add(UnfollowEvent)
def handle_unfollow(event: UnfollowEvent) -> None:
    app.logger.info("Got Unfollow event: %s", event.source.user_id)


@handler.add(PostbackEvent)
def handle_postback(event: PostbackEvent) -> None:
    if event.postback.data == "ping":
        _reply(event.reply_token, "pong")
