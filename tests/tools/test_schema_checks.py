"""A tool's input schema comes from its MCP server: one the validator cannot use (an
unresolvable ``$ref``, an invalid schema) leaves the arguments unchecked rather than
ending the reply as a bug."""

from __future__ import annotations

from typing import Any

import pytest

from streamchat_desktop.core.tools import ToolSpec
from streamchat_desktop.tools.mcp_toolbox import McpToolbox


@pytest.mark.parametrize(
    "schema",
    [
        {"$ref": "http://127.0.0.1:9/elsewhere.json"},
        {"type": "object", "properties": {"a": {"$ref": "#/nowhere"}}},
        {"type": "no-such-type"},
    ],
)
def test_an_unusable_schema_leaves_the_arguments_unchecked(schema: dict[str, Any]) -> None:
    spec = ToolSpec("odd", "", schema, "server")
    assert McpToolbox([]).check_arguments(spec, {"a": 1}) is None


def test_a_usable_schema_still_refuses_bad_arguments() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    problem = McpToolbox([]).check_arguments(ToolSpec("n", "", schema, "s"), {"a": "x"})
    assert problem is not None and "'x' is not of type 'integer'" in problem
