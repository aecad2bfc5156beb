"""Fixtures of the audit tests: the fake OpenAI server, and the real program as a process."""

from tests.support.fake_openai_fixtures import fake_openai  # noqa: F401
