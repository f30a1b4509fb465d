"""Referral tests: members and newcomers sign in to LIFF pages through the LIFF layer's fixtures
(tests/support/liff.py); staff use the admin console's (tests/admin/conftest.py)."""
from __future__ import annotations

from tests.admin.conftest import console  # noqa: F401  (fixture)
from tests.support.liff import liff_browser, liff_client, liff_member  # noqa: F401  (fixtures)
