"""What the server's log says, and how: never a candidate's personal link; JSON on request.

The token in ``/a/<token>/`` is the candidate's only credential (and the one in
``/reports/<token>/`` opens a candidate's report). Django names the path of every
refused request (``Not Found: /a/<token>/questions/``) and waitress the path of a request that
failed; whoever reads the log (an operator, a log service) would hold working links.
``RedactCandidateTokens``, a filter on the log handler, replaces each token with ``[token]``
in every record, whatever logger wrote it, the request line's ``path`` included.

``RequestLogMiddleware`` writes one line per request (logger ``hireproof.requests``): method,
path, status and duration. ``JsonFormatter`` (``LOG_FORMAT=json``) writes every record as one
JSON object per line, for a log service: ``time``, ``level``, ``logger``, ``message``, and for a
request line ``method``, ``path``, ``status``, ``duration_ms``.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponseBase

# A candidate's path (``/a/``) or a report link's (``/reports/``: the signed token opens a
# candidate's report), then the token, up to the next slash (or the end, a query, a fragment,
# a space or a quote, as a log line may quote the path).
_CANDIDATE_PATH = re.compile(r"(/a/|/reports/)[^/?#\s'\"]+")
REDACTED = r"\1[token]"


def redact_tokens(text: str) -> str:
    """``text`` with the token of every candidate path and report link in it replaced by
    ``[token]``."""
    return _CANDIDATE_PATH.sub(REDACTED, text)


class RedactCandidateTokens(logging.Filter):
    """Rewrite each record's message (and its exception text) without candidate tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_tokens(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        path = getattr(record, "path", None)
        if isinstance(path, str):
            record.path = redact_tokens(path)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_tokens(record.exc_text)
        return True


# The fields of a request line, in the order a JSON line gives them.
REQUEST_FIELDS = ("method", "path", "status", "duration_ms")
request_logger = logging.getLogger("hireproof.requests")


class RequestLogMiddleware:
    """One log line per request, once its response is ready: ``GET /path 200 12.3 ms``.

    First in the middleware list, so the status is the one the client gets, whatever answered
    (a redirect to HTTPS, a refused input, a view, an error page). The path is logged without
    its query string and with any candidate token replaced.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        began = time.perf_counter()
        response = self.get_response(request)
        duration = round((time.perf_counter() - began) * 1000, 1)
        path = redact_tokens(request.path)
        request_logger.info(
            "%s %s %d %.1f ms",
            request.method,
            path,
            response.status_code,
            duration,
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": duration,
            },
        )
        return response


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]  # a text stream
    """Writes to the process's standard error as it is when the record comes, not as it was
    when logging was set up (a test run swaps it for each test, and closes the old one)."""

    @property  # read-only here: always the current stderr
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


class JsonFormatter(logging.Formatter):
    """Each record as one line of JSON (``LOG_FORMAT=json``)."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        entry: dict[str, object] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in REQUEST_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)
