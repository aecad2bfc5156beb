"""The companion endpoint: the built page and Socket.IO on one loopback port, no Qt.

python-socketio's ``AsyncServer`` on aiohttp, started with an ``AppRunner`` on the running
loop (the app's qasync loop): no threads, no eventlet. It observes the ``ChatService``
like the desktop window does, and relays every reply to the views through ``Fanout``.

Usage (``app.py``)::

    server = CompanionServer(service, port=settings.companion_port)
    await server.start()          # raises CompanionStartError if it cannot listen
    print(server.url)             # http://127.0.0.1:PORT/#token=…
    server.set_active_conversation(window_conversation_id)
    ...
    await server.stop()
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import socketio
from aiohttp import web

from streamchat_desktop.companion import protocol as p
from streamchat_desktop.companion import request_checks as checks
from streamchat_desktop.companion.engineio_sockets import EngineSockets
from streamchat_desktop.companion.fanout import Fanout, View
from streamchat_desktop.companion.message_requests import MessageRequests
from streamchat_desktop.companion.packet_guard import REFUSED, GuardedServer
from streamchat_desktop.companion.ratelimit import TokenBucket
from streamchat_desktop.companion.security import (
    SECURITY_HEADERS,
    CompanionStartError,
    is_loopback,
    is_wildcard,
    listen,
    new_token,
    own_hosts,
    own_origins,
    token_matches,
)
from streamchat_desktop.companion.snapshots import (
    branch_payload,
    build_snapshot,
    started_payload,
    terminal_payload,
)
from streamchat_desktop.companion.uploads import CompanionFiles, Uploads
from streamchat_desktop.core.attachments import AttachmentContent
from streamchat_desktop.core.branch import Branch
from streamchat_desktop.core.chat_service import ChatService
from streamchat_desktop.core.events import ReasoningDelta, TerminalEvent, TextDelta
from streamchat_desktop.core.models import Conversation, Message
from streamchat_desktop.core.observers import ProgressEvent, ReplyStart
from streamchat_desktop.core.store import StoreError
from streamchat_desktop.core.tool_events import ToolCallChanged
from streamchat_desktop.core.tools import ToolCallRecord

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_VIEWS = 256
MAX_REFUSED = 200  # rate-limited requests in a row before a view is dropped
PING_INTERVAL = 10.0
PING_TIMEOUT = 10.0

__all__ = ["STATIC_DIR", "CompanionServer", "CompanionStartError"]

Handler = Callable[[View, object], p.AckOk]


class CompanionServer:
    """Serves the companion page and streams the ChatService's replies to its views."""

    def __init__(
        self,
        service: ChatService,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        allow_remote: bool = False,
        files: CompanionFiles | None = None,
    ) -> None:
        if not (is_loopback(host) or allow_remote):
            raise CompanionStartError(
                f"refusing to listen on {host}: other machines could connect "
                "(pass allow_remote=True to opt in)"
            )
        self._service = service
        self._host = host
        self._requested_port = port
        self._token = token or new_token()
        self._allow_remote = allow_remote
        self.active_conversation_id: str | None = None
        self.port_in_use: int | None = None  # the requested port, when it was taken
        self._port = 0
        self._origins: list[str] = []
        self._hosts: set[str] = set()
        self._buckets: dict[str, TokenBucket] = {}
        self._ws_transports: dict[str, asyncio.Transport] = {}
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Future[Any]] = set()
        self._sio: Any = None
        self._engine: EngineSockets | None = None
        self._fanout = Fanout(self._send, self._backlog, self._drop)
        self._uploads = Uploads(files, self._token) if files is not None else None
        self._message_requests = MessageRequests(service)

    # --- public API -------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._port

    @property
    def token(self) -> str:
        return self._token

    @property
    def origins(self) -> list[str]:
        return list(self._origins)

    @property
    def url(self) -> str:
        """The address to open, with the per-launch token in the fragment (never sent)."""
        host = "127.0.0.1" if is_loopback(self._host) or is_wildcard(self._host) else self._host
        authority = f"[{host}]" if ":" in host else host
        return f"http://{authority}:{self._port}/#token={self._token}"

    @property
    def view_count(self) -> int:
        return len(self._fanout.views)

    async def start(self) -> None:
        """Listen (falling back to a free port if the asked one is taken) and serve."""
        if not is_loopback(self._host):
            log.warning("companion view listening on %s: reachable from other machines", self._host)
        sock, self.port_in_use = listen(self._host, self._requested_port)
        try:
            await self._serve(sock)
        except BaseException:
            sock.close()
            raise
        self._fanout.start()
        # Let the pump take its first step (and bind its Event to this loop) before
        # start() returns: under qasync a step run later from a bare Qt event pass sees
        # no running loop, and the pump would later fail with "bound to a different loop".
        await asyncio.sleep(0)
        self._service.add_observer(self)
        log.info("companion view at http://%s:%d/", self._host, self._port)

    async def _serve(self, sock: socket.socket) -> None:
        self._port = sock.getsockname()[1]
        self._origins = own_origins(self._host, self._port)
        self._hosts = set(own_hosts(self._host, self._port))
        self._sio = GuardedServer(
            client_events=frozenset(p.CLIENT_EVENTS),
            max_depth=p.MAX_JSON_DEPTH,
            async_mode="aiohttp",
            cors_allowed_origins=self._origins,
            max_http_buffer_size=p.MAX_PACKET_BYTES,
            ping_interval=PING_INTERVAL,
            ping_timeout=PING_TIMEOUT,
            logger=False,
            engineio_logger=False,
        )
        self._engine = EngineSockets(self._sio)
        self._register_handlers()
        app = web.Application(middlewares=[self._guard], client_max_size=p.MAX_PACKET_BYTES)
        self._sio.attach(app, socketio_path="socket.io")
        app.router.add_get("/", self._index)
        if self._uploads is not None:
            self._uploads.routes(app)
        if (STATIC_DIR / "assets").is_dir():
            app.router.add_static("/assets/", STATIC_DIR / "assets")
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        """Stop observing, cut every view, and close the port."""
        self._service.remove_observer(self)
        await self._fanout.stop()
        for transport in list(self._ws_transports.values()):
            transport.abort()
        if self._sio is not None:
            await self._sio.shutdown()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def set_active_conversation(self, conversation_id: str | None) -> None:
        """The desktop window shows this conversation: views that follow it switch too."""
        if conversation_id == self.active_conversation_id:
            return
        self.active_conversation_id = conversation_id
        for view in list(self._fanout.views.values()):
            if view.following:
                self._post_snapshot(view, conversation_id, following=True)

    # --- ChatService observer ---------------------------------------------------------

    def reply_started(self, start: ReplyStart) -> None:
        message = start.message
        base = (message.content, message.reasoning)  # non-empty when a reply is continued
        sids = self._fanout.reply_started(start.conversation.id, message.id, base)
        if sids:
            self._fanout.post(p.MESSAGE_STARTED, started_payload(start), sids)

    def reply_event(self, conversation_id: str, message_id: str, event: ProgressEvent) -> None:
        if isinstance(event, TextDelta):
            self._fanout.add_delta(message_id, event.text)
        elif isinstance(event, ReasoningDelta):
            self._fanout.add_delta(message_id, event.text, reasoning=True)
        elif isinstance(event, ToolCallChanged):
            record = ToolCallRecord(
                event.call, event.server, event.status, event.result, event.images
            )
            change: p.ToolChangedPayload = {
                "conversation_id": conversation_id,
                "message_id": message_id,
                "call": p.tool_call_view(record),
            }
            sids = [view.sid for view in self._fanout.watchers(conversation_id)]
            self._fanout.post(p.TOOL_CHANGED, change, sids)

    def reply_ended(self, message: Message, event: TerminalEvent) -> None:
        ended = self._fanout.reply_ended(message.id)
        if ended is not None:
            mirror, sids = ended
            name, payload = terminal_payload(message, mirror.seq, event)
            self._fanout.post(name, payload, sids)

    def conversation_updated(self, conversation: Conversation) -> None:
        payload: p.ConversationUpdatedPayload = {
            "conversation": p.conversation_summary(conversation)
        }
        self._fanout.post(p.CONVERSATION_UPDATED, payload, list(self._fanout.views))

    def conversation_deleted(self, conversation_id: str) -> None:
        """Tell every view; those that showed it follow the desktop window's conversation
        (or the newest one while the window has none left to show)."""
        payload: p.ConversationDeletedPayload = {"conversation_id": conversation_id}
        self._fanout.post(p.CONVERSATION_DELETED, payload, list(self._fanout.views))
        for view in list(self._fanout.views.values()):
            if view.conversation_id == conversation_id:
                self._post_snapshot(view, self.active_conversation_id, following=True)

    def branch_changed(self, branch: Branch) -> None:
        """Views showing that conversation get its new branch (with the text so far of a
        reply streaming there: their cursors move to it, as for a snapshot)."""
        watchers = self._fanout.watchers(branch.conversation_id)
        for view in watchers:
            self._fanout.show(view, branch.conversation_id, following=view.following)
        if watchers:
            payload = branch_payload(self._service, self._fanout, branch)
            self._fanout.post(p.BRANCH_CHANGED, payload, [view.sid for view in watchers])

    # --- HTTP -------------------------------------------------------------------------

    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Refuse foreign Hosts (DNS rebinding) and Origins before anything else runs."""
        if request.host not in self._hosts:
            return web.Response(status=421, text="unknown host\n", headers=SECURITY_HEADERS)
        origin = request.headers.get("Origin")
        if origin is not None and origin not in self._origins:
            return web.Response(status=403, text="foreign origin\n", headers=SECURITY_HEADERS)
        eio_sid = request.query.get("sid")
        socket_io = request.path.startswith("/socket.io")  # uploads cap their own size
        if (
            socket_io
            and request.method == "POST"
            and (request.content_length or 0) > p.MAX_PACKET_BYTES
        ):
            await self._close_session(eio_sid)
            return web.Response(status=413, text="payload too large\n", headers=SECURITY_HEADERS)
        is_ws = request.query.get("transport") == "websocket"
        if is_ws and eio_sid and request.transport is not None:
            self._ws_transports[eio_sid] = request.transport
        try:
            response = await handler(request)
        finally:
            if is_ws and eio_sid:
                self._ws_transports.pop(eio_sid, None)
        if not response.prepared:
            response.headers.update(SECURITY_HEADERS)
        return response

    async def _close_session(self, eio_sid: str | None) -> None:
        """End a polling session that sent too much, without waiting for it to drain:
        engine.io's own refusal waits for a GET that may never come, and the POST hangs."""
        sock = self._sio.eio.sockets.get(eio_sid) if eio_sid else None
        if sock is not None:
            await sock.close(wait=False, reason=self._sio.eio.reason.TRANSPORT_ERROR)

    async def _index(self, request: web.Request) -> web.StreamResponse:
        index = STATIC_DIR / "index.html"
        if not index.is_file():
            return web.Response(
                status=503,
                text="The companion page is not built: run `npm ci && npm run build` in web/.\n",
            )
        return web.FileResponse(index, headers={"Cache-Control": "no-cache"})

    # --- Socket.IO ----------------------------------------------------------------------

    def _register_handlers(self) -> None:
        sio = self._sio
        sio.on("connect", self._on_connect)
        sio.on("disconnect", self._on_disconnect)
        requests: dict[str, Handler] = {
            p.PROMPT_SEND: self._prompt_send,
            p.REPLY_STOP: self._reply_stop,
            p.CONVERSATION_OPEN: self._conversation_open,
        }
        for name, request in self._message_requests.handlers().items():
            requests[name] = _ignoring_view(request)
        for event, handler in requests.items():
            sio.on(event, self._request_handler(handler))
        sio.on(REFUSED, self._on_refused)

    async def _on_connect(self, sid: str, environ: dict[str, Any], auth: object = None) -> None:
        origin = environ.get("HTTP_ORIGIN")
        if origin is not None and origin not in self._origins:
            raise socketio.exceptions.ConnectionRefusedError(p.REFUSED_ORIGIN)
        token = auth.get("token") if isinstance(auth, dict) else None
        if not token_matches(token, self._token):
            raise socketio.exceptions.ConnectionRefusedError(p.REFUSED_UNAUTHORIZED)
        if len(self._fanout.views) >= MAX_VIEWS:
            raise socketio.exceptions.ConnectionRefusedError(p.REFUSED_FULL)
        view = self._fanout.add_view(sid)
        self._buckets[sid] = TokenBucket(p.RATE_BURST, p.RATE_PER_SECOND)
        # Posted now, sent by the pump after this handler returns and CONNECT is queued.
        self._post_snapshot(view, self.active_conversation_id, following=True)

    async def _on_disconnect(self, sid: str, reason: object = None) -> None:
        self._fanout.remove_view(sid)
        self._buckets.pop(sid, None)
        # A polling client that says goodbye still has a long-poll GET waiting in the
        # engine.io socket (up to ping interval + timeout); end it now, as engine.io
        # itself does to unlock a websocket writer.
        if self._engine is not None:
            self._engine.end_long_poll(sid)

    def _request_handler(self, handler: Handler) -> Callable[..., Awaitable[object]]:
        async def handle(sid: str, *args: object) -> object:
            view = self._fanout.views.get(sid)
            if view is None:
                return None
            try:
                self._admit(sid)
                if len(args) != 1:
                    raise p.ProtocolError(p.ERROR_INVALID, "expected exactly one payload")
                return handler(view, args[0])
            except p.ProtocolError as error:
                return error.ack()
            except StoreError as error:  # a full disk, a read-only database: not a bug
                log.warning("companion request not saved: %s", error.message)
                return p.ProtocolError(p.ERROR_STORAGE, error.message).ack()
            except Exception:
                log.exception("companion request failed")
                return p.ProtocolError(p.ERROR_INTERNAL, "the request failed").ack()

        return handle

    async def _on_refused(self, sid: str, reason: str) -> object:
        """An undocumented event or a payload nested too deeply: counted, then refused."""
        if sid not in self._fanout.views:
            return None
        try:
            self._admit(sid)
        except p.ProtocolError as error:
            return error.ack()
        return p.ProtocolError(p.ERROR_INVALID, reason).ack()

    def _admit(self, sid: str) -> None:
        bucket = self._buckets.get(sid)
        if bucket is None or bucket.allow():
            return
        if bucket.refused > MAX_REFUSED:
            log.warning("companion view %s keeps flooding; dropping it", sid)
            self._fanout.remove_view(sid)
            self._drop(sid)
        raise p.ProtocolError(p.ERROR_RATE_LIMITED, "too many requests; slow down")

    # --- requests -----------------------------------------------------------------------

    def _prompt_send(self, view: View, data: object) -> p.AckOk:
        request = checks.parse_prompt_send(data)
        files = self._checked_files(request.files)  # refused: nothing is sent or created
        conversation_id = request.conversation_id or view.conversation_id
        if conversation_id is None:
            conversation_id = self._service.new_conversation().id
        elif self._service.get_conversation(conversation_id) is None:
            raise p.ProtocolError(p.ERROR_NOT_FOUND, "no such conversation")
        if self._service.active_reply(conversation_id) is not None:
            raise p.ProtocolError(p.ERROR_BUSY, "a reply is already streaming there")
        attachments = self._uploads.files.store(files) if self._uploads and files else ()
        if conversation_id != view.conversation_id:
            following = view.following and conversation_id == self.active_conversation_id
            self._post_snapshot(view, conversation_id, following=following)
        message = self._service.send(conversation_id, request.text, attachments)
        if self._uploads is not None:
            self._uploads.sent(request.files)
        return {"ok": True, "conversation_id": conversation_id, "message_id": message.id}

    def _checked_files(self, ids: tuple[str, ...]) -> list[AttachmentContent]:
        """The uploads a prompt names, checked against the limits (stored once it goes)."""
        if not ids:
            return []
        if self._uploads is None:
            raise p.ProtocolError(p.ERROR_FILE_REFUSED, "this app takes no files from views")
        return self._uploads.take(ids)

    def _reply_stop(self, view: View, data: object) -> p.AckOk:
        request = checks.parse_reply_stop(data)
        return {"ok": True, "stopped": self._service.stop(request.message_id)}

    def _conversation_open(self, view: View, data: object) -> p.AckOk:
        request = checks.parse_conversation_open(data)
        if request.conversation_id is None:
            self._post_snapshot(view, self.active_conversation_id, following=True)
            return {"ok": True}
        if self._service.get_conversation(request.conversation_id) is None:
            raise p.ProtocolError(p.ERROR_NOT_FOUND, "no such conversation")
        self._post_snapshot(view, request.conversation_id, following=False)
        return {"ok": True, "conversation_id": request.conversation_id}

    def _post_snapshot(self, view: View, conversation_id: str | None, *, following: bool) -> None:
        """Point the view at a conversation and queue its snapshot, in one step."""
        service = self._service
        if conversation_id is None or service.get_conversation(conversation_id) is None:
            conversations = service.list_conversations()
            conversation_id = conversations[0].id if conversations else None
        self._fanout.show(view, conversation_id, following=following)
        payload = build_snapshot(
            self._service, self._fanout, view, active_conversation_id=self.active_conversation_id
        )
        self._fanout.post(p.SNAPSHOT, payload, [view.sid])

    # --- transport ----------------------------------------------------------------------

    async def _send(self, event: str, payload: object, sids: list[str]) -> None:
        live = [sid for sid in sids if sid in self._fanout.views]
        if live:
            await self._sio.emit(event, payload, to=live[0] if len(live) == 1 else live)

    def _backlog(self, sid: str) -> int:
        """Packets queued for a view and not yet written to its socket."""
        return self._engine.backlog(sid) if self._engine is not None else 0

    def _drop(self, sid: str) -> None:
        """Cut a view at once; it resyncs from a snapshot when it reconnects."""
        self._buckets.pop(sid, None)
        eio_sid = self._engine.eio_sid(sid) if self._engine is not None else None
        transport = self._ws_transports.get(eio_sid) if eio_sid else None
        if transport is not None:
            transport.abort()
        else:
            task = asyncio.ensure_future(self._sio.disconnect(sid))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)


def _ignoring_view(request: Callable[[object], p.AckOk]) -> Handler:
    """A request whose answer does not depend on which view asked."""
    return lambda _view, data: request(data)
