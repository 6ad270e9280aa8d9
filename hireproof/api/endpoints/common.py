"""What every endpoint module shares: the responses it documents, the base URL, field errors."""

from __future__ import annotations

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
