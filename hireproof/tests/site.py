"""The whole site as the checks walk it: every URL pattern with real arguments from the demo,
the staff of every role, and candidate links at every point of the timed attempt."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from hireproof.accounts.models import User
from hireproof.accounts.roles import Permission, Role
from hireproof.hiring.actions.attempts import do_save_answer, do_start_attempt, do_submit_attempt
from hireproof.hiring.actions.candidates import NewCandidate, do_add_candidate
from hireproof.hiring.actions.invitations import do_invite_candidate
from hireproof.hiring.demo.cast import (
    ADMINISTRATOR,
    DEMO_OPENING_TITLE,
    INTERVIEWER,
    RECRUITER,
)
from hireproof.hiring.demo.loader import DemoReport
from hireproof.hiring.models.accommodation import NO_ACCOMMODATION
from hireproof.hiring.models.attempts import Attempt
from hireproof.hiring.models.candidates import Candidate, Invitation, hash_token
from hireproof.hiring.models.decisions import Decision
from hireproof.hiring.models.interviews import Assignment
from hireproof.hiring.models.orders import AssessmentOrder, Ats
from hireproof.hiring.models.playbooks import PlaybookVersion
from hireproof.hiring.models.webhooks import (
    WebhookDelivery,
    WebhookEndpoint,
    events_field,
    new_secret,
    seal_secret,
)
from hireproof.platform.models import TaskProblem
from hireproof.platform.tasks import task_path
from hireproof.testing.personas import make_staff
from hireproof.views.decorators import Surface

PUBLIC = {
    "accounts:sign_in",
    "accounts:sign_out",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:set_password",
    "assessments:health",
    "api:openapi-json",
    "api:openapi-view",
    "api:api-root",
    "api:no_such_path",
    "integrations:no_such_call",
    "integrations:lever_webhook",
    "reports:order",
    "assessments:ready",
}
"""The pages anyone may open, by name: a new public page must be added here on purpose."""

CANDIDATE_FUNNEL = {"access_invitation_for_candidate", "access_attempt_for_candidate"}


@dataclass(frozen=True)
class Route:
    """One URL pattern: its name, its view, and its path pattern."""

    name: str
    view: Callable[..., Any]
    pattern: str

    @property
    def surface(self) -> Surface | None:
        """Which kind of page the view is marked as (``None``: not marked)."""
        return getattr(self.view, "surface", None)

    @property
    def parameters(self) -> list[str]:
        """The path's arguments, in order (``opening_id``, ``candidate_id``...)."""
        return re.findall(r"<(?:\w+:)?(\w+)>", self.pattern)


def routes() -> list[Route]:
    """Every URL pattern of the site, namespaced name first."""
    found: list[Route] = []

    def walk(patterns: list[URLPattern | URLResolver], namespace: str, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, entry.namespace or namespace, prefix + str(entry.pattern))
            else:
                name = f"{namespace}:{entry.name}"
                found.append(Route(name, entry.callback, prefix + str(entry.pattern)))

    walk(get_resolver().url_patterns, "", "")
    return found


def innermost(view: Callable[..., Any]) -> Callable[..., Any]:
    """The view function itself, under its decorators."""
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    return view


def view_source(view: Callable[..., Any]) -> ast.AST:
    """The parsed source of the view function."""
    return ast.parse(textwrap.dedent(inspect.getsource(innermost(view))))


def called_names(view: Callable[..., Any]) -> set[str]:
    """The names of every function the view calls by name."""
    names = set()
    for node in ast.walk(view_source(view)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            names.add(node.func.id)
    return names


def _permissions_in(node: ast.AST) -> set[Permission]:
    return {
        Permission[inner.attr]
        for inner in ast.walk(node)
        if isinstance(inner, ast.Attribute)
        and isinstance(inner.value, ast.Name)
        and inner.value.id == "Permission"
    }


def asked_scopes(view: Callable[..., Any]) -> set[str]:
    """The scopes an API endpoint acts within: every ``Scope.X`` given to ``acting``."""
    scopes = set()
    for node in ast.walk(view_source(view)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "acting"
        ):
            scopes |= {
                inner.attr.lower()
                for inner in ast.walk(node)
                if isinstance(inner, ast.Attribute)
                and isinstance(inner.value, ast.Name)
                and inner.value.id == "Scope"
            }
    return scopes


def asked_permissions(view: Callable[..., Any]) -> set[Permission]:
    """The permissions a staff view asks the access funnel for: every ``Permission.X`` given to
    an ``access_*`` call, directly or through a variable (one permission for GET, another for
    POST). What it asks only to decide what to show (``may``) is not counted."""
    tree = view_source(view)
    assigned: dict[str, set[Permission]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, set()).update(_permissions_in(node.value))
    asked: set[Permission] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id.startswith("access_")
        ):
            for argument in node.args:
                if isinstance(argument, ast.Name):
                    asked |= assigned.get(argument.id, set())
                else:
                    asked |= _permissions_in(argument)
    return asked


# --- the people ------------------------------------------------------------------------------


def staff_of(demo: DemoReport) -> dict[Role, User]:
    """One active staff member of each role, from the demo."""
    emails = {
        Role.ADMINISTRATOR: ADMINISTRATOR.email,
        Role.RECRUITER: RECRUITER.email,
        Role.INTERVIEWER: INTERVIEWER.email,
        Role.AUDITOR: next(s.staff.email for s in demo.staff if s.staff.role == Role.AUDITOR),
    }
    return {role: User.objects.get(email=email) for role, email in emails.items()}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- candidate links -------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A candidate's personal link whose token the check holds."""

    label: str
    token: str


def links(demo: DemoReport) -> list[Link]:
    """Candidates of the demo opening at each point of the attempt, with tokens the check knows:
    invited, started, past the deadline but not yet submitted, and submitted."""
    recruiter = User.objects.get(email=RECRUITER.email)
    made = []
    for label in ("invited", "started", "overdue", "submitted"):
        candidate = do_add_candidate(
            actor=recruiter,
            opening=demo.opening,
            candidate=NewCandidate(f"Link {label}", f"link-{label}@example.org"),
        )
        do_invite_candidate(
            actor=recruiter,
            candidate=candidate,
            accommodation=NO_ACCOMMODATION,
            base_url="http://testserver/",
        )
        token = f"link-{label}-token-0123456789abcdefghijklmnop"
        Invitation.objects.filter(candidate=candidate).update(token_hash=hash_token(token))
        invitation = Invitation.objects.get(candidate=candidate)
        if label != "invited":
            back = timezone.now() - timedelta(hours=2) if label == "overdue" else None
            attempt = do_start_attempt(invitation, now=back)
            do_save_answer(attempt, "pandas-filter-sum", "70", now=back)
            if label == "submitted":
                do_submit_attempt(attempt)
        made.append(Link(label, token))
    return made


# --- the arguments of every URL --------------------------------------------------------------


def values_of(demo: DemoReport) -> dict[str, Any]:
    """A real value for every kind of URL argument, from the demo."""
    opening = demo.opening
    decision = Decision.objects.filter(candidate__opening=opening).order_by("pk").first()
    assignment = Assignment.objects.filter(candidate__opening=opening).order_by("pk").first()
    playbook = PlaybookVersion.objects.filter(playbook_id="data-scientist-mid").first()
    assert decision is not None
    assert assignment is not None
    assert playbook is not None
    return {
        "opening_id": opening.pk,
        "candidate_id": _candidate_with_warning().pk,
        "decision_id": decision.pk,
        "decision_candidate_id": decision.candidate_id,
        "assignment_id": assignment.pk,
        # A member none of the checks signs in as: managing them changes no one's session.
        "member_id": make_staff("Spare Member", "spare@example.org", Role.AUDITOR).pk,
        "playbook_id": playbook.playbook_id,
        "version": playbook.version,
        "item_id": "sjt-incomplete-data",
        "key_id": 1,
        "rest": "no-such-resource",
        "uidb64": "MQ",
        "token": "not-a-real-reset-token",
        "problem_id": _failed_task().pk,
        "assessment_id": "hpo_not-an-order",
        "ats": "greenhouse",
        "public_id": _order(decision.candidate).public_id,
        **_webhook_delivery(),
    }


def _order(candidate: Candidate) -> AssessmentOrder:
    """An order from Greenhouse for one of the demo's candidates, for the orders' endpoints."""
    return AssessmentOrder.objects.create(
        ats=Ats.GREENHOUSE, candidate=candidate, opening=candidate.opening
    )


def _webhook_delivery() -> dict[str, int]:
    """An endpoint with one delivery, for the webhooks pages. Its URL is on a documentation
    network (192.0.2.0/24), which the SSRF guard refuses: a replay or a resumption asked by a
    check reaches nothing."""
    endpoint = WebhookEndpoint.objects.create(
        url="https://192.0.2.10/hooks",
        events=events_field(["attempt.scored"]),
        secret_sealed=seal_secret(new_secret()),
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        message_id="msg_site_checks",
        event="attempt.scored",
        sequence=1,
        body="{}",
        next_try_at=timezone.now(),
    )
    return {"endpoint_id": endpoint.pk, "delivery_id": delivery.pk}


def _failed_task() -> TaskProblem:
    """A task that failed for good, for the Background work page: trying it again (sending the
    latest checkpoint to the witnesses, of which the tests configure none) changes nothing."""
    from hireproof.audit.checkpointer import submit_to_witnesses

    now = timezone.now()
    problem, _ = TaskProblem.objects.update_or_create(
        job="a-failed-task",
        defaults={
            "task": task_path(submit_to_witnesses),
            "label": "Send the latest checkpoint to the witnesses",
            "args": "()",
            "tries": 1,
            "max_tries": 1,
            "error": "URLError: the witness could not be reached",
            "first_failed_at": now,
            "last_tried_at": now,
        },
    )
    return problem


def urls(route: Route, values: dict[str, Any], tokens: list[str]) -> list[str]:
    """The concrete URLs of ``route``: one, or one per candidate link for a candidate page."""
    kwargs = {name: values[name] for name in route.parameters}
    if route.name == "decisions:receipt":
        kwargs["candidate_id"] = values["decision_candidate_id"]
    if route.surface == Surface.CANDIDATE:
        return [reverse(route.name, kwargs={**kwargs, "token": token}) for token in tokens]
    return [reverse(route.name, kwargs=kwargs)]


def every_instance(route: Route, values: dict[str, Any]) -> list[dict[str, Any]]:
    """``values`` once per thing ``route`` names, over the demo opening: every decision for a
    decision's page, every candidate (the demo's and the links') for a candidate's page, every
    interview assignment for an assignment's page; ``values`` alone for any other page."""
    opening_id = values["opening_id"]
    if "decision_id" in route.parameters:
        decisions = Decision.objects.filter(candidate__opening_id=opening_id).order_by("pk")
        return [
            {**values, "decision_id": d.pk, "decision_candidate_id": d.candidate_id}
            for d in decisions
        ]
    if "candidate_id" in route.parameters:
        candidates = Candidate.objects.filter(opening_id=opening_id).order_by("pk")
        return [{**values, "candidate_id": pk} for pk in candidates.values_list("pk", flat=True)]
    if "assignment_id" in route.parameters:
        assignments = Assignment.objects.filter(candidate__opening_id=opening_id).order_by("pk")
        return [{**values, "assignment_id": pk} for pk in assignments.values_list("pk", flat=True)]
    return [values]


def _candidate_with_warning() -> Candidate:
    """The demo candidate whose scored test has a warning waiting for a reviewer (Jonas)."""
    attempt = (
        Attempt.objects.filter(
            invitation__candidate__opening__title=DEMO_OPENING_TITLE, warning_count__gt=0
        )
        .exclude(flag_acknowledgements__isnull=False)
        .select_related("invitation__candidate")
        .first()
    )
    assert attempt is not None
    return attempt.invitation.candidate
