"""protocol.py and web/src/protocol.ts say the same thing: names, values, payload fields."""

from __future__ import annotations

import re
import typing
from pathlib import Path

from streamchat_desktop.companion import protocol

TS = Path(__file__).resolve().parents[2] / "web" / "src" / "protocol.ts"
CONST = re.compile(r"^export const (\w+) = (.+);$", re.MULTILINE)
INTERFACE = re.compile(r"^export interface (\w+) \{\n(.*?)^\}", re.MULTILINE | re.DOTALL)
FIELD = re.compile(r"^  (\[?\w+\]?)\??:", re.MULTILINE)


def _ts_constants() -> dict[str, object]:
    constants: dict[str, object] = {}
    for name, raw in CONST.findall(TS.read_text()):
        if raw.startswith('"'):
            constants[name] = raw.strip('"')
        else:
            constants[name] = float(raw) if "." in raw else int(raw)
    return constants


def _ts_interfaces() -> dict[str, set[str]]:
    return {name: set(FIELD.findall(body)) for name, body in INTERFACE.findall(TS.read_text())}


def _py_constants() -> dict[str, object]:
    return {
        name: value
        for name, value in vars(protocol).items()
        if name.isupper() and isinstance(value, str | int | float) and not name.startswith("_")
    }


def _py_payloads() -> dict[str, set[str]]:
    return {
        name: set(typing.get_type_hints(value))
        for name, value in vars(protocol).items()
        if isinstance(value, type) and typing.is_typeddict(value)
    }


def test_constants_match() -> None:
    assert _ts_constants() == _py_constants()


def test_payload_fields_match() -> None:
    interfaces = _ts_interfaces()
    for name, fields in _py_payloads().items():
        assert name in interfaces, f"{name} is missing from protocol.ts"
        assert interfaces[name] == fields, f"{name} differs"


def test_event_maps_name_every_event() -> None:
    interfaces = _ts_interfaces()
    constants = _ts_constants()

    def events(interface: str) -> set[object]:
        return {constants[key.strip("[]")] for key in interfaces[interface]}

    assert events("ServerEvents") == set(protocol.SERVER_EVENTS)
    assert events("ClientEvents") == set(protocol.CLIENT_EVENTS)
    assert set(protocol.ERROR_CODES) == {
        value for name, value in constants.items() if name.startswith("ERROR_")
    }


def _ts_request_fields() -> dict[str, set[str]]:
    """Each ClientEvents entry's payload fields, from its ``{ … }`` payload type."""
    body = dict(INTERFACE.findall(TS.read_text()))["ClientEvents"]
    constants = _ts_constants()
    fields: dict[str, set[str]] = {}
    for match in re.finditer(r"^  \[(\w+)\]:", body, re.MULTILINE):
        start = body.index("{", match.end())
        end = body.index("}", start)
        fields[str(constants[match.group(1)])] = set(re.findall(r"(\w+)\??:", body[start:end]))
    return fields


def test_request_payloads_match() -> None:
    """Each request carries the same fields on both sides (protocol 3 added six)."""
    expected = {name: set(fields) for name, fields in protocol.REQUEST_FIELDS.items()}
    assert _ts_request_fields() == expected
    assert set(protocol.REQUEST_FIELDS) == set(protocol.CLIENT_EVENTS)
