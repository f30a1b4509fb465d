"""Check requests sent to the fake LINE platform against LINE's own OpenAPI description.

`assert_conforms_to_openapi(fake.requests)` validates every Messaging API request (`/v2/bot/...`)
against `tests/fixtures/line-platform/messaging-api.yml` with openapi-core: path, method, parameters
(including `X-Line-Retry-Key` as a UUID), security and request body. openapi-core does not follow the
spec's polymorphic `discriminator`s (Message, Action, Template, FlexContainer, FlexComponent, ...), so
message objects are then checked a second time, each against the schema its `type` maps to.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPEC_PATH = Path(__file__).parents[1] / "fixtures" / "line-platform" / "messaging-api.yml"
API_HOST = "https://api.line.me"
DATA_HOST = "https://api-data.line.me"  # the spec serves message content and rich menu images from here
_DATA_PATH = re.compile(r"^/v2/bot/(message/[^/]+/content(/preview|/transcoding)?|richmenu/[^/]+/content)$")
_SPEC_URI = "urn:line:messaging-api"

_cache: dict[str, Any] = {}


def _loaded() -> tuple[dict[str, Any], OpenAPI, Registry]:
    """Load and parse the spec once per process."""
    if "spec" not in _cache:
        with SPEC_PATH.open(encoding="utf-8") as file:
            spec = yaml.safe_load(file)
        _cache["spec"] = spec
        _cache["openapi"] = OpenAPI.from_dict(spec)
        _cache["registry"] = Registry().with_resource(
            _SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT4))
        _cache["validators"] = {}
        _cache["paths"] = [(re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", template) + "$"), item)
                           for template, item in spec["paths"].items()]
    return _cache["spec"], _cache["openapi"], _cache["registry"]


def _validator(ref: str) -> OAS30Validator:
    validators: dict[str, OAS30Validator] = _cache["validators"]
    if ref not in validators:
        validators[ref] = OAS30Validator({"$ref": _SPEC_URI + ref}, registry=_cache["registry"],
                                         format_checker=oas30_format_checker)
    return validators[ref]


def _resolve(schema: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """Follow a local `$ref`; return (ref, schema)."""
    spec = _cache["spec"]
    ref = schema.get("$ref")
    if ref is None:
        return None, schema
    node: Any = spec
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return ref, node


def _discriminated(value: Any, schema: dict[str, Any], where: str,
                   dispatched: set[tuple[int, str]]) -> Iterator[str]:
    """Yield problems in `value` that only following the spec's discriminators reveals."""
    ref, schema = _resolve(schema)
    if isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, dict):
            for i, item in enumerate(value):
                yield from _discriminated(item, items, f"{where}[{i}]", dispatched)
        return
    if not isinstance(value, dict):
        return
    discriminator = schema.get("discriminator")
    if discriminator and "mapping" in discriminator and (id(value), ref or "") not in dispatched:
        prop = discriminator["propertyName"]
        target = discriminator["mapping"].get(value.get(prop))
        if target is None:
            known = ", ".join(sorted(discriminator["mapping"]))
            yield f"{where}.{prop}: {value.get(prop)!r} is not one of [{known}]"
            return
        dispatched.add((id(value), target))
        if ref is not None:
            dispatched.add((id(value), ref))
        for error in _validator(target).iter_errors(value):
            location = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
            yield f"{where}{location}: {error.message}"
        yield from _discriminated(value, {"$ref": target}, where, dispatched)
        return
    parts = [schema] + [_resolve(part)[1] for part in schema.get("allOf", [])]
    for part in parts:
        for name, sub in part.get("properties", {}).items():
            if name in value:
                yield from _discriminated(value[name], sub, f"{where}.{name}", dispatched)


def _body_schema(path: str, method: str) -> dict[str, Any] | None:
    for pattern, item in _cache["paths"]:
        if pattern.match(path) and method in item:
            content = item[method].get("requestBody", {}).get("content", {})
            return content.get("application/json", {}).get("schema")
    return None


def _field(recorded: Any, name: str) -> Any:
    return recorded[name] if isinstance(recorded, dict) else getattr(recorded, name)


def openapi_problems(recorded: Any) -> list[str]:
    """Return why one recorded request does not conform to LINE's spec (empty if it does).

    `recorded` is a `RecordedRequest` or the dict `GET /_fake/requests` returns."""
    _, openapi, _ = _loaded()
    path, method = _field(recorded, "path"), _field(recorded, "method").lower()
    headers = dict(_field(recorded, "headers"))
    body = _field(recorded, "body") if not isinstance(recorded, dict) else \
        (recorded.get("bodyText") or "").encode("utf-8")
    host = DATA_HOST if _DATA_PATH.match(path) else API_HOST
    request = MockRequest(host, method, path, args=dict(_field(recorded, "query")), headers=headers,
                          data=body or None, content_type=headers.get("content-type", "application/json"))
    try:
        openapi.validate_request(request)
    except Exception as exc:  # openapi-core raises a family of errors; all mean "does not conform"
        cause = exc.__cause__
        return [f"{type(exc).__name__}: {exc}" + (f" ({cause})" if cause else "")]
    schema = _body_schema(path, method)
    if schema is None or not body:
        return []
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        return [f"body is not JSON: {exc}"]
    return list(_discriminated(parsed, schema, "body", set()))


def assert_conforms_to_openapi(recorded_requests: Iterable[Any]) -> None:
    """Fail, listing each offender and why, unless every `/v2/bot/...` request conforms to the spec.

    `/_fake/` and `/oauth2/` requests (and anything outside `/v2/bot/`) are skipped."""
    failures = []
    for recorded in recorded_requests:
        path = _field(recorded, "path")
        if not path.startswith("/v2/bot/"):
            continue
        for problem in openapi_problems(recorded):
            failures.append(f"{_field(recorded, 'method')} {path} (answered {_field(recorded, 'status')}): "
                            f"{problem}")
    if failures:
        listing = "\n  ".join(failures)
        raise AssertionError(f"requests that do not conform to LINE's OpenAPI spec:\n  {listing}")
