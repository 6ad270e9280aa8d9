"""Erasing a subject: tombstone in the log, keys destroyed, in the caller's transaction, proofs
intact."""

from __future__ import annotations

import pytest
from django.db import transaction

from hireproof.audit import vault
from hireproof.audit.actions import do_erase_subject
from hireproof.audit.models import LogLeaf, LogPrivate, Subject
from hireproof.audit.store import StoredTree
from hireproof.audit.tests.factories import record
from hireproof.core.audit import EventType, parse_leaf, root_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidate() -> Subject:
    subject = vault.create_subject()
    record(EventType.CANDIDATE_ADDED, subject=subject, private={"email": "ada@example.org"})
    record(EventType.ANSWER_SAVED, subject=subject, private={"answer": "70"})
    return subject


def test_erasure_records_a_tombstone_without_personal_data(candidate: Subject) -> None:
    leaf = do_erase_subject(candidate, actor="staff:1")
    parsed = parse_leaf(bytes(leaf.data))
    assert parsed.event_type is EventType.SUBJECT_ERASED
    assert parsed.subject == candidate.pseudonym
    assert parsed.public == {"basis": "art17"}
    assert parsed.commitments == {}


def test_erasure_destroys_the_keys_and_the_sealed_values(candidate: Subject) -> None:
    blob = vault.seal(candidate, "Ada Lovelace", context="candidate.name")
    do_erase_subject(candidate, actor="staff:1")
    stored = Subject.objects.get(pk=candidate.pk)
    assert (stored.secret_wrapped, stored.data_key_wrapped) == (None, None)
    assert stored.erased_at is not None
    assert candidate.is_erased
    assert LogPrivate.objects.count() == 0
    with pytest.raises(vault.SubjectErasedError, match="was erased: their keys are destroyed"):
        vault.unseal(stored, blob, context="candidate.name")


def test_erasure_leaves_every_leaf_and_root_as_it_was(candidate: Subject) -> None:
    before = [bytes(d) for d in LogLeaf.objects.values_list("data", flat=True)]
    root_before = StoredTree().root(len(before))
    do_erase_subject(candidate, actor="staff:1")
    after = [bytes(d) for d in LogLeaf.objects.values_list("data", flat=True)]
    assert after[: len(before)] == before
    assert StoredTree().root(len(before)) == root_before
    assert StoredTree().root(len(after)) == root_of(
        [bytes(h) for h in LogLeaf.objects.values_list("leaf_hash", flat=True)]
    )


def erase_then_fail(subject: Subject) -> None:
    """Erase inside a caller's transaction whose next step fails."""
    with transaction.atomic():
        do_erase_subject(subject, actor="staff:1")
        raise RuntimeError("rows could not be deleted")


def test_a_failure_in_the_callers_transaction_rolls_the_whole_erasure_back(
    candidate: Subject,
) -> None:
    leaves_before = LogLeaf.objects.count()
    with pytest.raises(RuntimeError, match="rows could not be deleted"):
        erase_then_fail(candidate)
    assert not Subject.objects.get(pk=candidate.pk).is_erased
    assert LogLeaf.objects.count() == leaves_before
    assert LogPrivate.objects.count() == 2


def test_a_subject_cannot_be_erased_twice(candidate: Subject) -> None:
    do_erase_subject(candidate, actor="staff:1")
    with pytest.raises(vault.SubjectErasedError, match="was already erased"):
        do_erase_subject(candidate, actor="staff:1")


def test_nothing_more_is_recorded_about_an_erased_subject(candidate: Subject) -> None:
    do_erase_subject(candidate, actor="staff:1")
    with pytest.raises(vault.SubjectErasedError, match="nothing more is recorded about them"):
        record(EventType.INVITATION_SENT, subject=candidate)


def test_a_copy_loaded_before_the_erasure_cannot_record_either(candidate: Subject) -> None:
    stale = Subject.objects.get(pk=candidate.pk)
    do_erase_subject(candidate, actor="staff:1")
    with pytest.raises(vault.SubjectErasedError, match="nothing more is recorded about them"):
        record(EventType.ANSWER_SAVED, subject=stale, private={"answer": "70"})
    assert LogPrivate.objects.count() == 0
