"""No log record carries a candidate's token; one line per request; JSON lines on request."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hireproof.platform.logs import (
    REQUEST_FIELDS,
    JsonFormatter,
    RedactCandidateTokens,
    redact_tokens,
)

TOKEN = "Zk3q-8rTt0mEx_aAbBcCdDeEfFgGhHiIjJkKlLmMnN"


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        (f"Not Found: /a/{TOKEN}/questions/", "Not Found: /a/[token]/questions/"),
        (f"Bad Request: /a/{TOKEN}/answers/sum/", "Bad Request: /a/[token]/answers/sum/"),
        (f"/a/{TOKEN}/receipt.json", "/a/[token]/receipt.json"),
        (f"GET /a/{TOKEN}?q=1 HTTP/1.1", "GET /a/[token]?q=1 HTTP/1.1"),
        (f"GET /reports/{TOKEN}:sig/ 200", "GET /reports/[token]/ 200"),  # a report link
        (f"'/a/{TOKEN}' and \"/a/{TOKEN}/\"", "'/a/[token]' and \"/a/[token]/\""),
        ("Not Found: /openings/7/", "Not Found: /openings/7/"),
        ("/accounts/sign-in/", "/accounts/sign-in/"),
    ],
)
def test_it_replaces_every_token_of_a_candidate_path(line: str, redacted: str) -> None:
    assert redact_tokens(line) == redacted


def record(message: str, *args: object, exc_info: object = None) -> logging.LogRecord:
    return logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        message,
        args,
        exc_info,  # type: ignore[arg-type]  # the tests pass a real exc_info triple or None
    )


def test_the_filter_rewrites_the_message_with_its_arguments() -> None:
    logged = record("Not Found: %s", f"/a/{TOKEN}/questions/")
    assert RedactCandidateTokens().filter(logged) is True  # kept, only rewritten
    assert logged.getMessage() == "Not Found: /a/[token]/questions/"
    plain = record("Not Found: %s", "/openings/7/")
    RedactCandidateTokens().filter(plain)
    assert (plain.msg, plain.args) == ("Not Found: %s", ("/openings/7/",))


def test_the_filter_rewrites_the_traceback_of_a_failed_request() -> None:
    try:
        raise ValueError(f"no such item on /a/{TOKEN}/answers/x/")
    except ValueError:
        logged = record("Internal Server Error: %s", f"/a/{TOKEN}/", exc_info=sys.exc_info())
    RedactCandidateTokens().filter(logged)
    shown = logging.Formatter().format(logged)
    assert TOKEN not in shown
    assert "ValueError: no such item on /a/[token]/answers/x/" in shown
    assert shown.startswith("Internal Server Error: /a/[token]/")


def test_a_json_line_holds_time_level_logger_message_and_the_request_fields() -> None:
    logged = record("GET %s 200 1.5 ms", f"/a/{TOKEN}/questions/")
    logged.method, logged.path, logged.status, logged.duration_ms = (
        "GET",
        f"/a/{TOKEN}/questions/",
        200,
        1.5,
    )
    RedactCandidateTokens().filter(logged)
    line = JsonFormatter().format(logged)
    assert "\n" not in line
    entry = json.loads(line)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry.pop("time"))
    assert entry == {
        "level": "WARNING",
        "logger": "django.request",
        "message": "GET /a/[token]/questions/ 200 1.5 ms",
        "method": "GET",
        "path": "/a/[token]/questions/",
        "status": 200,
        "duration_ms": 1.5,
    }


def test_a_json_line_carries_the_traceback_without_tokens() -> None:
    try:
        raise ValueError(f"no such item on /a/{TOKEN}/answers/x/")
    except ValueError:
        logged = record("Internal Server Error: %s", f"/a/{TOKEN}/", exc_info=sys.exc_info())
    RedactCandidateTokens().filter(logged)
    entry = json.loads(JsonFormatter().format(logged))
    assert entry["message"] == "Internal Server Error: /a/[token]/"
    assert "ValueError: no such item on /a/[token]/answers/x/" in entry["exception"]
    assert TOKEN not in json.dumps(entry)
    assert "method" not in entry  # not a request line


@pytest.mark.django_db
def test_every_request_is_logged_once_with_its_method_path_status_and_duration(
    client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="hireproof.requests"):
        client.get("/healthz")
        client.post("/healthz")
        client.get(f"/a/{TOKEN}/questions/?q=2")
    lines = [r for r in caplog.records if r.name == "hireproof.requests"]
    fields = [{name: getattr(r, name) for name in REQUEST_FIELDS} for r in lines]
    assert [(f["method"], f["path"], f["status"]) for f in fields] == [
        ("GET", "/healthz", 200),
        ("POST", "/healthz", 405),
        ("GET", "/a/[token]/questions/", 404),
    ]
    assert all(isinstance(f["duration_ms"], float) for f in fields)
    assert lines[0].getMessage().startswith("GET /healthz 200 ")
    assert all(TOKEN not in r.getMessage() for r in lines)


def test_the_log_format_comes_from_the_environment(tmp_path: Path) -> None:
    env = {**os.environ, "HIREPROOF_DATA_DIR": str(tmp_path), "LOG_FORMAT": "json"}
    env.pop("DATABASE_URL", None)
    shown = subprocess.run(
        [sys.executable, "-c", SHOW_LOG_LINE], env=env, capture_output=True, text=True, check=True
    )
    entry = json.loads(shown.stderr)
    assert (entry["logger"], entry["message"]) == ("hireproof.check", "one line")
    refused = subprocess.run(
        [sys.executable, "-c", SHOW_LOG_LINE],
        env={**env, "LOG_FORMAT": "xml"},
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0
    assert "LOG_FORMAT='xml': expected 'text' or 'json'" in refused.stderr


SHOW_LOG_LINE = """
import django, logging, os
os.environ["DJANGO_SETTINGS_MODULE"] = "hireproof.settings"
django.setup()
logging.getLogger("hireproof.check").warning("one line")
"""
