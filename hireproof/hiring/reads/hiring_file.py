"""The hiring file: everything about one candidate a company can hand to an auditor or a lawyer.

``hiring_file(candidate)`` gathers it once; the page, the PDF (the same template, printed) and
the JSON download all read that one object, so the three never disagree.

The JSON download (``to_json``) is a stable, documented structure (``format_version`` 1)::

    {
      "format": "hireproof/hiring-file", "format_version": 1,
      "generated_at": "2026-05-04T09:00:00.000000Z",
      "candidate": {"id", "opening_id", "pseudonym", "name", "email", "erased", "erased_at"},
      "opening": {"id", "title"},
      "playbook": {"id", "version", "title", "hash"},
      "attempt": {"id", "started_at", "deadline", "submitted_at", "submission",
                  "scorecard_hash", "verdict", "score_percent"} | null,
      "scorecard": <the scorecard JSON exactly as the core produced it> | null,
      "answers": [{"item_id", "number", "section", "prompt", "answer", "points", "max_points",
                   "outcome", "explanation"}],
      "flags": [{"item_id", "severity", "reason",
                 "acknowledgement": {"by", "at", "note"} | null}],
      "integrity_signals": [{"at", "kind", "item_id", "chars"}],
      "interviews": [{"interviewer", "version", "submitted_at", "ratings", "red_flags", "notes",
                      "amendment_reason", "assignment_cancelled"}],
      "recommendations": [{"computed_at", "kind", "hash", "interview_scorecards",
                           "leaf_index", "recommendation": <Recommendation.to_dict()>}],
      "decisions": [{"id", "outcome", "decided_by": {"id", "name", "role"}, "decided_at",
                     "reason", "justification", "recommendation": {"kind", "hash"} | null,
                     "no_recommendation": "<why there is none, in words>" | null,
                     "against_recommendation", "overrides_critical", "supersedes",
                     "in_force", "leaf_index", "receipt": <receipt JSON>}],
      "receipts": [{"event", "leaf_index", "checkpoint_size", "vkey", "receipt": <receipt JSON>}],
      "audit_trail": [{"leaf_index", "at", "type", "text"}],
      "verification": {"receipt": "...", "export": "...", "bundle": "..."}
    }

Times are RFC 3339 UTC; numbers from the core are decimal strings, as the core writes them.
``supersedes`` is the log leaf index of the decision replaced. A decision's ``recommendation``
is null only for a withdrawal recorded before the written test was scored; ``no_recommendation``
then says so ("Withdrawn before the written test was scored"). After an erasure, ``name``,
``email``, ``answers``, ``scorecard``, signals and written reasons are gone (empty or null).
A receipt's ``vkey`` is the log's key to verify it with (the registered key that signed it);
the ``verification`` commands name the log's keys with ``--vkey``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from hireproof.audit.log import rfc3339
from hireproof.audit.receipt_check import key_history, published_vkey
from hireproof.core.playbook import InterviewKit
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.decisions import Decision, Recommendation
from hireproof.hiring.models.flags import ReviewFlag
from hireproof.hiring.reads.candidate_page import (
    CandidatePage,
    ItemReview,
    ReceiptFacts,
    candidate_page,
    receipt_command,
    receipt_facts,
)
from hireproof.hiring.reads.interviews import ScorecardRecord, scorecard_records

FORMAT = "hireproof/hiring-file"
FORMAT_VERSION = 1
RECEIPT_FILE = "receipt.json"


@dataclass(frozen=True)
class DecisionEntry:
    """One decision with its receipt, and whether a later one replaced it."""

    decision: Decision
    receipt: ReceiptFacts
    in_force: bool
    supersedes_leaf: int | None


@dataclass(frozen=True)
class RatedLine:
    """One kit question with the rating a scorecard version gave it, in the kit's words."""

    number: int
    question_id: str
    competency: str
    rating: int | None
    label: str


@dataclass(frozen=True)
class InterviewEntry:
    """One scorecard version laid out along the pinned kit, as an auditor reads it."""

    record: ScorecardRecord
    questions: list[RatedLine]
    flags: list[str]  # the kit's words for each red flag ticked, with its id


def interview_entry(kit: InterviewKit, record: ScorecardRecord) -> InterviewEntry:
    """``record`` with each question's competency and anchor label, and each flag's text.

    Ratings of ids the kit does not know (none, unless the data was altered) are listed last
    under their id, so nothing recorded is left out of the file.
    """
    ratings = record.card.ratings
    labels = {anchor.value: anchor.label for anchor in kit.scale}
    known = [question.id for question in kit.questions]
    lines = [
        RatedLine(
            number,
            question.id,
            question.competency,
            ratings.get(question.id),
            labels.get(ratings.get(question.id, 0), ""),
        )
        for number, question in enumerate(kit.questions, start=1)
    ]
    lines += [
        RatedLine(len(lines) + offset, question_id, question_id, rating, labels.get(rating, ""))
        for offset, (question_id, rating) in enumerate(
            ((q, r) for q, r in ratings.items() if q not in known), start=1
        )
    ]
    texts = {
        f"{question.id}/{flag.id}": flag.text
        for question in kit.questions
        for flag in question.red_flags
    }
    flags = [f"{texts[flag]} ({flag})" if flag in texts else flag for flag in record.card.red_flags]
    return InterviewEntry(record, lines, flags)


@dataclass(frozen=True)
class HiringFile:
    """The whole hiring file of one candidate, ready for the template and the JSON."""

    page: CandidatePage
    generated_at: datetime
    interviews: list[ScorecardRecord]
    recommendations: list[Recommendation]  # oldest first
    decisions: list[DecisionEntry]  # oldest first
    vkey: str  # the key the log signs with now, as the audit page publishes it

    @property
    def candidate(self) -> Candidate:
        """The candidate the file is about."""
        return self.page.candidate

    @property
    def recommendation(self) -> Recommendation | None:
        """The latest recommendation."""
        return self.recommendations[-1] if self.recommendations else None

    @property
    def interview_entries(self) -> list[InterviewEntry]:
        """Every scorecard version along the pinned kit's questions (for the page and PDF)."""
        kit = self.page.opening.playbook_version.load().interview
        return [interview_entry(kit, record) for record in self.interviews]

    @property
    def current(self) -> DecisionEntry | None:
        """The decision in force."""
        return self.decisions[-1] if self.decisions else None

    @property
    def overrides(self) -> list[DecisionEntry]:
        """Decisions that hired despite a critical_fail: flagged at the top of the file."""
        return [entry for entry in self.decisions if entry.decision.overrides_critical]

    @property
    def pseudonym(self) -> str:
        """The candidate's pseudonym in the audit log."""
        return self.candidate.subject.pseudonym

    @property
    def export_command(self) -> str:
        """The command that exports the log with this candidate's private fields disclosed."""
        return f"hireproof audit export --out bundle.json --disclose {self.pseudonym}"

    @property
    def bundle_command(self) -> str:
        """The command that verifies the exported bundle offline, pinned to the log's key."""
        return f"hireproof audit verify bundle.json --vkey {self.vkey}"

    @property
    def receipt_commands(self) -> list[str]:
        """The commands that verify a downloaded receipt offline: one per key that signed
        this file's receipts (a key rotation between them makes two), or with the log's key."""
        receipts = [self.page.receipt] if self.page.receipt is not None else []
        receipts += [entry.receipt for entry in self.decisions]
        vkeys = dict.fromkeys(receipt.vkey for receipt in receipts) or {self.vkey: None}
        return [receipt_command(RECEIPT_FILE, vkey) for vkey in vkeys]

    @property
    def receipt_command(self) -> str:
        """The command that verifies this file's first receipt offline."""
        return self.receipt_commands[0]

    @property
    def filename_stem(self) -> str:
        """``hiring-file-<opening>-<candidate>``: download names that carry no personal data."""
        return f"hiring-file-{self.candidate.opening_id}-{self.candidate.pk}"


def hiring_file(candidate: Candidate, *, now: datetime | None = None) -> HiringFile:
    """The hiring file of ``candidate`` (loaded by ``hireproof.hiring.access``)."""
    page = candidate_page(candidate, may_review=False)
    history = key_history()
    decisions = list(
        Decision.objects.filter(candidate=candidate)
        .select_related("decided_by", "recommendation", "supersedes")
        .order_by("id")
    )
    return HiringFile(
        page=page,
        generated_at=now or timezone.now(),
        interviews=scorecard_records(candidate),
        recommendations=list(Recommendation.objects.filter(candidate=candidate).order_by("id")),
        decisions=[
            DecisionEntry(
                decision=decision,
                receipt=receipt_facts(
                    decision.receipt_json, f"receipt-decision-{decision.pk}.json", history
                ),
                in_force=number == len(decisions),
                supersedes_leaf=decision.supersedes.leaf_index if decision.supersedes else None,
            )
            for number, decision in enumerate(decisions, start=1)
        ],
        vkey=published_vkey(history) or "",
    )


# --- JSON -------------------------------------------------------------------------------------


def _time(moment: datetime | None) -> str | None:
    return rfc3339(moment) if moment is not None else None


def to_json(file: HiringFile) -> dict[str, Any]:
    """The file as the documented JSON structure (see the module docstring)."""
    page = file.page
    candidate = file.candidate
    version = page.opening.playbook_version
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated_at": rfc3339(file.generated_at),
        "candidate": {
            "id": candidate.pk,
            "opening_id": candidate.opening_id,
            "pseudonym": file.pseudonym,
            "name": None if candidate.is_erased else candidate.name,
            "email": None if candidate.is_erased else candidate.email,
            "erased": candidate.is_erased,
            "erased_at": _time(candidate.erased_at),
        },
        "opening": {"id": page.opening.pk, "title": page.opening.title},
        "playbook": {
            "id": version.playbook_id,
            "version": version.version,
            "title": version.title,
            "hash": version.content_hash,
        },
        "attempt": _attempt_json(file),
        "scorecard": json.loads(page.attempt.scorecard_json)
        if page.attempt is not None and page.attempt.scorecard_json
        else None,
        "answers": [_answer_json(review) for review in page.items if review.result is not None],
        "flags": [_flag_json(flag) for flag in page.flags],
        "integrity_signals": [
            {"at": rfc3339(s.at), "kind": s.kind, "item_id": s.item_id, "chars": s.chars}
            for s in page.signals
        ],
        "interviews": [_interview_json(record) for record in file.interviews],
        "recommendations": [_recommendation_json(r) for r in file.recommendations],
        "decisions": [_decision_json(entry) for entry in file.decisions],
        "receipts": _receipts_json(file),
        "audit_trail": [
            {"leaf_index": e.index, "at": _time(e.at), "type": e.event_type, "text": e.text}
            for e in page.timeline
        ],
        "verification": {
            "receipt": file.receipt_command,
            "export": file.export_command,
            "bundle": file.bundle_command,
        },
    }


def _attempt_json(file: HiringFile) -> dict[str, Any] | None:
    attempt = file.page.attempt
    if attempt is None:
        return None
    return {
        "id": attempt.pk,
        "started_at": _time(attempt.started_at),
        "deadline": _time(attempt.deadline),
        "submitted_at": _time(attempt.submitted_at),
        "submission": attempt.submission or None,
        "scorecard_hash": attempt.scorecard_hash or None,
        "verdict": attempt.verdict or None,
        "score_percent": str(attempt.score_percent) if attempt.score_percent is not None else None,
    }


def _answer_json(review: ItemReview) -> dict[str, Any]:
    result = review.result
    assert result is not None  # only scored answers are listed
    return {
        "item_id": review.item.id,
        "number": review.number,
        "section": review.section.title,
        "prompt": review.item.prompt,
        "answer": review.answer,
        "points": result.to_dict()["points"],
        "max_points": result.to_dict()["max_points"],
        "outcome": str(result.outcome),
        "explanation": result.explanation,
    }


def _flag_json(flag: ReviewFlag) -> dict[str, Any]:
    acknowledgement = flag.acknowledgement
    return {
        "item_id": flag.item_id,
        "severity": str(flag.severity),
        "reason": flag.reason,
        "acknowledgement": None
        if acknowledgement is None
        else {
            "by": acknowledgement.reviewer.full_name,
            "at": rfc3339(acknowledgement.at),
            "note": acknowledgement.note,
        },
    }


def _interview_json(record: ScorecardRecord) -> dict[str, Any]:
    return {
        "interviewer": record.card.interviewer,
        "version": record.version,
        "submitted_at": _time(record.submitted_at),
        "ratings": dict(record.card.ratings),
        "red_flags": list(record.card.red_flags),
        "notes": record.card.notes,
        "amendment_reason": record.amendment_reason,
        "assignment_cancelled": record.assignment_cancelled,
    }


def _recommendation_json(recommendation: Recommendation) -> dict[str, Any]:
    return {
        "computed_at": rfc3339(recommendation.computed_at),
        "kind": recommendation.kind,
        "hash": recommendation.hash,
        "interview_scorecards": recommendation.interview_count,
        "leaf_index": recommendation.leaf_index,
        "recommendation": recommendation.data,
    }


def _decision_json(entry: DecisionEntry) -> dict[str, Any]:
    decision = entry.decision
    return {
        "id": decision.pk,
        "outcome": decision.outcome,
        "decided_by": {
            "id": decision.decided_by.pk,
            "name": decision.decided_by.full_name,
            "role": decision.decided_by.role,
        },
        "decided_at": rfc3339(decision.decided_at),
        "reason": decision.reason,
        "justification": decision.justification,
        "recommendation": _decision_recommendation_json(decision),
        "no_recommendation": decision.no_recommendation_text or None,
        "against_recommendation": decision.against_recommendation,
        "overrides_critical": decision.overrides_critical,
        "supersedes": entry.supersedes_leaf,
        "in_force": entry.in_force,
        "leaf_index": decision.leaf_index,
        "receipt": json.loads(decision.receipt_json),
    }


def _decision_recommendation_json(decision: Decision) -> dict[str, Any] | None:
    recommendation = decision.recommendation
    if recommendation is None:
        return None
    return {"kind": recommendation.kind, "hash": recommendation.hash}


def _receipts_json(file: HiringFile) -> list[dict[str, Any]]:
    receipts = []
    attempt = file.page.attempt
    if attempt is not None and attempt.receipt_json and file.page.receipt is not None:
        receipts.append(_receipt_json("attempt.scored", file.page.receipt, attempt.receipt_json))
    for entry in file.decisions:
        receipts.append(
            _receipt_json("decision.recorded", entry.receipt, entry.decision.receipt_json)
        )
    return receipts


def _receipt_json(event: str, facts: ReceiptFacts, receipt_json: str) -> dict[str, Any]:
    return {
        "event": event,
        "leaf_index": facts.leaf_index,
        "checkpoint_size": facts.checkpoint.size if facts.checkpoint else None,
        "vkey": facts.vkey,
        "receipt": json.loads(receipt_json),
    }
