"""What the tools stack can do in this build; ``--selftest`` asks before a packaged build
ships (the MCP client's transports and jsonschema's metaschemas are loaded by name)."""

from __future__ import annotations

from importlib.metadata import version

from streamchat_desktop.core.tools import ToolSpec


def check_tools_stack() -> str:
    """Load both MCP transports and check arguments against a schema; the versions, or
    RuntimeError saying what failed."""
    import mcp.client.stdio
    import mcp.client.streamable_http

    from streamchat_desktop.tools.mcp_toolbox import McpToolbox

    loaded = (mcp.client.stdio.stdio_client, mcp.client.streamable_http.streamable_http_client)
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    spec = ToolSpec("selftest", "", schema, "selftest")
    toolbox = McpToolbox([])
    if toolbox.check_arguments(spec, {"n": 1}) is not None:
        raise RuntimeError("jsonschema refused arguments that fit the schema")
    if toolbox.check_arguments(spec, {"n": "one"}) is None:
        raise RuntimeError("jsonschema accepted arguments that do not fit the schema")
    return f"mcp {version('mcp')} ({len(loaded)} transports), jsonschema {version('jsonschema')}"
