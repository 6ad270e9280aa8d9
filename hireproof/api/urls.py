"""The API's URL patterns, as the site mounts them under ``/api/v1/``.

Each endpoint's pattern is wrapped by the gate (key, rate limit, idempotency) and marked as an
API view naming the endpoint functions it serves, so the permission checks can walk them; the
OpenAPI document and the docs page are public, like the sign-in page: they describe the API and
hold no data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt

from hireproof.api.app import ROUTERS, api
from hireproof.api.gate import gated
from hireproof.api.problems import problem_response

PUBLIC_NAMES = {"openapi-json", "openapi-view", "api-root"}
"""The API's public patterns, by name (``api:<name>``)."""


def _operations() -> dict[str, list[Callable[..., Any]]]:
    """URL name -> the endpoint functions its path serves (a GET and a POST may share one)."""
    by_path: dict[str, list[Callable[..., Any]]] = {}
    names: dict[str, str] = {}
    for module in ROUTERS:
        for path, path_view in module.router.path_operations.items():
            for operation in path_view.operations:
                by_path.setdefault(path, []).append(operation.view_func)
                names[str(operation.url_name)] = path
    return {name: by_path[path] for name, path in names.items()}


@csrf_exempt  # an API client sends no CSRF token: its POST gets the 404, not the HTML 403
def no_such_path(request: HttpRequest, rest: str = "") -> HttpResponseBase:
    """Any other path under the API, whatever the method: a 404 problem (not the site's HTML
    page)."""
    return problem_response(request, 404, "not-found", f"The API has no path {request.path!r}.")


def to_docs(request: HttpRequest) -> HttpResponseBase:
    """``/api/v1/`` itself: the docs page."""
    return redirect("api:openapi-view")


def _mark(view: object, **marks: object) -> None:
    """Set the marks the access checks read on ``view`` (``surface``, ``operations``)."""
    vars(view).update(marks)


def api_patterns() -> list[URLPattern | URLResolver]:
    """Every pattern of the API, gated and marked."""
    patterns, _, _ = api.urls
    operations = _operations()
    kept: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        assert isinstance(pattern, URLPattern)
        name = str(pattern.name)
        if name == "api-root":
            pattern.callback = to_docs
        if name in PUBLIC_NAMES:
            _mark(pattern.callback, surface="public")
        elif name in operations:
            pattern.callback = gated(pattern.callback)
            _mark(pattern.callback, surface="api", operations=operations[name])
        kept.append(pattern)
    fallback = re_path(r"^(?P<rest>.*)$", no_such_path, name="no_such_path")
    _mark(fallback.callback, surface="public")
    kept.append(fallback)
    return kept
