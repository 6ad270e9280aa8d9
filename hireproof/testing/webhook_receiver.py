"""A real webhook receiver for tests and the benchmark: an HTTP server on 127.0.0.1 that
verifies each delivery with the Standard Webhooks library (``Webhook.verify``), as an
integration would.

It keeps what it was sent (``received``), answers as it is told (``mode``: ``ok`` is 204,
``unavailable`` is 503, ``redirect`` is a 307 to ``redirect_to``), and can be stopped, so the
port refuses connections, and started again on the same port.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass(frozen=True)
class Received:
    """One request as the receiver got it, and whether its signature verified."""

    message_id: str
    body: bytes
    headers: dict[str, str]
    verified: bool
    payload: object  # the parsed JSON when it verified, else None
    arrived: float = field(default_factory=time.time)  # when the request came in


@dataclass
class Receiver:
    """The receiver's state, shared with its request handler."""

    secrets: list[str]
    mode: str = "ok"
    redirect_to: str = ""
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Where deliveries go."""
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> None:
        """Listen (on the port it had, once it had one)."""
        handler = _handler_for(self)
        ThreadingHTTPServer.allow_reuse_address = True
        server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening: connections to the port are refused until ``start``."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def verified(self) -> list[Received]:
        """The requests whose signature verified."""
        with self.lock:
            return [item for item in self.received if item.verified]

    def verify(self, body: bytes, headers: dict[str, str]) -> object:
        """The payload if a signature of ``headers`` verifies with one of the secrets;
        ``WebhookVerificationError`` otherwise."""
        for secret in self.secrets:
            try:
                return Webhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
        raise WebhookVerificationError("no secret verifies the signature")


def _handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            try:
                payload, verified = receiver.verify(body, headers), True
            except WebhookVerificationError:
                payload, verified = None, False
            with receiver.lock:
                receiver.received.append(
                    Received(headers.get("webhook-id", ""), body, headers, verified, payload)
                )
                mode = receiver.mode
            if mode == "unavailable":
                self._answer(503, b"down for maintenance")
            elif mode == "redirect":
                self.send_response(307)
                self.send_header("Location", receiver.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif not verified:
                self._answer(401, b"bad signature")
            else:
                self._answer(204, b"")

        def _answer(self, status: int, text: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)

        def log_message(self, format: str, *args: object) -> None:
            return  # quiet

    return Handler


@contextmanager
def running_receiver(secrets: list[str] | None = None) -> Iterator[Receiver]:
    """A receiver listening on a free port of 127.0.0.1 until the block ends."""
    receiver = Receiver(secrets=list(secrets or []))
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()
