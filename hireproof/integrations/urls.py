"""The ATS endpoints' URL patterns, as the site mounts them under ``/integrations/``.

Each is wrapped by the gate (HTTP Basic for Greenhouse and Ashby, a Bearer key for Workable) and
marked as an API view naming the function it serves (``surface``, ``operations``), so the
permission checks walk them like the API's endpoints. Lever's webhook is the exception: Lever
signs its events instead of sending a key, so it is a public page whose credential is the
signature (``integrations.lever``). Any other path under ``/integrations/`` is a JSON 404.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.urls import URLPattern, URLResolver, path, re_path

from hireproof.integrations import ashby, greenhouse, lever, workable
from hireproof.integrations.basic import BEARER, View, errors, gated

GREENHOUSE_CALLS: dict[str, View] = {
    "list_tests": greenhouse.list_tests,
    "send_test": greenhouse.send_test,
    "test_status": greenhouse.test_status,
    "response_error": greenhouse.response_error,
}

WORKABLE_CALLS: dict[str, tuple[str, View]] = {
    "tests": ("tests", workable.tests),
    "assessments": ("assessments", workable.assessments),
    "shared_link": ("assessments/<str:assessment_id>/shared-link", workable.shared_link),
}

ASHBY_CALLS: dict[str, View] = {
    "assessment.list": ashby.assessment_list,
    "assessment.start": ashby.assessment_start,
    "assessment.cancel": ashby.assessment_cancel,
}


def no_such_call(request: HttpRequest, rest: str = "") -> HttpResponseBase:
    """Any other path under ``/integrations/``."""
    return errors(404, f"There is no integration endpoint {request.path!r}.")


def _marked(view: View, **marks: object) -> View:
    vars(view).update(marks)
    return view


def integration_patterns() -> list[URLPattern | URLResolver]:
    """Every ATS endpoint, gated and marked, then the JSON 404."""
    patterns: list[URLPattern | URLResolver] = [
        path(
            f"greenhouse/{call}",
            _marked(gated(view, ats="greenhouse"), surface="api", operations=[view]),
            name=f"greenhouse_{call}",
        )
        for call, view in GREENHOUSE_CALLS.items()
    ]
    patterns += [
        path(
            f"workable/{route}",
            _marked(gated(view, BEARER, ats="workable"), surface="api", operations=[view]),
            name=f"workable_{call}",
        )
        for call, (route, view) in WORKABLE_CALLS.items()
    ]
    patterns.append(
        path("lever/webhook", _marked(lever.webhook, surface="public"), name="lever_webhook")
    )
    patterns += [
        path(
            f"ashby/{call}",
            _marked(gated(view, ats="ashby"), surface="api", operations=[view]),
            name=f"ashby_{call.replace('.', '_')}",
        )
        for call, view in ASHBY_CALLS.items()
    ]
    patterns.append(
        re_path(r"^(?P<rest>.*)$", _marked(no_such_call, surface="public"), name="no_such_call")
    )
    return patterns
