"""The companion endpoint: the built page and Socket.IO on one loopback port, no Qt.

python-socketio's ``AsyncServer`` on aiohttp, started with an ``AppRunner`` on the running
loop (the app's qasync loop): no threads, no eventlet. Its ``ReplyRelay`` observes the
``ChatService`` like the desktop window does and relays every reply to the views through
``Fanout``; ``HttpGuard`` screens each HTTP request and ``Admission`` each view.

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

from aiohttp import web

from streamchat_desktop.companion import protocol as p
from streamchat_desktop.companion import request_checks as checks
from streamchat_desktop.companion.admission import Admission
from streamchat_desktop.companion.engineio_sockets import EngineSockets
from streamchat_desktop.companion.fanout import Fanout, View
from streamchat_desktop.companion.http_guard import HttpGuard
from streamchat_desktop.companion.message_requests import MessageRequests
from streamchat_desktop.companion.packet_guard import REFUSED, GuardedServer
from streamchat_desktop.companion.reply_relay import ReplyRelay
from streamchat_desktop.companion.security import (
    CompanionStartError,
    is_loopback,
    is_wildcard,
    listen,
    new_token,
)
from streamchat_desktop.companion.snapshots import build_snapshot
from streamchat_desktop.companion.uploads import CompanionFiles, Uploads
from streamchat_desktop.core.attachments import AttachmentContent
from streamchat_desktop.core.chat_service import ChatService
from streamchat_desktop.core.store import StoreError

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
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
        self._http = HttpGuard(self._close_session)
        self._admission = Admission(self._token, self._drop_flooding)
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Future[Any]] = set()
        self._sio: Any = None
        self._engine: EngineSockets | None = None
        self._fanout = Fanout(self._send, self._backlog, self._drop)
        self._uploads = Uploads(files, self._token) if files is not None else None
        self._message_requests = MessageRequests(service)
        self._relay = ReplyRelay(service, self._fanout, self._follow_window)

    # --- public API -------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._port

    @property
    def token(self) -> str:
        return self._token

    @property
    def origins(self) -> list[str]:
        return list(self._http.origins)

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
        self._service.add_observer(self._relay)
        log.info("companion view at http://%s:%d/", self._host, self._port)

    async def _serve(self, sock: socket.socket) -> None:
        self._port = sock.getsockname()[1]
        self._http.listen_on(self._host, self._port)
        self._sio = GuardedServer(
            client_events=frozenset(p.CLIENT_EVENTS),
            max_depth=p.MAX_JSON_DEPTH,
            async_mode="aiohttp",
            cors_allowed_origins=self._http.origins,
            max_http_buffer_size=p.MAX_PACKET_BYTES,
            ping_interval=PING_INTERVAL,
            ping_timeout=PING_TIMEOUT,
            logger=False,
            engineio_logger=False,
        )
        self._engine = EngineSockets(self._sio)
        self._register_handlers()
        app = web.Application(
            middlewares=[self._http.middleware], client_max_size=p.MAX_PACKET_BYTES
        )
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
        self._service.remove_observer(self._relay)
        await self._fanout.stop()
        self._http.abort_all()
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

    # --- HTTP -------------------------------------------------------------------------

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
        self._admission.check_connect(self._http.origins, environ, auth, len(self._fanout.views))
        view = self._fanout.add_view(sid)
        self._admission.opened(sid)
        # Posted now, sent by the pump after this handler returns and CONNECT is queued.
        self._post_snapshot(view, self.active_conversation_id, following=True)

    async def _on_disconnect(self, sid: str, reason: object = None) -> None:
        self._fanout.remove_view(sid)
        self._admission.closed(sid)
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
                self._admission.admit(sid)
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
            self._admission.admit(sid)
        except p.ProtocolError as error:
            return error.ack()
        return p.ProtocolError(p.ERROR_INVALID, reason).ack()

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

    def _follow_window(self, view: View) -> None:
        self._post_snapshot(view, self.active_conversation_id, following=True)

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

    def _drop_flooding(self, sid: str) -> None:
        """A view that would not stop asking: forget it, then cut it."""
        self._fanout.remove_view(sid)
        self._drop(sid)

    def _drop(self, sid: str) -> None:
        """Cut a view at once; it resyncs from a snapshot when it reconnects."""
        self._admission.closed(sid)
        eio_sid = self._engine.eio_sid(sid) if self._engine is not None else None
        transport = self._http.transport(eio_sid)
        if transport is not None:
            transport.abort()
        else:
            task = asyncio.ensure_future(self._sio.disconnect(sid))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)


def _ignoring_view(request: Callable[[object], p.AckOk]) -> Handler:
    """A request whose answer does not depend on which view asked."""
    return lambda _view, data: request(data)
