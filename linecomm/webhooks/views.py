"""POST /webhooks/line: verify, store, enqueue, answer 200 — nothing else on the request path."""
from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from linecomm.web_runtime import get_runtime
from linecomm.webhooks import ingest

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__)
WEBHOOK_PATH = "/webhooks/line"
_OK = b'{"status":"ok"}\n'  # what jsonify(status="ok") writes, without building it for every delivery


def _error(status: int, message: str):  # type: ignore[no-untyped-def]
    return jsonify(error=message), status


@bp.post(WEBHOOK_PATH)
def receive():  # type: ignore[no-untyped-def]
    rt = get_runtime()
    limit = rt.settings.max_webhook_body_bytes
    # A body without Content-Length (chunked) is cut off by werkzeug at max_content_length without a word,
    # and its first megabyte would then fail the signature: allow one byte more, and that byte means 413.
    request.max_content_length = limit + 1
    try:
        body = request.get_data(cache=False)
    except RequestEntityTooLarge:
        return _error(413, "request body is too large")
    if len(body) > limit:
        return _error(413, "request body is too large")
    signature = request.headers.get("X-Line-Signature")
    if not signature:
        return _error(400, "missing X-Line-Signature header")
    try:
        ingest.verify_signature(body, signature, rt.settings.line_channel_secret)
    except ingest.InvalidSignature:
        log.warning("webhook with an invalid signature from %s", request.remote_addr)
        return _error(401, "invalid signature")
    try:
        events = ingest.parse_body(body)
    except ingest.InvalidBody as exc:
        log.warning("rejected a signed webhook body: %s", exc)
        return _error(400, str(exc))
    if events:
        stored = ingest.store_body(rt.engine, rt.queue, events)
        if stored.duplicates:
            current_app.logger.info("webhook: %d redelivered event(s) acknowledged", stored.duplicates)
    return Response(_OK, status=200, mimetype="application/json")
