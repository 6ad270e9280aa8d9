"""A person's decision about a candidate, and the notice it sends: each ``do_*`` is one
transaction that records its audit event.

- ``do_record_decision``: a person's decision, checked against the rules of
  ``hireproof.hiring.models.decisions``;
  records ``decision.recorded`` (the reason and justification are committed private fields) and,
  once committed, emails the candidate. ``withdrawn`` can be recorded at any stage (before the
  invitation, during the test, with warnings still open, after interviews); taken before the
  test is started, it has no recommendation. In the same transaction it revokes the
  candidate's link (``invitation.revoked``) and closes an attempt in progress, submitting what
  was saved (``attempt.auto_submitted``, then scored as at the deadline): the link then says the
  application was withdrawn and starts, saves and submits nothing.
- ``do_update_notice_settings``: the opening's notice templates and score sharing.

The machine never rejects anyone: a ``reject`` / ``no_hire`` recommendation changes nothing
until a person records the decision, and only that sends the candidate an email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from hireproof.accounts.models import User
from hireproof.accounts.roles import Permission
from hireproof.audit.log import record_event
from hireproof.audit.receipts import receipt_for
from hireproof.audit.store import take_writer_lock
from hireproof.core.audit import RECOMMENDATION_HASH_FIELD, EventType
from hireproof.core.scoring import RecommendationKind
from hireproof.hiring.access import may
from hireproof.hiring.actions.attempts import do_submit_attempt
from hireproof.hiring.actions.invitations import do_revoke_invitation
from hireproof.hiring.actions.recommendations import (
    SYSTEM_ACTOR,
    do_compute_recommendation,
    scored_attempt,
)
from hireproof.hiring.ats.push import notify_orders
from hireproof.hiring.emails import (
    DECISION_PLACEHOLDERS,
    NOTIFIED_OUTCOMES,
    check_placeholders,
    compose_decision_notice,
    queue_candidate_email,
)
from hireproof.hiring.models.attempts import Attempt, SubmissionKind
from hireproof.hiring.models.candidates import Candidate, Invitation
from hireproof.hiring.models.decisions import (
    Decision,
    NoticeSettings,
    Outcome,
    Recommendation,
    is_against,
    latest_decision,
    overrides_critical,
)
from hireproof.hiring.models.flags import open_flags
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.webhooks import emit_decision_recorded

MIN_REASON_CHARS = 10
MAX_REASON_CHARS = 4000


class DecisionRefused(Exception):
    """A decision that cannot be recorded as asked; ``str()`` says why, in plain words."""


# --- decision ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    """What the rules found about a decision before it is recorded.

    ``recommendation`` is the one the decision is taken against: ``None`` only for a withdrawal
    recorded before the written test was scored.
    """

    recommendation: Recommendation | None
    against: bool
    overrides_critical: bool


def do_record_decision(
    *,
    actor: User,
    candidate: Candidate,
    outcome: Outcome | str,
    reason: str,
    justification: str = "",
    shown_recommendation: str = "",
    now: datetime | None = None,
) -> Decision:
    """Record ``actor``'s final decision about ``candidate``; it supersedes any earlier one.

    ``shown_recommendation`` is the hash of the recommendation the person saw: when the
    inputs changed since, a hire or no hire is refused so that they read the new one first.
    Who may decide at all is the access funnel's question (``Permission.DECIDE``), asked by the
    page or the API before this runs. Refused (``DecisionRefused``) for an unknown outcome, a reason
    under ``MIN_REASON_CHARS``, an erased candidate, and, for hire and no hire only, an
    unscored candidate, warnings not yet acknowledged, a decision against the recommendation
    without a justification, and a hire despite a ``critical_fail`` by anyone but an
    administrator (or without a justification).
    ``withdrawn`` waits for none of those: the candidate left, whatever the stage. It first
    revokes the link and submits an attempt in progress (``_close_the_link``, before the
    decision's transaction: the answers are scored in none), then is taken against the current
    recommendation, or none when the test was never started.
    Records ``decision.recorded``; emails the candidate after commit (hire / no hire only).
    """
    chosen = _outcome(outcome)
    reason_text = _checked_text(reason, "reason")
    at = now or timezone.now()
    judged = None
    if chosen == Outcome.WITHDRAWN:
        _refuse_erased(candidate)
        _close_the_link(actor, candidate, at)
    else:
        judged = _checked_judgement(
            actor, candidate, chosen, justification, shown_recommendation, at
        )
    try:
        with transaction.atomic():
            checked = judged if judged is not None else _withdraw(actor, candidate, at)
            decision = _record(actor, candidate, chosen, reason_text, justification, checked, at)
    except IntegrityError:
        # Two first decisions at once: the unique constraint keeps one chain per candidate.
        raise DecisionRefused(
            "Another decision was recorded at the same moment; read it, then decide again."
        ) from None
    return decision


def _outcome(outcome: Outcome | str) -> Outcome:
    try:
        return Outcome(outcome)
    except ValueError:
        choices = ", ".join(Outcome.values)
        raise DecisionRefused(f"Choose the decision: one of {choices}.") from None


def _checked_text(text: str, what: str) -> str:
    stripped = text.strip()
    if len(stripped) < MIN_REASON_CHARS:
        raise DecisionRefused(
            f"Write the {what} in at least {MIN_REASON_CHARS} characters: it is what an "
            "auditor or the candidate will read."
        )
    if len(stripped) > MAX_REASON_CHARS:
        raise DecisionRefused(
            f"The {what} is {len(stripped):,} characters long; keep it under {MAX_REASON_CHARS:,}."
        )
    return stripped


def _refuse_erased(candidate: Candidate) -> None:
    if candidate.is_erased:
        raise DecisionRefused("This candidate's personal data was erased; nothing more is decided.")


def _withdraw(actor: User, candidate: Candidate, at: datetime) -> Checked:
    # A withdrawal is never against a recommendation and hires nobody: it waits neither for
    # the score nor for the warnings, and a recommendation that changed meanwhile changes
    # nothing about it. It still names the recommendation in force, if there is one (an
    # attempt closed just before has one).
    recommendation = do_compute_recommendation(candidate, actor=SYSTEM_ACTOR, now=at)
    return Checked(recommendation, against=False, overrides_critical=False)


def _close_the_link(actor: User, candidate: Candidate, at: datetime) -> None:
    """Revoke the candidate's link and submit an attempt in progress with what was saved.

    Done before the decision's transaction, each step in its own: the revocation with the
    invitation's row locked, so a Start pressed at the same moment either began before (and its
    attempt is submitted here) or finds the link revoked; then the submission, which scores the
    answers outside any transaction, as every submission does (no save can reach a revoked
    link). A link already used up by a submission stays as it is: the candidate keeps their
    confirmation and receipt.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("candidate__subject", "candidate__opening__playbook_version")
            .filter(candidate=candidate)
            .first()
        )
        if invitation is None:
            return
        attempt = Attempt.objects.filter(invitation=invitation).first()
        if attempt is not None and attempt.submitted_at is not None:
            return
        do_revoke_invitation(actor=actor, candidate=candidate, now=at)
    if attempt is not None:
        attempt.invitation = invitation
        do_submit_attempt(attempt, kind=SubmissionKind.AUTOMATIC, now=at)


def _checked_judgement(
    actor: User,
    candidate: Candidate,
    outcome: Outcome,
    justification: str,
    shown_recommendation: str,
    at: datetime,
) -> Checked:
    attempt = _decidable_attempt(candidate)
    recommendation = do_compute_recommendation(candidate, actor=SYSTEM_ACTOR, now=at)
    assert recommendation is not None  # the attempt is scored and the candidate not erased
    if shown_recommendation and shown_recommendation != recommendation.hash:
        raise DecisionRefused(
            "The recommendation changed since the page was opened (new interview scorecards "
            "or a new score). Read the new recommendation, then record the decision."
        )
    return _check_rules(actor, outcome, recommendation, attempt, justification)


def _decidable_attempt(candidate: Candidate) -> Attempt:
    _refuse_erased(candidate)
    attempt = scored_attempt(candidate)
    if attempt is None:
        raise DecisionRefused(
            "The written assessment is not scored yet: hire or no hire waits for the score "
            "(withdrawn can be recorded now)."
        )
    waiting = open_flags(attempt)
    if waiting:
        items = ", ".join(flag.item_id for flag in waiting)
        raise DecisionRefused(
            f"Acknowledge the warning flags first (on {items}): a person must look at each "
            "warning before hire or no hire (withdrawn can be recorded now)."
        )
    return attempt


def _check_rules(
    actor: User,
    outcome: Outcome,
    recommendation: Recommendation,
    attempt: Attempt,
    justification: str,
) -> Checked:
    kind = RecommendationKind(recommendation.kind)
    against = is_against(outcome, kind)
    overrides = overrides_critical(outcome, attempt.verdict)
    if overrides and not may(actor, Permission.OVERRIDE_CRITICAL):
        raise DecisionRefused(
            "The written test is a critical_fail: only an administrator can decide to hire "
            "despite it, with a written justification."
        )
    if (against or overrides) and not justification.strip():
        why = (
            "overrides a critical_fail" if overrides else f"goes against the {kind} recommendation"
        )
        raise DecisionRefused(f"This decision {why}: write a justification saying why.")
    if against or overrides:
        _checked_text(justification, "justification")
    return Checked(recommendation, against, overrides)


def _record(
    actor: User,
    candidate: Candidate,
    outcome: Outcome,
    reason: str,
    justification: str,
    checked: Checked,
    at: datetime,
) -> Decision:
    take_writer_lock()  # decisions about one candidate are chained one at a time
    previous = latest_decision(candidate)
    leaf = record_event(
        EventType.DECISION_RECORDED,
        actor=actor.audit_actor,
        subject=candidate.subject,
        public={
            "candidate_id": candidate.pk,
            "opening_id": candidate.opening_id,
            "outcome": str(outcome),
            # null: a withdrawal recorded before the written test was scored.
            "recommendation": _recommendation_public(checked.recommendation),
            "against_recommendation": checked.against,
            "overrides_critical": checked.overrides_critical,
            # The leaf of the decision this one replaces: the chain can be followed in the log.
            "supersedes": previous.leaf_index if previous is not None else None,
        },
        private={
            "reason": reason,
            "justification": justification.strip(),
            **_recommendation_private(checked.recommendation),
        },
        at=at,
    )
    notifies = outcome in NOTIFIED_OUTCOMES and (previous is None or previous.outcome != outcome)
    decision = Decision.objects.create(
        candidate=candidate,
        outcome=outcome,
        reason=reason,
        justification=justification.strip(),
        recommendation=checked.recommendation,
        against_recommendation=checked.against,
        overrides_critical=checked.overrides_critical,
        supersedes=previous,
        decided_by=actor,
        decided_at=at,
        leaf_index=leaf.index,
        receipt_json=receipt_for(leaf.index).to_json(),
        notifies_candidate=notifies,
    )
    emit_decision_recorded(decision)
    notify_orders(decision.candidate, at=at)
    if notifies:
        # The decision stands even if the mail server is down: the notice waits in the outbox.
        queue_candidate_email(
            compose_decision_notice(decision, NoticeSettings.for_opening(candidate.opening)),
            candidate,
            kind="a decision notice",
            about=f"decision {decision.pk}",
        )
    return decision


def _recommendation_public(recommendation: Recommendation | None) -> dict[str, str] | None:
    if recommendation is None:
        return None
    return {"kind": recommendation.kind}


def _recommendation_private(recommendation: Recommendation | None) -> dict[str, str]:
    # The recommendation's hash derives from the answers' scorecard: committed, never public.
    if recommendation is None:
        return {}
    return {RECOMMENDATION_HASH_FIELD: recommendation.hash}


# --- notice settings --------------------------------------------------------------------------


def do_update_notice_settings(
    *,
    actor: User,
    opening: Opening,
    share_scores: bool,
    hire_subject: str,
    hire_body: str,
    no_hire_subject: str,
    no_hire_body: str,
) -> NoticeSettings:
    """Save the opening's decision notice; records ``opening.updated`` naming what changed.

    Raises ``emails.TemplateProblem`` for a template with an unknown placeholder.
    """
    texts = {
        "hire_subject": hire_subject.strip(),
        "hire_body": _unix_newlines(hire_body),
        "no_hire_subject": no_hire_subject.strip(),
        "no_hire_body": _unix_newlines(no_hire_body),
    }
    for text in texts.values():
        check_placeholders(text, DECISION_PLACEHOLDERS)
    with transaction.atomic():
        notice = NoticeSettings.for_opening(opening)
        values: dict[str, object] = {"share_scores": share_scores, **texts}
        changed = [f"decision_notice.{f}" for f, v in values.items() if getattr(notice, f) != v]
        if not changed and notice.pk is not None:
            return notice
        for field, value in values.items():
            setattr(notice, field, value)
        notice.save()
        record_event(
            EventType.OPENING_UPDATED,
            actor=actor.audit_actor,
            public={"opening_id": opening.pk, "fields": changed},
        )
    return notice


def _unix_newlines(text: str) -> str:
    # Browsers post textareas with CRLF; the defaults and the email use LF.
    return text.replace("\r\n", "\n")
