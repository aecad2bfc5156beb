"""The tests' OpenAI server for tool-loop tests (real MCP servers come from the tests)."""

from tests.support.fake_openai_fixtures import fake_openai  # noqa: F401
