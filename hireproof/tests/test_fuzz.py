"""No odd input makes any page fail: a seeded, bounded fuzz of every URL pattern.

Every URL pattern is resolved from the URLconf and filled with real objects of the demo
(``hireproof.tests.site``); every page is opened as every visitor (anonymous, each staff role,
and each candidate link at every point of the attempt), and its forms are read from its HTML.
Then each query parameter and each form field gets odd values (``hireproof.tests.fuzz``:
non-ASCII digits, huge numbers, empty, NUL, invalid UTF-8, very long...), by GET and by POST,
and so does each parameter of each path (an id past the database's integers, zero, "-1",
non-ASCII digits...), as an administrator on staff pages. No case may answer 5xx, every value
that is not clean UTF-8 text is refused with 400 (a NUL in a path too), and every other odd id
in a path answers 404.

The sample is seeded (``FUZZ_SEED``) and bounded (``FUZZ_BUDGET``, plus the one case of each
(page, method, field) that coverage needs): the same cases run every time.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.test import Client

from hireproof.hiring.demo.loader import DemoReport
from hireproof.tests.fuzz import (
    ENDPOINT_FIELDS,
    MULTIPART_BOUNDARY,
    Case,
    PathCase,
    cases_for,
    chosen,
    covering,
    forms_of,
    path_cases,
)
from hireproof.tests.site import Route, links, routes, staff_of, urls, values_of
from hireproof.views.decorators import Surface

FUZZ_SEED = int(os.environ.get("HIREPROOF_FUZZ_SEED", "20261202"))
FUZZ_BUDGET = int(os.environ.get("HIREPROOF_FUZZ_BUDGET", "1500"))
FORM_URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = f"multipart/form-data; boundary={MULTIPART_BOUNDARY.decode()}"


def _signed_in(client: Client) -> bool:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie is not None and bool(cookie.value)


def _send(client: Client, case: Case) -> int:
    if case.method == "get":
        if case.fields:  # a GET form: its fields in the query string
            return client.get(case.url + "?" + case.body().decode()).status_code
        return client.get(case.query_url()).status_code
    if case.multipart:
        return client.post(case.url, data=case.multipart_body(), content_type=MULTIPART).status_code
    return client.post(case.url, data=case.body(), content_type=FORM_URLENCODED).status_code


def _path_values(route: Route, values: dict[str, Any], token: str) -> dict[str, Any]:
    """The real values of a pattern's parameters (a candidate page's token is a real link's)."""
    real = {**values}
    if route.name == "decisions:receipt":
        real["candidate_id"] = values["decision_candidate_id"]
    if route.surface == Surface.CANDIDATE:
        real["token"] = token
    return real


def _not_ready(url: str, status: int) -> bool:
    """``/readyz`` answering 503: an answer, not a failure (no checkpoint signer runs here, so
    once the log's oldest leaf has waited a minute, the process rightly says it is not ready)."""
    return status == 503 and url.split("?")[0] == "/readyz"


def test_odd_values_in_every_field_of_every_page_answer_no_5xx(demo: DemoReport) -> None:
    values = values_of(demo)
    made = links(demo)
    tokens = [link.token for link in made]
    started = next(link.token for link in made if link.label == "started")
    staff = {role.value: user for role, user in staff_of(demo).items()}
    client = Client()
    everything: list[Case] = []
    in_paths: list[PathCase] = []
    for route in routes():
        visitors = ["anonymous"] if route.surface == Surface.CANDIDATE else ["anonymous", *staff]
        path_visitor = "administrator" if route.surface == Surface.STAFF else "anonymous"
        for url in urls(route, values, tokens):
            for visitor in visitors:
                client.logout()
                if visitor in staff:
                    client.force_login(staff[visitor])
                response = client.get(url)
                if visitor == path_visitor and (
                    route.surface != Surface.CANDIDATE or started in url
                ):
                    method = "post" if response.status_code == 405 else "get"
                    real = _path_values(route, values, started)
                    in_paths += path_cases(route.name, route.pattern, real, visitor, method)
                is_html = response.get("Content-Type", "").startswith("text/html")
                ok = response.status_code == 200 and is_html
                forms, own = forms_of(url, response.content.decode()) if ok else ([], set())
                cases = cases_for(route.name, visitor, url, forms, own)
                extra = ENDPOINT_FIELDS.get(route.name, {})
                for name in extra:
                    for case in cases_for(route.name, visitor, url, []):
                        if case.field == "q":
                            everything.append(
                                Case(
                                    route.name,
                                    visitor,
                                    "post",
                                    url,
                                    name,
                                    case.label,
                                    tuple(extra.items()),
                                )
                            )
                everything.extend(cases)
    # Every GET first: a GET never writes, so each page is still as its links found it (a POST
    # may submit an attempt, revoke a link, erase a candidate).
    run = sorted(chosen(everything, FUZZ_BUDGET, FUZZ_SEED), key=lambda case: case.method)
    print(f"fuzz: coverage needs {covering(everything)} cases, and {covering(in_paths)} in paths")
    failed, not_refused, unexpected = [], [], []
    clients = {"anonymous": Client()}
    # The paths first: an odd value in a path reaches no row, so nothing is written.
    for path_case in in_paths:
        client = clients.setdefault(path_case.visitor, Client())
        if path_case.visitor in staff and not _signed_in(client):
            client.force_login(staff[path_case.visitor])
        send = client.post if path_case.method == "post" else client.get
        status = send(path_case.url).status_code
        shown = f"{path_case.method.upper()} {path_case.route} {path_case.parameter}="
        if status >= 500 and not _not_ready(path_case.url, status):
            failed.append(f"{shown}{path_case.label}: {status}")
        if path_case.expected is not None and status != path_case.expected:
            unexpected.append(f"{shown}{path_case.label}: {status}")
    for case in run:
        client = clients.setdefault(case.visitor, Client())
        if case.visitor in staff and not _signed_in(client):  # new, or a case signed out
            client.force_login(staff[case.visitor])
        status = _send(client, case)
        if status >= 500 and not _not_ready(case.url, status):
            failed.append(f"{case.method.upper()} {case.url} {case.field}={case.label}: {status}")
        if case.malformed and status != 400:
            not_refused.append(
                f"{case.method.upper()} {case.url} {case.field}={case.label}: {status}"
            )
    pages = {case.route for case in run}
    print(
        f"fuzz: {len(run)} cases of {len(everything)} (seed {FUZZ_SEED}) and {len(in_paths)} "
        f"path cases on {len(pages)} URL patterns; 5xx seen: {len(failed)}; malformed not "
        f"refused: {len(not_refused)}; odd path values answered otherwise: {len(unexpected)}"
    )
    assert failed == []
    assert not_refused == []
    assert unexpected == []
    with_parameters = {route.name for route in routes() if route.parameters}
    assert {case.route for case in in_paths} == with_parameters
    assert pages == {route.name for route in routes()}
    assert {case.method for case in run} == {"get", "post"}


def test_every_number_in_a_path_is_a_bounded_id() -> None:
    """No ``<int:...>``: Django's takes any number of digits, which overflow a query."""
    assert [route.name for route in routes() if "<int:" in route.pattern] == []
    assert any("<id:" in route.pattern for route in routes())
