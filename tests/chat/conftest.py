from __future__ import annotations

import pytest

from linecomm.chat import router


@pytest.fixture
def chat_router(monkeypatch: pytest.MonkeyPatch) -> router.Router:
    """The process's router replaced by a copy with the same registrations for this test: what the test
    registers leaves with it."""
    trial = router.ROUTER.copy()
    monkeypatch.setattr(router, "ROUTER", trial)
    return trial
