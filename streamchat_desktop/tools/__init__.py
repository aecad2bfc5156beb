"""Tools for the model: the MCP client (official ``mcp`` SDK) behind the core's Toolbox."""
