"""The pipeline page of an opening with 10,000 candidates, over real HTTP.

    .venv/bin/python bench/pipeline.py [--candidates 10000] [--requests 30] [--threads 4]
    scripts/with-postgres .venv/bin/python bench/pipeline.py     # the same on PostgreSQL

In a temporary data folder (SQLite; or, when ``DATABASE_URL`` names a PostgreSQL server, a
database of its own created there and dropped at the end), it adds the
candidates through the action layer (``do_import_candidates``, in files of 2,000: every one
sealed, recorded in the audit log, given its search tokens and name order key exactly as the
web app does), then gives them stages the way a campus day leaves them: two in three invited
(some links expired, some revoked), half of those started, most of those submitted and scored,
with verdicts and warnings, some decided. Those rows after the import are written in bulk (they
are what the page reads, not what it measures).

Then it starts ``hireproof serve`` on a free port of 127.0.0.1, signs a recruiter in, and asks
for the pipeline page ``--requests`` times for each case: the first page, a search, a stage
filter, sorted by name, sorted by score, the last page. It prints p50/p95 in milliseconds for
each, measured by a client on this machine (connection included); the server's CPU time per
request (from ``/proc``: what the page costs whatever else the machine is doing; on PostgreSQL
the database's own processes are not counted); and the
number of database queries the same request makes, counted by Django's test client in this
process. The load average is printed first and last: on a busy machine the latencies are long
but the CPU time is not. The target is p95 under 300 ms with the same query count in every
case. The server is stopped by its PID and the folder removed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

HOST = "127.0.0.1"
SERVE_TIMEOUT_SECONDS = 120
IMPORT_BATCH = 2_000
FIRST_NAMES = (
    "Alice Ada Alan Alicia Amir Ana Anders Aoife Arjun Beatriz Bilal Camille Carlos Chen Chiara "
    "Daniel Dmitri Elena Emeka Emma Fatima Felix Freya Grace Hana Hugo Ines Ivan Jakob Jamal "
    "Jia Joao Julia Kai Karin Kofi Lars Leila Li Lucia Malik Maria Mateo Mei Nadia Niamh Noah "
    "Olga Omar Priya Rafael Ravi Rosa Sami Sofia Tariq Thandiwe Tomas Valentina Wei Yara Yusuf "
    "Zoe Zoë"
)
LAST_NAMES = (
    "Abara Andersen Bauer Becker Costa Dubois Duarte Eriksen Fernandes Fischer Garcia Gomez "
    "Haddad Hansen Ivanova Jensen Kaur Khan Kim Kowalski Larsen Lopez Martin Meyer Moreau Muller "
    "Nakamura Nguyen Novak O'Brien Okafor Olsen Patel Pereira Petrov Rossi Santos Schmidt Silva "
    "Singh Smith Sousa Tanaka Taylor Wang Weber Wilson Yamamoto Zhang Ziegler"
)
CASES = (
    ("first page", ""),
    ("search 'ali'", "?q=ali"),
    ("search 'maria silva'", "?q=maria+silva"),
    ("stage filter (scored)", "?status=scored"),
    ("sort by name", "?sort=name"),
    ("sort by score, highest first", "?sort=-score"),
    ("last page", "?page=1000000"),
    ("last page by name", "?sort=name&page=1000000"),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=10_000, help="candidates in the opening")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per case")
    parser.add_argument("--threads", type=int, default=4, help="the server's worker threads")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hireproof-bench-"))
    env = _environment(data_dir)
    server_url = os.environ.get("DATABASE_URL", "")
    if server_url.startswith("postgres"):
        env["DATABASE_URL"] = _create_database(server_url)
    os.environ.update(env)
    server: subprocess.Popen[str] | None = None
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    try:
        began = time.perf_counter()
        opening_id, cookie, queries = set_up(args.candidates)
        print(
            f"{args.candidates:,} candidates set up in {time.perf_counter() - began:.0f} s "
            f"({_database()})",
            flush=True,
        )
        server, port = start_server(env, args.threads)
        print(f"hireproof serve (pid {server.pid}) on {HOST}:{port}\n", flush=True)
        report(server.pid, port, opening_id, cookie, queries, args.requests)
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(data_dir, ignore_errors=True)
        if server_url.startswith("postgres"):
            _drop_database(server_url)
    print(f"load average at end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0


def _environment(data_dir: Path) -> dict[str, str]:
    for name in ("HIREPROOF_AUDIT_SIGNING_KEY", "HIREPROOF_KEK"):
        os.environ.pop(name, None)
    return {
        "HIREPROOF_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "hireproof.settings",
        "HIREPROOF_ADMIN_EMAIL": "bench-admin@example.org",
        "LOG_LEVEL": "WARNING",
    }


BENCH_DATABASE = f"hireproof_bench_{os.getpid()}"


def _create_database(server_url: str) -> str:
    """Create ``BENCH_DATABASE`` on the server ``server_url`` names; returns its URL."""
    import psycopg

    parts = urlsplit(server_url)
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    return parts._replace(path=f"/{BENCH_DATABASE}").geturl()


def _drop_database(server_url: str) -> None:
    """Drop ``BENCH_DATABASE`` (every connection to it is closed by then)."""
    import psycopg

    admin_url = urlsplit(server_url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')


def _database() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return "PostgreSQL" if url.startswith("postgres") else "SQLite"


# --- setting up -------------------------------------------------------------------------------


def set_up(count: int) -> tuple[int, str, dict[str, int]]:
    """Migrate, add ``count`` candidates at every stage, sign a recruiter in; returns the
    opening's id, the session cookie, and each case's query count."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from hireproof.accounts.models import User
    from hireproof.accounts.roles import Role
    from hireproof.audit.startup import prepare_process
    from hireproof.hiring.actions.candidates import NewCandidate, do_import_candidates
    from hireproof.hiring.actions.openings import do_create_opening
    from hireproof.hiring.actions.playbooks import load_builtin_playbooks
    from hireproof.hiring.models.openings import DEFAULT_EMAIL_BODY, DEFAULT_EMAIL_SUBJECT
    from hireproof.hiring.models.playbooks import PlaybookVersion

    # As every entry point does: the files private (the SQLite file created 0600) first.
    prepare_process()
    call_command("migrate", interactive=False, verbosity=0)
    load_builtin_playbooks()
    recruiter = User.objects.create_user(
        "bench-recruiter@example.org", None, full_name="Bench Recruiter", role=Role.RECRUITER
    )
    opening = do_create_opening(
        actor=recruiter,
        title="Graduate programme (benchmark)",
        playbook_version=PlaybookVersion.objects.get(playbook_id="data-scientist-mid"),
        invitation_days=7,
        email_subject=DEFAULT_EMAIL_SUBJECT,
        email_body=DEFAULT_EMAIL_BODY,
    )
    chance = random.Random(20261207)
    firsts, lasts = FIRST_NAMES.split(), LAST_NAMES.split()
    people = []
    for number in range(count):
        first, last = chance.choice(firsts), chance.choice(lasts)
        email = f"{first.lower()}.{last.lower().replace(chr(39), '')}.{number}@example.org"
        people.append(NewCandidate(f"{first} {last}", email))
    began = time.perf_counter()
    for start in range(0, count, IMPORT_BATCH):
        do_import_candidates(
            actor=recruiter, opening=opening, candidates=people[start : start + IMPORT_BATCH]
        )
        print(f"  {min(start + IMPORT_BATCH, count):,} imported", flush=True)
    print(f"imported through the action layer in {time.perf_counter() - began:.0f} s")
    _give_stages(opening, recruiter, chance)
    if connections["default"].vendor == "postgresql":
        # What autovacuum does within a minute of a bulk load: the planner's statistics.
        with connections["default"].cursor() as cursor:
            cursor.execute("ANALYZE")
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(recruiter)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    queries = {}
    for label, query in CASES:
        with CaptureQueriesContext(connections["default"]) as captured:
            response = client.get(f"/openings/{opening.pk}/{query}")
        if response.status_code != 200:
            raise SystemExit(f"{label}: the page answered {response.status_code}")
        queries[label] = len(captured)
    connections.close_all()
    return opening.pk, cookie, queries


def _give_stages(opening: object, recruiter: object, chance: random.Random) -> None:
    """Invitations, attempts, scores and decisions for most candidates, in bulk."""
    from django.utils import timezone

    from hireproof.core.playbook import Verdict
    from hireproof.hiring.models.attempts import Attempt
    from hireproof.hiring.models.candidates import Candidate, Invitation, hash_token
    from hireproof.hiring.models.decisions import Decision, Outcome

    now = timezone.now()
    candidates = list(Candidate.objects.filter(opening=opening).order_by("pk"))
    invitations = []
    for candidate in candidates:
        if chance.random() < 2 / 3:
            expired = chance.random() < 0.05
            invitations.append(
                Invitation(
                    candidate=candidate,
                    token_hash=hash_token(f"bench-{candidate.pk}"),
                    created_at=now - timedelta(days=8 if expired else 1),
                    sent_at=now - timedelta(days=8 if expired else 1),
                    send_count=1,
                    expires_at=now + timedelta(days=-1 if expired else 6),
                    revoked_at=now if chance.random() < 0.02 else None,
                )
            )
    Invitation.objects.bulk_create(invitations, batch_size=500)
    attempts = []
    for invitation in Invitation.objects.filter(candidate__opening=opening, revoked_at=None):
        if invitation.expires_at > now and chance.random() < 0.5:
            started = now - timedelta(minutes=40)
            # The deadline is ahead: the server's sweeper has nothing to submit while measured.
            attempt = Attempt(
                invitation=invitation, started_at=started, deadline=now + timedelta(hours=2)
            )
            if chance.random() < 0.8:
                attempt.submitted_at = started + timedelta(minutes=30)
                attempt.submission = "candidate"
                attempt.scorecard_hash = f"{invitation.pk:064x}"
                attempt.score_percent = Decimal(chance.randint(2000, 9800)) / 100
                attempt.verdict = chance.choice(list(Verdict)).value
                attempt.warning_count = chance.choice((0, 0, 0, 1, 2))
            attempts.append(attempt)
    Attempt.objects.bulk_create(attempts, batch_size=500)
    scored = [attempt for attempt in attempts if attempt.verdict]
    scored = scored[: len(scored) // 8]  # decided
    Decision.objects.bulk_create(
        [
            Decision(
                candidate_id=attempt.invitation.candidate_id,
                outcome=chance.choice(list(Outcome)).value,
                decided_by=recruiter,
                decided_at=now,
                reason="Benchmark decision.",
                leaf_index=0,
                receipt_json="{}",
            )
            for attempt in scored
        ],
        batch_size=500,
    )
    print(
        f"stages: {len(invitations):,} invited, {len(attempts):,} started, "
        f"{sum(1 for attempt in attempts if attempt.verdict):,} scored, {len(scored):,} decided"
    )


def start_server(env: dict[str, str], threads: int) -> tuple[subprocess.Popen[str], int]:
    """Start ``hireproof serve --port 0`` and read the port it announces."""
    command = [sys.executable, "-m", "hireproof", "serve", "--host", HOST, "--port", "0"]
    command += ["--threads", str(threads)]
    server = subprocess.Popen(
        command,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + SERVE_TIMEOUT_SECONDS
    assert server.stdout is not None
    said = []
    for line in server.stdout:
        found = re.search(r"serving at http://[^:]+:(\d+)/", line)
        if found:
            threading.Thread(target=_drain, args=(server,), daemon=True).start()
            return server, int(found.group(1))
        said.append(line)
        if time.monotonic() > deadline:
            break
    stop_server(server)
    print("".join(said), end="")
    raise SystemExit("hireproof serve did not start; its output is above")


def _drain(server: subprocess.Popen[str]) -> None:
    """Keep reading the server's output so a full pipe never blocks it."""
    assert server.stdout is not None
    for _ in server.stdout:
        pass


def stop_server(server: subprocess.Popen[str]) -> None:
    """SIGTERM the server we started (by its PID) and wait for it to stop."""
    if server.poll() is None:
        os.kill(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(server.pid, signal.SIGKILL)
            server.wait()


# --- measuring --------------------------------------------------------------------------------


def timed_get(port: int, path: str, cookie: str) -> float:
    """One GET over a new connection; seconds until the whole body is read."""
    began = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    elapsed = time.perf_counter() - began
    if response.status != 200 or b"Candidates by stage" not in body:
        raise SystemExit(f"GET {path} answered {response.status}, not the pipeline")
    return elapsed


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) the process ``pid`` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def report(
    pid: int, port: int, opening_id: int, cookie: str, queries: dict[str, int], count: int
) -> None:
    print(f"{'case':<32} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>8} {'queries':>8}")
    worst = 0.0
    for label, query in CASES:
        path = f"/openings/{opening_id}/{query}"
        for _ in range(3):  # warm the server's caches and the database's
            timed_get(port, path, cookie)
        cpu_before = cpu_seconds(pid)
        latencies = sorted(timed_get(port, path, cookie) * 1000 for _ in range(count))
        cpu = (cpu_seconds(pid) - cpu_before) * 1000 / count
        p50 = statistics.median(latencies)
        p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
        worst = max(worst, p95)
        print(f"{label:<32} {p50:8.1f} {p95:8.1f} {cpu:8.1f} {queries[label]:8d}")
    counts = sorted(set(queries.values()))
    verdict = "met" if worst < 300 and len(counts) == 1 else "NOT met"
    print(
        f"\nworst p95 {worst:.0f} ms; queries per page {counts}: "
        f"target (p95 under 300 ms, one query count) {verdict}"
    )


if __name__ == "__main__":
    sys.exit(main())
