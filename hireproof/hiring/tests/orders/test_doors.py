"""Every ATS endpoint behind a key, walked from the site's URL patterns (so a new one is
checked the day it is added): no key is a 401 in its contract's shape; a key without the ATS's
scope (every other scope, sent as Basic and as Bearer) places nothing and reads nothing; while
the ATS's connection is switched off even the right key is refused; Lever's webhook, whose
credential is a signature, is refused unsigned. No answer is a 500."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hireproof.accounts.models import User
from hireproof.accounts.roles import Scope
from hireproof.hiring.actions.connections import ConnectionChange, do_save_connection
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.orders import AssessmentOrder, Ats
from hireproof.hiring.tests.orders.conftest import greenhouse_key
from hireproof.tests.site import routes
from hireproof.views.decorators import Surface

pytestmark = pytest.mark.django_db

SCOPE_OF = {"greenhouse": Scope.GREENHOUSE, "ashby": Scope.ASHBY, "workable": Scope.WORKABLE}


def _doors() -> list[tuple[str, str, str]]:
    """(ATS, route name, path) of every keyed ATS endpoint."""
    found = []
    for route in routes():
        if route.surface == Surface.API and route.pattern.startswith("integrations/"):
            ats = route.pattern.split("/")[1]
            path = "/" + route.pattern.replace("<str:assessment_id>", "hpo_unknown")
            found.append((ats, route.name, path))
    return found


def _headers(key: str, scheme: str) -> dict[str, str]:
    if scheme == "Basic":
        return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _both(client: Client, path: str, **headers: str) -> list[Any]:
    body = '{"partner_test_id": "1", "test_id": 1, "assessment_type_id": "1"}'
    return [
        client.get(path, **headers),  # type: ignore[arg-type]  # header keywords
        client.post(path, body, content_type="application/json", **headers),  # type: ignore[arg-type]  # header keywords
    ]


def test_every_ats_endpoint_is_found_by_the_walk() -> None:
    walked = {ats for ats, _, _ in _doors()}
    assert walked == set(SCOPE_OF)
    assert len(_doors()) >= 10


def test_no_key_is_a_401_and_a_key_without_the_scope_places_and_reads_nothing(
    administrator: User, opening: Opening
) -> None:
    client = Client()
    wrong = []
    for ats, name, path in _doors():
        for answer in _both(client, path):
            if answer.status_code != 401:
                wrong.append(f"{name}: no key answered {answer.status_code}")
        others = [scope for scope in Scope if scope != SCOPE_OF[ats]]
        key = greenhouse_key(administrator, *others)  # its owner may do everything
        for scheme in ("Basic", "Bearer"):
            for answer in _both(client, path, **_headers(key, scheme)):
                if answer.status_code >= 500 or 200 <= answer.status_code < 300:
                    wrong.append(f"{name} ({scheme}, other scopes): {answer.status_code}")
    assert wrong == []
    assert not Candidate.objects.exists()
    assert not AssessmentOrder.objects.exists()


def test_a_connection_switched_off_refuses_even_the_right_key(
    recruiter: User, administrator: User, opening: Opening
) -> None:
    client = Client()
    for ats in SCOPE_OF:
        do_save_connection(
            actor=administrator, ats=Ats(ats), change=ConnectionChange(enabled=False)
        )
    wrong = []
    for ats, name, path in _doors():
        key = greenhouse_key(recruiter, SCOPE_OF[ats])
        scheme = "Bearer" if ats == "workable" else "Basic"
        for answer in _both(client, path, **_headers(key, scheme)):
            if answer.status_code != 403:
                wrong.append(f"{name}: switched off answered {answer.status_code}")
    assert wrong == []
    assert not AssessmentOrder.objects.exists()


def test_lever_refuses_an_unsigned_event() -> None:
    answer = Client().post(
        reverse("integrations:lever_webhook"),
        '{"event": "candidateStageChange", "triggeredAt": 1, "token": "t", "signature": "s",'
        ' "data": {}}',
        content_type="application/json",
    )
    assert answer.status_code in (401, 404)  # no connection yet: 404; a bad signature: 401
    assert not AssessmentOrder.objects.exists()


def test_a_body_nested_too_deep_is_a_4xx_at_every_door(administrator: User) -> None:
    client = Client()
    nested = "[" * 5000 + "]" * 5000
    wrong = []
    for ats, name, path in _doors():
        key = greenhouse_key(administrator, SCOPE_OF[ats])
        scheme = "Bearer" if ats == "workable" else "Basic"
        answer = client.post(path, nested, content_type="application/json", **_headers(key, scheme))  # type: ignore[arg-type]  # header keywords
        if answer.status_code >= 500:
            wrong.append(f"{name}: {answer.status_code}")
    lever = client.post(
        reverse("integrations:lever_webhook"), nested, content_type="application/json"
    )
    assert lever.status_code == 400
    assert wrong == []
