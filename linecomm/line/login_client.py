"""LINE Login's ID token verification, as LIFF pages use it: one POST to `/oauth2/v2.1/verify`.

The product never checks an ID token's signature itself (LIFF's are ES256 with LINE's keys): it asks LINE,
which answers the token's claims or a 400 saying what is wrong. Errors are translated once, into the short
tree of linecomm.line.client: `IdTokenRejected` (invalid, expired, for another channel: signing in again
with a fresh token is the only way on) and `LoginUnavailable` (timeout, connection error, 429, 5xx: try
again later).
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from linecomm.line.client import LineRejected, LineRetryable

VERIFY_PATH = "/oauth2/v2.1/verify"


class IdTokenRejected(LineRejected):
    """LINE refused the ID token (400): malformed or forged, expired, for another channel, wrong nonce.
    `reason` is LINE's `error_description` (e.g. "IdToken expired.")."""

    def __init__(self, reason: str, status: int | None = 400, request_id: str | None = None):
        super().__init__(reason, status=status, request_id=request_id)
        self.reason = reason

    @property
    def expired(self) -> bool:
        return "expired" in self.reason.lower()


class LoginUnavailable(LineRetryable):
    """LINE Login did not answer in time or answered 429/5xx: the token may be fine, try again later."""


@dataclass(frozen=True)
class IdTokenClaims:
    """What a verified ID token says: whose it is (`sub`, the LINE user id) and until when."""

    sub: str
    aud: str
    exp: int
    name: str | None = None
    picture: str | None = None


class LineLoginClient:
    """Verifies ID tokens for one LINE Login channel (the channel the LIFF app belongs to)."""

    def __init__(self, base_url: str, channel_id: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.channel_id = channel_id
        self.timeout = timeout

    def verify_id_token(self, id_token: str, nonce: str | None = None) -> IdTokenClaims:
        """Ask LINE whether `id_token` is valid for this channel; return its claims.

        Raises IdTokenRejected or LoginUnavailable; never anything else for a bad token or a bad day at LINE."""
        if not id_token or not self.channel_id:
            raise IdTokenRejected("id_token and client_id are required", status=None)
        form = {"id_token": id_token, "client_id": self.channel_id}
        if nonce is not None:
            form["nonce"] = nonce
        request = urllib.request.Request(
            self.base_url + VERIFY_PATH,
            data=urllib.parse.urlencode(form).encode("ascii"),
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, body = response.status, response.read()
                request_id = response.headers.get("x-line-request-id")
        except urllib.error.HTTPError as exc:
            status, body, request_id = exc.code, _read(exc), exc.headers.get("x-line-request-id")
        except OSError as exc:  # timeouts, refused or reset connections, DNS (URLError is an OSError)
            raise LoginUnavailable(f"LINE Login did not answer: {exc}") from exc
        return self._claims(status, body, request_id)

    def _claims(self, status: int, body: bytes, request_id: str | None) -> IdTokenClaims:
        answer = _json(body)
        if status == 429 or status >= 500:
            raise LoginUnavailable(f"LINE Login answered {status}", status=status, request_id=request_id)
        if status != 200:
            reason = str(answer.get("error_description") or answer.get("error") or f"HTTP {status}")
            raise IdTokenRejected(reason, status=status, request_id=request_id)
        sub, aud, exp = answer.get("sub"), answer.get("aud"), answer.get("exp")
        # LINE checked these; a 200 without them (or for another channel) is not a sign-in we can trust.
        if not isinstance(sub, str) or not sub or str(aud) != self.channel_id or not isinstance(exp, int):
            raise IdTokenRejected("verify answered without a usable subject or audience", status=status,
                                  request_id=request_id)
        name, picture = answer.get("name"), answer.get("picture")
        return IdTokenClaims(sub=sub, aud=str(aud), exp=exp, name=name if isinstance(name, str) else None,
                             picture=picture if isinstance(picture, str) else None)


def _read(exc: urllib.error.HTTPError) -> bytes:
    try:
        return exc.read()
    except OSError:
        return b""


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
