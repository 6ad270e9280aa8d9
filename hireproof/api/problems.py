"""Errors as RFC 9457 problem details (``application/problem+json``).

Every refusal of the API is one of these: ``type`` (a URN naming the kind of problem), ``title``,
``status``, ``detail`` (what was wrong, in words), ``instance`` (the path asked for) and, for
input that does not fit, ``errors``: one entry per field, each with a JSON ``pointer`` into the
body (``/candidates/3/email``) or the ``parameter`` or ``header`` it concerns.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Schema

PROBLEM_JSON = "application/problem+json"
_URN = "urn:hireproof:problem:"

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    422: "Invalid input",
    429: "Too many requests",
}


class FieldProblem(Schema):
    """One field that does not fit, and why."""

    pointer: str | None = None
    parameter: str | None = None
    header: str | None = None
    detail: str


class Problem(Schema):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldProblem] | None = None


class ApiProblem(Exception):
    """Raised by an endpoint to answer with a problem document."""

    def __init__(
        self,
        status: int,
        kind: str,
        detail: str,
        *,
        errors: Sequence[dict[str, Any]] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.detail = detail
        self.errors = list(errors)
        self.headers = headers or {}


def problem_response(
    request: HttpRequest,
    status: int,
    kind: str,
    detail: str,
    *,
    errors: Sequence[dict[str, Any]] = (),
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """The problem document as a response."""
    body: dict[str, Any] = {
        "type": _URN + kind,
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors:
        body["errors"] = list(errors)
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM_JSON
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def from_problem(request: HttpRequest, problem: ApiProblem) -> HttpResponse:
    """The response for a raised ``ApiProblem``."""
    return problem_response(
        request,
        problem.status,
        problem.kind,
        problem.detail,
        errors=problem.errors,
        headers=problem.headers,
    )


def not_found(request: HttpRequest) -> HttpResponse:
    """The 404 of anything missing or forbidden: the two look the same."""
    return problem_response(
        request,
        404,
        "not-found",
        "There is nothing here for this key: the thing does not exist, or the key's scopes "
        "and its owner's role do not reach it.",
    )


def validation_errors(errors: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ninja's validation errors (pydantic's, with ``loc`` starting at the request part) as
    field problems: a JSON pointer into the body, or the parameter's name."""
    found = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        message = str(error.get("msg", "is not valid"))
        where = loc[0] if loc else "body"
        if where == "body":
            # loc is ["body", <the endpoint's parameter>, field, index, field...]
            found.append(
                {"pointer": "/" + "/".join(_escaped(p) for p in loc[2:]), "detail": message}
            )
        else:
            found.append({"parameter": loc[-1] if len(loc) > 1 else where, "detail": message})
    return found


def _escaped(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def describe(errors: Sequence[dict[str, Any]]) -> str:
    """One sentence naming every field that does not fit."""
    parts = []
    for error in errors:
        where = error.get("pointer") or error.get("parameter") or error.get("header") or "/"
        parts.append(f"{where}: {error['detail']}")
    return "The request does not fit: " + "; ".join(parts) + "."
