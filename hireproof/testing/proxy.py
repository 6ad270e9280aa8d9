"""A reverse proxy for tests: what a browser meets when the server behind a proxy is overloaded.

``RefusingProxy(upstream)`` listens on a free port of 127.0.0.1 and forwards every request to
``upstream`` (a live test server's URL), as nginx would, until it is told to refuse some:
``proxy.refuse(matches)`` answers each request for which ``matches(method, path)`` is true with
``503 Service Unavailable`` (what a proxy says when no server behind it can take the request),
and ``proxy.refuse(None)`` lets them through again. It counts what it refused. The outside
world's edge, made real: the app behind it is not touched.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

Matches = Callable[[str, str], bool]
# Headers that describe one hop, not the request: never forwarded.
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding"}
)


class RefusingProxy:
    """A forwarding proxy on 127.0.0.1 that answers 503 to the requests it is told to refuse."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.matches: Matches | None = None
        self.refused = 0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def refuse(self, matches: Matches | None) -> None:
        """Answer 503 to every request ``matches`` picks from now on (``None``: to none)."""
        with self.lock:
            self.matches = matches

    def refuses(self, method: str, path: str) -> bool:
        with self.lock:
            if self.matches is not None and self.matches(method, path):
                self.refused += 1
                return True
            return False


def _handler_for(proxy: RefusingProxy) -> type[BaseHTTPRequestHandler]:
    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            if proxy.refuses(self.command, self.path):
                self._answer(503, [("Content-Type", "text/plain")], b"Service Unavailable\n")
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            upstream = http.client.HTTPConnection(*proxy.upstream, timeout=30)
            try:
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                content = response.read()
                kept = [
                    (k, v)
                    for k, v in response.getheaders()
                    if k.lower() not in HOP_BY_HOP and k.lower() != "content-length"
                ]
                self._answer(response.status, kept, content)
            except OSError:
                self._answer(502, [("Content-Type", "text/plain")], b"Bad Gateway\n")
            finally:
                upstream.close()

        def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_HEAD = _forward

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Forward


@contextmanager
def refusing_proxy(upstream: str) -> Iterator[RefusingProxy]:
    """A ``RefusingProxy`` in front of ``upstream``, serving until the block ends."""
    proxy = RefusingProxy(upstream)
    proxy.thread.start()
    try:
        yield proxy
    finally:
        proxy.server.shutdown()
        proxy.server.server_close()
