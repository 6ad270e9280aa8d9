"""Every endpoint asks the funnel within its scope: a key without the endpoint's scope, or whose
owner's role lacks the permission, gets the same 404 as a missing thing, and nothing is
recorded; no key at all is a 401. The attempt's status never carries an answer key or rubric."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from hireproof.accounts.models import User
from hireproof.accounts.roles import PERMISSION_ROLES, Role, Scope
from hireproof.api.tests.conftest import ApiClient, key_for
from hireproof.audit.models import LogLeaf
from hireproof.hiring.demo.loader import DemoReport, load_demo
from hireproof.hiring.models.attempts import Attempt
from hireproof.tests.site import asked_permissions, asked_scopes, routes, staff_of, values_of
from hireproof.views.decorators import Surface

pytestmark = pytest.mark.django_db

BODIES: dict[str, Any] = {
    "create_opening": {"title": "T", "playbook_id": "data-scientist-mid"},
    "close_opening": {},
    "upload_playbook": {"yaml": "id: x\n"},
    "create_candidate": {"name": "N", "email": "n@example.org"},
    "create_candidates": {"candidates": [{"name": "N", "email": "n@example.org"}]},
    "send_invitation": {},
    "resend_invitation": {},
    "revoke_invitation": {},
    "assign_interview": {"interviewer_email": "x@example.org"},
    "record_decision": {"outcome": "withdrawn", "reason": "The candidate took another job."},
    "export_log": {"disclose": []},
    "create_endpoint": {"url": "https://192.0.2.10/hooks", "events": ["attempt.scored"]},
    "change_endpoint": {"url": "https://192.0.2.10/hooks", "events": ["attempt.scored"]},
    "pause_endpoint": {},
    "resume_endpoint": {},
    "rotate_secret": {},
    "delete_endpoint": {},
    "replay_delivery": {},
}


@pytest.fixture
def demo(builtins: None, mailoutbox: Any) -> DemoReport:
    return load_demo()


def _endpoints() -> list[tuple[str, Any, str]]:
    found = []
    for route in routes():
        if route.surface != Surface.API or not route.pattern.startswith("api/v1/"):
            continue  # the ATS endpoints answer their contracts: integrations/tests
        for endpoint in route.view.operations:  # type: ignore[attr-defined]  # the mark api/urls.py sets
            method = "post" if endpoint.__name__ in BODIES else "get"
            found.append((route.name, endpoint, method))
    return found


def _call(api: ApiClient, name: str, endpoint: Any, method: str, values: dict[str, Any]) -> Any:
    route = next(r for r in routes() if r.name == name)
    url = reverse(name, kwargs={p: values[p] for p in route.parameters}).removeprefix("/api/v1")
    if method == "post":
        return api.post(url, BODIES[endpoint.__name__])
    params = {"leaf_index": 0, "first": 1, "second": 1} if "proof" in name else {}
    return api.get(url, **params)


def test_every_endpoint_is_a_404_without_its_scope_or_its_permission(demo: DemoReport) -> None:
    values = values_of(demo)
    staff = staff_of(demo)
    wrong, checked = [], 0
    for name, endpoint, method in _endpoints():
        [scope] = asked_scopes(endpoint)
        asked = asked_permissions(endpoint)
        holder = next(u for r, u in staff.items() if all(r in PERMISSION_ROLES[p] for p in asked))
        others = [s for s in Scope if s != Scope(scope)]
        lacking_role = [
            u for r, u in staff.items() if not any(r in PERMISSION_ROLES[p] for p in asked)
        ]
        cases = [("no scope", ApiClient(key_for(holder, *others)))]
        cases += [(f"role {u.role}", ApiClient(key_for(u))) for u in lacking_role]
        for label, api in cases:
            leaves = LogLeaf.objects.count()
            answer = _call(api, name, endpoint, method, values)
            checked += 1
            if answer.status_code != 404 or LogLeaf.objects.count() != leaves + 0:
                wrong.append(f"{name} {endpoint.__name__} ({label}): {answer.status_code}")
        anonymous = ApiClient("")
        if _call(anonymous, name, endpoint, method, values).status_code != 401:
            wrong.append(f"{name} {endpoint.__name__}: no key, not 401")
    assert wrong == []
    assert checked > 30


def test_the_attempt_status_carries_no_answer_key_and_the_scorecard_no_rubric(
    demo: DemoReport,
) -> None:
    attempt = (
        Attempt.objects.exclude(scorecard_hash="")
        .select_related("invitation__candidate__opening__playbook_version")
        .first()
    )
    assert attempt is not None
    candidate = attempt.invitation.candidate
    playbook = candidate.opening.playbook_version.load()
    reader = next(u for r, u in staff_of(demo).items() if r == Role.AUDITOR)
    api = ApiClient(key_for(reader, Scope.READ))
    base = f"/openings/{candidate.opening_id}/candidates/{candidate.pk}"
    status = api.get(base + "/attempt").content.decode()
    card = api.get(base + "/scorecard")
    assert card.status_code == 200
    rubric = []
    for item in playbook.assessment.items:
        rubric += [item.rationale, item.audit_note, item.prompt]
        if hasattr(item, "correct"):
            rubric.append(f'"correct": "{item.correct}"')
    for text in filter(None, rubric):
        assert text not in status
        assert json.dumps(text)[1:-1] not in card.content.decode()
    assert "explanation" not in status
    assert "evidence" not in status


def test_an_owner_only_reaches_what_the_role_holds(demo: DemoReport) -> None:
    staff = staff_of(demo)
    interviewer: User = staff[Role.INTERVIEWER]
    # An interviewer's key with every scope it can hold reads playbooks, never candidates.
    api = ApiClient(key_for(interviewer))
    assert api.get("/playbooks").status_code == 200
    assert api.get("/openings").status_code == 404
