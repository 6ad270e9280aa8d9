"""Event leaves: canonical JSON, a fixed catalogue, and strict parsing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hireproof.core.audit.events import (
    ANSWERS_FIELD,
    SCORECARD_HASH_FIELD,
    SCORING_EVENTS,
    EventType,
    Leaf,
    build_leaf,
    canonical_problem,
    parse_leaf,
    scoring_private,
    scoring_public,
)
from hireproof.core.errors import AuditError

FIELDS: dict[str, Any] = {
    "schema": 1,
    "index": 42,
    "event_type": EventType.ATTEMPT_SCORED,
    "at": "2026-05-01T10:00:00.000000Z",
    "actor": "staff:7",
    "subject": "subj_k3q9",
    "public": {"attempt": "att_1", "count": 3},
    "commitments": {"answers": "ab" * 32},
}


def test_it_builds_the_canonical_json_of_an_event() -> None:
    assert build_leaf(**FIELDS) == (
        b'{"actor":"staff:7","at":"2026-05-01T10:00:00.000000Z","commitments":{"answers":"'
        + b"ab" * 32
        + b'"},"index":42,"public":{"attempt":"att_1","count":3},"schema":1,'
        b'"subject":"subj_k3q9","type":"attempt.scored"}'
    )


def test_a_built_leaf_parses_back_to_the_same_event() -> None:
    assert parse_leaf(build_leaf(**FIELDS)) == Leaf(
        schema=1,
        index=42,
        event_type=EventType.ATTEMPT_SCORED,
        at="2026-05-01T10:00:00.000000Z",
        actor="staff:7",
        subject="subj_k3q9",
        public={"attempt": "att_1", "count": 3},
        commitments={"answers": "ab" * 32},
    )


def test_it_accepts_an_event_type_given_by_its_dotted_name() -> None:
    leaf = build_leaf(**{**FIELDS, "event_type": "log.created", "actor": None, "subject": None})
    assert parse_leaf(leaf).event_type is EventType.LOG_CREATED


def test_the_catalogue_holds_the_products_events_as_dotted_names() -> None:
    names = {event.value for event in EventType}
    assert {
        "log.created",
        "log.key_rotated",
        "playbook.published",
        "opening.created",
        "candidate.added",
        "invitation.sent",
        "invitation.resent",
        "invitation.revoked",
        "attempt.started",
        "answer.saved",
        "answer.refused_late",
        "attempt.integrity_signal",
        "attempt.submitted",
        "attempt.auto_submitted",
        "attempt.scored",
        "flag.acknowledged",
        "interview.assigned",
        "interview.scorecard_submitted",
        "interview.scorecard_amended",
        "recommendation.computed",
        "decision.recorded",
        "subject.erased",
        "staff.invited",
        "staff.deactivated",
        "staff.signed_in",
        "cli.scored",
    } <= names
    assert all(name.count(".") == 1 and name == name.lower() for name in names)
    assert {EventType.ATTEMPT_SCORED, EventType.CLI_SCORED} == SCORING_EVENTS


def test_scoring_public_names_the_playbook_and_nothing_derived_from_the_answers() -> None:
    assert scoring_public(
        playbook_id="data-scientist-mid", playbook_version="1.0.0", playbook_hash="p" * 64
    ) == {"playbook": {"id": "data-scientist-mid", "version": "1.0.0", "hash": "p" * 64}}


def test_scoring_private_commits_the_answers_and_the_scorecard_hash() -> None:
    answers = {"q1": "70"}
    private = scoring_private(answers, "s" * 64)
    assert private == {ANSWERS_FIELD: {"q1": "70"}, SCORECARD_HASH_FIELD: "s" * 64}
    assert (ANSWERS_FIELD, SCORECARD_HASH_FIELD) == ("answers", "scorecard_hash")
    assert private[ANSWERS_FIELD] is not answers  # a copy: the caller's dict may change later


def test_it_refuses_to_build_an_unknown_event_type() -> None:
    with pytest.raises(
        AuditError, match=r"event type 'attempt\.teleported' is not in the catalogue"
    ):
        build_leaf(**{**FIELDS, "event_type": "attempt.teleported"})


def test_it_refuses_to_build_a_float() -> None:
    with pytest.raises(TypeError, match="no floats"):
        build_leaf(**{**FIELDS, "public": {"score": 0.5}})


def _record(**changes: Any) -> bytes:
    record = json.loads(build_leaf(**FIELDS))
    record.update(changes)
    return json.dumps(record).encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "the leaf is not valid JSON"),
        (b"\xff\xfe", "the leaf is not valid JSON"),
        (b"[" * 100_000, "the leaf is not valid JSON"),
        (b"[1, 2]", "the leaf is not a JSON object"),
        (_record(extra=1), "the leaf has the wrong fields: unknown extra"),
        (
            json.dumps({"schema": 1}).encode(),
            "wrong fields: missing actor, at, commitments, index, public, subject, type",
        ),
        (_record(schema=2), "leaf schema 2 is not known"),
        (_record(schema=True), "leaf schema True is not known"),
        (_record(index=-1), "the leaf index -1 is not a whole number"),
        (_record(index="3"), "the leaf index '3' is not a whole number"),
        (_record(type="x.y"), "event type 'x.y' is not in the catalogue"),
        (_record(type=["attempt.scored"]), "event type \\['attempt.scored'\\] is not a string"),
        (_record(at=5), "the leaf's at is not a string"),
        (_record(actor=5), "the leaf's actor is not a string"),
        (_record(subject=[]), "the leaf's subject is not a string"),
        (_record(public=[]), "the leaf's public is not a JSON object"),
        (_record(commitments={"answers": 1}), "the commitment to 'answers' is not a string"),
        (
            _record(type="subject.erased", subject=None),
            "a subject.erased event must name the erased subject",
        ),
    ],
)
def test_it_refuses_a_malformed_leaf_saying_why(data: bytes, message: str) -> None:
    with pytest.raises(AuditError, match=message):
        parse_leaf(data)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b'{"a":1}', None),
        (b"{", "it is not valid JSON (Expecting property name enclosed in double quotes"),
        (b'{"a":1,"a":1}', "the key 'a' appears twice in one object"),
        (b'{"a":1.5}', "the number 1.5 has a fraction or an exponent"),
        (b'{"a":-Infinity}', "-Infinity is not a number canonical JSON can carry"),
        (b'{"a":9007199254740992}', "it holds a value canonical JSON cannot carry"),
        (b'{"b":1,"a":2}', "its bytes differ from the canonical encoding from byte 2 on"),
        (b'{"a":1} ', "its bytes differ from the canonical encoding from byte 7 on"),
    ],
)
def test_canonical_problem_says_why_bytes_are_not_canonical(
    data: bytes, problem: str | None
) -> None:
    found = canonical_problem(data)
    assert found == problem if problem is None else found is not None and found.startswith(problem)
