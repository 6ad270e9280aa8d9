"""API throughput: requests per second for a list and for a create, over real HTTP.

    .venv/bin/python bench/api.py [--seconds 10] [--clients 4] [--candidates 1000]

In a temporary data folder (SQLite), it publishes the built-in playbooks, opens an opening with
``--candidates`` candidates and creates an API key with every scope (through the actions, as
``hireproof api-key create`` does), starts ``hireproof serve`` on a free port of 127.0.0.1, then
for ``--seconds`` each keeps ``--clients`` clients busy with one request after another:

- list: ``GET /api/v1/openings/{id}/candidates?limit=50`` (a page of 50, names unsealed);
- create: ``POST /api/v1/openings/{id}/candidates`` with a new candidate and an
  ``Idempotency-Key`` (an audited write: a candidate, their subject's keys, a log leaf).

Prints requests per second and p50/p95 latency for each. The rate limit is raised for the run.
The server is stopped by its PID and the folder removed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from autosave import HOST, start_server, stop_server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="how long each load runs")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--candidates", type=int, default=1000, help="candidates in the opening")
    parser.add_argument("--threads", type=int, default=8, help="the server's worker threads")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hireproof-bench-"))
    env = {
        "HIREPROOF_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "hireproof.settings",
        "HIREPROOF_ADMIN_EMAIL": "bench-admin@example.org",
        "HIREPROOF_API_RATE_LIMIT": "100000000",
        "LOG_LEVEL": "WARNING",
    }
    for name in ("DATABASE_URL", "HIREPROOF_AUDIT_SIGNING_KEY", "HIREPROOF_KEK"):
        os.environ.pop(name, None)
    os.environ.update(env)
    server = None
    try:
        print(f"setting up an opening with {args.candidates} candidates ...", flush=True)
        opening, key = set_up(args.candidates)
        server, port = start_server(env, args.threads)
        print(f"hireproof serve (pid {server.pid}) on {HOST}:{port}", flush=True)
        path = f"/api/v1/openings/{opening}/candidates"
        listed = run(port, key, args, lambda n: ("GET", path + "?limit=50", None))
        created = run(
            port,
            key,
            args,
            lambda n: (
                "POST",
                path,
                {"name": f"Bench {n}", "email": f"bench-{uuid.uuid4().hex}@example.org"},
            ),
        )
        report("list (GET a page of 50 candidates)", listed, args)
        report("create (POST one candidate, idempotent)", created, args)
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


def set_up(count: int) -> tuple[int, str]:
    """Migrate, publish the built-ins, add ``count`` candidates, create a key with every scope."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command

    from hireproof.audit.startup import prepare_process

    # As every entry point does: the files private (the SQLite file created 0600) first.
    prepare_process()
    call_command("migrate", verbosity=0)
    from hireproof.accounts.actions import do_create_api_key
    from hireproof.accounts.models import User
    from hireproof.accounts.roles import Role
    from hireproof.hiring.actions.candidates import NewCandidate, do_import_candidates
    from hireproof.hiring.actions.openings import do_create_opening
    from hireproof.hiring.actions.playbooks import load_builtin_playbooks
    from hireproof.hiring.models.openings import DEFAULT_EMAIL_BODY, DEFAULT_EMAIL_SUBJECT
    from hireproof.hiring.models.playbooks import PlaybookVersion

    load_builtin_playbooks()
    admin = User.objects.create_user(
        "bench-admin@example.org", None, full_name="Bench Admin", role=Role.ADMINISTRATOR
    )
    opening = do_create_opening(
        actor=admin,
        title="Bench",
        playbook_version=PlaybookVersion.objects.get(playbook_id="data-scientist-mid"),
        invitation_days=7,
        email_subject=DEFAULT_EMAIL_SUBJECT,
        email_body=DEFAULT_EMAIL_BODY,
    )
    do_import_candidates(
        actor=admin,
        opening=opening,
        candidates=[NewCandidate(f"Seed {n}", f"seed{n}@example.org") for n in range(count)],
    )
    _, key = do_create_api_key(
        actor=None, name="bench", owner=admin, scopes=["read", "write", "candidates"]
    )
    from django.db import connections

    connections.close_all()
    return opening.pk, key


def run(port: int, key: str, args: argparse.Namespace, make: object) -> list[float]:
    """Each client sends request after request for ``--seconds``; the latencies of 2xx answers."""
    latencies: list[float] = []
    failures: dict[int, int] = {}
    lock = threading.Lock()
    counter = iter(range(10**9))
    stop = time.monotonic() + args.seconds

    def client() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        while time.monotonic() < stop:
            method, path, body = make(next(counter))  # type: ignore[operator]
            headers = {"Authorization": f"Bearer {key}"}
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                headers |= {"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex}
            began = time.perf_counter()
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            response.read()
            took = time.perf_counter() - began
            with lock:
                if response.status < 300:
                    latencies.append(took)
                else:
                    failures[response.status] = failures.get(response.status, 0) + 1
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        print(f"  answers that were not 2xx: {failures}")
    return latencies


def report(label: str, latencies: list[float], args: argparse.Namespace) -> None:
    if not latencies:
        print(f"{label}: no request succeeded")
        return
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(
        f"{label}: {len(latencies) / args.seconds:.1f} requests/s with {args.clients} clients "
        f"({len(latencies)} in {args.seconds:g} s); p50 {statistics.median(ordered) * 1000:.0f} "
        f"ms, p95 {p95 * 1000:.0f} ms"
    )


if __name__ == "__main__":
    raise SystemExit(main())
