"""A fast, compiled check of webhook events against line-bot-sdk v3's models.

Why it exists: `Event.from_dict` validates with pydantic.v1 and costs about 60 µs an event; a pydantic-core
SchemaValidator compiled from the same models, once at import, costs about 2 µs. It is only a shortcut,
never a second opinion: it is built to accept a subset of what `Event.from_dict` accepts (any construct of
the models it cannot reproduce exactly makes it leave that event type alone), and every event it does not
accept, for whatever reason, goes to `Event.from_dict`, whose verdict and message are final.

Public surface: `check_event` (the verdict) and `InvalidEvent` (the SDK's refusal); `passes_compiled_check`
says whether an event takes the fast path.
"""
from __future__ import annotations

import inspect
from enum import Enum
from typing import Any

import linebot.v3.webhooks.models as sdk_models
from linebot.v3.webhooks import Event
from pydantic.v1 import BaseModel as SdkModel
from pydantic.v1.fields import SHAPE_DICT, SHAPE_LIST, SHAPE_SINGLETON, ModelField
from pydantic.v1.types import ConstrainedList, ConstrainedStr, StrictBool, StrictFloat, StrictInt, StrictStr
from pydantic_core import SchemaValidator
from pydantic_core import core_schema as cs

_KNOWN_TYPES = frozenset(getattr(Event, "_Event__discriminator_value_class_map", {}).keys())


class InvalidEvent(ValueError):
    """line-bot-sdk's models refuse the event; the message is the SDK's own."""


def check_event(event: dict[str, Any]) -> None:
    """Raise InvalidEvent if the event has a type line-bot-sdk knows and `Event.from_dict` refuses it. Event
    types the SDK does not know pass (LINE adds types). `event["type"]` must be a string."""
    if event["type"] not in _KNOWN_TYPES or passes_compiled_check(event):
        return
    try:
        Event.from_dict(event)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise InvalidEvent(str(exc)) from None


class _Untranslatable(Exception):
    """A construct of the SDK's models that the compiled check does not reproduce exactly."""


def _dispatch_map(model: type[SdkModel]) -> dict[str, type[SdkModel]] | None:
    """The subclasses `model.from_dict` picks by the value of `type` (Event, Source, MessageContent, ...),
    or None if its from_dict does not dispatch."""
    name = model.__name__
    mapping = model.__dict__.get(f"_{name}__discriminator_value_class_map")
    if mapping is None:
        return None
    if model.__dict__.get(f"_{name}__discriminator_property_name") != "type":
        raise _Untranslatable(f"{name} dispatches on another property")
    classes = {tag: getattr(sdk_models, class_name) for tag, class_name in mapping.items()}
    if not all(isinstance(sub, type) and issubclass(sub, model) for sub in classes.values()):
        raise _Untranslatable(f"{name} dispatches to a class that is not its subclass")
    return classes


def _model_schema(model: type[SdkModel], building: frozenset[type]) -> cs.CoreSchema:
    """What `model.from_dict` accepts, for JSON-decoded input: a dict with each field under its alias
    (from_dict passes a missing key as None, so only fields that allow None may be left out); other keys
    are ignored, as from_dict ignores them."""
    if "from_dict" not in model.__dict__ or model in building:
        raise _Untranslatable(f"{model.__name__}.from_dict is inherited or recursive")
    building = building | {model}
    classes = _dispatch_map(model)
    if classes is not None:
        return cs.tagged_union_schema(
            {tag: _model_schema(sub, building) for tag, sub in classes.items()}, discriminator="type"
        )
    config = model.__config__
    if (
        model.__pre_root_validators__ or model.__post_root_validators__ or config.anystr_strip_whitespace
        or config.anystr_lower or config.anystr_upper or config.min_anystr_length
        or config.max_anystr_length is not None or config.allow_inf_nan is False
    ):
        raise _Untranslatable(f"{model.__name__} has root validators or string/number settings")
    fields = {
        field.alias: cs.typed_dict_field(_field_schema(model, field, building), required=not field.allow_none)
        for field in model.__fields__.values()
    }
    return cs.typed_dict_schema(fields, extra_behavior="ignore")


def _field_schema(model: type[SdkModel], field: ModelField, building: frozenset[type]) -> cs.CoreSchema:
    """One field as pydantic.v1 checks it: pre-validators (only conlist's length check is translated), the
    type, None if allowed, then the model's own validators (called as they are: enum and pattern checks)."""
    for validator in field.class_validators.values():
        if validator.each_item:
            raise _Untranslatable(f"{model.__name__}.{field.name} has a per-item validator")
        if validator.pre:
            outer = field.outer_type_
            is_length_check = (
                field.shape == SHAPE_LIST and isinstance(outer, type) and issubclass(outer, ConstrainedList)
                and getattr(validator.func, "__func__", None) is ConstrainedList.list_length_validator.__func__
            )
            if not is_length_check:
                raise _Untranslatable(f"{model.__name__}.{field.name} has a pre-validator")
        elif list(inspect.signature(validator.func).parameters)[1:] not in (["value"], ["v"]):
            raise _Untranslatable(f"{model.__name__}.{field.name} has a validator reading other fields")
    if field.field_info.const:
        raise _Untranslatable(f"{model.__name__}.{field.name} is a constant")
    if field.shape == SHAPE_SINGLETON:
        schema = _value_schema(field, building)
    elif field.shape == SHAPE_LIST:
        outer = field.outer_type_
        bounds: dict[str, Any] = {}
        if isinstance(outer, type) and issubclass(outer, ConstrainedList):
            if outer.unique_items:
                raise _Untranslatable(f"{model.__name__}.{field.name} requires unique items")
            bounds = {"min_length": outer.min_items, "max_length": outer.max_items}
        schema = cs.list_schema(_item_schema(field.sub_fields[0], building), strict=True, **bounds)
    elif field.shape == SHAPE_DICT and field.key_field is not None:
        schema = cs.dict_schema(
            _item_schema(field.key_field, building), _item_schema(field.sub_fields[0], building), strict=True
        )
    else:
        raise _Untranslatable(f"{model.__name__}.{field.name} has an untranslated shape")
    if field.allow_none:
        schema = cs.nullable_schema(schema)
    if field.post_validators:  # pydantic.v1 runs them on None too, when None is allowed
        schema = cs.no_info_after_validator_function(_run_validators(model, field), schema)
    return schema


def _item_schema(field: ModelField, building: frozenset[type]) -> cs.CoreSchema:
    """A list item, dict key or value, or union member: its type, and None if allowed."""
    if field.class_validators or field.pre_validators or field.post_validators or field.shape != SHAPE_SINGLETON:
        raise _Untranslatable(f"{field.name} is not a plain item")
    schema = _value_schema(field, building)
    return cs.nullable_schema(schema) if field.allow_none else schema


def _value_schema(field: ModelField, building: frozenset[type]) -> cs.CoreSchema:
    if field.sub_fields:  # Union[...]: pydantic.v1 accepts what any member accepts
        return cs.union_schema([_item_schema(member, building) for member in field.sub_fields])
    return _type_schema(field.type_, building)


def _type_schema(kind: Any, building: frozenset[type]) -> cs.CoreSchema:
    """The SDK's scalar types, each as strict as pydantic.v1's validator or stricter: strict str, int and
    bool also stand in for the lax ones (which accept more), never the other way round."""
    if kind in (str, StrictStr):
        return cs.str_schema(strict=True)
    if kind in (bool, StrictBool):  # StrictBool is an int subclass: checked before ints
        return cs.bool_schema(strict=True)
    if kind in (int, StrictInt):
        return cs.int_schema(strict=True)
    if kind is StrictFloat:
        return cs.is_instance_schema(float)  # a strict core float also takes ints; v1's StrictFloat does not
    if isinstance(kind, type):
        if issubclass(kind, SdkModel):
            return _model_schema(kind, building)
        if issubclass(kind, Enum):
            values = [member.value for member in kind]
            if not issubclass(kind, str) or not all(isinstance(value, str) for value in values):
                raise _Untranslatable(f"{kind.__name__} is not a string enum")
            return cs.literal_schema(values)
        if issubclass(kind, ConstrainedStr) and kind.strict and not (
            kind.regex or kind.strip_whitespace or kind.to_upper or kind.to_lower or kind.curtail_length
        ):
            return cs.str_schema(strict=True, min_length=kind.min_length, max_length=kind.max_length)
    raise _Untranslatable(f"type {kind!r}")


def _run_validators(model: type[SdkModel], field: ModelField) -> Any:
    validators, config = field.post_validators or [], model.__config__

    def run(value: Any) -> Any:
        for validator in validators:
            try:
                value = validator(model, value, {}, field, config)
            except (ValueError, TypeError, AssertionError) as exc:  # what pydantic.v1 reports as invalid
                raise ValueError(str(exc)) from None
        return value

    return run


def _compile_event_check() -> tuple[SchemaValidator, frozenset[str]]:
    """A compiled copy of what `Event.from_dict` checks, for the event types whose models translate."""
    choices = {}
    for tag, model in (_dispatch_map(Event) or {}).items():
        try:
            choices[tag] = _model_schema(model, frozenset({Event}))
        except _Untranslatable:
            continue  # that type is always left to Event.from_dict
    return SchemaValidator(cs.tagged_union_schema(choices, discriminator="type")), frozenset(choices)


_COMPILED_EVENT_CHECK, _COMPILED_TYPES = _compile_event_check()


def passes_compiled_check(event: dict[str, Any]) -> bool:
    """True if the compiled check accepts the event, which then `Event.from_dict` accepts too; False
    leaves the verdict to Event.from_dict."""
    if event["type"] not in _COMPILED_TYPES:
        return False
    try:
        _COMPILED_EVENT_CHECK.validate_python(event)
    except Exception:  # anything but a clean pass is decided by the SDK itself
        return False
    return True
