"""Autosave latency under load: simulated candidates saving against a real ``hireproof serve``.

    .venv/bin/python bench/autosave.py [--candidates 200] [--seconds 30] [--every 5] [--threads 8]

In a temporary data folder (SQLite), it sets up an opening with N invited candidates whose
attempts are started (through the actions, as the web app does), starts ``hireproof serve`` on a
free port of 127.0.0.1, then runs every candidate at once: each saves one answer every
``--every`` seconds (the htmx autosave request, CSRF and all) and, half a period later, asks the
server's trivial ``/healthz`` page, so both are measured under the same load in the same run.
Prints requests per second and p50/p95/p99 latency for each. The target is p95 under 100 ms for
200 candidates saving every 5 seconds. The server is stopped by its PID and the folder removed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

HOST = "127.0.0.1"
SERVE_TIMEOUT_SECONDS = 120
# Items of the built-in playbook the simulated candidates type into, in turn.
TYPED_ITEMS = ("outlier-ages", "cognitive-growth", "pandas-filter-sum")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=200, help="simulated candidates")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the load runs")
    parser.add_argument("--every", type=float, default=5.0, help="seconds between saves")
    parser.add_argument("--threads", type=int, default=8, help="the server's worker threads")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hireproof-bench-"))
    env = _environment(data_dir)
    os.environ.update(env)
    server: subprocess.Popen[str] | None = None
    try:
        print(f"setting up {args.candidates} candidates with started attempts ...", flush=True)
        tokens = set_up_candidates(args.candidates)
        server, port = start_server(env, args.threads)
        print(f"hireproof serve (pid {server.pid}) on {HOST}:{port}", flush=True)
        saves, health = run_load(port, tokens, args.seconds, args.every)
        report(args, saves, health)
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


def _environment(data_dir: Path) -> dict[str, str]:
    env = {
        "HIREPROOF_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "hireproof.settings",
        "HIREPROOF_ADMIN_EMAIL": "bench-admin@example.org",
        "LOG_LEVEL": "WARNING",
    }
    for name in ("DATABASE_URL", "HIREPROOF_AUDIT_SIGNING_KEY", "HIREPROOF_KEK"):
        os.environ.pop(name, None)
    return env


# --- setting up -------------------------------------------------------------------------------


def set_up_candidates(count: int) -> list[str]:
    """Migrate, publish the built-ins, invite ``count`` candidates and start their attempts."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from hireproof.audit.startup import prepare_process
    from hireproof.hiring.actions.attempts import do_start_attempt
    from hireproof.hiring.actions.playbooks import load_builtin_playbooks
    from hireproof.hiring.models.candidates import Invitation

    # As every entry point does: the files private (the SQLite file created 0600) first.
    prepare_process()
    call_command("migrate", interactive=False, verbosity=0)
    load_builtin_playbooks()
    tokens = invited_links(count, title="Data Scientist (benchmark)")
    for invitation in Invitation.objects.select_related("candidate__subject"):
        do_start_attempt(invitation)
    connections.close_all()
    return tokens


def invited_links(count: int, *, title: str, batch: int = 500) -> list[str]:
    """Add ``count`` candidates to a new opening ``title`` and invite them, through the
    actions, ``batch`` at a time; their link tokens, read from the invitation emails, which
    are sent here by the outbox's own task into memory (a worker later finds them sent).
    Needs Django set up, migrated, with the built-in playbooks published."""
    from django.conf import settings
    from django.core import mail

    from hireproof.accounts.models import Role, User
    from hireproof.hiring.actions.candidates import NewCandidate, do_import_candidates
    from hireproof.hiring.actions.invitations import do_invite_candidate
    from hireproof.hiring.actions.openings import do_create_opening
    from hireproof.hiring.emails import send_candidate_email
    from hireproof.hiring.models.accommodation import NO_ACCOMMODATION
    from hireproof.hiring.models.openings import DEFAULT_EMAIL_BODY, DEFAULT_EMAIL_SUBJECT
    from hireproof.hiring.models.playbooks import PlaybookVersion
    from hireproof.platform.models import OutboxEmail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    recruiter = User.objects.create_user(
        "bench-recruiter@example.org", None, full_name="Bench Recruiter", role=Role.RECRUITER
    )
    opening = do_create_opening(
        actor=recruiter,
        title=title,
        playbook_version=PlaybookVersion.objects.get(playbook_id="data-scientist-mid"),
        invitation_days=7,
        email_subject=DEFAULT_EMAIL_SUBJECT,
        email_body=DEFAULT_EMAIL_BODY,
    )
    tokens: list[str] = []
    for first in range(0, count, batch):
        people = [
            NewCandidate(f"Candidate {n}", f"candidate{n}@example.org")
            for n in range(first, min(count, first + batch))
        ]
        for candidate in do_import_candidates(actor=recruiter, opening=opening, candidates=people):
            do_invite_candidate(
                actor=recruiter,
                candidate=candidate,
                accommodation=NO_ACCOMMODATION,
                base_url="http://bench.invalid",
            )
        waiting = OutboxEmail.objects.filter(sent_at__isnull=True, cancelled_at__isnull=True)
        for outbox_id in waiting.order_by("pk").values_list("pk", flat=True):
            send_candidate_email(outbox_id)
        tokens += [_token_in(str(message.body)) for message in mail.outbox]
        mail.outbox = []
    if len(tokens) != count:
        raise SystemExit(f"{count} candidates invited, but {len(tokens)} invitation links read")
    return tokens


def _token_in(email_body: str) -> str:
    """The token of the personal link ``.../a/<token>/`` in an invitation email."""
    found = re.search(r"/a/([^/\s]+)/", email_body)
    if found is None:
        raise SystemExit("an invitation email holds no link of the form /a/<token>/")
    return found.group(1)


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
    said: list[str] = []
    for line in server.stdout:
        found = re.search(r"serving at http://[^:]+:(\d+)/", line)
        if found:
            _drain(server)
            return server, int(found.group(1))
        said.append(line)
        if time.monotonic() > deadline:
            break
    stop_server(server)
    sys.stdout.write("".join(said[-40:]))
    raise SystemExit("hireproof serve did not start; its output is above")


def _drain(server: subprocess.Popen[str]) -> None:
    """Keep reading the server's output so a full pipe never blocks it."""

    def read() -> None:
        assert server.stdout is not None
        for _ in server.stdout:
            pass

    threading.Thread(target=read, daemon=True).start()


def stop_server(server: subprocess.Popen[str]) -> None:
    """SIGTERM the server we started (by its PID) and wait for it to stop."""
    if server.poll() is None:
        os.kill(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(server.pid, signal.SIGKILL)
            server.wait()


# --- the load ---------------------------------------------------------------------------------


@dataclass
class Timings:
    """Latencies (seconds) of one kind of request, and what went wrong."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, problem: str | None) -> None:
        with self.lock:
            if problem is None:
                self.latencies.append(seconds)
            else:
                self.errors[problem] = self.errors.get(problem, 0) + 1


class SimulatedCandidate:
    """One candidate's browser: the CSRF cookie and token, a new connection per request.

    Not keep-alive: waitress serves at most ``connection_limit`` (100) open connections, so
    200 idle keep-alive connections would queue new ones; see the report printed at the end.
    """

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.token = token
        self.cookie = ""
        self.csrf = ""
        self.saves = 0

    def open_questions(self) -> None:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        connection.request("GET", f"/a/{self.token}/questions/")
        response = connection.getresponse()
        page = response.read().decode()
        connection.close()
        if response.status != 200:
            raise RuntimeError(f"the questions page answered {response.status}")
        cookie = SimpleCookie(response.getheader("Set-Cookie") or "")
        self.cookie = f"csrftoken={cookie['csrftoken'].value}"
        self.csrf = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)  # type: ignore[union-attr]

    def save(self) -> tuple[float, str | None]:
        self.saves += 1
        item = TYPED_ITEMS[self.saves % len(TYPED_ITEMS)]
        text = f"draft {self.saves}: the outlier is 141, nobody is that old " * 2
        body = f"answer-{item}={text.replace(' ', '+')}"
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": self.cookie,
            "X-CSRFToken": self.csrf,
            "HX-Request": "true",
        }
        return self._timed("POST", f"/a/{self.token}/answers/{item}/", body, headers)

    def health(self) -> tuple[float, str | None]:
        return self._timed("GET", "/healthz", None, {})

    def _timed(
        self, method: str, url: str, body: str | None, headers: dict[str, str]
    ) -> tuple[float, str | None]:
        began = time.perf_counter()
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            connection.request(method, url, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as error:
            return time.perf_counter() - began, type(error).__name__
        finally:
            connection.close()
        elapsed = time.perf_counter() - began
        return elapsed, None if response.status == 200 else f"HTTP {response.status}"


def run_load(port: int, tokens: list[str], seconds: float, every: float) -> tuple[Timings, Timings]:
    """Every candidate at once, each saving every ``every`` seconds for ``seconds``."""
    candidates = [SimulatedCandidate(port, token) for token in tokens]
    for candidate in candidates:
        candidate.open_questions()
    saves, health = Timings(), Timings()
    start = time.monotonic() + 1.0
    stop = start + seconds

    def run(number: int, candidate: SimulatedCandidate) -> None:
        # Spread the candidates evenly over one period, as real typists would be.
        next_save = start + every * number / len(candidates)
        while next_save < stop:
            _sleep_until(next_save)
            saves.add(*candidate.save())
            _sleep_until(next_save + every / 2)
            health.add(*candidate.health())
            next_save += every

    threads = [
        threading.Thread(target=run, args=(n, c), daemon=True) for n, c in enumerate(candidates)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return saves, health


def _sleep_until(moment: float) -> None:
    delay = moment - time.monotonic()
    if delay > 0:
        time.sleep(delay)


# --- the figures ------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))
    return ordered[rank]


def report(args: argparse.Namespace, saves: Timings, health: Timings) -> None:
    """Print the figures for both kinds of request, side by side."""
    print(
        f"\n{args.candidates} candidates, one save every {args.every:g} s each, for "
        f"{args.seconds:g} s; server threads: {args.threads}; SQLite"
    )
    print(f"{'request':<22}{'count':>7}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  errors")
    for name, timings in (("autosave (POST)", saves), ("/healthz (GET)", health)):
        values = timings.latencies
        if not values:
            print(f"{name:<22}{0:>7}  no successful request; errors: {timings.errors}")
            continue
        line = f"{name:<22}{len(values):>7}{len(values) / args.seconds:>9.1f}"
        for fraction in (0.50, 0.95, 0.99):
            line += f"{percentile(values, fraction) * 1000:>9.1f}"
        print(line + f"  {timings.errors or 'none'}")
    if saves.latencies:
        p95 = percentile(saves.latencies, 0.95) * 1000
        verdict = "meets" if p95 < 100 else "misses"
        print(f"autosave p95 {p95:.1f} ms {verdict} the 100 ms target")
        print(f"autosave mean {statistics.mean(saves.latencies) * 1000:.1f} ms")


if __name__ == "__main__":
    sys.exit(main())
