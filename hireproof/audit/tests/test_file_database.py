"""Behaviour that needs a shared database: concurrent writers, restored backup files."""

from __future__ import annotations

import contextlib
import itertools
import random
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from hireproof.audit import keys
from hireproof.audit.checkpoints import sign_checkpoint_now
from hireproof.audit.models import Checkpoint, LogLeaf
from hireproof.audit.store import StoredTree
from hireproof.audit.tests.factories import record, record_many
from hireproof.core.audit import EventType, parse_leaf, root_of
from hireproof.core.errors import ForkError


def _copy_database(source: Path, target: Path) -> None:
    connection.close()  # the last connection to close folds the WAL back into the file
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)


def _in_threads(write: Callable[[int], None], *, workers: int) -> list[BaseException]:
    """Run ``write(worker)`` in ``workers`` threads, each on its own connection; their errors."""
    errors: list[BaseException] = []

    def run(worker: int) -> None:
        try:
            write(worker)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(worker,)) for worker in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_writers_get_gap_free_indices(shared_db: None) -> None:
    def write(worker: int) -> None:
        for number in range(25):
            record(EventType.STAFF_SIGNED_IN, public={"worker": worker, "n": number})

    assert _in_threads(write, workers=4) == []
    assert list(LogLeaf.objects.values_list("index", flat=True)) == list(range(101))
    hashes = [bytes(h) for h in LogLeaf.objects.values_list("leaf_hash", flat=True)]
    assert StoredTree().root(101) == root_of(hashes)


def test_concurrent_writers_never_date_a_leaf_before_the_one_before_it(shared_db: None) -> None:
    # Each writer reads its clock first and appends a moment later, as an action does: the
    # order of the clock readings is not the order of the appends.
    def write(worker: int) -> None:
        for number in range(40):
            at = timezone.now()
            time.sleep(random.uniform(0, 0.002))
            record(EventType.STAFF_SIGNED_IN, public={"worker": worker, "n": number}, at=at)

    assert _in_threads(write, workers=4) == []
    leaves = [parse_leaf(bytes(data)) for data in LogLeaf.objects.values_list("data", flat=True)]
    assert len(leaves) == 161
    backwards = [
        (before.index, before.at, after.at)
        for before, after in itertools.pairwise(leaves)
        if after.at < before.at
    ]
    assert backwards == []
    # The writers' own times were not in append order; each is kept where it is not the leaf's.
    occurred = [leaf.public.get("occurred_at", leaf.at) for leaf in leaves[1:]]
    assert all(at <= leaf.at for at, leaf in zip(occurred, leaves[1:], strict=True))


def test_the_key_holder_remembers_the_last_signed_checkpoint(
    sqlite_file_db: Path, settings: Any
) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 2
    record_many(5)
    remembered = keys.last_signed_head()
    latest = Checkpoint.objects.order_by("-size").first()
    assert latest is not None
    assert remembered == keys.SignedHead(size=latest.size, root=bytes(latest.root))
    assert remembered.size == 6


def test_it_refuses_to_sign_a_shorter_log_after_a_backup_is_restored(
    sqlite_file_db: Path, tmp_path: Path, settings: Any
) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1
    record_many(3)
    backup = tmp_path / "backup.sqlite3"
    _copy_database(sqlite_file_db, backup)
    record_many(3)
    _copy_database(backup, sqlite_file_db)
    assert LogLeaf.objects.count() == 4

    with pytest.raises(ForkError, match=r"already signed, but the log now holds 5.*restored"):
        record(EventType.STAFF_INVITED)
    assert LogLeaf.objects.count() == 4


def test_it_refuses_to_sign_a_restored_log_that_grew_a_different_history(
    sqlite_file_db: Path, tmp_path: Path, settings: Any
) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1
    record_many(3)
    backup = tmp_path / "backup.sqlite3"
    _copy_database(sqlite_file_db, backup)
    record_many(3)
    _copy_database(backup, sqlite_file_db)
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    record_many(5)  # 9 leaves now, the first 7 no longer the ones signed

    with pytest.raises(ForkError, match="does not extend the signed tree of 7 leaves"):
        sign_checkpoint_now()
    assert Checkpoint.objects.order_by("-size").values_list("size", flat=True).first() == 4


# --- erasure on disk: nothing of hers left in the file or its WAL -------------------------------

NAME = "Philippa Quarrington-Vasquez"
EMAIL = "philippa.quarrington@example.org"
# Right answers, each carrying a phrase found nowhere else in the database.
ANSWERS = {
    "cognitive-growth": "1210 (Zyxomancer reasoning)",
    "pandas-filter-sum": "The result is 70, said the Quokkabrindle",
    "sjt-incomplete-data": "B",
    "outlier-ages": "141, nobody is that old in Vexmoorland",
    "communication-summary": "B",
}


def _scored_candidate() -> tuple[Any, Any]:
    from django.utils import timezone

    from hireproof.hiring.actions.attempts import (
        do_save_answer,
        do_start_attempt,
        do_submit_attempt,
    )
    from hireproof.hiring.actions.candidates import NewCandidate, do_add_candidate
    from hireproof.hiring.actions.decisions import do_record_decision
    from hireproof.hiring.actions.openings import do_create_opening
    from hireproof.hiring.actions.playbooks import load_builtin_playbooks
    from hireproof.hiring.models.candidates import Invitation, hash_token
    from hireproof.hiring.models.openings import DEFAULT_EMAIL_BODY, DEFAULT_EMAIL_SUBJECT
    from hireproof.hiring.models.playbooks import PlaybookVersion
    from hireproof.testing.personas import make_persona

    load_builtin_playbooks()
    recruiter = make_persona("recruiter")
    opening = do_create_opening(
        actor=recruiter,
        title="Data Scientist",
        playbook_version=PlaybookVersion.objects.get(playbook_id="data-scientist-mid"),
        invitation_days=7,
        email_subject=DEFAULT_EMAIL_SUBJECT,
        email_body=DEFAULT_EMAIL_BODY,
    )
    candidate = do_add_candidate(
        actor=recruiter, opening=opening, candidate=NewCandidate(NAME, EMAIL)
    )
    now = timezone.now()
    invitation = Invitation.objects.create(
        candidate=candidate,
        token_hash=hash_token("philippa-token-0123456789abcdefghijklmnopqrstuvwxyz"),
        expires_at=now + timedelta(days=7),
    )
    attempt = do_start_attempt(invitation, now=now)
    for item_id, text in ANSWERS.items():
        do_save_answer(attempt, item_id, text, now=now + timedelta(minutes=1))
    do_submit_attempt(attempt, now=now + timedelta(minutes=2))
    candidate.refresh_from_db()
    do_record_decision(
        actor=recruiter,
        candidate=candidate,
        outcome="no_hire",
        reason="The role was filled internally.",
        justification="Strong result, but the position is gone.",
    )
    return candidate, make_persona("administrator")


def _her_secrets(candidate: Any) -> dict[str, bytes]:
    """Every value of hers the database holds, plaintext and sealed, by what it is."""
    from hireproof.audit.models import LogPrivate, Subject
    from hireproof.hiring.models.attempts import Answer, Attempt
    from hireproof.hiring.models.decisions import Recommendation

    attempt = Attempt.objects.get(invitation__candidate=candidate)
    subject = Subject.objects.get(pk=candidate.subject_id)
    found: dict[str, bytes] = {
        "name": NAME.encode(),
        "email": EMAIL.encode(),
        "email lookup": candidate.email_lookup.encode(),
        "sealed name": bytes(candidate.name_sealed or b""),
        "sealed email": bytes(candidate.email_sealed or b""),
        "wrapped secret": bytes(subject.secret_wrapped or b""),
        "wrapped data key": bytes(subject.data_key_wrapped or b""),
        "scorecard": attempt.scorecard_json.encode(),
        "scorecard hash": attempt.scorecard_hash.encode(),
    }
    for item_id, text in ANSWERS.items():
        if len(text) > 1:
            found[f"answer {item_id}"] = text.split()[-1].encode()
    for answer in Answer.objects.filter(attempt=attempt):
        found[f"sealed answer {answer.item_id}"] = bytes(answer.text_sealed or b"")
    for row in LogPrivate.objects.filter(subject=subject):
        found[f"sealed log value {row.leaf_index}/{row.field}"] = bytes(row.sealed_value)
    for recommendation in Recommendation.objects.filter(candidate=candidate):
        found[f"recommendation hash {recommendation.pk}"] = recommendation.hash.encode()
    return found


def _on_disk(database: Path) -> bytes:
    wal = Path(f"{database}-wal")
    return database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_right_after_an_erasure_neither_the_file_nor_its_wal_holds_anything_of_hers(
    sqlite_file_db: Path, tmp_path: Path, settings: Any
) -> None:
    from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate

    candidate, administrator = _scored_candidate()
    secrets = _her_secrets(candidate)
    pseudonym = candidate.subject.pseudonym
    before = _on_disk(sqlite_file_db)
    # Before: every sealed value and every hash is on disk (the search finds them); the name,
    # email and answers are there only sealed.
    plaintexts = {"name", "email", *(w for w in secrets if w.startswith("answer "))}
    assert {what for what, value in secrets.items() if value not in before} == plaintexts

    do_erase_candidate(actor=administrator, candidate=candidate, basis=ErasureBasis.REQUEST)

    # The server's connection is still open; nothing was closed or shut down.
    assert connection.connection is not None
    after = _on_disk(sqlite_file_db)
    assert [what for what, value in secrets.items() if value in after] == []
    assert Path(f"{sqlite_file_db}-wal").stat().st_size == 0  # checkpointed and truncated

    # A copy of the file with the KEK beside it opens nothing of hers.
    stolen = tmp_path / "stolen.sqlite3"
    shutil.copyfile(sqlite_file_db, stolen)
    kek = AESGCM(keys.kek_bytes())
    opened = []
    with sqlite3.connect(stolen) as copy:
        wrapped = copy.execute(
            "SELECT secret_wrapped, data_key_wrapped FROM audit_subject WHERE pseudonym = ?",
            [pseudonym],
        ).fetchone()
        assert wrapped == (None, None)
        for blob in _every_blob(copy):
            for role in ("secret", "data-key"):
                associated = b"|".join((b"hireproof/kek/v1", pseudonym.encode(), role.encode()))
                with contextlib.suppress(InvalidTag, ValueError):
                    opened.append(kek.decrypt(blob[:12], blob[12:], associated))
    copy.close()
    assert opened == []


def _every_blob(database: sqlite3.Connection) -> list[bytes]:
    blobs: list[bytes] = []
    tables = [
        row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type='table'")
    ]
    for table in tables:
        for row in database.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 - our own names
            blobs.extend(
                bytes(value) for value in row if isinstance(value, bytes) and len(value) > 28
            )
    return blobs


def test_every_connection_turns_secure_delete_on(settings: Any) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("secure_delete is SQLite's; PostgreSQL is VACUUMed after an erasure")
    # The build's default may already be on; what the settings run must turn it on anyway.
    init_command = settings.DATABASES["default"]["OPTIONS"]["init_command"]
    with sqlite3.connect(":memory:") as database:
        database.execute("PRAGMA secure_delete=OFF")
        database.executescript(init_command)
        assert database.execute("PRAGMA secure_delete").fetchone() == (1,)
    database.close()


def test_once_an_erasure_commits_the_database_scrubs_the_old_rows(shared_db: None) -> None:
    from hireproof.audit.models import LogPrivate, Subject
    from hireproof.hiring.actions.erasure import ERASED_TABLES, ErasureBasis, do_erase_candidate

    candidate, administrator = _scored_candidate()
    do_erase_candidate(actor=administrator, candidate=candidate, basis=ErasureBasis.REQUEST)

    if connection.vendor == "sqlite":
        wal = Path(f"{connection.settings_dict['NAME']}-wal")
        assert wal.stat().st_size == 0
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_stat_user_tables WHERE last_vacuum IS NOT NULL")
        vacuumed = {row[0] for row in cursor.fetchall()}
    tables: tuple[type[Model], ...] = (*ERASED_TABLES, Subject, LogPrivate)
    held = {model._meta.db_table for model in tables}
    assert held <= vacuumed
