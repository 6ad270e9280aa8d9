"""``hireproof backup`` and ``hireproof restore`` as real processes, on a real site's files.

Each test gets a copy of one site the demo filled (a SQLite file, its keys, a KEK outside the
data folder); the PostgreSQL test fills its own database on the server ``scripts/with-postgres``
starts, and is skipped only where ``pg_dump`` is absent.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hireproof.core.audit import root_of

KEEP_ENV = {name: value for name, value in os.environ.items() if not name.startswith("HIREPROOF_")}
KEEP_ENV.pop("DATABASE_URL", None)

# Prints a JSON summary of one candidate as the restored database holds it.
INSPECT = """
import json, sys
from hireproof.audit import vault
from hireproof.audit.models import LogLeaf
from hireproof.hiring.models.attempts import Answer
from hireproof.hiring.models.candidates import Candidate, CandidateSearchToken
c = Candidate.objects.get(pk=int(sys.argv[1]))
# The sealed name given (as the backup holds it), else the one the database holds now.
sealed = bytes.fromhex(sys.argv[2]) if len(sys.argv) > 2 else bytes(c.name_sealed or b"")
try:
    name = vault.unseal(c.subject, sealed, context="candidate.name")
except Exception as error:
    name = type(error).__name__
print(json.dumps({
    "erased": c.erased_at is not None,
    "subject_erased": c.subject.is_erased,
    "keys": [c.subject.secret_wrapped is not None, c.subject.data_key_wrapped is not None],
    "name_sealed": c.name_sealed is not None,
    "name": name,
    "answers": Answer.objects.filter(attempt__invitation__candidate=c).count(),
    "tokens": CandidateSearchToken.objects.filter(candidate=c).count(),
    "leaves": LogLeaf.objects.count(),
    "restored": list(
        LogLeaf.objects.filter(event_type="log.restored").values_list("index", flat=True)
    ),
}))
"""

# Erases one candidate as an administrator would, then signs a checkpoint over the erasure.
ERASE = """
import sys
from hireproof.accounts.models import User
from hireproof.audit.checkpoints import sign_checkpoint_now
from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
from hireproof.hiring.models.candidates import Candidate
admin = User.objects.filter(is_active=True).order_by("id").first()
candidate = Candidate.objects.get(pk=int(sys.argv[1]))
do_erase_candidate(actor=admin, candidate=candidate, basis=ErasureBasis.REQUEST)
sign_checkpoint_now()
"""

# Appends events until killed, as a busy server would.
WRITE = """
from django.db import transaction
from hireproof.audit.log import record_event
from hireproof.core.audit import EventType
n = 0
while True:
    with transaction.atomic():
        record_event(EventType.STAFF_SIGNED_IN, actor="system", public={"n": n})
    n += 1
"""

# Holds the database open, as an idle server does, until killed.
HOLD = """
import time
from hireproof.audit.models import LogLeaf
print(LogLeaf.objects.count(), flush=True)
time.sleep(600)
"""

SETUP = (
    "import django, os\n"
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'hireproof.settings')\n"
    "django.setup()\n"
)


@dataclass
class Site:
    """A site's folders (data, KEK, scratch) and its environment."""

    data: Path
    kek: Path
    scratch: Path
    env: dict[str, str]

    def hireproof(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hireproof", *map(str, args)],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def python(self, code: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", SETUP + code, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def start(self, code: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", SETUP + code],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )

    def inspect(self, candidate: int, sealed_name: bytes | None = None) -> dict[str, object]:
        extra = [sealed_name.hex()] if sealed_name is not None else []
        done = self.python(INSPECT, str(candidate), *extra)
        assert done.returncode == 0, done.stderr
        found: dict[str, object] = json.loads(done.stdout)
        return found

    def ok(self, *args: str | Path) -> str:
        done = self.hireproof(*args)
        assert done.returncode == 0, done.stderr + done.stdout
        return done.stdout


def _environment(data: Path, kek: Path, database_url: str | None = None) -> dict[str, str]:
    env = {
        **KEEP_ENV,
        "HIREPROOF_DATA_DIR": str(data),
        "HIREPROOF_KEK": str(kek / "kek.key"),
        "HIREPROOF_TASKS_SYNC": "true",
        "HIREPROOF_LOG_ORIGIN": "backup.test/audit",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One site the demo filled, copied for each test."""
    root = tmp_path_factory.mktemp("demo-site")
    data, kek = root / "data", root / "kek"
    done = subprocess.run(
        [sys.executable, "-m", "hireproof", "demo"],
        env=_environment(data, kek),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture
def site(demo_site: Path, tmp_path: Path) -> Site:
    shutil.copytree(demo_site / "data", tmp_path / "data", symlinks=True)
    shutil.copytree(demo_site / "kek", tmp_path / "kek")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    return Site(
        tmp_path / "data",
        tmp_path / "kek",
        scratch,
        _environment(tmp_path / "data", tmp_path / "kek"),
    )


def _snapshot_log(path: Path) -> tuple[int, str, str]:
    link = sqlite3.connect(path)
    try:
        (check,) = link.execute("PRAGMA integrity_check").fetchone()
        hashes = [
            bytes(row[0])
            for row in link.execute('SELECT leaf_hash FROM audit_logleaf ORDER BY "index"')
        ]
    finally:
        link.close()
    return len(hashes), root_of(hashes).hex(), check


def _first_live_candidate(site: Site) -> int:
    done = site.python(
        "from hireproof.hiring.models.candidates import Candidate\n"
        "live = Candidate.objects.filter(erased_at__isnull=True).order_by('id')\n"
        "answered = live.filter(invitation__attempt__answers__isnull=False).first()\n"
        "print((answered or live.first()).pk)"
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


def test_a_backup_taken_while_a_writer_appends_is_a_consistent_snapshot(site: Site) -> None:
    writer = site.start(WRITE)
    try:
        time.sleep(1.0)
        sizes = []
        for number in range(3):
            folder = site.scratch / f"backup-{number}"
            site.ok("backup", "--to", folder)
            manifest = json.loads((folder / "manifest.json").read_text())
            size, root, check = _snapshot_log(folder / "hireproof.sqlite3")
            assert check == "ok"
            assert (size, root) == (manifest["log_size"], manifest["log_root"])
            sizes.append(size)
            time.sleep(0.3)
        assert writer.poll() is None, writer.stderr.read() if writer.stderr else ""
    finally:
        _stop(writer)
    assert sizes == sorted(sizes)
    assert sizes[0] < sizes[-1]
    # Restoring the first one brings back its rows, and only those.
    candidate = _first_live_candidate(site)
    out = site.ok("restore", site.scratch / "backup-0", "--confirm-rollback")
    assert "restored the backup" in out
    state = site.inspect(candidate)
    assert state["leaves"] == sizes[0] + 1  # the snapshot's leaves and the log.restored event
    assert state["name"] != "SubjectErasedError"
    assert state["keys"] == [True, True]


def test_files_are_private_the_kek_goes_only_where_asked_and_bad_places_are_refused(
    site: Site,
) -> None:
    kek = (site.kek / "kek.key").read_bytes()
    out = site.ok("backup", "--to", site.scratch / "db", "--keys-to", site.scratch / "keys")
    assert "the KEK was not copied" in out
    for folder in (site.scratch / "db", site.scratch / "keys"):
        assert folder.stat().st_mode & 0o777 == 0o700
        for file in folder.iterdir():
            assert file.stat().st_mode & 0o777 == 0o600, file
            assert kek not in file.read_bytes(), file
    assert (site.scratch / "keys" / "audit-signing.key").read_bytes() == (
        site.data / "keys" / "audit-signing.key"
    ).read_bytes()
    site.ok("backup", "--to", site.scratch / "db2", "--kek-to", site.scratch / "kek-copy")
    assert (site.scratch / "kek-copy" / "kek.key").read_bytes() == kek
    refused = {
        "inside the data folder": ("--to", site.data / "backups"),
        "same folder": ("--to", site.scratch / "x", "--keys-to", site.scratch / "x"),
        "KEK beside": ("--to", site.scratch / "y", "--kek-to", site.scratch / "y" / "kek"),
        "not empty": ("--to", site.scratch / "db"),
    }
    for what, args in refused.items():
        done = site.hireproof("backup", *args)
        assert done.returncode == 2, what
        assert done.stderr.startswith("hireproof: "), (what, done.stderr)
    assert not (site.data / "backups").exists()


def test_a_candidate_erased_after_the_backup_stays_erased_after_the_restore(site: Site) -> None:
    candidate = _first_live_candidate(site)
    before = site.inspect(candidate)
    assert before["keys"] == [True, True]
    assert before["answers"]
    site.ok("backup", "--to", site.scratch / "db")
    done = site.python(ERASE, str(candidate))
    assert done.returncode == 0, done.stderr
    refused = site.hireproof("restore", site.scratch / "db")
    assert refused.returncode == 2
    assert "--confirm-rollback" in refused.stderr
    assert site.inspect(candidate)["leaves"] != before["leaves"]  # nothing was replaced
    out = site.ok("restore", site.scratch / "db", "--confirm-rollback")
    assert "erased again: 1 candidates" in out
    after = site.inspect(candidate)
    assert after["erased"]
    assert after["subject_erased"]
    assert after["keys"] == [False, False]
    assert after["name_sealed"] is False
    assert after["answers"] == 0
    assert after["tokens"] == 0
    assert after["restored"]
    # Her name as the backup holds it does not open any more: her keys are gone.
    link = sqlite3.connect(site.scratch / "db" / "hireproof.sqlite3")
    (sealed,) = link.execute(
        "SELECT name_sealed FROM hiring_candidate WHERE id = ?", (candidate,)
    ).fetchone()
    link.close()
    assert before["name"] not in ("SubjectErasedError", "TypeError")
    assert site.inspect(candidate, bytes(sealed))["name"] == "SubjectErasedError"


def test_a_rollback_is_refused_without_confirmation_and_the_database_is_untouched(
    site: Site,
) -> None:
    site.ok("backup", "--to", site.scratch / "db")
    site.ok("audit", "checkpoint")  # nothing new: no leaf lost yet
    first = site.hireproof("restore", site.scratch / "db")
    assert first.returncode == 0, first.stderr  # no signed leaf is lost: no confirmation needed
    assert "log.restored" not in first.stdout
    site.python(ERASE, str(_first_live_candidate(site)))
    database = (site.data / "hireproof.sqlite3").read_bytes()
    refused = site.hireproof("restore", site.scratch / "db")
    assert refused.returncode == 2
    assert "a checkpoint over" in refused.stderr
    assert "already signed" in refused.stderr
    assert (site.data / "hireproof.sqlite3").read_bytes() == database
    assert not list(site.data.glob(".hireproof.sqlite3.restoring-*"))


def test_a_restore_is_refused_while_another_process_has_the_database_open(site: Site) -> None:
    site.ok("backup", "--to", site.scratch / "db")
    holder = site.start(HOLD)
    try:
        assert holder.stdout is not None
        holder.stdout.readline()  # it has the database open
        refused = site.hireproof("restore", site.scratch / "db")
    finally:
        _stop(holder)
    assert refused.returncode == 2
    assert "in use by another process" in refused.stderr
    site.ok("restore", site.scratch / "db")


def test_an_altered_backup_is_refused(site: Site) -> None:
    site.ok("backup", "--to", site.scratch / "db")
    with open(site.scratch / "db" / "hireproof.sqlite3", "r+b") as file:
        file.seek(5000)
        file.write(b"\xff")
    refused = site.hireproof("restore", site.scratch / "db")
    assert refused.returncode == 2
    assert "does not match the SHA-256" in refused.stderr


def test_the_declared_restore_exports_and_verifies_as_a_declared_gap(site: Site) -> None:
    site.ok("backup", "--to", site.scratch / "db")
    site.python(ERASE, str(_first_live_candidate(site)))
    site.ok("restore", site.scratch / "db", "--confirm-rollback")
    site.ok("audit", "export", "--out", site.scratch / "bundle.jsonl")
    vkey = site.ok("audit", "vkey").strip()
    verified = site.hireproof("audit", "verify", site.scratch / "bundle.jsonl", "--vkey", vkey)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "superseded by the declared restore at leaf" in verified.stdout
    # Signing goes on after the declared restore.
    site.python(ERASE, str(_first_live_candidate(site)))
    site.ok("audit", "checkpoint")


@pytest.fixture
def postgres_site(tmp_path: Path) -> Iterator[Site]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("PostgreSQL: run under scripts/with-postgres")
    if shutil.which("pg_dump") is None and not list(
        Path("/usr/lib/postgresql").glob("*/bin/pg_dump")
    ):
        pytest.skip("pg_dump is not installed")
    import psycopg

    name = f"hp_backup_{uuid.uuid4().hex[:8]}"
    server = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as link:
        link.execute(f'CREATE DATABASE "{name}"'.encode())
    env = _environment(tmp_path / "data", tmp_path / "kek", f"{server}/{name}")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    try:
        yield Site(tmp_path / "data", tmp_path / "kek", scratch, env)
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as link:
            for database in (name, f"{name}_restoring", f"{name}_before_restore"):
                link.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'.encode())


def test_postgresql_backup_with_pg_dump_and_restore_with_pg_restore(postgres_site: Site) -> None:
    site = postgres_site
    site.ok("demo")
    candidate = _first_live_candidate(site)
    out = site.ok("backup", "--to", site.scratch / "db", "--keys-to", site.scratch / "keys")
    assert "the postgresql database" in out
    assert (site.scratch / "db" / "hireproof.pgdump").stat().st_mode & 0o777 == 0o600
    done = site.python(ERASE, str(candidate))
    assert done.returncode == 0, done.stderr
    assert site.hireproof("restore", site.scratch / "db").returncode == 2
    out = site.ok("restore", site.scratch / "db", "--confirm-rollback")
    assert "erased again: 1 candidates" in out
    after = site.inspect(candidate)
    assert after["keys"] == [False, False]
    assert after["name"] == "SubjectErasedError"
    assert after["answers"] == 0
    assert after["restored"]
    other = _first_live_candidate(site)
    assert site.inspect(other)["keys"] == [True, True]
