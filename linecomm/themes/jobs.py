"""RQ entry points for theme answers: fetch the image a member sent from LINE and keep it.

LINE keeps the content of a message only for a limited time, so the image is fetched right after the
answer is committed. A lost job is made good when staff open the image in the console (the view fetches
it then, through the same function). Safe to run twice: only a pending answer is fetched and stored.
"""
from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from linecomm import runtime
from linecomm.db import transaction, utcnow
from linecomm.line.client import LineClient, LineRejected
from linecomm.themes import service
from linecomm.themes.models import ImageStatus, ThemeAnswer

log = logging.getLogger(__name__)


def fetch_and_store(line: LineClient, sessions: sessionmaker[Session], answer_id: int) -> str:
    """Fetch a pending image answer's bytes from LINE and store them; returns the image status.

    LINE refusing (404 once the content has expired) marks the image gone; a retryable error
    (LineRetryable) propagates, and the answer stays pending for the next try."""
    with transaction(sessions) as session:
        answer = session.get(ThemeAnswer, answer_id)
        if answer is None or answer.image_status != ImageStatus.PENDING:
            return answer.image_status if answer and answer.image_status else ImageStatus.GONE
        message_id = answer.line_message_id
    try:
        data, content_type = line.get_content(message_id)  # no transaction is held while LINE answers
    except LineRejected as exc:
        log.info("LINE has no content for answer %s (message %s): %s", answer_id, message_id, exc)
        with transaction(sessions) as session:
            service.image_gone(session, answer_id)
        return ImageStatus.GONE
    with transaction(sessions) as session:
        return service.store_image(session, answer_id, data, content_type, utcnow())


def fetch_answer_image(answer_id: int) -> None:
    rt = runtime.current()
    fetch_and_store(rt.line, rt.sessions, answer_id)
