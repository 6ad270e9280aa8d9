"""Behaviour that needs a shared database: concurrent writers, restored backup files."""

from __future__ import annotations

import contextlib
import itertools
import logging
import random
import re
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

from hireproof.audit import keys, scrub
from hireproof.audit.checkpoints import sign_checkpoint_now
from hireproof.audit.models import Checkpoint, LogLeaf
from hireproof.audit.store import StoredTree
from hireproof.audit.tests.factories import record, record_many
from hireproof.core.audit import EventType, parse_leaf, root_of
from hireproof.core.errors import ForkError
from hireproof.platform.models import TaskProblem


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

    record(EventType.STAFF_INVITED)  # an append never signs: its signing task refuses
    assert LogLeaf.objects.count() == 5
    problem = TaskProblem.objects.get()
    assert problem.label == "Sign a checkpoint of the audit log"
    assert re.search(
        r"^ForkError: .*already signed, but the log now holds 5.*restored", problem.error
    )
    with pytest.raises(ForkError, match=r"already signed, but the log now holds 5.*restored"):
        sign_checkpoint_now()
    assert Checkpoint.objects.order_by("-size").values_list("size", flat=True).first() == 4


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
    tables: tuple[type[Model], ...] = (*ERASED_TABLES, Subject, LogPrivate)
    held = sorted({model._meta.db_table for model in tables})
    vacuums = [_vacuum_count(table) for table in held] if connection.vendor == "postgresql" else []

    do_erase_candidate(actor=administrator, candidate=candidate, basis=ErasureBasis.REQUEST)

    if connection.vendor == "sqlite":
        wal = Path(f"{connection.settings_dict['NAME']}-wal")
        assert wal.stat().st_size == 0
        return
    # Each table that held her rows was vacuumed once, as the erasure committed.
    assert [_vacuum_count(table) for table in held] == [count + 1 for count in vacuums]


# --- a scrub a reader blocks: retried until it succeeds ----------------------------------------


def _checkpointed(database: Path) -> None:
    """Fold the WAL into the main file, as SQLite does now and then: her rows are there now."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert cursor.fetchone()[0] == 0
    assert Path(f"{database}-wal").stat().st_size == 0


def _hold_a_read_snapshot(database: Path) -> sqlite3.Connection:
    """Another connection inside a read transaction, as a long request or a backup holds."""
    reader = sqlite3.connect(database, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM audit_logleaf").fetchone()
    return reader


@pytest.mark.parametrize("restarted", [False, True], ids=["same process", "after a restart"])
def test_a_scrub_a_reader_blocks_is_retried_until_it_succeeds(
    sqlite_file_db: Path, caplog: pytest.LogCaptureFixture, restarted: bool
) -> None:
    from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate

    scrub.forget_scrub_state()
    candidate, administrator = _scored_candidate()
    secrets = _her_secrets(candidate)
    _checkpointed(sqlite_file_db)
    reader = _hold_a_read_snapshot(sqlite_file_db)
    try:
        with caplog.at_level(logging.WARNING, logger="hireproof.audit.scrub"):
            do_erase_candidate(actor=administrator, candidate=candidate, basis=ErasureBasis.REQUEST)
        # Blocked: her old pages are still in the main file, and the warning says so.
        assert [r.getMessage() for r in caplog.records] == [
            "the scrub after an erasure is blocked by another connection reading an older"
            " snapshot: until it succeeds, the erased rows' old pages stay readable in the main"
            f" database file {sqlite_file_db}; the periodic job tries it again until it succeeds"
        ]
        left = sqlite_file_db.read_bytes()
        assert {"sealed name", "sealed email", "wrapped secret"} <= {
            what for what, value in secrets.items() if value in left
        }
        if restarted:
            scrub.forget_scrub_state()  # a new process knows of the erasure only from the log
        assert scrub.scrub_if_pending() is False  # the reader still holds its snapshot
    finally:
        reader.rollback()
        reader.close()

    assert scrub.scrub_if_pending() is True
    assert [what for what, value in secrets.items() if value in _on_disk(sqlite_file_db)] == []
    assert Path(f"{sqlite_file_db}-wal").stat().st_size == 0
    assert scrub.scrub_if_pending() is None  # nothing pending any more


def test_a_scrub_blocked_past_the_alert_time_is_logged_as_an_error(
    sqlite_file_db: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate

    scrub.forget_scrub_state()
    monkeypatch.setattr(scrub, "ALERT_SECONDS", 0.0)
    candidate, administrator = _scored_candidate()
    reader = _hold_a_read_snapshot(sqlite_file_db)
    try:
        with caplog.at_level(logging.INFO, logger="hireproof.audit.scrub"):
            do_erase_candidate(actor=administrator, candidate=candidate, basis=ErasureBasis.REQUEST)
            assert scrub.scrub_if_pending() is False
            assert scrub.scrub_if_pending() is False  # alerted once only
            reader.rollback()
            assert scrub.scrub_if_pending() is True
    finally:
        reader.close()
    assert [r.levelname for r in caplog.records] == ["WARNING", "ERROR", "INFO"]
    warning, error, success = (r.getMessage() for r in caplog.records)
    assert warning.startswith("the scrub after an erasure is blocked by another connection")
    assert error.startswith(warning.split(";")[0] + ", and has been for ")
    assert error.endswith(
        " s: end the long-running reader (a stuck request, a backup or an open database shell)"
    )
    assert success.startswith("the scrub after an erasure succeeded after ")


def test_the_periodic_task_finishes_a_scrub_a_reader_blocked(sqlite_file_db: Path) -> None:
    from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate

    scrub.forget_scrub_state()
    candidate, administrator = _scored_candidate()
    secrets = _her_secrets(candidate)
    _checkpointed(sqlite_file_db)
    reader = _hold_a_read_snapshot(sqlite_file_db)
    try:
        do_erase_candidate(actor=administrator, candidate=candidate, basis=ErasureBasis.REQUEST)
        scrub.finish_scrub()  # a worker runs it: the reader still blocks it
        assert "sealed name" in {w for w, v in secrets.items() if v in _on_disk(sqlite_file_db)}
    finally:
        reader.rollback()
        reader.close()
    scrub.finish_scrub()  # the next run, once the reader is gone
    assert [w for w, v in secrets.items() if v in _on_disk(sqlite_file_db)] == []


def test_on_postgresql_the_vacuum_waits_for_older_transactions_then_runs(
    shared_db: None, caplog: pytest.LogCaptureFixture
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("VACUUM is PostgreSQL's; SQLite's scrub is the WAL checkpoint above")
    import psycopg

    from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
    from hireproof.hiring.models.candidates import Candidate

    scrub.forget_scrub_state()
    candidate, administrator = _scored_candidate()
    sealed_name = bytes(candidate.name_sealed)
    table = Candidate._meta.db_table
    vacuums = _vacuum_count(table)
    older = psycopg.connect(**connection.get_connection_params())
    try:
        older.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        older.execute("SELECT count(*) FROM hiring_candidate").fetchone()  # its snapshot
        with caplog.at_level(logging.WARNING, logger="hireproof.audit.scrub"):
            do_erase_candidate(actor=administrator, candidate=candidate, basis=ErasureBasis.REQUEST)
        assert [r.getMessage() for r in caplog.records] == [
            "the VACUUM after an erasure waits for older transactions of this database, which may"
            " still read the erased rows: until they end, the old row versions stay in the"
            " tables' files; the periodic job tries it again until it succeeds"
        ]
        # What it waits for: the older transaction still reads her old row.
        query = f"SELECT name_sealed FROM {table} WHERE id = %s"  # noqa: S608 - our own table
        row = older.execute(query, [candidate.pk]).fetchone()
        assert row is not None
        assert bytes(row[0]) == sealed_name
        assert _vacuum_count(table) == vacuums
        assert scrub.scrub_if_pending() is False
    finally:
        older.rollback()
        older.close()

    assert scrub.scrub_if_pending() is True
    assert _vacuum_count(table) == vacuums + 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = %s", [table])
        assert cursor.fetchone() == (0,)  # her old row versions are gone
    assert scrub.scrub_if_pending() is None


def _vacuum_count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = %s", [table])
        return int(cursor.fetchone()[0])
