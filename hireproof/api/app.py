"""The API object: its resources, its OpenAPI 3.1 document and docs page, and its errors.

Every error leaves as RFC 9457 problem details (``hireproof.api.problems``): a missing or
forbidden thing is the same 404, input that does not fit is a 422 naming each field (a JSON
pointer into the body, or the parameter), a body that is not JSON is a 400, an action's refusal
is a 409. The OpenAPI document says so: each operation lists its problems as
``application/problem+json`` and the bearer key it needs.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from hireproof.api.endpoints import (
    audit,
    candidates,
    decisions,
    interviews,
    openings,
    orders,
    playbooks,
    results,
    webhooks,
)
from hireproof.api.problems import (
    PROBLEM_JSON,
    ApiProblem,
    describe,
    from_problem,
    not_found,
    problem_response,
    validation_errors,
)

ROUTERS = (
    playbooks,
    openings,
    candidates,
    results,
    interviews,
    decisions,
    orders,
    audit,
    webhooks,
)

DESCRIPTION = """The hireproof REST API: the same actions, rules and audit log as the web app.

Authenticate with an API key (`Authorization: Bearer hpk_...`), created by an administrator on
the API keys page or with `hireproof api-key create`. A key acts as its owner within its scopes.
Every POST takes an `Idempotency-Key`; every error is `application/problem+json` (RFC 9457);
each key may make a limited number of requests per minute (`RateLimit-*` headers, 429 with
`Retry-After` beyond). Lists are paged with `cursor` and `next_cursor`.
"""


class KeyAuth(HttpBearer):
    """The bearer key, already checked by the gate (``hireproof.api.gate``) before the endpoint
    runs; declared here so the OpenAPI document says every operation needs it."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return getattr(request, "api_key", None)


class HireproofApi(NinjaAPI):
    """NinjaAPI whose OpenAPI document gives problems their media type."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        for methods in schema.get("paths", {}).values():
            for operation in methods.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if str(status).startswith(("4", "5")) and "application/json" in content:
                        response["content"] = {PROBLEM_JSON: content["application/json"]}
        return schema


api = HireproofApi(
    title="hireproof API",
    version="1",
    description=DESCRIPTION,
    auth=KeyAuth(),
    urls_namespace="api",
    docs=Swagger(settings={"persistAuthorization": False, "validatorUrl": None}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
for module in ROUTERS:
    api.add_router("", module.router)


@api.exception_handler(ApiProblem)
def _problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    return from_problem(request, exc)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return not_found(request)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = validation_errors(exc.errors)
    return problem_response(request, 422, "invalid-input", describe(errors), errors=errors)


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        request,
        401,
        "unauthorized",
        "Send a valid API key as 'Authorization: Bearer <key>'.",
        headers={"WWW-Authenticate": 'Bearer realm="hireproof"'},
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Ninja's own refusals: a body that is not JSON, for one.
    status = exc.status_code if 400 <= exc.status_code < 500 else 400
    return problem_response(request, status, "bad-request", str(exc))
