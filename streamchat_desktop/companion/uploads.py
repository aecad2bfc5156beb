"""Files through the companion endpoint: uploads from the page's composer, held until
a prompt names them, and stored files served back, all behind the launch's token.

Files travel over plain HTTP, not Socket.IO: one packet is capped at 256 KB (a view
that floods must not make the server buffer megabytes) while a file may be 20 MB. The
checks are the window's own (``CompanionFiles`` is the attachments layer's
``PromptFiles``): the same kinds, limits and messages.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

from aiohttp import web

from streamchat_desktop.companion import protocol as p
from streamchat_desktop.companion import request_checks as checks
from streamchat_desktop.companion.security import SECURITY_HEADERS, token_matches
from streamchat_desktop.core.attachments import (
    MAX_FILE_BYTES,
    MAX_FILES,
    Attachment,
    AttachmentContent,
    AttachmentKind,
)

MAX_PENDING = 2 * MAX_FILES  # uploads waiting for their prompt; the oldest go first
READ_CHUNK = 64 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class CompanionFiles(Protocol):
    """Check, convert and store files (raising ``ValueError`` with the user's message)."""

    def prepare(self, name: str, data: bytes) -> AttachmentContent: ...

    def check(self, contents: Sequence[AttachmentContent]) -> None: ...

    def store(self, contents: Sequence[AttachmentContent]) -> tuple[Attachment, ...]: ...

    def content(self, sha256: str) -> AttachmentContent | None: ...


class Uploads:
    """``POST /files`` and ``GET /files/<sha256>``, and the uploads not yet sent."""

    def __init__(self, files: CompanionFiles, token: str) -> None:
        self.files = files
        self._token = token
        self._pending: OrderedDict[str, AttachmentContent] = OrderedDict()

    def routes(self, app: web.Application) -> None:
        app.router.add_post(p.FILES_PATH, self.upload)
        app.router.add_get(p.FILES_PATH + "/{sha256}", self.download)

    # --- prompt:send --------------------------------------------------------------

    def take(self, ids: Sequence[str]) -> list[AttachmentContent]:
        """The uploads a prompt names, checked against the limits; kept until sent."""
        missing = [i for i in ids if i not in self._pending]
        if missing:
            raise p.ProtocolError(
                p.ERROR_NOT_FOUND, "a file was not uploaded or has expired: attach it again"
            )
        contents = [self._pending[i] for i in ids]
        try:
            self.files.check(contents)
        except ValueError as exc:
            raise p.ProtocolError(p.ERROR_FILE_REFUSED, str(exc)) from None
        return contents

    def sent(self, ids: Sequence[str]) -> None:
        for upload_id in ids:
            self._pending.pop(upload_id, None)

    # --- HTTP -----------------------------------------------------------------------

    async def upload(self, request: web.Request) -> web.Response:
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not token_matches(bearer, self._token):
            return _refused(401, p.ERROR_INVALID, "the token is missing or wrong")
        name = request.query.get("name", "").strip()
        if not 0 < len(name) <= p.MAX_FILE_NAME_CHARS:
            return _refused(400, p.ERROR_INVALID, "name must be 1–255 characters")
        data = bytearray()
        while chunk := await request.content.read(READ_CHUNK):
            data += chunk
            if len(data) > MAX_FILE_BYTES:
                return _refused(413, p.ERROR_FILE_REFUSED, checks.upload_too_large(name).message)
        try:  # off the loop: a long PDF takes seconds, the streams must not wait
            loop = asyncio.get_running_loop()
            content = await loop.run_in_executor(None, self.files.prepare, name, bytes(data))
        except ValueError as exc:
            return _refused(400, p.ERROR_FILE_REFUSED, str(exc))
        upload_id = secrets.token_urlsafe(16)
        self._pending[upload_id] = content
        while len(self._pending) > MAX_PENDING:
            self._pending.popitem(last=False)
        a = content.attachment
        ack: p.UploadAck = {
            "ok": True,
            "id": upload_id,
            "name": a.name,
            "media_type": a.media_type,
            "size": a.size,
            "kind": a.kind.value,
            "pages": content.pages,
        }
        return web.json_response(ack)

    async def download(self, request: web.Request) -> web.Response:
        """A stored file: an image as sent to the model (inline), anything else as a
        download (never rendered by the browser: it could be HTML)."""
        if not token_matches(request.query.get("token"), self._token):
            return _refused(401, p.ERROR_INVALID, "the token is missing or wrong")
        sha256 = request.match_info["sha256"]
        content = self.files.content(sha256) if _SHA256.match(sha256) else None
        if content is None:
            return _refused(404, p.ERROR_NOT_FOUND, "no such file")
        headers = {"Cache-Control": "private, max-age=86400"}
        if content.attachment.kind is AttachmentKind.IMAGE:
            body = content.send_data or content.data
            media_type = content.send_type or content.attachment.media_type
        else:
            body, media_type = content.data, "application/octet-stream"
            name = _header_safe(request.query.get("name") or f"{sha256[:12]}.bin")
            headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return web.Response(body=body, content_type=media_type, headers=headers)


def _refused(status: int, code: str, message: str) -> web.Response:
    error: p.AckError = {"ok": False, "error": code, "message": message}
    return web.json_response(error, status=status, headers=SECURITY_HEADERS)


def _header_safe(name: str) -> str:
    return re.sub(r"[^\w.\- ]", "_", name)[: p.MAX_FILE_NAME_CHARS] or "file"
