"""Idea tests: members sign in to LIFF pages through the LIFF layer's fixtures (tests/support/liff.py)."""
from __future__ import annotations

from tests.support.liff import liff_browser, liff_client, liff_member  # noqa: F401  (fixtures)
