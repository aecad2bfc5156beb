"""Known failure kinds of a reply. Anything not mapped to one of these is a bug."""

from __future__ import annotations

from enum import Enum


class ErrorKind(str, Enum):
    AUTH = "auth"  # 401: bad or missing key
    FORBIDDEN = "forbidden"  # 403: key lacks access
    NOT_FOUND = "not_found"  # 404: unknown model or wrong base URL
    RATE_LIMITED = "rate_limited"  # 429: slow down, retry after a while
    QUOTA = "quota"  # 429 insufficient_quota: billing, retrying will not help
    CONTEXT_TOO_LONG = "context_too_long"  # 400/413: request exceeds the context window
    IMAGES_REFUSED = "images_refused"  # 4xx naming images/vision: the model cannot see
    BAD_REQUEST = "bad_request"  # other 4xx the server rejected
    SERVER = "server"  # 5xx
    UNREACHABLE = "unreachable"  # connection refused, DNS failure
    TIMEOUT = "timeout"  # connect or read timeout, stalled stream
    STREAM_CUT = "stream_cut"  # connection closed before the stream ended
    STREAM_ERROR = "stream_error"  # an error event inside the stream
    MALFORMED = "malformed"  # a chunk that is not valid JSON / not a completion chunk
    NO_KEY = "no_key"  # provider needs a key and none is configured
    INTERNAL = "internal"  # a bug in StreamChat: logged with its traceback, reported


_TITLES: dict[ErrorKind, str] = {
    ErrorKind.AUTH: "The server rejected the API key",
    ErrorKind.FORBIDDEN: "This key has no access to that model or endpoint",
    ErrorKind.NOT_FOUND: "The model or endpoint was not found",
    ErrorKind.RATE_LIMITED: "Rate limited by the server",
    ErrorKind.QUOTA: "The account's quota is exhausted",
    ErrorKind.CONTEXT_TOO_LONG: "The conversation is too long for the model's context",
    ErrorKind.IMAGES_REFUSED: "This model does not accept images",
    ErrorKind.BAD_REQUEST: "The server rejected the request",
    ErrorKind.SERVER: "The server had an internal error",
    ErrorKind.UNREACHABLE: "Could not reach the server",
    ErrorKind.TIMEOUT: "The server stopped responding",
    ErrorKind.STREAM_CUT: "The connection closed in the middle of the answer",
    ErrorKind.STREAM_ERROR: "The server reported an error during the answer",
    ErrorKind.MALFORMED: "The server sent data that is not a valid completion chunk",
    ErrorKind.NO_KEY: "No API key is configured for this provider",
    ErrorKind.INTERNAL: "StreamChat hit an unexpected error (details are in the log)",
}

_RETRYABLE = {
    ErrorKind.RATE_LIMITED,
    ErrorKind.SERVER,
    ErrorKind.UNREACHABLE,
    ErrorKind.TIMEOUT,
    ErrorKind.STREAM_CUT,
    ErrorKind.STREAM_ERROR,
    ErrorKind.MALFORMED,
}


class ChatError(Exception):
    """An environment fault with a known kind: shown inline with a Retry, never a crash."""

    def __init__(
        self,
        kind: ErrorKind,
        detail: str = "",
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.kind = kind
        self.detail = detail
        self.status = status
        self.retry_after = retry_after
        super().__init__(self.message)

    @property
    def title(self) -> str:
        return _TITLES[self.kind]

    @property
    def retryable(self) -> bool:
        return self.kind in _RETRYABLE

    @property
    def message(self) -> str:
        """One human sentence: the title, the server's own words, and when to retry."""
        text = self.title
        if self.status is not None:
            text += f" (HTTP {self.status})"
        if self.detail:
            text += f": {self.detail.rstrip('.')}"
        text += "."
        if self.retry_after is not None:
            text += f" Retry in {self.retry_after:g} s."
        return text
