"""LINE Login as LIFF uses it: access tokens, ID tokens, and the endpoints that verify them.

Access tokens are opaque random strings remembered by the fake. ID tokens are JWTs signed HS256 with
the fake login channel's secret (LINE signs web-login ID tokens HS256 with the channel secret; LIFF's
are ES256, which the product never verifies itself: it asks `POST /oauth2/v2.1/verify`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any

from linecomm.line.fake.records import Call, LoginAccessToken, Reply, error_reply, oauth_error
from linecomm.line.fake.state import ChannelState

ISSUER = "https://access.line.me"
LIFF_SCOPE = "profile openid"
MISSING_TOKEN = ("Authorization header required. "
                 "Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'")
INVALID_LOGIN_TOKEN = ("Authentication failed due to the following reason: invalid token. "
                       "Confirm that the access token in the authorization header is valid.")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, signing_input: bytes) -> str:
    return _b64url(hmac.new(secret.encode("utf-8"), signing_input, hashlib.sha256).digest())


def issue_access_token(state: ChannelState, user_id: str, expires_in: int, client_id: str | None) -> str:
    """Issue a LINE Login access token for a friend, valid `expires_in` seconds from the fake's clock."""
    with state.lock:
        if user_id not in state.users:
            raise ValueError(f"unknown user {user_id!r}: call add_user() first")
        token = "eyJ" + secrets.token_urlsafe(96)
        state.login_tokens[token] = LoginAccessToken(
            user_id=user_id, client_id=client_id or state.login_channel_id, scope=LIFF_SCOPE,
            expires_at=state.now() + expires_in)
    return token


def issue_id_token(state: ChannelState, user_id: str, nonce: str | None, expires_in: int,
                   audience: str | None = None) -> str:
    """Issue an ID token (JWT, HS256) for a friend, with the claims LINE puts in one. `audience`: the
    channel it was issued for (default this fake's login channel); LINE signs every LIFF token with its
    own key, so a token issued for another channel verifies as well-signed but for the wrong audience."""
    with state.lock:
        profile = state.users.get(user_id)
        if profile is None:
            raise ValueError(f"unknown user {user_id!r}: call add_user() first")
        now = int(state.now())
        claims: dict[str, Any] = {
            "iss": ISSUER, "sub": user_id, "aud": audience or state.login_channel_id, "exp": now + expires_in,
            "iat": now, "amr": ["linesso"], "name": profile["displayName"],
        }
        if nonce is not None:
            claims["nonce"] = nonce
        if profile.get("pictureUrl"):
            claims["picture"] = profile["pictureUrl"]
        secret = state.login_channel_secret
    header = _b64url(json.dumps({"typ": "JWT", "alg": "HS256"}, separators=(",", ":")).encode())
    payload = _b64url(json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    signing_input = f"{header}.{payload}".encode("ascii")
    return f"{header}.{payload}.{_sign(secret, signing_input)}"


def verify_access_token(state: ChannelState, call: Call) -> Reply:
    """GET /oauth2/v2.1/verify?access_token=...: scope, client_id and seconds left, or LINE's 400."""
    token = call.query.get("access_token")
    if not token:
        return oauth_error(400, "access_token is required")
    with state.lock:
        record = state.login_tokens.get(token)
        now = state.now()
    if record is None:
        return oauth_error(400, "invalid access token")
    if record.expires_at <= now:
        return oauth_error(400, "access token expired")
    return Reply(200, {"scope": record.scope, "client_id": record.client_id,
                       "expires_in": int(record.expires_at - now)})


def verify_id_token(state: ChannelState, call: Call) -> Reply:
    """POST /oauth2/v2.1/verify (form: id_token, client_id[, nonce, user_id]): the token's claims, or
    LINE's 400 with one of its documented `error_description`s."""
    id_token = call.form.get("id_token")
    client_id = call.form.get("client_id")
    if not id_token:
        return oauth_error(400, "id_token is required")
    if not client_id:
        return oauth_error(400, "client_id is required")
    claims = _decode(state, id_token)
    if claims is None:
        return oauth_error(400, "Invalid IdToken.")
    if claims.get("iss") != ISSUER:
        return oauth_error(400, "Invalid IdToken Issuer.")
    if not isinstance(claims.get("exp"), int) or claims["exp"] <= state.now():
        return oauth_error(400, "IdToken expired.")
    if claims.get("aud") != client_id:
        return oauth_error(400, "Invalid IdToken Audience.")
    nonce = call.form.get("nonce")
    if nonce is not None and claims.get("nonce") != nonce:
        return oauth_error(400, "Invalid IdToken Nonce.")
    user_id = call.form.get("user_id")
    if user_id is not None and claims.get("sub") != user_id:
        return oauth_error(400, "Invalid IdToken Subject Identifier.")
    return Reply(200, claims)


def _decode(state: ChannelState, id_token: str) -> dict[str, Any] | None:
    """Return the claims of a well-formed ID token with a valid signature, else None."""
    parts = id_token.split(".")
    if len(parts) != 3:
        return None
    header, payload, signature = parts
    expected = _sign(state.login_channel_secret, f"{header}.{payload}".encode("ascii", "replace"))
    if not hmac.compare_digest(expected, signature):
        return None
    try:
        claims = json.loads(_b64url_decode(payload))
    except (ValueError, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


def get_login_profile(state: ChannelState, call: Call) -> Reply:
    """GET /v2/profile with a LINE Login access token as bearer: userId, displayName, pictureUrl,
    statusMessage."""
    authorization = call.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return error_reply(401, MISSING_TOKEN)
    with state.lock:
        record = state.login_tokens.get(token)
        now = state.now()
        profile = state.users.get(record.user_id) if record is not None else None
    if record is None or profile is None:
        return error_reply(401, INVALID_LOGIN_TOKEN)
    if record.expires_at <= now:
        return error_reply(401, "The access token expired")
    fields = ("userId", "displayName", "pictureUrl", "statusMessage")
    return Reply(200, {key: profile[key] for key in fields if profile.get(key) is not None})
