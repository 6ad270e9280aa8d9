"""What every endpoint module shares: the responses it documents, the base URL, field errors,
the cursors of lists."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.http import HttpRequest

from hireproof.api.problems import ApiProblem, Problem

ERRORS: dict[int, Any] = {
    400: Problem,
    401: Problem,
    404: Problem,
    409: Problem,
    422: Problem,
    429: Problem,
}
"""The problems every endpoint may answer (documented on each)."""


def answers(ok: dict[int, Any]) -> dict[int, Any]:
    """``ok`` and the error responses, for an endpoint's ``response=``."""
    return {**ok, **ERRORS}


def base_url(request: HttpRequest) -> str:
    """The site's address as this request reached it, for the links an email carries."""
    return request.build_absolute_uri("/")


def invalid(pointer: str, detail: str) -> ApiProblem:
    """A 422 problem about one field of the body."""
    return ApiProblem(
        422,
        "invalid-input",
        f"The request does not fit: {pointer}: {detail}",
        errors=[{"pointer": pointer, "detail": detail}],
    )


def invalid_parameter(name: str, detail: str) -> ApiProblem:
    """A 422 problem about one query parameter."""
    return ApiProblem(
        422,
        "invalid-input",
        f"The request does not fit: {name}: {detail}",
        errors=[{"parameter": name, "detail": detail}],
    )


def refused(error: Exception) -> ApiProblem:
    """A 409 problem for an action's refusal (its plain message)."""
    return ApiProblem(409, "refused", str(error))


def next_cursor(after: int | None) -> str | None:
    """The ``next_cursor`` of a page whose next one starts after id ``after`` (``None``: this
    is the last page)."""
    if after is None:
        return None
    return base64.urlsafe_b64encode(f"after:{after}".encode()).decode().rstrip("=")


def after_cursor(cursor: str | None) -> int | None:
    """The id a ``cursor`` this API gave continues after (``None`` for the first page); a
    422 naming ``cursor`` for anything else."""
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    label, _, number = text.partition(":")
    if label != "after" or not number.isascii() or not number.isdigit() or len(number) > 18:
        raise invalid_parameter("cursor", "not a cursor this API gave (pass next_cursor as is)")
    return int(number)
