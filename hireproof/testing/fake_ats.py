"""What every fake ATS shares: an HTTP server of its own on a free port of 127.0.0.1, started
and stopped around a block, and a request handler that reads bodies and answers JSON.

A fake is a dataclass that inherits ``FakeAts`` (its ``lock``, ``port`` and server) and says
how it answers in ``handler()``, a subclass of ``FakeHandler``; ``serving(fake)`` runs it for
the length of a block.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar


def basic_auth(key: str) -> str:
    """An ``Authorization`` value of HTTP Basic auth: ``key`` as the user name, an empty
    password."""
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


class FakeHandler(BaseHTTPRequestHandler):
    """A fake's request handler: it reads a body, answers JSON, and logs nothing."""

    def raw_body(self) -> bytes:
        """The request's body, as sent."""
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def json_body(self, empty: bytes = b"") -> Any:
        """The request's body as JSON (``empty`` read in its place when there is none); None
        when it is not JSON."""
        try:
            return json.loads(self.raw_body() or empty)
        except ValueError:
            return None

    def send_bytes(self, status: int, data: bytes, content_type: str | None) -> None:
        """Answer ``status`` with ``data``."""
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    def send_json(self, status: int, body: Any) -> None:
        """Answer ``status`` with ``body`` as JSON."""
        self.send_bytes(status, json.dumps(body).encode(), "application/json")

    def log_message(self, format: str, *args: Any) -> None:
        return


@dataclass
class FakeAts:
    """A fake's server: ``start`` listens on ``port`` (a free one when 0), ``stop`` ends it;
    ``lock`` guards what the handler keeps."""

    lock: threading.Lock = field(default_factory=threading.Lock, kw_only=True)
    port: int = field(default=0, kw_only=True)
    _server: ThreadingHTTPServer | None = field(default=None, kw_only=True)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        """The request handler of this fake's server."""
        raise NotImplementedError

    def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        server = ThreadingHTTPServer(("127.0.0.1", self.port), self.handler())
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


Fake = TypeVar("Fake", bound=FakeAts)


@contextmanager
def serving(fake: Fake) -> Iterator[Fake]:
    """``fake`` listening for the length of the block."""
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
