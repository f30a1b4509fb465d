"""LIFF test fixtures (defined in tests/support/liff.py so other features' tests can import them too)."""
from __future__ import annotations

import pytest

from tests.support.liff import liff_browser, liff_client, liff_member  # noqa: F401  (fixtures)


@pytest.fixture
def settings(settings):  # type: ignore[no-untyped-def]
    """LINE calls give up after 1 s here, so a verify endpoint that hangs is seen as such quickly."""
    return settings.replace(line_timeout_seconds=1.0)
