"""RQ entry points for Q&A: telling an asker of an answer a moderator approved after holding it (the
page that posted it had nothing to tell then). Safe to run twice: the notice's outbox key is the answer's."""
from __future__ import annotations

from linecomm import runtime
from linecomm.db import transaction
from linecomm.qa import notices, service
from linecomm.qa.models import QaAnswer


def tell_asker(answer_id: int) -> None:
    rt = runtime.current()
    with transaction(rt.sessions) as session:
        answer = session.get(QaAnswer, answer_id)
        if answer is None or service.visible_answer(session, answer.id) is None:
            return
        question = service.visible_question(session, answer.question_id)
        if question is None:
            return
        notice = notices.tell_asker(session, question, answer, liff_id=rt.settings.liff_id, now=rt.clock(),
                                    window_minutes=rt.settings.qa_notice_window_minutes)
        notices.send_after_commit(session, notice)
