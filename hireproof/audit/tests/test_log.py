"""record_event: one transaction with the action, gap-free indices, stored nodes, commitments."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from hireproof.audit import vault
from hireproof.audit.log import OutsideTransactionError, private_context, record_event
from hireproof.audit.models import LogLeaf, LogNode, LogPrivate, Subject
from hireproof.audit.store import StoredTree
from hireproof.audit.tests.factories import RFC3339_MICROS, record, record_many
from hireproof.core.audit import (
    EventType,
    MemorySource,
    leaf_hash,
    open_field,
    parse_leaf,
    root_of,
    verify_opening,
)

pytestmark = pytest.mark.django_db


class ActionFailedError(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_record_outside_a_transaction() -> None:
    with pytest.raises(OutsideTransactionError, match=r"inside transaction\.atomic\(\)"):
        record_event(EventType.STAFF_INVITED, actor="staff:1")
    assert LogLeaf.objects.count() == 0


def _invite_then_fail() -> None:
    with transaction.atomic():
        record_event(EventType.STAFF_INVITED, actor="staff:1", public={"user": 2})
        raise ActionFailedError


def _add_candidate_with_a_bad_event() -> None:
    with transaction.atomic():
        vault.create_subject()  # the action's own change
        record_event(EventType.CANDIDATE_ADDED, actor="staff:1", public={"score": 0.5})


def test_an_action_that_fails_after_recording_leaves_no_event() -> None:
    record(EventType.STAFF_INVITED, public={"user": 1})
    with pytest.raises(ActionFailedError):
        _invite_then_fail()
    assert list(LogLeaf.objects.values_list("index", "event_type")) == [
        (0, "log.created"),
        (1, "staff.invited"),
    ]


def test_an_event_that_cannot_be_written_makes_the_action_fail() -> None:
    with pytest.raises(TypeError, match="no floats"):
        _add_candidate_with_a_bad_event()
    assert Subject.objects.count() == 0
    assert LogLeaf.objects.count() == 0


def test_an_event_caught_inside_the_action_is_not_half_written() -> None:
    with transaction.atomic():
        record_event(EventType.STAFF_INVITED, actor="staff:1")
        with contextlib.suppress(TypeError):
            record_event(EventType.STAFF_INVITED, actor="staff:1", public={"ratio": 0.5})
        record_event(EventType.STAFF_DEACTIVATED, actor="staff:1")
    assert list(LogLeaf.objects.values_list("index", "event_type")) == [
        (0, "log.created"),
        (1, "staff.invited"),
        (2, "staff.deactivated"),
    ]


def test_it_refuses_an_unknown_event_type() -> None:
    with pytest.raises(ValueError, match=r"'staff\.promoted' is not a valid EventType"):
        record("staff.promoted")


def test_it_refuses_private_fields_without_a_subject() -> None:
    with pytest.raises(ValueError, match="private fields need a subject"):
        record(EventType.ANSWER_SAVED, private={"answer": "70"})


def test_the_first_event_is_preceded_by_the_log_creation() -> None:
    leaf = record(EventType.STAFF_INVITED, public={"user": 7})
    genesis = parse_leaf(bytes(LogLeaf.objects.get(index=0).data))
    assert leaf.index == 1
    assert genesis.event_type is EventType.LOG_CREATED
    assert genesis.public["origin"] == "hireproof.local/audit"
    assert genesis.public["vkey"].startswith("hireproof.local/audit+")


def test_a_leaf_holds_exactly_what_was_recorded() -> None:
    at = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    with time_machine.travel(at, tick=False):
        leaf = record(EventType.STAFF_INVITED, actor="staff:3", public={"user": 9}, at=at)
    assert json.loads(bytes(leaf.data)) == {
        "actor": "staff:3",
        "at": "2026-05-01T10:00:00.000000Z",
        "commitments": {},
        "index": 1,
        "public": {"user": 9},
        "schema": 1,
        "subject": None,
        "type": "staff.invited",
    }
    assert bytes(leaf.leaf_hash) == leaf_hash(bytes(leaf.data))
    assert leaf.recorded_at == at


def test_a_leaf_is_dated_when_appended_and_keeps_the_actions_own_time() -> None:
    occurred = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    appended = occurred + timedelta(seconds=3, microseconds=42)
    with time_machine.travel(appended, tick=False):
        leaf = record(EventType.STAFF_INVITED, public={"user": 9}, at=occurred)
    parsed = parse_leaf(bytes(leaf.data))
    assert parsed.at == "2026-05-01T10:00:03.000042Z"
    assert parsed.public == {"user": 9, "occurred_at": "2026-05-01T10:00:00.000000Z"}
    assert LogLeaf.objects.get(index=leaf.index).recorded_at == appended


def test_a_clock_stepped_back_never_dates_a_leaf_before_the_one_before_it() -> None:
    start = datetime(2026, 5, 1, 10, 0, 0, 500000, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        record(EventType.STAFF_INVITED)
        clock.move_to(start - timedelta(hours=1))
        stepped_back = record(EventType.STAFF_SIGNED_IN)
        later = record(EventType.STAFF_SIGNED_IN, at=start - timedelta(hours=1))
        clock.move_to(start + timedelta(seconds=1))
        caught_up = record(EventType.STAFF_SIGNED_IN)
    times = [parse_leaf(bytes(leaf.data)).at for leaf in (stepped_back, later, caught_up)]
    assert times == [
        "2026-05-01T10:00:00.500000Z",
        "2026-05-01T10:00:00.500000Z",
        "2026-05-01T10:00:01.500000Z",
    ]
    # The action's clock was an hour behind: its time is kept, the leaf's is not set back.
    assert parse_leaf(bytes(later.data)).public == {"occurred_at": "2026-05-01T09:00:00.500000Z"}


def test_every_leaf_time_is_rfc3339_utc_with_six_fractional_digits() -> None:
    with time_machine.travel(datetime(2026, 5, 1, 10, 0, tzinfo=UTC), tick=False) as clock:
        record(EventType.STAFF_INVITED)  # a whole second: still six digits
        clock.shift(timedelta(microseconds=7))
        record(EventType.STAFF_INVITED, at=datetime(2026, 5, 1, 12, 0, tzinfo=ZoneInfo("CET")))
    record_many(3)  # the real clock
    leaves = [parse_leaf(bytes(d)) for d in LogLeaf.objects.values_list("data", flat=True)]
    assert all(RFC3339_MICROS.fullmatch(leaf.at) for leaf in leaves), [x.at for x in leaves]
    assert leaves[2].at == "2026-05-01T10:00:00.000007Z"
    assert leaves[2].public == {"occurred_at": "2026-05-01T10:00:00.000000Z"}  # CEST


def test_it_refuses_an_occurred_at_in_public_beside_an_event_time() -> None:
    with pytest.raises(ValueError, match=r"public\['occurred_at'\] is where the event time"):
        record(
            EventType.STAFF_INVITED,
            public={"occurred_at": "2026-05-01T10:00:00.000000Z"},
            at=datetime(2026, 5, 1, 10, 0, tzinfo=UTC),
        )
    assert LogLeaf.objects.count() == 0


def test_indices_are_gap_free_and_the_stored_tree_matches_the_leaves() -> None:
    record_many(300)
    rows = list(LogLeaf.objects.order_by("index").values_list("index", "data", "leaf_hash"))
    assert [index for index, _, _ in rows] == list(range(301))
    assert all(parse_leaf(bytes(data)).index == index for index, data, _ in rows)
    hashes = [leaf_hash(bytes(data)) for _, data, _ in rows]
    assert [bytes(stored) for _, _, stored in rows] == hashes
    memory = MemorySource(hashes)
    stored = {(n.level, n.index): bytes(n.hash) for n in LogNode.objects.all()}
    expected = {
        (level, index): memory.perfect_node(level, index)
        for level in range(1, 9)
        for index in range(301 >> level)
    }
    assert stored == expected
    assert StoredTree().root(301) == root_of(hashes)
    assert StoredTree().root(300) == root_of(hashes[:300])


def test_private_fields_are_committed_and_kept_sealed_outside_the_leaf() -> None:
    subject = vault.create_subject()
    answers = {"cognitive-growth": "1210", "outlier-ages": "I would check the 141"}
    leaf = record(
        EventType.ANSWER_SAVED,
        subject=subject,
        public={"attempt": 4},
        private={"answers": answers, "score": "7"},
    )
    parsed = parse_leaf(bytes(leaf.data))
    assert parsed.subject == subject.pseudonym
    assert set(parsed.commitments) == {"answers", "score"}
    assert b'"1210"' not in bytes(leaf.data)
    assert b"I would check the 141" not in bytes(leaf.data)
    sealed = LogPrivate.objects.get(leaf_index=leaf.index, field="answers")
    value = json.loads(
        vault.unseal(
            subject, bytes(sealed.sealed_value), context=private_context(leaf.index, "answers")
        )
    )
    assert value == answers
    secret = vault.commitment_secret(subject)
    verify_opening(
        parsed.commitments["answers"], open_field(secret, str(leaf.index), "answers", value)
    )


def test_it_refuses_a_float_in_private_fields_too() -> None:
    subject = vault.create_subject()
    with pytest.raises(TypeError, match="no floats"):
        record(EventType.ANSWER_SAVED, subject=subject, private={"score": 0.7})
    assert LogPrivate.objects.count() == 0


def test_decimal_strings_are_how_exact_numbers_travel() -> None:
    leaf = record(EventType.RECOMMENDATION_COMPUTED, public={"percent": str(Decimal("71.25"))})
    assert parse_leaf(bytes(leaf.data)).public == {"percent": "71.25"}


def test_it_refuses_a_naive_event_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        record(EventType.STAFF_INVITED, at=datetime(2026, 5, 1, 10, 0))  # noqa: DTZ001
