"""Audit events as log leaves: canonical JSON records with a schema version and a fixed type.

A leaf is the RFC 8785 canonical JSON of one object (schema 1)::

    {"actor": "staff:7" | null, "at": "2026-05-01T10:00:00.000000Z",
     "commitments": {"answers": "<hex sha-256>", ...}, "index": 42, "public": {...},
     "schema": 1, "subject": "subj_..." | null, "type": "attempt.scored"}

No personal data goes in a leaf: ``subject`` is a random pseudonym (never derived from a name or
an email), ``public`` holds ids, playbook id/version/hash, scorecard hashes and counts, and
everything personal (answers, identities) appears only as a salted commitment (``commitments``
module) whose value lives outside the log. ``index`` repeats the leaf's position so a dropped,
inserted or reordered leaf is named exactly by the verifier.

Scoring events (``attempt.scored``, ``cli.scored``) carry ``public["playbook"] = {"id",
"version", "hash"}`` (``scoring_public``) and commit, under the subject's salt, the answer sheet
(field ``answers``: a dict item id -> answer text) and the scorecard's hash (field
``scorecard_hash``): ``scoring_private`` builds those fields. The scorecard hash is committed, not
public, because it is an unsalted hash of what the answers scored: anyone could score guessed
answers (a public example sheet, say) and match it, recovering each question's outcome. Salted,
it is unguessable, and erasing the subject destroys the salt with everything else. Values
derived from the scorecard (a recommendation's hash, the recommendation a decision was taken
against) are committed the same way (``RECOMMENDATION_HASH_FIELD``).

Logs written before this carry ``public["scorecard_hash"]``; the verifier still re-scores them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from hireproof.core.canonical import canonical_json
from hireproof.core.errors import AuditError

from .commitments import HEX64

__all__ = [
    "ANSWERS_FIELD",
    "LEAF_KEYS",
    "RECOMMENDATION_HASH_FIELD",
    "SCHEMA_VERSION",
    "SCORECARD_HASH_FIELD",
    "SCORING_EVENTS",
    "TIME_PATTERN",
    "EventType",
    "Leaf",
    "build_leaf",
    "canonical_problem",
    "leaf_from_object",
    "parse_leaf",
    "scoring_private",
    "scoring_public",
]

SCHEMA_VERSION = 1
# A leaf's time: RFC 3339 in UTC, exactly six fractional digits and "Z", as the log writes it
# (``2026-05-01T10:00:00.000000Z``). One fixed width, so times compare as strings.
TIME_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")
ANSWERS_FIELD = "answers"  # the committed field holding a scored answer sheet
SCORECARD_HASH_FIELD = "scorecard_hash"  # the committed field holding that sheet's scorecard hash
RECOMMENDATION_HASH_FIELD = "recommendation_hash"  # committed: a recommendation's hash


class EventType(StrEnum):
    """Every kind of event the log records, as a readable dotted name."""

    LOG_CREATED = "log.created"
    LOG_KEY_ROTATED = "log.key_rotated"
    LOG_RESTORED = "log.restored"  # a backup restored: the lost range, the checkpoint it supersedes
    PLAYBOOK_PUBLISHED = "playbook.published"
    OPENING_CREATED = "opening.created"
    OPENING_CLOSED = "opening.closed"
    OPENING_REOPENED = "opening.reopened"
    OPENING_UPDATED = "opening.updated"
    OPENING_RESULTS_EXPORTED = "opening.results_exported"  # a CSV of results: the count only
    CANDIDATE_ADDED = "candidate.added"
    INVITATION_SENT = "invitation.sent"
    INVITATION_RESENT = "invitation.resent"
    INVITATION_REVOKED = "invitation.revoked"
    ATTEMPT_STARTED = "attempt.started"
    ANSWER_SAVED = "answer.saved"
    ANSWER_REFUSED_LATE = "answer.refused_late"
    ATTEMPT_INTEGRITY_SIGNAL = "attempt.integrity_signal"
    ATTEMPT_SUBMITTED = "attempt.submitted"
    ATTEMPT_AUTO_SUBMITTED = "attempt.auto_submitted"
    ATTEMPT_SCORED = "attempt.scored"
    FLAG_ACKNOWLEDGED = "flag.acknowledged"
    INTERVIEW_ASSIGNED = "interview.assigned"
    INTERVIEW_SCORECARD_SUBMITTED = "interview.scorecard_submitted"
    INTERVIEW_SCORECARD_AMENDED = "interview.scorecard_amended"
    INTERVIEW_CANCELLED = "interview.cancelled"
    RECOMMENDATION_COMPUTED = "recommendation.computed"
    DECISION_RECORDED = "decision.recorded"
    SUBJECT_ERASED = "subject.erased"
    STAFF_INVITED = "staff.invited"
    STAFF_DEACTIVATED = "staff.deactivated"
    STAFF_SIGNED_IN = "staff.signed_in"
    STAFF_INVITATION_RESENT = "staff.invitation_resent"
    STAFF_REACTIVATED = "staff.reactivated"
    STAFF_ROLE_CHANGED = "staff.role_changed"
    STAFF_PASSWORD_SET = "staff.password_set"  # noqa: S105 (an event name, not a password)
    CLI_SCORED = "cli.scored"
    ATS_EXPORTED = "ats.exported"
    ATS_ORDER_PLACED = "ats.order_placed"  # an ATS asked for a test for a candidate
    ATS_EXCHANGE = "ats.exchange"  # one call between hireproof and an ATS, by ids only
    ATS_CONNECTION_CHANGED = "ats.connection_changed"  # an ATS's set-up (never its secrets)
    AUDIT_EXPORTED = "audit.exported"
    API_KEY_CREATED = "api_key.created"
    API_KEY_REVOKED = "api_key.revoked"
    TASK_RETRIED = "task.retried"
    WEBHOOK_ENDPOINT_CREATED = "webhook.endpoint_created"
    WEBHOOK_ENDPOINT_CHANGED = "webhook.endpoint_changed"
    WEBHOOK_ENDPOINT_PAUSED = "webhook.endpoint_paused"
    WEBHOOK_ENDPOINT_RESUMED = "webhook.endpoint_resumed"
    WEBHOOK_ENDPOINT_DELETED = "webhook.endpoint_deleted"
    WEBHOOK_SECRET_ROTATED = "webhook.secret_rotated"  # noqa: S105 (an event name)
    WEBHOOK_DELIVERY_REPLAYED = "webhook.delivery_replayed"


# Events whose disclosed answer sheet the verifier re-scores.
SCORING_EVENTS = frozenset({EventType.ATTEMPT_SCORED, EventType.CLI_SCORED})

LEAF_KEYS = frozenset(
    {"actor", "at", "commitments", "index", "public", "schema", "subject", "type"}
)


@dataclass(frozen=True)
class Leaf:
    """One parsed log leaf (see the module docstring for the JSON it comes from)."""

    schema: int
    index: int
    event_type: EventType
    at: str
    actor: str | None
    subject: str | None
    public: Mapping[str, Any]
    commitments: Mapping[str, str]


def build_leaf(
    *,
    schema: int,
    index: int,
    event_type: EventType | str,
    at: str,
    actor: str | None,
    subject: str | None,
    public: Mapping[str, Any],
    commitments: Mapping[str, str],
) -> bytes:
    """The canonical JSON bytes of one event: the exact data the Merkle tree hashes.

    ``at`` is an RFC 3339 UTC time passed in by the caller (``TIME_PATTERN``). Raises
    ``AuditError`` for an unknown schema or event type or a malformed time, ``TypeError`` for a
    float anywhere in ``public``.
    """
    record = {
        "schema": schema,
        "index": index,
        "type": str(event_type),
        "at": at,
        "actor": actor,
        "subject": subject,
        "public": dict(public),
        "commitments": dict(commitments),
    }
    leaf_from_object(record)  # the writer must never append a leaf the verifier would refuse
    return canonical_json(record)


def parse_leaf(data: bytes) -> Leaf:
    """Parse and check one leaf's bytes; ``AuditError`` says what is wrong."""
    try:
        record = json.loads(data)
    except (ValueError, RecursionError) as error:  # bad JSON, bad UTF-8, absurd nesting
        raise AuditError(f"the leaf is not valid JSON ({error})") from None
    return leaf_from_object(record)


def canonical_problem(data: bytes) -> str | None:
    """Why ``data`` is not the RFC 8785 canonical JSON of the value it holds, or ``None``.

    A leaf is hashed as bytes, so one value must have one encoding: keys sorted and each once,
    no whitespace, the shortest string escapes, whole numbers within +-(2**53 - 1) (where JSON
    numbers are exact), no fractions, exponents or NaN. Anything else could say the same
    thing in other bytes, or say different things to different readers (a duplicate key).
    """
    try:
        value = json.loads(
            data,
            object_pairs_hook=_refuse_duplicate_keys,
            parse_float=_refuse_fraction,
            parse_constant=_refuse_constant,
        )
    except _NotCanonical as error:
        return str(error)
    except (ValueError, RecursionError) as error:  # bad JSON, bad UTF-8, absurd nesting
        return f"it is not valid JSON ({error})"
    try:
        canonical = canonical_json(value)
    except ValueError as error:  # an integer past 2**53 - 1, a lone surrogate
        return f"it holds a value canonical JSON cannot carry ({error})"
    if canonical == data:
        return None
    offset = next(
        (i for i, (a, b) in enumerate(zip(canonical, data, strict=False)) if a != b),
        min(len(canonical), len(data)),
    )
    return (
        f"its bytes differ from the canonical encoding from byte {offset} on "
        "(key order, whitespace, number form or string escapes)"
    )


class _NotCanonical(ValueError):
    pass


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _NotCanonical(f"the key {key!r} appears twice in one object")
        result[key] = value
    return result


def _refuse_fraction(text: str) -> Any:
    raise _NotCanonical(
        f"the number {text} has a fraction or an exponent: the log writes whole numbers only"
    )


def _refuse_constant(text: str) -> Any:
    raise _NotCanonical(f"{text} is not a number canonical JSON can carry")


def leaf_from_object(record: object) -> Leaf:
    """Check an already-decoded leaf object and return it as a ``Leaf``."""
    if not isinstance(record, dict):
        raise AuditError("the leaf is not a JSON object")
    keys = set(record)
    if keys != LEAF_KEYS:
        raise AuditError(f"the leaf has the wrong fields: {_describe_key_difference(keys)}")
    if record["schema"] != SCHEMA_VERSION or type(record["schema"]) is not int:
        raise AuditError(
            f"leaf schema {record['schema']!r} is not known (this verifier reads schema 1)"
        )
    if record["type"] == EventType.SUBJECT_ERASED and record["subject"] is None:
        raise AuditError("a subject.erased event must name the erased subject")
    return Leaf(
        schema=SCHEMA_VERSION,
        index=_require_index(record["index"]),
        event_type=_require_event_type(record["type"]),
        at=_require_time(record["at"]),
        actor=_optional_text(record["actor"], "actor"),
        subject=_optional_text(record["subject"], "subject"),
        public=_require_object(record["public"], "public"),
        commitments=_require_commitments(record["commitments"]),
    )


def scoring_public(
    *, playbook_id: str, playbook_version: str, playbook_hash: str
) -> dict[str, Any]:
    """The ``public`` part of a scoring event: the playbook the verifier re-scores with."""
    return {"playbook": {"id": playbook_id, "version": playbook_version, "hash": playbook_hash}}


def scoring_private(answers: Mapping[str, str], scorecard_hash: str) -> dict[str, Any]:
    """The committed fields of a scoring event: the answer sheet and its scorecard's hash."""
    return {ANSWERS_FIELD: dict(answers), SCORECARD_HASH_FIELD: scorecard_hash}


def _describe_key_difference(keys: set[str]) -> str:
    missing = sorted(LEAF_KEYS - keys)
    unknown = sorted(keys - LEAF_KEYS)
    parts = []
    if missing:
        parts.append("missing " + ", ".join(missing))
    if unknown:
        parts.append("unknown " + ", ".join(unknown))
    return "; ".join(parts)


def _require_index(value: object) -> int:
    if type(value) is not int or value < 0:
        raise AuditError(f"the leaf index {value!r} is not a whole number >= 0")
    return value


def _require_event_type(value: object) -> EventType:
    if not isinstance(value, str):
        raise AuditError(f"event type {value!r} is not a string")
    try:
        return EventType(value)
    except ValueError:
        raise AuditError(f"event type {value!r} is not in the catalogue") from None


def _require_text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise AuditError(f"the leaf's {name} is not a string")
    return value


def _require_time(value: object) -> str:
    text = _require_text(value, "at")
    if not TIME_PATTERN.fullmatch(text):
        raise AuditError(
            f"the leaf's time {text!r} is not RFC 3339 UTC with six fractional digits "
            "(2026-05-01T10:00:00.000000Z)"
        )
    return text


def _optional_text(value: object, name: str) -> str | None:
    return None if value is None else _require_text(value, name)


def _require_object(value: object, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise AuditError(f"the leaf's {name} is not a JSON object")
    return value


def _require_commitments(value: object) -> dict[str, str]:
    commitments = _require_object(value, "commitments")
    for field, commitment in commitments.items():
        if not isinstance(commitment, str):
            raise AuditError(f"the commitment to {field!r} is not a string")
        if not HEX64.fullmatch(commitment):
            raise AuditError(f"the commitment to {field!r} is not 64 lower-case hex digits")
    return commitments
