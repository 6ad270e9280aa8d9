"""Every change to an attempt: each ``do_*`` runs in one transaction with its audit event.

The clock is the server's: ``started_at`` and ``deadline`` are set here from ``now`` (an argument,
so tests and the sweeper pass their own), and every save is judged against the deadline with
``hireproof.core.timing.judge_request``. Answer texts are sealed under the candidate's audit
subject; the log holds only their commitments (private field ``answer`` / ``answers``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import Length
from django.utils import timezone

from hireproof.audit import vault
from hireproof.audit.log import record_event, rfc3339
from hireproof.audit.models import LogLeaf, LogPrivate, Subject
from hireproof.audit.receipts import receipt_for
from hireproof.audit.store import aware_datetime, fetch_one
from hireproof.core.audit import EventType, parse_leaf, scoring_private, scoring_public
from hireproof.core.canonical import canonical_json
from hireproof.core.playbook import MAX_ANSWER_CHARS as MAX_ANSWER_CHARS
from hireproof.core.playbook import Item, Playbook, Severity, SingleChoiceItem
from hireproof.core.scoring import Scorecard, normalise, percent_string, score
from hireproof.core.timing import GRACE, Timeliness, deadline_for, judge_request
from hireproof.hiring.actions.recommendations import do_compute_recommendation
from hireproof.hiring.ats.push import notify_orders
from hireproof.hiring.models.attempts import (
    Answer,
    Attempt,
    IntegritySignal,
    SignalKind,
    SubmissionKind,
    answer_context,
    playbook_of,
    saved_answers,
    subject_of,
    unseal_answer,
)
from hireproof.hiring.models.candidates import Invitation
from hireproof.hiring.webhooks import emit_attempt_started, emit_attempt_submitted

logger = logging.getLogger(__name__)

CANDIDATE_ACTOR = "candidate"
SYSTEM_ACTOR = "system"
# What one attempt can add to the audit log by saving (the answer row always holds the latest
# text; only the log's record of the saves is bounded): saves of one item within
# ANSWER_COALESCE_SECONDS of the leaf that opened its revision update that revision in place,
# and no "answer.saved" leaf is recorded past MAX_ANSWER_LEAVES_PER_ATTEMPT leaves, nor past
# MAX_ANSWER_LOG_BYTES bytes of their sealed copies in all. The scored event at submission
# commits every final answer, so none is ever lost to the log.
ANSWER_COALESCE_SECONDS = 30
MAX_ANSWER_LEAVES_PER_ATTEMPT = 200
MAX_ANSWER_LOG_BYTES = 1_000_000
# A save after the deadline is refused and the refusal recorded with the text, as evidence; a
# few are evidence enough, and the attempt is submitted at the first.
MAX_LATE_REFUSALS_PER_ATTEMPT = 10
# Integrity signals are evidence for a person, not a stream: past this many per attempt the rest
# are dropped, so a script cannot flood the audit log through the signal endpoint.
MAX_SIGNALS_PER_ATTEMPT = 500
# A submission scores the saved answers outside any transaction, then commits if no save
# changed them meanwhile; if one did, it scores again, at most this many times in all, then
# leaves the attempt open (the candidate submits again; past the deadline no save can race).
MAX_SCORING_ROUNDS = 3
# What sealing adds to a value: AES-GCM's nonce and tag.
_SEAL_OVERHEAD = vault.NONCE_SIZE + 16


class RefusalReason(StrEnum):
    LATE = "late"
    SUBMITTED = "submitted"
    UNKNOWN_ITEM = "unknown_item"
    TOO_LONG = "too_long"
    NOT_AN_OPTION = "not_an_option"


class AnswerRefused(Exception):
    """A save the server does not accept; ``str()`` is the message for the candidate."""

    def __init__(self, reason: RefusalReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class StartRefused(Exception):
    """The attempt cannot start (the link expired); ``str()`` says why."""


# --- starting ---------------------------------------------------------------------------------


def do_start_attempt(
    invitation: Invitation, *, disclose_extension: bool = False, now: datetime | None = None
) -> Attempt:
    """Start the clock: create the invitation's one attempt, or return it if it exists.

    ``disclose_extension`` is the candidate's consent that reviewers see their extra time; it
    is recorded only when the invitation grants extra time. Raises ``StartRefused`` for an
    expired or revoked invitation that was never started.
    """
    at = now or timezone.now()
    existing = Attempt.objects.filter(invitation=invitation).first()
    if existing is not None:
        return existing
    if invitation.revoked_at is not None:
        raise StartRefused("This link was withdrawn. Contact the recruiter who invited you.")
    if invitation.expires_at <= at:
        raise StartRefused("This link has expired. Contact the recruiter who invited you.")
    # Loaded (and its rubric examples run, on a process's first use of the version) before
    # the transaction, which holds SQLite's write lock for every other writer.
    playbook_of(invitation)
    try:
        with transaction.atomic():
            # The link's row locked, read again: a withdrawal recorded at this very moment
            # (it locks the row too) either came first, and the link is revoked, or waits.
            locked = Invitation.objects.select_for_update().only("revoked_at").get(pk=invitation.pk)
            if locked.revoked_at is not None:
                raise StartRefused(
                    "This link was withdrawn. Contact the recruiter who invited you."
                )
            return _start(invitation, disclose_extension, at)
    except IntegrityError:
        # The same link pressed Start twice at once: the first attempt is the attempt.
        return Attempt.objects.get(invitation=invitation)


def _start(invitation: Invitation, disclose_extension: bool, at: datetime) -> Attempt:
    playbook = playbook_of(invitation)
    allowance = invitation.allowance(playbook.assessment.time_limit_minutes)
    attempt = Attempt.objects.create(
        invitation=invitation, started_at=at, deadline=deadline_for(at, allowance)
    )
    disclosed = disclose_extension and allowance.is_extended
    if invitation.extension_disclosed != disclosed:
        invitation.extension_disclosed = disclosed
        invitation.save(update_fields=["extension_disclosed"])
    record_event(
        EventType.ATTEMPT_STARTED,
        actor=CANDIDATE_ACTOR,
        subject=invitation.candidate.subject,
        public={
            "attempt_id": attempt.pk,
            "opening_id": invitation.candidate.opening_id,
            "time_limit_minutes": playbook.assessment.time_limit_minutes,
        },
        # Extra time is an accommodation, often for a health reason: personal, so committed.
        private={
            "deadline": rfc3339(attempt.deadline),
            "extra_time_percent": invitation.extra_time_percent,
            "extra_minutes": invitation.extra_minutes,
            "extension_disclosed": disclosed,
        },
        at=at,
    )
    emit_attempt_started(attempt, invitation.candidate, at=at)
    notify_orders(invitation.candidate, at=at)
    return attempt


# --- saving -----------------------------------------------------------------------------------


def do_save_answer(
    attempt: Attempt, item_id: str, text: str, *, now: datetime | None = None
) -> Answer | None:
    """Save the candidate's latest text for one item (sealed, revision + 1, ``answer.saved``).

    A save in time or within the grace period is accepted; a later one is refused with
    ``AnswerRefused(LATE)`` and the refusal itself is recorded (``answer.refused_late``) and
    committed. Saving the text already saved, or a blank for a question never answered,
    changes nothing and records nothing (``None`` for the blank).
    """
    at = now or timezone.now()
    item = _item_or_refuse(attempt, item_id)
    _check_text(item, text)
    if attempt.submitted_at is not None:
        raise _already_submitted()
    if judge_request(at, attempt.deadline) is Timeliness.LATE:
        if not _is_saved_text(attempt, item_id, text):  # nothing is lost by refusing the same
            _record_late_refusal(attempt, item_id, text, at)
        raise AnswerRefused(
            RefusalReason.LATE,
            "Time is up: this answer arrived after the deadline and was not saved.",
        )
    # Sealed before the transaction: on SQLite it holds the database's one write lock, and on
    # PostgreSQL the audit log's, for every other save.
    sealed = vault.seal(subject_of(attempt), text, context=answer_context(attempt, item_id))
    with transaction.atomic():
        # Saves and the submission of one attempt take its row lock in turn, so a save cannot
        # slip in after the answers were scored, nor two saves of one item collide.
        locked = Attempt.objects.select_for_update().only("submitted_at").get(pk=attempt.pk)
        if locked.submitted_at is not None:
            raise _already_submitted()
        return _save(attempt, item_id, text, sealed, at)


def _is_saved_text(attempt: Attempt, item_id: str, text: str) -> bool:
    return _same_text(attempt, _answer_of(attempt, item_id), text)


def _answer_of(attempt: Attempt, item_id: str) -> Answer | None:
    # At most one row (a unique constraint): no ordering to compile or sort.
    found = list(Answer.objects.filter(attempt=attempt, item_id=item_id)[:1])
    return found[0] if found else None


def _same_text(attempt: Attempt, answer: Answer | None, text: str) -> bool:
    """True when ``text`` is what ``answer`` already holds (a blank for no answer yet)."""
    if answer is None:
        return not text
    return unseal_answer(attempt, answer) == text


def _already_submitted() -> AnswerRefused:
    return AnswerRefused(
        RefusalReason.SUBMITTED,
        "Your assessment was already submitted, so this answer was not saved.",
    )


def _item_or_refuse(attempt: Attempt, item_id: str) -> Item:
    try:
        return playbook_of(attempt).item(item_id)
    except KeyError:
        raise AnswerRefused(
            RefusalReason.UNKNOWN_ITEM, f"There is no question {item_id!r} in this assessment."
        ) from None


def _check_text(item: Item, text: str) -> None:
    if len(text) > MAX_ANSWER_CHARS:
        raise AnswerRefused(
            RefusalReason.TOO_LONG,
            f"This answer is {len(text):,} characters long; the most a box takes is "
            f"{MAX_ANSWER_CHARS:,}. Shorten it and it will be saved.",
        )
    # Answers are compared normalised, where a ligature or a letter like "ß" is spelled out
    # (one character can become eighteen): what is scored is bounded too. ASCII never grows.
    scored = len(text) if text.isascii() else len(normalise(text).text)
    if scored > MAX_ANSWER_CHARS:
        raise AnswerRefused(
            RefusalReason.TOO_LONG,
            f"This answer is {scored:,} characters long once ligatures and letters such as "
            f'"ß" are written out, as answers are compared; the most a box takes is '
            f"{MAX_ANSWER_CHARS:,}. Shorten it and it will be saved.",
        )
    if isinstance(item, SingleChoiceItem) and text:
        choices = [option.id for option in item.options]
        if text not in choices:
            raise AnswerRefused(
                RefusalReason.NOT_AN_OPTION,
                f"Choose one of the options {', '.join(choices)} for this question.",
            )


def _save(attempt: Attempt, item_id: str, text: str, sealed: bytes, at: datetime) -> Answer | None:
    subject = subject_of(attempt)
    answer = _answer_of(attempt, item_id)
    if _same_text(attempt, answer, text):
        return answer
    recorded = _records_a_revision(attempt, subject, item_id, text, at)
    if answer is None:
        answer = Answer(attempt=attempt, item_id=item_id)
    answer.text_sealed = sealed
    answer.saved_at = at
    if recorded:
        answer.revision += 1
    if answer.pk is None:
        answer.save(force_insert=True)
    else:
        answer.save(update_fields=["text_sealed", "saved_at", "revision"])
    if recorded:
        record_event(
            EventType.ANSWER_SAVED,
            actor=CANDIDATE_ACTOR,
            subject=subject,
            public={"attempt_id": attempt.pk, "item_id": item_id, "revision": answer.revision},
            private={"answer": text},
            at=at,
        )
    return answer


def _records_a_revision(
    attempt: Attempt, subject: Subject, item_id: str, text: str, at: datetime
) -> bool:
    """False when this save is coalesced into the revision already recorded (the attempt's
    last ``answer.saved`` leaf is of the same item and under ``ANSWER_COALESCE_SECONDS`` old),
    or when recording it would pass ``MAX_ANSWER_LEAVES_PER_ATTEMPT`` leaves or
    ``MAX_ANSWER_LOG_BYTES`` of sealed copies. Runs under the attempt's row lock."""
    # One indexed read (a save runs this in its transaction): the subject's latest
    # "answer.saved" leaf and how many there are. The sealed copies are summed only for a
    # save that would record a new revision.
    latest = fetch_one(_LATEST_ANSWER_LEAF, [subject.pseudonym, EventType.ANSWER_SAVED.value] * 2)
    if latest is None:
        return True
    data, recorded_at, count = latest
    if count >= MAX_ANSWER_LEAVES_PER_ATTEMPT:
        return False
    public = parse_leaf(bytes(data)).public
    same_item = public.get("attempt_id") == attempt.pk and public.get("item_id") == item_id
    recent = (at - aware_datetime(recorded_at)).total_seconds() < ANSWER_COALESCE_SECONDS
    if same_item and recent:
        return False
    saves = LogLeaf.objects.filter(subject=subject.pseudonym, event_type=EventType.ANSWER_SAVED)
    sealed = LogPrivate.objects.filter(
        subject=subject, leaf_index__in=saves.values("index")
    ).aggregate(total=Sum(Length("sealed_value")))["total"]
    return (sealed or 0) + sealed_size(text) <= MAX_ANSWER_LOG_BYTES


def sealed_size(text: str) -> int:
    """The bytes the log keeps for ``text`` as a private field: its canonical JSON, sealed."""
    return len(canonical_json(text)) + _SEAL_OVERHEAD


_LATEST_ANSWER_LEAF = (
    "SELECT data, recorded_at,"
    " (SELECT COUNT(*) FROM audit_logleaf WHERE subject = %s AND event_type = %s)"
    ' FROM audit_logleaf WHERE subject = %s AND event_type = %s ORDER BY "index" DESC LIMIT 1'
)


def _record_late_refusal(attempt: Attempt, item_id: str, text: str, at: datetime) -> None:
    late_by = at - attempt.deadline
    subject = subject_of(attempt)
    with transaction.atomic():
        Attempt.objects.select_for_update().only("pk").get(pk=attempt.pk)  # one count at a time
        refusals = LogLeaf.objects.filter(
            subject=subject.pseudonym, event_type=EventType.ANSWER_REFUSED_LATE
        )
        if refusals.count() >= MAX_LATE_REFUSALS_PER_ATTEMPT:
            return
        record_event(
            EventType.ANSWER_REFUSED_LATE,
            actor=CANDIDATE_ACTOR,
            subject=subject,
            public={
                "attempt_id": attempt.pk,
                "item_id": item_id,
                "seconds_after_deadline": int(late_by.total_seconds()),
            },
            private={"answer": text},
            at=at,
        )


# --- integrity signals ------------------------------------------------------------------------


def do_record_integrity_signal(
    attempt: Attempt,
    kind: SignalKind,
    *,
    item_id: str = "",
    chars: int = 0,
    now: datetime | None = None,
) -> IntegritySignal | None:
    """Keep one focus or paste signal as evidence for reviewers (never a penalty).

    Ignored (``None``) once the attempt is submitted or past its deadline, for an item the
    playbook does not have, and past ``MAX_SIGNALS_PER_ATTEMPT``.
    """
    at = now or timezone.now()
    if attempt.submitted_at is not None or judge_request(at, attempt.deadline) is Timeliness.LATE:
        return None
    if item_id and item_id not in {item.id for item in playbook_of(attempt).assessment.items}:
        return None
    with transaction.atomic():
        Attempt.objects.select_for_update().only("pk").get(pk=attempt.pk)  # one count at a time
        if IntegritySignal.objects.filter(attempt=attempt).count() >= MAX_SIGNALS_PER_ATTEMPT:
            return None
        signal = IntegritySignal.objects.create(
            attempt=attempt, kind=kind, item_id=item_id, chars=max(0, chars), at=at
        )
        record_event(
            EventType.ATTEMPT_INTEGRITY_SIGNAL,
            actor=CANDIDATE_ACTOR,
            subject=subject_of(attempt),
            public={
                "attempt_id": attempt.pk,
                "kind": str(kind),
                "item_id": item_id,
                "chars": signal.chars,
            },
            at=at,
        )
    return signal


# --- submitting and scoring -------------------------------------------------------------------


def do_submit_attempt(
    attempt: Attempt,
    *,
    kind: SubmissionKind = SubmissionKind.CANDIDATE,
    now: datetime | None = None,
) -> Attempt:
    """Submit the saved answers, score them on the pinned playbook and keep the receipt.

    Records ``attempt.submitted`` (or ``attempt.auto_submitted``) then ``attempt.scored``, whose
    public part names the playbook and the scorecard hash and whose private ``answers`` field
    commits the answer sheet, so an auditor can re-score it. A submission after the deadline and
    its grace is automatic whoever asked for it. Submitting twice returns the first submission.

    Scoring never runs inside a transaction: the answers are read and scored first, then one
    short transaction, holding the attempt's row lock, checks that no save changed them
    meanwhile and writes the submission. If a save did, the answers are scored again, up to
    ``MAX_SCORING_ROUNDS`` times in all; after that the attempt is returned still open (its
    ``submitted_at`` unset), to be submitted again.
    """
    at = now or timezone.now()
    if judge_request(at, attempt.deadline) is Timeliness.LATE:
        kind = SubmissionKind.AUTOMATIC
    playbook = playbook_of(attempt)
    for _ in range(MAX_SCORING_ROUNDS):
        answers = saved_answers(attempt)
        # Outside any transaction: scoring takes what the rules take while every other request
        # goes on writing; the transaction below takes only what writing takes.
        scorecard = score(playbook, answers)
        with transaction.atomic():
            current = Attempt.objects.select_for_update().get(pk=attempt.pk)
            current.invitation = attempt.invitation
            if current.submitted_at is not None:
                return current
            if saved_answers(current) == answers:
                _submit(current, kind, at, playbook, answers, scorecard)
                return current
        # A save landed while the answers were scored: score what is saved now.
    logger.warning(
        "attempt %s: its answers changed during each of %d scorings; left open",
        attempt.pk,
        MAX_SCORING_ROUNDS,
    )
    current = Attempt.objects.get(pk=attempt.pk)
    current.invitation = attempt.invitation
    return current


def _submit(
    attempt: Attempt,
    kind: SubmissionKind,
    at: datetime,
    playbook: Playbook,
    answers: dict[str, str],
    scorecard: Scorecard,
) -> None:
    subject = subject_of(attempt)
    submitted_event = (
        EventType.ATTEMPT_AUTO_SUBMITTED
        if kind is SubmissionKind.AUTOMATIC
        else EventType.ATTEMPT_SUBMITTED
    )
    actor = SYSTEM_ACTOR if kind is SubmissionKind.AUTOMATIC else CANDIDATE_ACTOR
    answered = sum(1 for text in answers.values() if text.strip())
    record_event(
        submitted_event,
        actor=actor,
        subject=subject,
        public={
            "attempt_id": attempt.pk,
            "answered": answered,
            "items": len(playbook.assessment.items),
        },
        at=at,
    )
    scored = _record_scored(attempt, playbook, scorecard, answers, actor, at)
    _store_scorecard(attempt, scorecard, kind, at)
    attempt.receipt_json = receipt_for(scored.index).to_json()
    attempt.save()
    emit_attempt_submitted(
        attempt,
        attempt.invitation.candidate,
        automatic=kind is SubmissionKind.AUTOMATIC,
        answered=answered,
        items=len(playbook.assessment.items),
    )
    # The first recommendation is computed by the system, whoever submitted, in the same
    # transaction: a scored attempt never lacks one.
    do_compute_recommendation(attempt.invitation.candidate, now=at)
    notify_orders(attempt.invitation.candidate, at=at)


def _record_scored(
    attempt: Attempt,
    playbook: Playbook,
    scorecard: Scorecard,
    answers: dict[str, str],
    actor: str,
    at: datetime,
) -> LogLeaf:
    public = scoring_public(
        playbook_id=playbook.id, playbook_version=playbook.version, playbook_hash=playbook.hash
    )
    public.update({"attempt_id": attempt.pk, "verdict": str(scorecard.verdict)})
    # The scorecard hash is committed with the answers, never public: unsalted, it would let
    # anyone match guessed answers to the leaf, and it must go when the candidate is erased.
    return record_event(
        EventType.ATTEMPT_SCORED,
        actor=actor,
        subject=subject_of(attempt),
        public=public,
        private=scoring_private(answers, scorecard.hash),
        at=at,
    )


def _store_scorecard(
    attempt: Attempt, scorecard: Scorecard, kind: SubmissionKind, at: datetime
) -> None:
    attempt.submitted_at = at
    attempt.submission = kind
    attempt.scorecard_json = canonical_json(scorecard.to_dict()).decode()
    attempt.scorecard_hash = scorecard.hash
    attempt.verdict = str(scorecard.verdict)
    attempt.recommendation = str(scorecard.recommendation)
    attempt.score_percent = Decimal(percent_string(scorecard.percent))
    attempt.warning_count = sum(1 for f in scorecard.flags if f.severity is Severity.WARNING)


def do_auto_submit_overdue(now: datetime | None = None) -> list[Attempt]:
    """Submit, with what was saved, every attempt left open past its deadline and the grace.

    Each attempt is submitted in its own transaction: one that fails (logged) does not hold
    back the others. Attempts of erased candidates are left alone: nothing of theirs remains.
    """
    at = now or timezone.now()
    overdue = Attempt.objects.select_related(
        "invitation__candidate__subject", "invitation__candidate__opening__playbook_version"
    ).filter(
        submitted_at__isnull=True,
        deadline__lt=at - GRACE,
        invitation__candidate__subject__erased_at__isnull=True,
    )
    submitted = []
    for attempt in overdue:
        try:
            result = do_submit_attempt(attempt, kind=SubmissionKind.AUTOMATIC, now=at)
        except Exception:
            logger.exception("could not auto-submit attempt %s", attempt.pk)
            continue
        if result.submitted_at is not None:
            submitted.append(result)
    return submitted
