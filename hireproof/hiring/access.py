"""The access funnel: every permission check of a page, an API call or a command passes here.

``access_<thing>(user, ..., permission)`` returns the thing when ``user`` holds ``permission``
(the table in ``hireproof.accounts.roles``) and may reach that very thing; otherwise it raises
``Http404``. To someone who may not see a thing, a forbidden thing looks exactly like a missing
one: another opening's candidate, another interviewer's assignment and an id that does not
exist all give the same page.

A candidate has no account: the token of their personal link is their credential, and
``access_invitation_for_candidate`` is their one way in. The link of a candidate recorded as
withdrawn raises ``CandidateWithdrew`` instead of a 404, so their pages can say so.

``may(user, permission)`` answers the same question without raising, for what a page offers
(a button shown or not) and for the few rules of an action that depend on who acts.
"""

from __future__ import annotations

from typing import cast

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from hireproof.accounts.models import ApiKey, User
from hireproof.accounts.roles import Permission, has_permission, holders_of
from hireproof.hiring.models.attempts import Attempt, attempt_of
from hireproof.hiring.models.candidates import Candidate, Invitation, hash_token
from hireproof.hiring.models.decisions import Decision, Outcome
from hireproof.hiring.models.interviews import Assignment, ScorecardVersion
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.orders import AssessmentOrder, Ats
from hireproof.hiring.models.playbooks import PlaybookVersion
from hireproof.hiring.models.report_links import LinkExpired, LinkRefused, read_report_token
from hireproof.hiring.models.stage import with_stage
from hireproof.hiring.models.webhooks import WebhookDelivery, WebhookEndpoint
from hireproof.platform.models import TaskProblem

AnyUser = AbstractBaseUser | AnonymousUser
"""What ``request.user`` may be; only an active ``User`` ever passes a check."""

# Tokens are ``secrets.token_urlsafe(32)`` (43 characters); anything far longer is not ours and
# is refused before hashing.
MAX_TOKEN_LENGTH = 200


def may(user: AnyUser | User, permission: Permission) -> bool:
    """True when ``user`` holds ``permission``."""
    return has_permission(user, permission)


def access_site(user: AnyUser | User, permission: Permission) -> User:
    """``user`` itself when they hold ``permission`` (a page about no one thing); else 404."""
    if not has_permission(user, permission):
        raise Http404("No such page.")
    return cast(User, user)


# --- staff ------------------------------------------------------------------------------------


def access_staff_member(user: AnyUser, member_id: int, permission: Permission) -> User:
    """Staff member ``member_id``, for ``user`` to manage; else 404."""
    access_site(user, permission)
    member = User.objects.filter(pk=member_id).first()
    if member is None:
        raise Http404("No such staff member.")
    return member


def access_api_key(user: AnyUser, key_id: int, permission: Permission) -> ApiKey:
    """API key ``key_id``, for ``user`` to manage; else 404."""
    access_site(user, permission)
    key = ApiKey.objects.select_related("owner").filter(pk=key_id).first()
    if key is None:
        raise Http404("No such API key.")
    return key


# --- background work --------------------------------------------------------------------------


def access_task_problem(user: AnyUser, problem_id: int, permission: Permission) -> TaskProblem:
    """Background task problem ``problem_id`` (a task that failed), for ``user``; else 404."""
    access_site(user, permission)
    problem = TaskProblem.objects.filter(pk=problem_id).first()
    if problem is None:
        raise Http404("No such failed task.")
    return problem


# --- webhooks ---------------------------------------------------------------------------------


def access_webhook_endpoint(
    user: AnyUser, endpoint_id: int, permission: Permission
) -> WebhookEndpoint:
    """Webhook endpoint ``endpoint_id``, for ``user`` to manage; else 404."""
    access_site(user, permission)
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None:
        raise Http404("No such webhook endpoint.")
    return endpoint


def access_integration(user: AnyUser, ats: str, permission: Permission) -> Ats:
    """The applicant tracking system named ``ats``, for ``user`` to connect; else 404."""
    access_site(user, permission)
    if ats not in Ats.values:
        raise Http404("No such integration.")
    return Ats(ats)


def access_webhook_delivery(
    user: AnyUser, endpoint_id: int, delivery_id: int, permission: Permission
) -> WebhookDelivery:
    """Delivery ``delivery_id`` of endpoint ``endpoint_id``, for ``user``; else 404."""
    access_site(user, permission)
    delivery = (
        WebhookDelivery.objects.select_related("endpoint")
        .filter(pk=delivery_id, endpoint_id=endpoint_id)
        .first()
    )
    if delivery is None:
        raise Http404("No such webhook delivery.")
    return delivery


def interviewers() -> QuerySet[User]:
    """Every active staff member who may be assigned interviews, by name."""
    return User.objects.filter(holders_of(Permission.INTERVIEW)).order_by("full_name")


# --- playbooks --------------------------------------------------------------------------------


def access_playbook_version(
    user: AnyUser, playbook_id: str, version: str, permission: Permission
) -> PlaybookVersion:
    """The published ``version`` of ``playbook_id``, for ``user``; else 404."""
    access_site(user, permission)
    found = (
        PlaybookVersion.objects.select_related("published_by")
        .filter(playbook_id=playbook_id, version=version)
        .first()
    )
    if found is None:
        raise Http404("No such playbook version.")
    return found


# --- openings and candidates ------------------------------------------------------------------


def access_opening(user: AnyUser, opening_id: int, permission: Permission) -> Opening:
    """Opening ``opening_id`` with its pinned playbook version, for ``user``; else 404."""
    access_site(user, permission)
    opening = (
        Opening.objects.select_related("playbook_version", "created_by")
        .filter(pk=opening_id)
        .first()
    )
    if opening is None:
        raise Http404("No such opening.")
    return opening


def access_open_openings(user: AnyUser, permission: Permission) -> QuerySet[Opening]:
    """The open openings (what an ATS may order a test for), for ``user``; else 404."""
    access_site(user, permission)
    return Opening.objects.select_related("playbook_version").filter(is_open=True)


def _order_rows() -> QuerySet[AssessmentOrder]:
    return AssessmentOrder.objects.select_related("candidate__subject", "opening__playbook_version")


def access_orders(user: AnyUser, permission: Permission) -> QuerySet[AssessmentOrder]:
    """Every order (with its candidate, opening and playbook version), for ``user``; else
    404."""
    access_site(user, permission)
    return _order_rows()


def access_order(
    user: AnyUser, ats: str | None, public_id: str, permission: Permission
) -> AssessmentOrder:
    """Order ``public_id`` placed by ``ats`` (by any ATS for ``None``), for ``user``; any
    other (another ATS's order, an unknown id) raises ``Http404``."""
    access_site(user, permission)
    if not public_id or len(public_id) > MAX_TOKEN_LENGTH:
        raise Http404("No such order.")
    rows = _order_rows().filter(public_id=public_id)
    order = (rows if ats is None else rows.filter(ats=ats)).first()
    if order is None:
        raise Http404("No such order.")
    return order


class ReportLinkExpired(Exception):
    """A genuine report link whose time is over (its page says so and what to do)."""


def access_order_report(token: str) -> AssessmentOrder:
    """The order a signed report link names (no account: the signature is the credential).

    An altered or foreign token, an unknown order and an erased candidate raise ``Http404``;
    a genuine link past its time raises ``ReportLinkExpired``."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise Http404("No such report.")
    try:
        link = read_report_token(token, timezone.now())
    except LinkRefused:
        raise Http404("No such report.") from None
    except LinkExpired:
        raise ReportLinkExpired("This report link has expired.") from None
    order = _order_rows().filter(public_id=link.order_id).first()
    if order is None or order.candidate.is_erased:
        raise Http404("No such report.")
    return order


def candidate_rows() -> QuerySet[Candidate]:
    """Candidates with everything a candidate's page shows about them, in one query."""
    return Candidate.objects.select_related(
        "subject",
        "opening",
        "opening__playbook_version",
        "opening__created_by",
        "invitation",
        "invitation__attempt",
    )


def access_candidate(
    user: AnyUser, opening_id: int, candidate_id: int, permission: Permission
) -> Candidate:
    """Candidate ``candidate_id`` of opening ``opening_id`` (and only of it), for ``user``.

    One query loads the candidate, their subject, the opening, its playbook version, the
    invitation and the attempt, with their ``stage`` annotated. Anything else, the candidate of
    another opening included, raises ``Http404``.
    """
    access_site(user, permission)
    found = with_stage(candidate_rows(), timezone.now())
    candidate = found.filter(pk=candidate_id, opening_id=opening_id).first()
    if candidate is None:
        raise Http404("No such candidate.")
    return candidate


def access_scored_attempt(
    user: AnyUser, opening_id: int, candidate_id: int, permission: Permission
) -> Attempt:
    """The candidate's scored attempt, for ``user``; ``Http404`` when there is none."""
    candidate = access_candidate(user, opening_id, candidate_id, permission)
    attempt = attempt_of(candidate)
    if attempt is None or not attempt.scorecard_hash:
        raise Http404("No such attempt.")
    return attempt


def access_decision(
    user: AnyUser, opening_id: int, candidate_id: int, decision_id: int, permission: Permission
) -> Decision:
    """Decision ``decision_id`` about that candidate (and only them), for ``user``; else 404."""
    candidate = access_candidate(user, opening_id, candidate_id, permission)
    decision = Decision.objects.filter(pk=decision_id, candidate=candidate).first()
    if decision is None:
        raise Http404("No such decision.")
    decision.candidate = candidate
    return decision


# --- interviews -------------------------------------------------------------------------------


def assignment_rows() -> QuerySet[Assignment]:
    """Assignments with everything a page shows about them loaded in the same query."""
    return Assignment.objects.select_related(
        "interviewer",
        "candidate",
        "candidate__subject",
        "candidate__opening",
        "candidate__opening__playbook_version",
        "candidate__invitation",
        "candidate__invitation__attempt",
    ).annotate(
        latest_version=Subquery(
            ScorecardVersion.objects.filter(assignment=OuterRef("pk"))
            .order_by("-version")
            .values("version")[:1]
        )
    )


def access_my_assignments(user: AnyUser, permission: Permission) -> QuerySet[Assignment]:
    """The user's own active assignments, ready for the list; else 404."""
    interviewer = access_site(user, permission)
    return assignment_rows().filter(interviewer=interviewer, cancelled_at__isnull=True)


def access_assignment(user: AnyUser, assignment_id: int, permission: Permission) -> Assignment:
    """Assignment ``assignment_id`` with its candidate, opening and playbook, for ``user``.

    Whoever reads interviews (``READ_INTERVIEWS``) reaches every assignment; anyone else only
    their own assignments that were not cancelled.
    """
    access_site(user, permission)
    assignment = assignment_rows().filter(pk=assignment_id).first()
    if assignment is None:
        raise Http404("No such interview.")
    if not has_permission(user, Permission.READ_INTERVIEWS) and (
        not is_interviewer_of(user, assignment) or assignment.is_cancelled
    ):
        raise Http404("No such interview.")
    return assignment


def is_interviewer_of(user: AnyUser | User, assignment: Assignment) -> bool:
    """True when ``user`` is ``assignment``'s interviewer and still may interview: the one
    person who submits and amends its scorecard (the kit page asks it to offer the form, the
    actions to refuse anyone else, whichever surface calls them)."""
    return has_permission(user, Permission.INTERVIEW) and assignment.interviewer_id == user.pk


def sees_other_scorecards(user: AnyUser, candidate: Candidate) -> bool:
    """True when ``user`` may see every interviewer's ratings of ``candidate``.

    Whoever reads interviews always may. An interviewer may once they have submitted their own
    scorecard for this candidate (on an active assignment), so their ratings were independent.
    """
    if has_permission(user, Permission.READ_INTERVIEWS):
        return True
    if not has_permission(user, Permission.INTERVIEW):
        return False
    return ScorecardVersion.objects.filter(
        assignment__candidate=candidate,
        assignment__interviewer_id=user.pk,
        assignment__cancelled_at__isnull=True,
    ).exists()


# --- the candidate's link ---------------------------------------------------------------------


class CandidateWithdrew(Exception):
    """The link's candidate withdrew (the decision in force) and the link was revoked with it.

    Not a 404: the holder of the link is the candidate, who is told plainly that the
    application was withdrawn and whom to contact (``invitation``, with its opening).
    """

    def __init__(self, invitation: Invitation) -> None:
        super().__init__("The candidate withdrew.")
        self.invitation = invitation


def access_invitation_for_candidate(token: str) -> Invitation:
    """The live invitation whose link carries ``token``, with everything a page needs; else 404.

    Expired invitations are returned: whether an expired link may still be used depends on
    whether the attempt had started, which the page decides. Unknown tokens, revoked links and
    erased candidates all look exactly like any other missing page; a link revoked because the
    candidate withdrew raises ``CandidateWithdrew``.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise Http404("No such page.")
    # One query for what every candidate's page reads, the attempt included (a LEFT JOIN: none
    # before Start), so ``attempt_of`` needs no query of its own. The opening's recruiter, whom
    # only the closing pages name, is read by those pages. The hash is unique: nothing to order.
    found = list(
        Invitation.objects.select_related(
            "candidate__subject",
            "candidate__opening__playbook_version",
            "attempt",
        )
        .filter(token_hash=hash_token(token))
        .order_by()[:1]
    )
    if not found:
        raise Http404("No such page.")
    invitation = found[0]
    candidate = invitation.candidate
    if candidate.erased_at is not None or candidate.subject.is_erased:
        raise Http404("No such page.")
    if invitation.revoked_at is not None:
        in_force = Decision.objects.filter(candidate=candidate, superseded_by__isnull=True)
        if in_force.filter(outcome=Outcome.WITHDRAWN).exists():
            raise CandidateWithdrew(invitation)
        raise Http404("No such page.")
    return invitation


def access_attempt_for_candidate(token: str) -> Attempt:
    """The started attempt of the link carrying ``token``; 404 when there is none."""
    invitation = access_invitation_for_candidate(token)
    attempt = attempt_of(invitation.candidate)
    if attempt is None:
        raise Http404("No such page.")
    return attempt
