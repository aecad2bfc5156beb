"""Shared test helpers: the fake OpenAI server, waiting on the qasync loop."""
