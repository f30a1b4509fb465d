"""POST /webhooks/line: verify, store, enqueue, answer 200 — nothing else on the request path."""
from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestEntityTooLarge

from linecomm.db import dialect_name, transaction
from linecomm.runtime import Runtime
from linecomm.web_runtime import get_runtime
from linecomm.webhooks import drain, ingest

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__)
WEBHOOK_PATH = "/webhooks/line"
_OK = b'{"status":"ok"}\n'  # what jsonify(status="ok") writes, without building it for every delivery


def _error(status: int, message: str):  # type: ignore[no-untyped-def]
    return jsonify(error=message), status


@bp.post(WEBHOOK_PATH)
def receive():  # type: ignore[no-untyped-def]
    rt = get_runtime()
    request.max_content_length = rt.settings.max_webhook_body_bytes
    try:
        body = request.get_data(cache=False)
    except RequestEntityTooLarge:
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
        stored = _store(rt, events)
        if stored.duplicates:
            current_app.logger.info("webhook: %d redelivered event(s) acknowledged", stored.duplicates)
    return Response(_OK, status=200, mimetype="application/json")


def _store(rt: Runtime, events: list[dict[str, Any]]) -> ingest.StoredBody:
    """Commit the events to the inbox. If the database connection turns out to be dead (PostgreSQL
    restarted, or the network dropped it without a word), try once more: SQLAlchemy has invalidated the
    pool by then, so the retry gets a fresh connection. The INSERT ignores rows already there, so the
    retry is safe even if the first commit went through; it then stores nothing new, so it asks for a
    drain itself rather than leave those rows to the sweeper."""
    try:
        return _store_once(rt, events)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        log.warning("webhook: lost the database connection (%s); retrying once", exc.orig)
    return _store_once(rt, events, ask_for_drain=True)


def _store_once(rt: Runtime, events: list[dict[str, Any]], ask_for_drain: bool = False) -> ingest.StoredBody:
    with transaction(rt.sessions) as session:
        _statement_is_the_transaction(session)
        stored = ingest.store_events(session, events)
        if ask_for_drain:
            drain.request_after_commit(session)
        return stored


def _statement_is_the_transaction(session: Session) -> None:
    """On PostgreSQL, run the session's connection in autocommit: `store_events` is one INSERT, atomic by
    itself, so BEGIN and COMMIT would be two more round trips (~0.15 ms of app and server CPU a body) for
    nothing. The session still commits at the end, and its after-commit hooks run as before."""
    if dialect_name(session) == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
