"""The LINE platform: one client interface, the real client over line-bot-sdk v3, and a fake platform."""
from linecomm.line.client import (
    LineAlreadyAccepted,
    LineClient,
    LineError,
    LineRejected,
    LineRetryable,
    Profile,
    Quota,
)

__all__ = [
    "LineAlreadyAccepted",
    "LineClient",
    "LineError",
    "LineRejected",
    "LineRetryable",
    "Profile",
    "Quota",
]
