"""No log record carries a candidate's token: the filter on the server's log handler."""

from __future__ import annotations

import logging
import sys

import pytest

from hireproof.platform.logs import RedactCandidateTokens, redact_tokens

TOKEN = "Zk3q-8rTt0mEx_aAbBcCdDeEfFgGhHiIjJkKlLmMnN"


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        (f"Not Found: /a/{TOKEN}/questions/", "Not Found: /a/[token]/questions/"),
        (f"Bad Request: /a/{TOKEN}/answers/sum/", "Bad Request: /a/[token]/answers/sum/"),
        (f"/a/{TOKEN}/receipt.json", "/a/[token]/receipt.json"),
        (f"GET /a/{TOKEN}?q=1 HTTP/1.1", "GET /a/[token]?q=1 HTTP/1.1"),
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
