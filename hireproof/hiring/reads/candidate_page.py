"""Everything the candidate page shows, gathered in a fixed number of queries.

``candidate_page`` reads: the candidate with their opening, playbook version, invitation and
attempt (one query, done by ``access``), then the saved answers, the integrity signals, the
flag acknowledgements with their reviewers, and the timeline (the log's leaves, and the names
of the staff who acted): the same queries for five items or fifty, one signal or five hundred.
The playbook is parsed from memory (``PlaybookVersion.load`` caches it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils.safestring import SafeString

from hireproof.audit.models import LogKey
from hireproof.audit.receipt_check import check_receipt, key_history, published_vkey
from hireproof.core.audit import Checkpoint, Receipt, parse_checkpoint_body
from hireproof.core.errors import AuditError
from hireproof.core.playbook import (
    Item,
    Playbook,
    RedFlag,
    Section,
    SingleChoiceItem,
    Verdict,
)
from hireproof.core.scoring import ItemResult, Outcome, Scorecard, decimal_string, percent_string
from hireproof.hiring.emails import invitation_about
from hireproof.hiring.models.accommodation import Accommodation
from hireproof.hiring.models.attempts import (
    Attempt,
    IntegritySignal,
    SignalKind,
    SubmissionKind,
    attempt_of,
    unseal_answer,
)
from hireproof.hiring.models.candidates import Candidate, Invitation
from hireproof.hiring.models.flags import ReviewFlag, attempt_flags, stored_scorecard
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.reviews import FlagAcknowledgement
from hireproof.hiring.models.stage import Stage, stage_in
from hireproof.hiring.reads.candidate_attempt import duration_words
from hireproof.hiring.reads.highlight import highlight_evidence
from hireproof.hiring.reads.playbook_guide import verdict_label
from hireproof.hiring.reads.timeline import TimelineEntry, subject_timeline
from hireproof.platform.mail import latest_emails
from hireproof.platform.models import OutboxEmail

OUTCOME_LABELS = {
    Outcome.CORRECT: "Correct",
    Outcome.INCORRECT: "Incorrect",
    Outcome.NO_ANSWER: "No answer",
    Outcome.INVALID: "Not a valid answer",
}
RECOMMENDATION_LABELS = {
    "advance": "Advance to interviews",
    "review": "A person reviews",
    "reject": "Reject",
    "hire": "Hire",
    "no_hire": "No hire",
}
VERIFY_COMMAND = "hireproof audit receipt verify"


@dataclass(frozen=True)
class OptionRow:
    """One option of a single-choice item as a reviewer sees it."""

    id: str
    text: str
    chosen: bool
    correct: bool
    red_flag: RedFlag | None


@dataclass(frozen=True)
class ItemReview:
    """One item of the assessment next to the candidate's answer and its scoring."""

    number: int
    item: Item
    section: Section
    result: ItemResult | None
    answer: str
    answer_html: SafeString
    options: tuple[OptionRow, ...]
    flag: ReviewFlag | None
    pasted_chars: int = 0
    # The acknowledgement form, for a viewer who may acknowledge this open warning: the page
    # (``hireproof.views``) sets it, since forms belong to the surface that parses them.
    form: object | None = None

    @property
    def awaits_acknowledgement(self) -> bool:
        """True when this item's warning waits for a reviewer's note."""
        return self.flag is not None and self.flag.is_open

    @property
    def is_choice(self) -> bool:
        """True for a single-choice item (its options are listed)."""
        return isinstance(self.item, SingleChoiceItem)

    @property
    def points_text(self) -> str:
        """``"1 / 1"``: section-weighted points out of the item's maximum ("" before scoring)."""
        if self.result is None:
            return ""
        return f"{decimal_string(self.result.points)} / {decimal_string(self.result.max_points)}"

    @property
    def outcome_label(self) -> str:
        """The outcome in words ("" before scoring)."""
        return OUTCOME_LABELS[self.result.outcome] if self.result else ""


@dataclass(frozen=True)
class SignalRow:
    """One integrity signal: evidence for a person to weigh, never a penalty."""

    at: datetime
    kind: str
    label: str
    item_id: str
    item_number: int | None
    chars: int

    @property
    def is_paste(self) -> bool:
        """True for a paste (the row then shows how many characters)."""
        return self.kind == SignalKind.PASTE


@dataclass(frozen=True)
class ReceiptFacts:
    """A receipt, the checkpoint it is proved against, and whether it holds against the log's
    own key history (``verified``; ``key_id`` is the registered key that signed it)."""

    leaf_index: int
    leaf_hash: str
    checkpoint: Checkpoint | None
    checkpoint_note: str
    verified: bool
    problem: str
    filename: str
    key_id: str
    vkey: str  # the log's key to verify it with: the one that signed it, else the current one

    @property
    def command(self) -> str:
        """The command that checks the downloaded receipt offline, pinned to the log's key."""
        return receipt_command(self.filename, self.vkey)


def receipt_command(filename: str, vkey: str) -> str:
    """``hireproof audit receipt verify FILE --vkey VKEY``: without a key it never says OK."""
    return f"{VERIFY_COMMAND} {filename} --vkey {vkey}"


@dataclass(frozen=True)
class CandidatePage:
    """The whole candidate page, ready for the template."""

    candidate: Candidate
    opening: Opening
    stage: Stage
    invitation: Invitation | None
    attempt: Attempt | None
    playbook: Playbook
    extension: str
    show_deadline: bool
    scorecard: Scorecard | None
    items: list[ItemReview]
    flags: list[ReviewFlag]
    signals: list[SignalRow]
    timeline: list[TimelineEntry]
    receipt: ReceiptFacts | None
    may_review: bool
    invitation_email: OutboxEmail | None = None  # the newest email of the invitation

    @property
    def is_erased(self) -> bool:
        """True once the candidate's personal data was erased."""
        return self.candidate.is_erased

    @property
    def time_limit_minutes(self) -> int:
        """The playbook's time limit (an extension, if any and disclosed, is shown apart)."""
        return self.playbook.assessment.time_limit_minutes

    @property
    def is_automatic(self) -> bool:
        """True when the attempt was submitted automatically at the deadline."""
        return self.attempt is not None and self.attempt.submission == SubmissionKind.AUTOMATIC

    @property
    def verdict_label(self) -> str:
        """The verdict in words ("" before scoring)."""
        verdict = self.attempt.verdict if self.attempt else ""
        return verdict_label(verdict)

    @property
    def is_critical_fail(self) -> bool:
        """True when a critical red flag made the verdict critical_fail."""
        return self.attempt is not None and self.attempt.verdict == Verdict.CRITICAL_FAIL

    @property
    def recommendation_label(self) -> str:
        """The recommendation in words ("" before scoring)."""
        kind = self.attempt.recommendation if self.attempt else ""
        return RECOMMENDATION_LABELS.get(kind, kind)

    @property
    def score_text(self) -> str:
        """``"4 / 5 points (80.00%)"``, or the stored percent alone after an erasure."""
        if self.scorecard is not None:
            card = self.scorecard
            return (
                f"{decimal_string(card.points)} / {decimal_string(card.max_points)} points "
                f"({percent_string(card.percent)}%)"
            )
        if self.attempt is not None and self.attempt.score_percent is not None:
            return f"{self.attempt.score_percent}%"
        return ""

    @property
    def critical_flags(self) -> list[ReviewFlag]:
        """The disqualifying flags."""
        return [flag for flag in self.flags if flag.is_critical]

    @property
    def warning_flags(self) -> list[ReviewFlag]:
        """The warnings, acknowledged or not."""
        return [flag for flag in self.flags if not flag.is_critical]

    @property
    def open_warnings(self) -> list[ReviewFlag]:
        """The warnings still waiting for a reviewer's note."""
        return [flag for flag in self.flags if flag.is_open]

    @property
    def can_move_on(self) -> bool:
        """The same rule as ``flags.can_move_on``, from what the page already loaded."""
        if self.is_erased or self.scorecard is None:
            return False
        return not any(flag.is_critical or flag.is_open for flag in self.flags)


def candidate_page(candidate: Candidate, *, may_review: bool) -> CandidatePage:
    """Build the page for ``candidate`` (loaded by ``hireproof.hiring.access.access_candidate``,
    which annotates its stage)."""
    opening = candidate.opening
    playbook = opening.playbook_version.load()
    invitation: Invitation | None = getattr(candidate, "invitation", None)
    attempt = attempt_of(candidate)
    scorecard = stored_scorecard(attempt) if attempt is not None else None
    flags = []
    if attempt is not None and scorecard is not None:
        flags = attempt_flags(attempt, scorecard, _acknowledgements(attempt))
    answers = _answers(candidate, attempt)
    signals = _signals(attempt, playbook) if attempt is not None else []
    items = _items(playbook, scorecard, answers, flags, signals)
    extended = invitation is not None and _is_extended(invitation)
    disclosed = extended and invitation is not None and invitation.extension_disclosed
    return CandidatePage(
        candidate=candidate,
        opening=opening,
        stage=stage_in(candidate),
        invitation=invitation,
        attempt=attempt,
        playbook=playbook,
        extension=_extension_words(invitation, playbook) if disclosed and invitation else "",
        # The deadline of an extended attempt shows the extension: hidden unless disclosed.
        show_deadline=not extended or disclosed,
        scorecard=scorecard,
        # Nothing to show before the candidate started, and nothing of theirs after erasure.
        items=items if attempt is not None and not candidate.is_erased else [],
        flags=flags,
        signals=signals,
        timeline=subject_timeline(candidate.subject),
        receipt=_receipt(attempt) if attempt and attempt.receipt_json else None,
        may_review=may_review,
        invitation_email=(
            latest_emails([invitation_about(invitation.pk)]).get(invitation_about(invitation.pk))
            if invitation is not None
            else None
        ),
    )


def _acknowledgements(attempt: Attempt) -> list[FlagAcknowledgement]:
    return list(FlagAcknowledgement.objects.filter(attempt=attempt).select_related("reviewer"))


def _answers(candidate: Candidate, attempt: Attempt | None) -> dict[str, str]:
    """Item id -> the saved answer, unsealed in memory (nothing after an erasure)."""
    if attempt is None or candidate.is_erased or candidate.subject.is_erased:
        return {}
    return {
        answer.item_id: unseal_answer(attempt, answer)
        for answer in attempt.answers.all()
        if answer.text_sealed is not None
    }


def _items(
    playbook: Playbook,
    scorecard: Scorecard | None,
    answers: Mapping[str, str],
    flags: Sequence[ReviewFlag],
    signals: Sequence[SignalRow],
) -> list[ItemReview]:
    results = {result.id: result for result in scorecard.items} if scorecard else {}
    pasted: dict[str, int] = {}
    for signal in signals:
        if signal.is_paste:
            pasted[signal.item_id] = pasted.get(signal.item_id, 0) + signal.chars
    flag_of = {flag.item_id: flag for flag in flags}
    reviews = []
    for number, item in enumerate(playbook.assessment.items, start=1):
        result = results.get(item.id)
        answer = answers.get(item.id, "")
        flag = flag_of.get(item.id)
        reviews.append(
            ItemReview(
                number=number,
                item=item,
                section=playbook.section(item.section),
                result=result,
                answer=answer,
                answer_html=highlight_evidence(answer, result.evidence if result else ()),
                options=_options(item, answer),
                flag=flag,
                pasted_chars=pasted.get(item.id, 0),
            )
        )
    return reviews


def _options(item: Item, answer: str) -> tuple[OptionRow, ...]:
    if not isinstance(item, SingleChoiceItem):
        return ()
    chosen = answer.strip().casefold()
    return tuple(
        OptionRow(
            option.id,
            option.text,
            option.id.casefold() == chosen,
            option.id.casefold() == item.correct.casefold(),
            option.red_flag,
        )
        for option in item.options
    )


def _signals(attempt: Attempt, playbook: Playbook) -> list[SignalRow]:
    numbers = {item.id: n for n, item in enumerate(playbook.assessment.items, start=1)}
    labels = dict(SignalKind.choices)
    return [
        SignalRow(
            signal.at,
            signal.kind,
            labels.get(signal.kind, signal.kind),
            signal.item_id,
            numbers.get(signal.item_id),
            signal.chars,
        )
        for signal in IntegritySignal.objects.filter(attempt=attempt).order_by("at", "pk")
    ]


def _is_extended(invitation: Invitation) -> bool:
    return bool(invitation.extra_time_percent or invitation.extra_minutes)


def _extension_words(invitation: Invitation, playbook: Playbook) -> str:
    """``"x1.5 time: 45 minutes in all"``."""
    accommodation = Accommodation(invitation.extra_time_percent, invitation.extra_minutes)
    total = invitation.allowance(playbook.assessment.time_limit_minutes).total
    return f"{accommodation.describe()}: {duration_words(total)} in all"


def receipt_filename(attempt: Attempt) -> str:
    """The name the staff copy of an attempt's receipt is downloaded as."""
    return f"receipt-{attempt.pk}.json"


def _receipt(attempt: Attempt) -> ReceiptFacts:
    return receipt_facts(attempt.receipt_json, receipt_filename(attempt))


def receipt_facts(
    receipt_json: str, filename: str, history: Sequence[LogKey] | None = None
) -> ReceiptFacts:
    """What a page shows of one receipt: leaf, checkpoint, and whether it verifies now against
    the keys this log registered (never merely under the key the receipt names).

    ``history`` is the log's key history (``receipt_check.key_history``), read here if not
    given: a page showing many receipts reads it once.
    """
    receipt = Receipt.from_json(receipt_json)
    history = key_history() if history is None else history
    problem, key_id, vkey = "", "", published_vkey(history) or receipt.vkey
    try:
        signer = check_receipt(receipt, history)
    except AuditError as error:
        problem = str(error)
    else:
        key_id, vkey = signer.key_id, signer.vkey
    body = receipt.checkpoint.split("\n\n", 1)[0] + "\n"
    try:
        checkpoint: Checkpoint | None = parse_checkpoint_body(body)
    except AuditError:
        checkpoint = None
    return ReceiptFacts(
        leaf_index=receipt.leaf_index,
        leaf_hash=receipt.leaf_hash.hex(),
        checkpoint=checkpoint,
        checkpoint_note=receipt.checkpoint,
        verified=not problem,
        problem=problem,
        filename=filename,
        key_id=key_id,
        vkey=vkey,
    )
