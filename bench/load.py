"""A campus day: simulated candidates autosaving against the deployment of docs/deploy.md.

    .venv/bin/python bench/load.py [--steps 200,500,1000,1500,2000] [--seconds 60]
        [--processes 2] [--threads 8] [--clients 2] [--sqlite] [--proxy] [--serve-arg=--opt ...]

It follows the recipe of docs/deploy.md on this machine, minus TLS: a PostgreSQL server (a
throwaway one in a temporary folder, or the one ``DATABASE_URL`` names), ``hireproof serve
--processes N`` on 127.0.0.1, and, with ``--proxy``, nginx in front of it with the recipe's
configuration. ``--sqlite`` runs the same against the single-machine default (SQLite in the
data folder) with its recommended settings.

Candidates are set up first through the actions, as many as the largest step (one opening,
``do_import_candidates`` in batches, ``do_invite_candidate`` for each: real invitation tokens,
read from the emails). Then, for each step of the ramp, that many candidates run at once from
``--clients`` separate processes, each process running its candidates as asyncio tasks on
aiohttp, one keep-alive connection and one cookie jar per candidate, as browsers do. Each
candidate opens its link and presses Start (the form's CSRF token and cookie, as a browser
sends them), or, having started in an earlier step, comes back to the questions through the
link; then types: every ``--every`` seconds it saves the answer it is typing (the htmx autosave
request, with a text that grew since the last save), moving to the next question every
``--switch-every`` saves. A separate process asks ``/healthz`` ten times a second meanwhile.

For each step it prints saves sent, answered (2xx), refused (any other status, a connection
refused or reset, a timeout), lost (a save the server acknowledged whose text is not in the
database at the end, read back through the access funnel and ``saved_answers``), the autosave
p50/p95/p99 and the ``/healthz`` p50/p95 under the same load, their ratio, and the load average.
It then names the first step where the autosave p95 passed 100 ms or a save was refused, and
ends with the largest step that met the target:

    held: N candidates, autosave p95 X ms, healthz p95 Y ms, refused 0, lost 0

Traffic goes to 127.0.0.1 only; every step ends after ``--seconds`` (a request waits at most
``--timeout``), and the ramp stops after a step that refused more than a tenth of its saves.
Everything it started is stopped by PID, and its folders removed.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
SERVE_TIMEOUT_SECONDS = 180
TARGET_P95_MS = 100.0
# The questions of the built-in playbook the simulated candidates type into, in turn (the
# server takes any text in a number's box; it is the scoring that reads it as a number).
TYPED_ITEMS = ("outlier-ages", "cognitive-growth", "pandas-filter-sum")
ANSWER = (
    "the ages column holds 141 which no person reaches so I would check how the data was "
    "entered before removing it and I would ask who owns the source and compare the rows "
    "with the records they came from then decide with them what the right value is"
)
WORDS = ANSWER.split()
HEALTH_EVERY_SECONDS = 0.1
# The built-in playbook's time limit: every step's candidates must still be within it.
ATTEMPT_MINUTES = 30
STOP_REFUSED_SHARE = 0.1


def main() -> int:
    args = parse_arguments()
    steps = args.steps
    os.umask(0o077)  # the data folder and the database file are the server's alone
    longest = len(steps) * (args.arrive + args.seconds + 15)
    if longest > ATTEMPT_MINUTES * 60 - 120:
        raise SystemExit(
            f"{len(steps)} steps of {args.arrive + args.seconds:g} s would outlast the "
            f"assessment's {ATTEMPT_MINUTES} minutes, which the first candidates started in the "
            "first step: fewer steps or shorter ones"
        )
    scratch = Path(tempfile.mkdtemp(prefix="hireproof-load-"))
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, scratch, True)
        database_url = "" if args.sqlite else os.environ.get("DATABASE_URL", "")
        database_pids: list[int] = []
        if not args.sqlite and not database_url:
            database_url, postmaster = stack.enter_context(throwaway_postgres(scratch / "pg"))
            database_pids.append(postmaster)
        env = environment(scratch / "data", database_url)
        os.environ.update(env)
        total = max(steps)
        began = time.perf_counter()
        tokens = set_up_candidates(total)
        print(
            f"set up {total:,} invited candidates in {time.perf_counter() - began:.1f} s",
            flush=True,
        )
        deployment = stack.enter_context(serving(args, env, scratch))
        deployment.database_pids = database_pids
        results = []
        for count in steps:
            result = run_step(args, deployment, tokens[:count])
            result.lost = count_lost(result)
            results.append(result)
            print(result.line(), flush=True)
            if result.refused > STOP_REFUSED_SHARE * max(1, result.sent):
                print("stopping the ramp: more than a tenth of the saves were refused", flush=True)
                break
        report(args, results)
    return 0


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--steps",
        type=_counts,
        default=[200, 500, 1000, 1500, 2000],
        help="candidates at once, step by step (default: 200,500,1000,1500,2000)",
    )
    parser.add_argument(
        "--arrive",
        type=float,
        default=60.0,
        help="seconds over which a step's candidates open their links and press Start, each "
        "saving from then on (the saves of this arrival are checked, not timed)",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=60.0,
        help="seconds every candidate of the step saves at once, after the arrival (timed)",
    )
    parser.add_argument("--every", type=float, default=5.0, help="seconds between saves")
    parser.add_argument(
        "--switch-every",
        type=int,
        default=6,
        help="saves into one question before moving to the next (1: a new question each save)",
    )
    parser.add_argument("--clients", type=int, default=2, help="load-generating processes")
    parser.add_argument("--timeout", type=float, default=30.0, help="longest wait for an answer")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--processes", type=int, default=None, help="hireproof serve --processes")
    parser.add_argument("--threads", type=int, default=None, help="hireproof serve --threads")
    parser.add_argument(
        "--proxy", action="store_true", help="put nginx in front, as docs/deploy.md does"
    )
    parser.add_argument(
        "--serve-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="one more argument for hireproof serve (repeat; write --serve-arg=--opt)",
    )
    parser.add_argument(
        "--command",
        default="",
        help="another command in place of `python -m hireproof serve` (to compare servers); "
        "it must print `serving at http://HOST:PORT/`",
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="one more environment variable for the server processes (repeat)",
    )
    return parser.parse_args()


def _counts(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: whole numbers separated by commas") from None
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: at least one step, each of 1 or more")
    return counts


def environment(data_dir: Path, database_url: str) -> dict[str, str]:
    """The settings every process of the run shares (the server's, and this one's)."""
    for name in ("DATABASE_URL", "HIREPROOF_AUDIT_SIGNING_KEY", "HIREPROOF_KEK"):
        os.environ.pop(name, None)
    secrets = data_dir.parent / "secrets"
    secrets.mkdir(mode=0o700)
    env = {
        "HIREPROOF_DATA_DIR": str(data_dir),
        # As the recipe has it: the key-encryption key on another volume than the data.
        "HIREPROOF_KEK": str(secrets / "kek.key"),
        "DJANGO_SETTINGS_MODULE": "hireproof.settings",
        "HIREPROOF_ADMIN_EMAIL": "bench-admin@example.org",
        "LOG_LEVEL": "WARNING",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


# --- PostgreSQL -------------------------------------------------------------------------------


@contextmanager
def throwaway_postgres(folder: Path) -> Iterator[tuple[str, int]]:
    """A PostgreSQL server of its own in ``folder`` (as scripts/with-postgres starts one, but
    with its default durability: fsync on); its URL and PID. Stopped and removed afterwards."""
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not bins:
        raise SystemExit("PostgreSQL is not installed: scripts/install-debian-packages postgresql")
    bindir = bins[-1]
    folder.mkdir(mode=0o700)
    as_owner: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(folder, "postgres")
        shutil.chown(folder.parent, "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = folder / "data"
    subprocess.run(
        [
            *as_owner,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "hireproof",
            "--auth=trust",
            "-E",
            "UTF8",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    options = f"-p {port} -k {folder} -c listen_addresses={HOST} -c max_connections=200"
    subprocess.run(
        [
            *as_owner,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(folder / "log"),
            "-w",
            "-o",
            options,
            "start",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        [
            *as_owner,
            str(bindir / "createdb"),
            "-h",
            HOST,
            "-p",
            str(port),
            "-U",
            "hireproof",
            "hireproof",
        ],
        check=True,
    )
    try:
        print(f"PostgreSQL ({bindir.parent.name}) on port {port}", flush=True)
        postmaster = int((data / "postmaster.pid").read_text().split()[0])
        yield f"postgres://hireproof@{HOST}:{port}/hireproof", postmaster
    finally:
        subprocess.run(
            [*as_owner, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
            check=False,
            stdout=subprocess.DEVNULL,
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


# --- setting up -------------------------------------------------------------------------------


def set_up_candidates(count: int) -> list[str]:
    """Migrate, publish the built-ins, then add and invite ``count`` candidates through the
    actions; their link tokens, read from the invitation emails."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core import mail
    from django.core.management import call_command
    from django.db import connections

    from hireproof.accounts.models import User
    from hireproof.accounts.roles import Role
    from hireproof.hiring.actions.candidates import NewCandidate, do_import_candidates
    from hireproof.hiring.actions.invitations import do_invite_candidate
    from hireproof.hiring.actions.openings import do_create_opening
    from hireproof.hiring.actions.playbooks import load_builtin_playbooks
    from hireproof.hiring.models.accommodation import NO_ACCOMMODATION
    from hireproof.hiring.models.openings import DEFAULT_EMAIL_BODY, DEFAULT_EMAIL_SUBJECT
    from hireproof.hiring.models.playbooks import PlaybookVersion

    call_command("migrate", interactive=False, verbosity=0)
    load_builtin_playbooks()
    # The invitation emails stay in memory: the links in them are the candidates' tokens.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    recruiter = User.objects.create_user(
        "bench-recruiter@example.org", None, full_name="Bench Recruiter", role=Role.RECRUITER
    )
    opening = do_create_opening(
        actor=recruiter,
        title="Graduate programme (campus day)",
        playbook_version=PlaybookVersion.objects.get(playbook_id="data-scientist-mid"),
        invitation_days=7,
        email_subject=DEFAULT_EMAIL_SUBJECT,
        email_body=DEFAULT_EMAIL_BODY,
    )
    tokens: list[str] = []
    batch = 500
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
        tokens += [_token_in(str(message.body)) for message in mail.outbox]
        mail.outbox = []
    connections.close_all()
    return tokens


def _token_in(email_body: str) -> str:
    """The token of the personal link ``.../a/<token>/`` in an invitation email."""
    found = re.search(r"/a/([^/\s]+)/", email_body)
    if found is None:
        raise SystemExit("an invitation email holds no link of the form /a/<token>/")
    return found.group(1)


# --- the deployment ---------------------------------------------------------------------------


@dataclass
class Deployment:
    """The port the candidates use, and the processes whose CPU time each step reads."""

    port: int
    app_pids: list[int]
    proxy_pids: list[int] = field(default_factory=list)
    database_pids: list[int] = field(default_factory=list)


@contextmanager
def serving(args: argparse.Namespace, env: dict[str, str], scratch: Path) -> Iterator[Deployment]:
    """The recipe's processes, started and (by PID) stopped: ``hireproof serve``, the worker
    when the command has one, and nginx with ``--proxy``."""
    server_env = {**os.environ, **env}
    for pair in args.server_env:
        name, _, value = pair.partition("=")
        server_env[name] = value
    command = [sys.executable, "-m", "hireproof", "serve", "--host", HOST, "--port", "0"]
    if args.command:
        command = [sys.executable, *shlex.split(args.command)]
    elif args.processes is not None:
        command += ["--processes", str(args.processes)]
    if args.threads is not None and not args.command:
        command += ["--threads", str(args.threads)]
    if not args.command:
        command += args.serve_arg
        if args.proxy:
            command += ["--trusted-proxy", HOST]
    with ExitStack() as stack:
        server = stack.enter_context(process(command, server_env, "hireproof serve"))
        port = _announced_port(server)
        print(f"{' '.join(command[1:])} (pid {server.pid}) on {HOST}:{port}", flush=True)
        deployment = Deployment(port, [server.pid])
        if "worker" in _subcommands(server_env):
            worker_command = [sys.executable, "-m", "hireproof", "worker"]
            worker = stack.enter_context(process(worker_command, server_env, "hireproof worker"))
            _drain(worker)
            print(f"hireproof worker (pid {worker.pid})", flush=True)
            deployment.app_pids.append(worker.pid)
        if args.proxy:
            proxy, deployment.port = stack.enter_context(nginx(scratch / "nginx", port))
            deployment.proxy_pids.append(proxy.pid)
            print(f"nginx in front on {HOST}:{deployment.port}", flush=True)
        yield deployment


def _subcommands(env: dict[str, str]) -> str:
    found = subprocess.run(
        [sys.executable, "-m", "hireproof", "--help"], env=env, capture_output=True, text=True
    )
    return found.stdout


@contextmanager
def process(command: list[str], env: dict[str, str], name: str) -> Iterator[subprocess.Popen[str]]:
    started = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        yield started
    finally:
        stop(started)


def _announced_port(server: subprocess.Popen[str]) -> int:
    deadline = time.monotonic() + SERVE_TIMEOUT_SECONDS
    assert server.stdout is not None
    seen = []
    for line in server.stdout:
        seen.append(line)
        found = re.search(r"serving at http://[^:]+:(\d+)/", line)
        if found:
            _drain(server)
            return int(found.group(1))
        if time.monotonic() > deadline:
            break
    raise SystemExit("hireproof serve did not start:\n" + "".join(seen))


def _drain(child: subprocess.Popen[str]) -> None:
    """Keep reading a child's output (printing what is not routine), so its pipe never fills."""

    def read() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            if "WARNING" in line or "ERROR" in line or "Traceback" in line:
                print(f"  [{child.pid}] {line.rstrip()}", flush=True)

    threading.Thread(target=read, daemon=True).start()


def stop(child: subprocess.Popen[str]) -> None:
    """SIGTERM a process we started (by its PID), then SIGKILL if it lingers."""
    if child.poll() is None:
        os.kill(child.pid, signal.SIGTERM)
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()


NGINX_CONFIG = """\
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 8192; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
{site}
}}
"""


@contextmanager
def nginx(folder: Path, upstream_port: int) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """nginx on a free port in front of ``upstream_port``, with the recipe's site (no TLS)."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise SystemExit("--proxy needs nginx: apt-get install nginx-light")
    folder.mkdir()
    port = free_port()
    site = _recipe_site(upstream_port, port)
    (folder / "nginx.conf").write_text(NGINX_CONFIG.format(folder=folder, site=site))
    command = [binary, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"]
    with process(command, dict(os.environ), "nginx") as proxy:
        _drain(proxy)
        _wait_for_port(port)
        yield proxy, port


def _recipe_site(upstream_port: int, port: int) -> str:
    """The plain-HTTP twin of docs/deploy.md's nginx site: its upstream and its locations."""
    recipe = (ROOT / "docs" / "deploy.md").read_text()
    found = re.search(r"<!-- bench-site -->\n```nginx\n(.*?)```", recipe, re.DOTALL)
    if found is None:
        raise SystemExit("docs/deploy.md holds no nginx site marked <!-- bench-site -->")
    site = found.group(1)
    site = site.replace("127.0.0.1:8000", f"{HOST}:{upstream_port}")
    # Minus TLS: the server block listens on plain HTTP; the rest is the recipe's.
    site = re.sub(r"listen 443 ssl;", f"listen {HOST}:{port};", site)
    site = re.sub(r"\n\s*ssl_[^\n]*", "", site)
    site = re.sub(r"\n\s*http2 on;", "", site)
    return site


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on {HOST}:{port}")


# --- CPU time ----------------------------------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def process_tree(root: int) -> list[int]:
    """``root`` and every process under it."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                todo += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


def cpu_seconds(roots: Sequence[int]) -> float:
    """User and system CPU seconds used so far by the processes under ``roots``, with those of
    their children that ended (a step's figure is the difference of two readings)."""
    total = 0
    for root in roots:
        for pid in process_tree(root):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # utime, stime, and cutime, cstime: the children it waited for
            total += sum(int(number) for number in fields[11:15])
    return total / TICKS


# --- one step of the ramp ---------------------------------------------------------------------


@dataclass
class StepResult:
    """What one step measured."""

    candidates: int
    seconds: float
    sent: int = 0
    answered: int = 0
    refused: int = 0
    lost: int = 0
    started: int = 0
    problems: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    start_latencies: list[float] = field(default_factory=list)
    health: list[float] = field(default_factory=list)
    health_refused: int = 0
    # Per (token, item): the last save acknowledged, and every one sent after it.
    texts: dict[tuple[str, str], tuple[int, list[int]]] = field(default_factory=dict)
    load: float = 0.0
    # CPU seconds over the timed window: the app's processes, the database's, the proxy's.
    app_cpu: float = 0.0
    database_cpu: float = 0.0
    proxy_cpu: float = 0.0
    load_cpu: float = 0.0

    def cpu_per_save(self, seconds: float) -> float:
        timed = len(self.latencies)
        return seconds * 1000 / timed if timed else math.nan

    def p(self, fraction: float, values: list[float] | None = None) -> float:
        return percentile(self.latencies if values is None else values, fraction) * 1000

    def line(self) -> str:
        ratio = self.p(0.95) / self.p(0.95, self.health) if self.health else math.nan
        problems = ", ".join(f"{k} {v}" for k, v in sorted(self.problems.items())) or "-"
        return (
            f"{self.candidates:>6}{self.sent:>8}{self.answered:>9}{self.refused:>8}"
            f"{self.lost:>6}{self.p(0.50):>8.1f}{self.p(0.95):>8.1f}{self.p(0.99):>8.1f}"
            f"{self.p(0.50, self.health):>9.1f}{self.p(0.95, self.health):>9.1f}{ratio:>7.1f}"
            f"{self.load:>6.1f}{self.cpu_per_save(self.app_cpu):>7.1f}"
            f"{self.cpu_per_save(self.database_cpu):>6.1f}"
            f"{self.cpu_per_save(self.proxy_cpu):>6.1f}{self.cpu_per_save(self.load_cpu):>6.1f}"
            f"  starts {self.started}/{self.candidates}"
            f" (p95 {self.p(0.95, self.start_latencies):.0f} ms); refused: {problems}"
        )

    @property
    def held(self) -> bool:
        return (
            self.answered > 0
            and self.refused == 0
            and self.lost == 0
            and self.started == self.candidates
            and self.p(0.95) < TARGET_P95_MS
        )


HEADER = (
    f"{'cands':>6}{'sent':>8}{'answered':>9}{'refused':>8}{'lost':>6}{'p50':>8}{'p95':>8}"
    f"{'p99':>8}{'hz p50':>9}{'hz p95':>9}{'ratio':>7}{'load':>6}{'app':>7}{'db':>6}"
    f"{'proxy':>6}{'gen':>6}"
)
LEGEND = (
    "(latencies in ms, of the saves after the arrival; ratio: autosave p95 / healthz p95; "
    "load: 1-minute load average; app, db, proxy, gen: CPU ms per timed save of the app's "
    "processes, the database's, nginx's and the load generator's, /healthz included)"
)


def run_step(args: argparse.Namespace, deployment: Deployment, tokens: list[str]) -> StepResult:
    """Run every candidate of the step at once from ``--clients`` processes, and the probe."""
    context = multiprocessing.get_context("spawn")
    start_at = time.time() + 3.0 + len(tokens) / 2000  # the processes' own start-up
    shares = [tokens[n :: args.clients] for n in range(args.clients)]
    plan = Plan(
        deployment.port,
        start_at,
        args.arrive,
        args.seconds,
        args.every,
        args.switch_every,
        args.timeout,
    )
    # The app's processes, the database's, the proxy's (the load processes count their own).
    groups = (deployment.app_pids, deployment.database_pids, deployment.proxy_pids)
    with context.Pool(args.clients + 1) as pool:
        probe = pool.apply_async(probe_health, (plan,))
        loads = [pool.apply_async(run_candidates, (plan, share)) for share in shares if share]
        time.sleep(max(0.0, start_at + args.arrive - time.time()))
        before = [cpu_seconds(pids) for pids in groups]
        time.sleep(max(0.0, start_at + args.arrive + args.seconds - time.time()))
        used = [cpu_seconds(pids) - began for pids, began in zip(groups, before, strict=True)]
        longest = (args.arrive + args.seconds) * 3 + args.timeout * 4 + 120
        parts = [load.get(timeout=longest) for load in loads]
        health = probe.get(timeout=longest)
    result = StepResult(candidates=len(tokens), seconds=args.seconds)
    result.app_cpu, result.database_cpu, result.proxy_cpu = used
    result.load_cpu = sum(part["cpu"] for part in parts) + health[2]
    for part in parts:
        result.sent += part["sent"]
        result.answered += part["answered"]
        result.refused += part["refused"]
        result.started += part["started"]
        result.latencies += part["latencies"]
        result.start_latencies += part["start_latencies"]
        for name, number in part["problems"].items():
            result.problems[name] = result.problems.get(name, 0) + number
        for key, value in part["texts"]:
            result.texts[tuple(key)] = value  # type: ignore[index]
    result.health, result.health_refused = health[0], health[1]
    result.load = os.getloadavg()[0]
    return result


@dataclass(frozen=True)
class Plan:
    """What every load process of a step is told."""

    port: int
    start_at: float  # wall clock (time.time()): the processes agree on it
    arrive: float
    seconds: float
    every: float
    switch_every: int
    timeout: float


def text_of(number: int, save: int) -> str:
    """What candidate ``number`` has typed by their ``save``-th save: it grows as they type
    (about 40 characters a save, up to a long answer's 1,000 or so)."""
    words = " ".join(WORDS[(number + n) % len(WORDS)] for n in range(min(save * 6, 160)))
    return f"draft {save}: {words}"


def save_of(text: str) -> int:
    found = re.match(r"draft (\d+):", text)
    return int(found.group(1)) if found else -1


def run_candidates(plan: Plan, tokens: list[str]) -> dict[str, Any]:
    """A load process: every candidate of ``tokens`` as an asyncio task."""
    return asyncio.run(_run_candidates(plan, tokens))


async def _run_candidates(plan: Plan, tokens: list[str]) -> dict[str, Any]:
    import aiohttp

    out: dict[str, Any] = {
        "sent": 0,
        "answered": 0,
        "refused": 0,
        "started": 0,
        "problems": {},
        "latencies": [],
        "start_latencies": [],
        "texts": [],
    }
    base = f"http://{HOST}:{plan.port}"
    timeout = aiohttp.ClientTimeout(total=plan.timeout)
    texts: dict[tuple[str, str], tuple[int, list[int]]] = {}

    def problem(name: str) -> None:
        out["problems"][name] = out["problems"].get(name, 0) + 1

    async def candidate(number: int, token: str) -> None:
        # A browser: its own connection (kept alive) and its own cookies.
        connector = aiohttp.TCPConnector(limit=1, keepalive_timeout=60)
        async with aiohttp.ClientSession(
            base, connector=connector, timeout=timeout, cookie_jar=aiohttp.CookieJar(unsafe=True)
        ) as session:
            period = plan.every
            arrival = plan.start_at + plan.arrive * number / max(1, len(tokens))
            await _sleep_until(arrival)
            began = time.perf_counter()
            try:
                csrf = await _start(session, token)
            except Exception as error:  # any failure to start is counted, never raised
                problem(f"start {_name(error)}")
                return
            out["started"] += 1
            out["start_latencies"].append(time.perf_counter() - began)
            timed_from = plan.start_at + plan.arrive
            stop_at = timed_from + plan.seconds
            next_save = arrival + period
            save = 0
            while next_save < stop_at:
                await _sleep_until(next_save)
                save += 1
                item = TYPED_ITEMS[((save - 1) // plan.switch_every) % len(TYPED_ITEMS)]
                text = text_of(number, save)
                key = (token, item)
                acked, after = texts.get(key, (-1, []))
                out["sent"] += 1
                timed = next_save >= timed_from
                began = time.perf_counter()
                try:
                    async with session.post(
                        f"/a/{token}/answers/{item}/",
                        data={f"answer-{item}": text},
                        headers={"X-CSRFToken": csrf, "HX-Request": "true"},
                    ) as response:
                        await response.read()
                        status = response.status
                except Exception as error:
                    out["refused"] += 1
                    problem(_name(error))
                    texts[key] = (acked, [*after, save])
                else:
                    if 200 <= status < 300:
                        out["answered"] += 1
                        if timed:
                            out["latencies"].append(time.perf_counter() - began)
                        texts[key] = (save, [])
                    else:
                        out["refused"] += 1
                        problem(f"HTTP {status}")
                        texts[key] = (acked, [*after, save])
                # The next save is due a period later; a slow answer delays it (htmx queues).
                next_save = max(next_save + period, time.time())

    cpu = asyncio.ensure_future(_cpu_over_window(plan))
    await asyncio.gather(*(candidate(n, token) for n, token in enumerate(tokens)))
    out["texts"] = [[list(key), value] for key, value in texts.items()]
    out["cpu"] = await cpu
    return out


async def _cpu_over_window(plan: Plan) -> float:
    """This process's CPU seconds over the step's timed window."""
    await _sleep_until(plan.start_at + plan.arrive)
    began = time.process_time()
    await _sleep_until(plan.start_at + plan.arrive + plan.seconds)
    return time.process_time() - began


async def _start(session: Any, token: str) -> str:
    """Open the link, press Start (the form's CSRF token), open the questions: the CSRF token
    the questions page gives htmx. A candidate who started in an earlier step comes back: the
    link takes them to the questions."""
    async with session.get(f"/a/{token}/") as response:
        page = await response.text()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
        resumed = response.url.path.endswith("/questions/")
    if resumed:
        found = re.search(r'"X-CSRFToken": "([^"]+)"', page)
        if found is None:
            raise RuntimeError("no token")
        return found.group(1)
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if found is None:
        raise RuntimeError("no form")
    async with session.post(
        f"/a/{token}/", data={"csrfmiddlewaretoken": found.group(1)}
    ) as response:
        page = await response.text()
        if response.status != 200 or not response.url.path.endswith("/questions/"):
            raise RuntimeError(f"HTTP {response.status}")
    found = re.search(r'"X-CSRFToken": "([^"]+)"', page)
    if found is None:
        raise RuntimeError("no token")
    return found.group(1)


def _name(error: BaseException) -> str:
    return type(error).__name__


async def _sleep_until(moment: float) -> None:
    delay = moment - time.time()
    if delay > 0:
        await asyncio.sleep(delay)


def probe_health(plan: Plan) -> tuple[list[float], int, float]:
    """The probe process: ``/healthz`` every tenth of a second over one kept-alive connection;
    the latencies, the requests refused, and its CPU seconds over the timed window."""
    return asyncio.run(_probe_health(plan))


async def _probe_health(plan: Plan) -> tuple[list[float], int, float]:
    import aiohttp

    latencies: list[float] = []
    refused = 0
    timeout = aiohttp.ClientTimeout(total=plan.timeout)
    cpu = asyncio.ensure_future(_cpu_over_window(plan))
    async with aiohttp.ClientSession(f"http://{HOST}:{plan.port}", timeout=timeout) as session:
        moment = plan.start_at + plan.arrive  # once every candidate has started
        while moment < plan.start_at + plan.arrive + plan.seconds:
            await _sleep_until(moment)
            began = time.perf_counter()
            try:
                async with session.get("/healthz") as response:
                    await response.read()
                    ok = response.status == 200
            except Exception:
                ok = False
            if ok:
                latencies.append(time.perf_counter() - began)
            else:
                refused += 1
            moment = max(moment + HEALTH_EVERY_SECONDS, time.time())
    return latencies, refused, await cpu


# --- what was kept ----------------------------------------------------------------------------


def count_lost(result: StepResult) -> int:
    """Acknowledged saves whose text the database does not hold: for each question a candidate
    typed into, the saved text must be the last acknowledged one or one sent after it."""
    from django.db import connections

    from hireproof.hiring.access import access_attempt_for_candidate
    from hireproof.hiring.models.attempts import saved_answers

    lost = 0
    by_token: dict[str, dict[str, tuple[int, list[int]]]] = {}
    for (token, item), value in result.texts.items():
        by_token.setdefault(token, {})[item] = value
    for token, items in by_token.items():
        answers = saved_answers(access_attempt_for_candidate(token))
        for item, (acked, after) in items.items():
            held = save_of(answers.get(item, ""))
            if acked >= 0 and held != acked and held not in after:
                lost += 1
    connections.close_all()
    return lost


# --- the figures ------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile (nearest rank) of ``values``; NaN for none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))
    return ordered[rank]


def report(args: argparse.Namespace, results: list[StepResult]) -> None:
    database = "SQLite" if args.sqlite else "PostgreSQL"
    serve = (
        " ".join(
            [
                f"--processes {args.processes}" if args.processes else "",
                f"--threads {args.threads}" if args.threads else "",
                *args.serve_arg,
            ]
        ).strip()
        or "(defaults)"
    )
    print(
        f"\n{database}; hireproof serve {serve}{'; behind nginx' if args.proxy else ''}; "
        f"a save every {args.every:g} s per candidate, {args.seconds:g} s per step, "
        f"{args.clients} load processes; {os.cpu_count()} cores"
    )
    print(HEADER)
    for result in results:
        print(result.line())
    print(LEGEND)
    # The fixed costs (the probe, the processes themselves) weigh least on the busiest step that
    # held; the machine's own share of the CPU least on one that held.
    quiet = max((r for r in results if r.held), key=lambda r: r.candidates, default=results[0])
    total = sum(
        quiet.cpu_per_save(cpu)
        for cpu in (quiet.app_cpu, quiet.database_cpu, quiet.proxy_cpu, quiet.load_cpu)
    )
    cores = os.cpu_count() or 1
    print(
        f"CPU per save at {quiet.candidates} candidates, every process included: {total:.1f} ms;"
        f" at that cost {cores} idle cores answer about {cores * 1000 / total:.0f} saves a "
        f"second, {cores * 1000 / total * args.every:.0f} candidates (an estimate: the table "
        "is the measurement)"
    )
    first = next((r for r in results if not r.held), None)
    if first is None:
        print(f"no step passed p95 {TARGET_P95_MS:g} ms or refused a save")
    else:
        why = (
            "refused a save"
            if first.refused
            else f"p95 passed {TARGET_P95_MS:g} ms"
            if first.p(0.95) >= TARGET_P95_MS
            else "lost a save"
            if first.lost
            else "a candidate could not start"
        )
        print(f"first failing step: {first.candidates} candidates ({why})")
    met = [r for r in results if r.held]
    if not met:
        print("held: 0 candidates (no step met p95 < 100 ms, refused 0, lost 0)")
        return
    best = max(met, key=lambda r: r.candidates)
    print(
        f"held: {best.candidates} candidates, autosave p95 {best.p(0.95):.0f} ms, healthz p95 "
        f"{best.p(0.95, best.health):.0f} ms, refused 0, lost 0"
    )


if __name__ == "__main__":
    sys.exit(main())
