"""No odd input makes any page fail: a seeded, bounded fuzz of every URL pattern.

Every URL pattern is resolved from the URLconf and filled with real objects of the demo
(``hireproof.tests.site``); every page is opened as every visitor (anonymous, each staff role,
and each candidate link at every point of the attempt), and its forms are read from its HTML.
Then each query parameter and each form field gets odd values (``hireproof.tests.fuzz``:
non-ASCII digits, huge numbers, empty, NUL, invalid UTF-8, very long...), by GET and by POST.
No case may answer 5xx, and every value that is not clean UTF-8 text is refused with 400.

The sample is seeded (``FUZZ_SEED``) and bounded (``FUZZ_BUDGET``, plus the one case of each
(page, method, field) that coverage needs): the same cases run every time.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.test import Client

from hireproof.hiring.demo.loader import DemoReport
from hireproof.tests.fuzz import (
    ENDPOINT_FIELDS,
    MULTIPART_BOUNDARY,
    Case,
    cases_for,
    chosen,
    covering,
    forms_of,
)
from hireproof.tests.site import links, routes, staff_of, urls, values_of
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


def test_odd_values_in_every_field_of_every_page_answer_no_5xx(demo: DemoReport) -> None:
    values = values_of(demo)
    tokens = [link.token for link in links(demo)]
    staff = {role.value: user for role, user in staff_of(demo).items()}
    client = Client()
    everything: list[Case] = []
    for route in routes():
        visitors = ["anonymous"] if route.surface == Surface.CANDIDATE else ["anonymous", *staff]
        for url in urls(route, values, tokens):
            for visitor in visitors:
                client.logout()
                if visitor in staff:
                    client.force_login(staff[visitor])
                response = client.get(url)
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
    print(f"fuzz: coverage needs {covering(everything)} cases")
    failed, not_refused = [], []
    clients = {"anonymous": Client()}
    for case in run:
        client = clients.setdefault(case.visitor, Client())
        if case.visitor in staff and not _signed_in(client):  # new, or a case signed out
            client.force_login(staff[case.visitor])
        status = _send(client, case)
        if status >= 500:
            failed.append(f"{case.method.upper()} {case.url} {case.field}={case.label}: {status}")
        if case.malformed and status != 400:
            not_refused.append(
                f"{case.method.upper()} {case.url} {case.field}={case.label}: {status}"
            )
    pages = {case.route for case in run}
    print(
        f"fuzz: {len(run)} cases of {len(everything)} (seed {FUZZ_SEED}) on {len(pages)} "
        f"URL patterns; 5xx seen: {len(failed)}; malformed not refused: {len(not_refused)}"
    )
    assert failed == []
    assert not_refused == []
    assert pages == {route.name for route in routes()}
    assert {case.method for case in run} == {"get", "post"}
