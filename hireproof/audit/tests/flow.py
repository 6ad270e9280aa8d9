"""A realistic hiring flow recorded through ``record_event``, as the product's actions will."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from hireproof.audit import vault
from hireproof.audit.actions import do_erase_subject
from hireproof.audit.log import record_event
from hireproof.audit.models import Subject
from hireproof.core.audit import EventType, scoring_private, scoring_public
from hireproof.core.playbook import load_builtin
from hireproof.core.scoring import score

# The built-in example sheet that scores with a warning flag (sjt-incomplete-data: A).
ANSWERS = {
    "cognitive-growth": "1210",
    "pandas-filter-sum": "70.0",
    "sjt-incomplete-data": "A",
    "outlier-ages": "141",
    "communication-summary": "B",
}


@dataclass(frozen=True)
class Flow:
    """What the flow left behind: the hired candidate, the erased one, the scoring leaf."""

    candidate: Subject
    erased: Subject
    scored_index: int
    scorecard_hash: str


def record_hiring_flow() -> Flow:
    """Staff invited, playbook published, two candidates through to a decision, one erased."""
    playbook = load_builtin("data-scientist-mid")
    reference = {"id": playbook.id, "version": playbook.version, "hash": playbook.hash}
    with transaction.atomic():
        record_event(
            EventType.STAFF_INVITED, actor="staff:1", public={"user": 2, "role": "recruiter"}
        )
    with transaction.atomic():
        record_event(EventType.PLAYBOOK_PUBLISHED, actor="staff:2", public={"playbook": reference})
    with transaction.atomic():
        record_event(
            EventType.OPENING_CREATED, actor="staff:2", public={"opening": 1, "playbook": reference}
        )

    candidate = _add_candidate("Ada Lovelace", "ada@example.org")
    other = _add_candidate("Charles Babbage", "charles@example.org")
    with transaction.atomic():
        record_event(
            EventType.ATTEMPT_STARTED, actor="candidate", subject=candidate, public={"attempt": 1}
        )
    for item, answer in ANSWERS.items():
        with transaction.atomic():
            record_event(
                EventType.ANSWER_SAVED,
                actor="candidate",
                subject=candidate,
                public={"attempt": 1, "item": item},
                private={"answer": answer},
            )
    with transaction.atomic():
        record_event(
            EventType.ATTEMPT_SUBMITTED,
            actor="candidate",
            subject=candidate,
            public={"attempt": 1, "answered": 5},
        )
    scorecard = score(playbook, ANSWERS)
    with transaction.atomic():
        scored = record_event(
            EventType.ATTEMPT_SCORED,
            actor="system",
            subject=candidate,
            public={
                **scoring_public(
                    playbook_id=playbook.id,
                    playbook_version=playbook.version,
                    playbook_hash=playbook.hash,
                ),
                "attempt": 1,
            },
            private=scoring_private(ANSWERS, scorecard.hash),
        )
    with transaction.atomic():
        record_event(
            EventType.FLAG_ACKNOWLEDGED,
            actor="staff:2",
            subject=candidate,
            public={"attempt": 1, "item": "sjt-incomplete-data", "severity": "warning"},
        )
    with transaction.atomic():
        record_event(
            EventType.DECISION_RECORDED,
            actor="staff:2",
            subject=candidate,
            public={"attempt": 1, "decision": "advance"},
        )
    do_erase_subject(other, actor="staff:1")
    return Flow(candidate, other, scored.index, scorecard.hash)


def _add_candidate(name: str, email: str) -> Subject:
    with transaction.atomic():
        subject = vault.create_subject()
        record_event(
            EventType.CANDIDATE_ADDED,
            actor="staff:2",
            subject=subject,
            public={"opening": 1},
            private={"name": name, "email": email},
        )
        record_event(
            EventType.INVITATION_SENT, actor="staff:2", subject=subject, public={"opening": 1}
        )
    return subject
