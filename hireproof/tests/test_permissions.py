"""One permission table, asked by every page: rule 4 of docs/architecture.md.

- The table itself is pinned, pair by pair: a change to who may do what is a change here too.
- Every URL pattern is a staff view that asks the access funnel for a permission, a candidate
  view that goes through the token funnel, or one of the public pages listed by name.
- Every staff view answers each role as the table says: a role holding none of the
  permissions the view asks for gets the 404 of a missing page, for GET and for POST, and
  nothing is written; a role holding every one of them is let in.
"""

from __future__ import annotations

from typing import Any

from django.test import Client

from hireproof.accounts.roles import PERMISSION_ROLES, Permission, Role
from hireproof.audit.models import LogLeaf
from hireproof.hiring.demo.loader import DemoReport
from hireproof.tests.site import (
    CANDIDATE_FUNNEL,
    PUBLIC,
    asked_permissions,
    asked_scopes,
    called_names,
    links,
    routes,
    signed_in,
    staff_of,
    urls,
    values_of,
)
from hireproof.views.decorators import Surface

A, R, V, U = "administrator", "recruiter", "interviewer", "auditor"  # V: interViewer
EXPECTED_TABLE = {
    Permission.STAFF_HOME: {A, R, V, U},
    Permission.MANAGE_STAFF: {A},
    Permission.READ_PLAYBOOKS: {A, R, V, U},
    Permission.PUBLISH_PLAYBOOKS: {A, R},
    Permission.READ_CANDIDATES: {A, R, U},
    Permission.MANAGE_OPENINGS: {A, R},
    Permission.ERASE_CANDIDATES: {A},
    Permission.REVIEW_FLAGS: {A, R},
    Permission.READ_INTERVIEWS: {A, R, U},
    Permission.MANAGE_INTERVIEWS: {A, R},
    Permission.INTERVIEW: {V},
    Permission.OPEN_INTERVIEW_KITS: {A, R, V, U},
    Permission.DECIDE: {A, R},
    Permission.OVERRIDE_CRITICAL: {A},
    Permission.READ_AUDIT_LOG: {A, U},
    Permission.SIGN_CHECKPOINTS: {A},
    Permission.MANAGE_API_KEYS: {A},
    Permission.MANAGE_BACKGROUND_WORK: {A},
    Permission.MANAGE_WEBHOOKS: {A},
    Permission.MANAGE_INTEGRATIONS: {A},
}


P = Permission
PAGES: dict[str, set[Permission]] = {
    "accounts:staff_list": {P.MANAGE_STAFF},
    "accounts:staff_invite": {P.MANAGE_STAFF},
    "accounts:staff_resend": {P.MANAGE_STAFF},
    "accounts:staff_deactivate": {P.MANAGE_STAFF},
    "accounts:staff_reactivate": {P.MANAGE_STAFF},
    "accounts:staff_role": {P.MANAGE_STAFF},
    "accounts:api_keys": {P.MANAGE_API_KEYS},
    "accounts:api_key_revoke": {P.MANAGE_API_KEYS},
    "playbooks:list": {P.READ_PLAYBOOKS},
    "playbooks:upload": {P.PUBLISH_PLAYBOOKS},
    "playbooks:version": {P.READ_PLAYBOOKS},
    "playbooks:version_yaml": {P.READ_PLAYBOOKS},
    "openings:list": {P.READ_CANDIDATES},
    "openings:create": {P.MANAGE_OPENINGS},
    "openings:pipeline": {P.READ_CANDIDATES},
    "openings:edit": {P.MANAGE_OPENINGS},
    "openings:close": {P.MANAGE_OPENINGS},
    "openings:reopen": {P.MANAGE_OPENINGS},
    "openings:candidate_add": {P.MANAGE_OPENINGS},
    "openings:candidate_import": {P.MANAGE_OPENINGS},
    "openings:invite_all": {P.MANAGE_OPENINGS},
    "openings:invite_selected": {P.MANAGE_OPENINGS},
    "openings:export": {P.READ_CANDIDATES},
    "openings:results": {P.READ_CANDIDATES},
    "openings:invite": {P.MANAGE_OPENINGS},
    "openings:resend": {P.MANAGE_OPENINGS},
    "openings:extra_time": {P.MANAGE_OPENINGS},
    "openings:revoke": {P.MANAGE_OPENINGS},
    "openings:erase": {P.ERASE_CANDIDATES},
    "reviews:candidate": {P.READ_CANDIDATES},
    "reviews:receipt": {P.READ_CANDIDATES},
    "reviews:acknowledge": {P.REVIEW_FLAGS},
    "interviews:mine": {P.INTERVIEW},
    "interviews:candidate": {P.MANAGE_INTERVIEWS, P.READ_INTERVIEWS},
    "interviews:emails": {P.MANAGE_INTERVIEWS},
    "interviews:kit": {P.INTERVIEW, P.OPEN_INTERVIEW_KITS},
    "interviews:amend": {P.INTERVIEW},
    "interviews:cancel": {P.MANAGE_INTERVIEWS},
    "decisions:candidate": {P.READ_CANDIDATES},
    "decisions:decide": {P.DECIDE},
    "decisions:file": {P.READ_CANDIDATES},
    "decisions:file_pdf": {P.READ_CANDIDATES},
    "decisions:file_pdf_panel": {P.READ_CANDIDATES},
    "decisions:file_pdf_prepare": {P.READ_CANDIDATES},
    "decisions:file_json": {P.READ_CANDIDATES},
    "decisions:receipt": {P.READ_CANDIDATES},
    "decisions:notice_settings": {P.MANAGE_OPENINGS},
    "audit:home": {P.READ_AUDIT_LOG},
    "audit:export": {P.READ_AUDIT_LOG},
    "audit:checkpoint": {P.SIGN_CHECKPOINTS},
    "background:work": {P.MANAGE_BACKGROUND_WORK},
    "background:retry": {P.MANAGE_BACKGROUND_WORK},
    "webhooks:endpoints": {P.MANAGE_WEBHOOKS},
    "webhooks:endpoint": {P.MANAGE_WEBHOOKS},
    "webhooks:pause": {P.MANAGE_WEBHOOKS},
    "webhooks:resume": {P.MANAGE_WEBHOOKS},
    "webhooks:rotate": {P.MANAGE_WEBHOOKS},
    "webhooks:delete": {P.MANAGE_WEBHOOKS},
    "webhooks:replay": {P.MANAGE_WEBHOOKS},
    "integrations_settings:list": {P.MANAGE_INTEGRATIONS},
    "integrations_settings:ats": {P.MANAGE_INTEGRATIONS},
    "integrations_settings:rotate": {P.MANAGE_INTEGRATIONS},
    "integrations_settings:switch_off": {P.MANAGE_INTEGRATIONS},
    "integrations_settings:switch_on": {P.MANAGE_INTEGRATIONS},
    "integrations_settings:send_test": {P.MANAGE_INTEGRATIONS},
    "web:home": {P.STAFF_HOME},
}
"""What each staff page asks the funnel for (one permission for GET, one for POST, where two):
the spec a new page is added to."""


def test_the_permission_table_holds_exactly_these_pairs() -> None:
    pairs = {(p, r.value) for p, roles in PERMISSION_ROLES.items() for r in roles}
    expected = {(p, r) for p, roles in EXPECTED_TABLE.items() for r in roles}
    assert set(PERMISSION_ROLES) == set(Permission) == set(EXPECTED_TABLE)
    for permission in Permission:
        for role in Role:
            assert ((permission, role.value) in pairs) == ((permission, role.value) in expected)


def test_every_url_is_a_staff_a_candidate_an_api_or_a_listed_public_page() -> None:
    unmarked, unlisted, unasked, untokened = [], [], [], []
    for route in routes():
        if route.surface is None:
            unmarked.append(route.name)
        elif route.surface == Surface.API:
            # Each endpoint the path serves acts within one scope and asks the funnel.
            for endpoint in route.view.operations:  # type: ignore[attr-defined]  # the mark api/urls.py sets
                calls = called_names(endpoint)
                if (
                    len(asked_scopes(endpoint)) != 1
                    or not any(name.startswith("access_") for name in calls)
                    or not asked_permissions(endpoint)
                ):
                    unasked.append(f"{route.name}: {endpoint.__name__}")
        elif route.surface == Surface.PUBLIC:
            if route.name not in PUBLIC:
                unlisted.append(route.name)
        elif route.surface == Surface.STAFF:
            calls = called_names(route.view)
            if not any(name.startswith("access_") for name in calls) or not asked_permissions(
                route.view
            ):
                unasked.append(route.name)
        elif not CANDIDATE_FUNNEL & called_names(route.view):
            untokened.append(route.name)
    assert (unmarked, unlisted, unasked, untokened) == ([], [], [], [])
    staff = {
        route.name: asked_permissions(route.view)
        for route in routes()
        if route.surface == Surface.STAFF
    }
    assert {name: asked for name, asked in staff.items() if name in PAGES} == PAGES
    assert {name for name, route in _by_name().items() if route.surface == Surface.STAFF} == set(
        PAGES
    )
    public = {route.name for route in routes() if route.surface == Surface.PUBLIC}
    assert public == PUBLIC


def _by_name() -> dict[str, Any]:
    return {route.name: route for route in routes()}


def test_every_staff_view_answers_each_role_as_the_table_says(demo: DemoReport) -> None:
    values = values_of(demo)
    links(demo)  # candidates of every kind, so the pages have something to show
    clients = {role: signed_in(user) for role, user in staff_of(demo).items()}
    wrong = []
    for route in routes():
        if route.surface != Surface.STAFF:
            continue
        asked = asked_permissions(route.view)
        holders = {role for role in Role if any(role in PERMISSION_ROLES[p] for p in asked)}
        every = {role for role in Role if all(role in PERMISSION_ROLES[p] for p in asked)}
        [url] = urls(route, values, [])
        for role, client in clients.items():
            wrong += _answers(route.name, url, role, client, holders, every)
    assert wrong == []


def _answers(
    name: str, url: str, role: Role, client: Client, holders: set[Role], every: set[Role]
) -> list[str]:
    wrong = []
    leaves = LogLeaf.objects.count()
    get, post = client.get(url), client.post(url)
    if role not in holders:
        for method, response in (("GET", get), ("POST", post)):
            if response.status_code not in (404, 405):
                wrong.append(f"{name} {method} as {role}: {response.status_code}, not 404")
        if LogLeaf.objects.count() != leaves:
            wrong.append(f"{name} as {role}: something was recorded")
    elif role in every and get.status_code == 404:
        wrong.append(f"{name} GET as {role}: 404 although the role holds what it asks")
    return wrong


def test_anonymous_visitors_are_sent_to_sign_in_from_every_staff_page(demo: DemoReport) -> None:
    values = values_of(demo)
    wrong = []
    for route in routes():
        if route.surface != Surface.STAFF:
            continue
        [url] = urls(route, values, [])
        for response in (Client().get(url), Client().post(url)):
            if response.status_code == 302:
                if not response["Location"].startswith("/accounts/sign-in/"):
                    wrong.append(f"{route.name}: redirected to {response['Location']}")
            elif response.status_code != 405:
                wrong.append(f"{route.name}: {response.status_code}")
    assert wrong == []


def test_every_candidate_page_is_a_404_without_a_valid_token(demo: DemoReport, client: Any) -> None:
    values = values_of(demo)
    wrong = []
    for route in routes():
        if route.surface != Surface.CANDIDATE:
            continue
        for url in urls(route, values, ["not-a-token"]):
            for response in (client.get(url), client.post(url)):
                if response.status_code not in (404, 405):
                    wrong.append(f"{route.name}: {response.status_code}")
    assert wrong == []
