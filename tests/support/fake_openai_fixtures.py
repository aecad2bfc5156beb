"""Pytest fixtures for the fake OpenAI server; import them into a conftest.py:

from tests.support.fake_openai_fixtures import fake_openai  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fake_openai import FakeOpenAIServer


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAIServer]:
    """A fresh server per test (starting one takes about a millisecond)."""
    with FakeOpenAIServer() as server:
        yield server
