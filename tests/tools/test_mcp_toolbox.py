"""The MCP toolbox against real MCP servers written with the SDK: stdio (run with this
Python) and Streamable HTTP on 127.0.0.1 with a bearer token; lazy start, the child's
environment, crash and restart, errors, images, schema checks, cancellation."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from streamchat_desktop.core.tool_servers import ToolServerConfig
from streamchat_desktop.core.tools import ToolSpec, ToolStatus
from streamchat_desktop.tools.mcp_connection import ServerState
from streamchat_desktop.tools.mcp_toolbox import McpToolbox
from tests.support.mcp_server import PIXEL
from tests.support.mcp_servers import http_server, stdio_config
from tests.support.waiting import wait_until

RunAsync = Callable[..., Any]


def spec_named(specs: tuple[ToolSpec, ...], name: str) -> ToolSpec:
    return next(spec for spec in specs if spec.name == name)


def test_stdio_server_starts_on_first_catalog_and_runs_a_tool(
    run_async: RunAsync, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="streamchat_desktop.tools.server")
    toolbox = McpToolbox([stdio_config()])
    assert toolbox.connections[0].state is ServerState.STOPPED  # nothing runs before use

    async def scenario() -> None:
        try:
            catalog = await toolbox.catalog()
            assert catalog.problems == ()
            names = {spec.name for spec in catalog.specs}
            assert {"echo", "add", "crash", "picture"} <= names
            echo = spec_named(catalog.specs, "echo")
            assert echo.server == "testsrv" and echo.parameters["required"] == ["text"]
            outcome = await toolbox.call(echo, {"text": "hi"})
            assert (outcome.status, outcome.text) == (ToolStatus.DONE, "echo: hi")
            # its stderr went to the log, line by line, named by server
            said = "[testsrv] test MCP server starting"
            await wait_until(lambda: said in caplog.messages, timeout=10)
        finally:
            await toolbox.aclose()

    run_async(scenario())
    assert toolbox.connections[0].state is ServerState.STOPPED


def test_child_environment_has_no_provider_key_unless_the_user_put_it_there(
    run_async: RunAsync, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-provider-secret")
    config = stdio_config(secret_env=["SERVICE_TOKEN"])
    config.env["GREETING"] = "hello"
    toolbox = McpToolbox([config], lambda _c: {"SERVICE_TOKEN": "tok-from-keychain"})

    async def scenario() -> list[str]:
        try:
            env = spec_named((await toolbox.catalog()).specs, "env")
            names = ("OPENAI_API_KEY", "GREETING", "SERVICE_TOKEN")
            return [(await toolbox.call(env, {"name": n})).text for n in names]
        finally:
            await toolbox.aclose()

    assert run_async(scenario()) == ["(unset)", "hello", "tok-from-keychain"]


def test_a_server_that_fails_to_start_is_named_with_its_own_words(run_async: RunAsync) -> None:
    broken = stdio_config("broken", "--fail-start")
    missing = ToolServerConfig(name="missing", command="/nonexistent/mcp-server")
    toolbox = McpToolbox([broken, missing, stdio_config()])

    async def scenario() -> Any:
        try:
            return await toolbox.catalog()
        finally:
            await toolbox.aclose()

    catalog = run_async(scenario())
    assert {spec.server for spec in catalog.specs} == {"testsrv"}  # the others go on
    broken_problem, missing_problem = catalog.problems
    assert broken_problem.startswith("The MCP server broken did not start: ")
    assert "cannot open the index at /nonexistent/index.db" in broken_problem
    assert "missing did not start: the command was not found" in missing_problem


def test_a_server_that_failed_to_start_is_not_started_by_every_reply(
    run_async: RunAsync, tmp_path: Path
) -> None:
    """Each start would hold the reply's first word (up to the start timeout): after a
    failed start the next replies say why at once; the Test button tries again."""
    starts = tmp_path / "starts"
    script = tmp_path / "fails.sh"
    script.write_text(f"#!/bin/sh\necho started >> '{starts}'\necho 'no index' >&2\nexit 1\n")
    script.chmod(0o755)
    toolbox = McpToolbox([ToolServerConfig(name="flaky", command=str(script))])

    async def scenario() -> list[Any]:
        try:
            first = await toolbox.catalog()
            second = await toolbox.catalog()  # the next reply
            third = await toolbox.catalog(retry_failed=True)  # the Test button
            return [first, second, third]
        finally:
            await toolbox.aclose()

    first, second, third = run_async(scenario())
    assert starts.read_text().splitlines() == ["started", "started"]  # not by the 2nd
    for catalog in (first, second, third):
        (problem,) = catalog.problems
        assert problem.startswith("The MCP server flaky did not start")


def test_a_crash_mid_call_fails_that_call_and_the_server_restarts_on_next_use(
    run_async: RunAsync,
) -> None:
    toolbox = McpToolbox([stdio_config()])

    async def scenario() -> None:
        try:
            catalog = await toolbox.catalog()
            crashed = await toolbox.call(spec_named(catalog.specs, "crash"), {})
            assert crashed.status is ToolStatus.FAILED
            assert "stopped during the call" in crashed.text
            assert "about to crash: simulated fault" in crashed.text  # from its stderr
            catalog = await toolbox.catalog()  # the next reply: started again
            assert catalog.problems == ()
            again = await toolbox.call(spec_named(catalog.specs, "echo"), {"text": "back"})
            assert again.text == "echo: back"
        finally:
            await toolbox.aclose()

    run_async(scenario())


def test_is_error_results_images_and_schema_checks(run_async: RunAsync) -> None:
    toolbox = McpToolbox([stdio_config()])

    async def scenario() -> None:
        try:
            specs = (await toolbox.catalog()).specs
            failed = await toolbox.call(spec_named(specs, "fail"), {"reason": "disk"})
            assert failed.status is ToolStatus.FAILED and failed.text.startswith("Error: ")
            picture = await toolbox.call(spec_named(specs, "picture"), {})
            assert picture.status is ToolStatus.DONE and picture.text == "[image: image/png]"
            import base64

            assert [base64.b64decode(i.data) for i in picture.images] == [PIXEL]
            add = spec_named(specs, "add")
            problem = toolbox.check_arguments(add, {"a": "one", "b": 2})
            assert problem == (
                "the arguments do not match the tool's schema: 'one' is not of type "
                "'integer' (at a)"
            )
            assert toolbox.check_arguments(add, {"a": 1, "b": 2}) is None
        finally:
            await toolbox.aclose()

    run_async(scenario())


def test_cancelling_a_call_cancels_the_mcp_request(run_async: RunAsync, tmp_path: Path) -> None:
    toolbox = McpToolbox([stdio_config()])
    gate = tmp_path / "gate"

    async def scenario() -> None:
        try:
            wait = spec_named((await toolbox.catalog()).specs, "wait")
            call = asyncio.ensure_future(toolbox.call(wait, {"gate": str(gate)}))
            await wait_until(lambda: Path(f"{gate}.started").exists(), timeout=10)
            call.cancel()
            await asyncio.gather(call, return_exceptions=True)
            await wait_until(lambda: Path(f"{gate}.cancelled").exists(), timeout=10)
        finally:
            await toolbox.aclose()

    run_async(scenario())


def test_streamable_http_server_with_a_bearer_token_from_the_keychain(
    run_async: RunAsync,
) -> None:
    with http_server(token="s3cret-token") as url:
        good = ToolServerConfig(name="web", url=url, secret_headers=["Authorization"])
        bad = ToolServerConfig(name="nokey", url=url)
        toolbox = McpToolbox(
            [good, bad],
            lambda c: {"Authorization": "Bearer s3cret-token"} if c.name == "web" else {},
            start_timeout=20,
        )

        async def scenario() -> Any:
            try:
                catalog = await toolbox.catalog()
                add = spec_named(catalog.specs, "add")
                assert add.server == "web"
                assert (await toolbox.call(add, {"a": 2, "b": 3})).text == "5"
                return catalog
            finally:
                await toolbox.aclose()

        catalog = run_async(scenario())
    assert len(catalog.problems) == 1
    assert catalog.problems[0].startswith("The MCP server nokey did not start: ")
