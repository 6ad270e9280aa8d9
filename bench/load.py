"""A campus day: simulated candidates autosaving against the deployment of docs/deploy.md.

    .venv/bin/python bench/load.py [--steps 200,500,1000,1500,2000] [--seconds 60]
        [--processes 2] [--threads 8] [--clients 2] [--sqlite] [--proxy] [--kill]
        [--serve-arg=--opt ...]

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

With ``--kill``, halfway through the timed part of the first step, a recruiter asks for the
hiring-file PDFs of a few candidates (work for the worker), and once the worker has taken some,
one of the serving processes ``hireproof serve --processes N`` started and the worker (with the
processes of its cluster: its process group) are killed with SIGKILL, by their PIDs. serve starts
another serving process in place of its own; the bench starts a new worker after a pause, as an
operator's supervisor would. The server and worker run with a short task lease
(``HIREPROOF_TASK_LEASE_SECONDS=20``, timeout 15), so the tasks the killed worker held are
delivered again within the run. After the last step it checks, one line each: no acknowledged
save lost; the queue drained (nothing waiting or held, every PDF asked for prepared, no task
failed for good); and ``hireproof audit export`` then ``hireproof audit verify --vkey`` on the
run's data pass (every checkpoint signed, no gap or fork). It ends with one line,

    kill -9: serving process P and worker W killed at S s; restarted; lost 0; tasks drained
    (n run, 0 failed); audit verify OK (N leaves)

and exits 1 if a check failed. The kill's step counts its refused saves (those in flight in the
killed process) like any other step.

Traffic goes to 127.0.0.1 only; every step ends after ``--seconds`` (a request waits at most
``--timeout``), and the ramp stops after a step that refused more than a tenth of its saves.
Everything it started is stopped by PID, and its folders removed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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

from autosave import invited_links

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
# --kill: the lease and timeout of the run's tasks (the defaults would outlast a short run), the
# PDFs a recruiter asks for just before the kill, how long the kill waits for the worker to take
# one, the pause before the new worker starts, and the longest wait for the queue to drain.
KILL_TASK_ENV = {"HIREPROOF_TASK_LEASE_SECONDS": "20", "HIREPROOF_TASK_TIMEOUT_SECONDS": "15"}
KILL_PDFS = 8
KILL_TAKEN_WAIT_SECONDS = 10.0
WORKER_RESTART_PAUSE_SECONDS = 5.0
DRAIN_SECONDS = 240.0


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
    if args.kill and args.command:
        raise SystemExit("--kill kills processes of `hireproof serve --processes`, not --command")
    scratch = Path(tempfile.mkdtemp(prefix="hireproof-load-"))
    passed = True
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, scratch, True)
        database_url = "" if args.sqlite else os.environ.get("DATABASE_URL", "")
        database_pids: list[int] = []
        if not args.sqlite and not database_url:
            database_url, postmaster = stack.enter_context(throwaway_postgres(scratch / "pg"))
            database_pids.append(postmaster)
        env = environment(scratch / "data", database_url)
        if args.kill:
            env.update(KILL_TASK_ENV)
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
        results: list[StepResult] = []
        killed: Killed | None = None
        for count in steps:
            result = run_step(args, deployment, tokens[:count], kill=args.kill and not results)
            killed = killed or result.killed
            result.lost = count_lost(result)
            results.append(result)
            print(result.line(), flush=True)
            if result.refused > STOP_REFUSED_SHARE * max(1, result.sent):
                print("stopping the ramp: more than a tenth of the saves were refused", flush=True)
                break
        report(args, results)
        if killed is not None:
            passed = check_after_kill(deployment, killed, results, scratch)
    return 0 if passed else 1


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
        "--kill",
        action="store_true",
        help="kill -9 a serving process and the worker halfway through the first step's timed "
        "part, then check that no save was lost, the tasks ran and the audit log verifies",
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
    # As the recipe has it, tasks run on the worker (HIREPROOF_TASKS_SYNC would run them inside
    # the app's requests, and the worker would refuse to start).
    for name in (
        "DATABASE_URL",
        "HIREPROOF_AUDIT_SIGNING_KEY",
        "HIREPROOF_KEK",
        "HIREPROOF_TASKS_SYNC",
    ):
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
    from django.core.management import call_command
    from django.db import connections

    from hireproof.hiring.actions.playbooks import load_builtin_playbooks

    call_command("migrate", interactive=False, verbosity=0)
    load_builtin_playbooks()
    tokens = invited_links(count, title="Graduate programme (campus day)")
    connections.close_all()
    return tokens


# --- the deployment ---------------------------------------------------------------------------


@dataclass
class Deployment:
    """The port the candidates use, and the processes whose CPU time each step reads."""

    port: int
    app_pids: list[int]
    proxy_pids: list[int] = field(default_factory=list)
    database_pids: list[int] = field(default_factory=list)
    server_pid: int = 0
    server_env: dict[str, str] = field(default_factory=dict)
    # The workers the bench started (the last one runs; --kill starts one in place of another).
    workers: list[subprocess.Popen[str]] = field(default_factory=list)


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
        if args.kill and args.sqlite:
            command += ["--no-worker"]  # the bench's worker is the one, and the one it kills
    with ExitStack() as stack:
        server = stack.enter_context(process(command, server_env, "hireproof serve"))
        port = _announced_port(server)
        print(f"{' '.join(command[1:])} (pid {server.pid}) on {HOST}:{port}", flush=True)
        deployment = Deployment(port, [server.pid], server_pid=server.pid, server_env=server_env)
        if args.kill and not serving_processes(server.pid):
            raise SystemExit(
                "--kill needs serving processes started by serve: --processes 2 or more"
            )
        stack.callback(_stop_workers, deployment)
        if "worker" in _subcommands(server_env):
            worker = start_worker(deployment)
            print(f"hireproof worker (pid {worker.pid})", flush=True)
        if args.proxy:
            proxy, deployment.port = stack.enter_context(nginx(scratch / "nginx", port))
            deployment.proxy_pids.append(proxy.pid)
            print(f"nginx in front on {HOST}:{deployment.port}", flush=True)
        yield deployment


def start_worker(deployment: Deployment) -> subprocess.Popen[str]:
    """Start ``hireproof worker`` in a process group of its own (it and its cluster's
    processes, which ``--kill`` kills together), counted with the app's processes."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "hireproof", "worker"],
        env=deployment.server_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    _drain(worker)
    deployment.workers.append(worker)
    deployment.app_pids.append(worker.pid)
    return worker


def _stop_workers(deployment: Deployment) -> None:
    for worker in deployment.workers:
        stop(worker)
        # What is left of its group (a killed worker's cluster), named by its PID.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(worker.pid, signal.SIGKILL)


def serving_processes(server_pid: int) -> set[int]:
    """The serving processes ``hireproof serve --processes`` started: its children that serve
    on the socket it passed them (not the worker it may have started)."""
    found = set()
    for task in Path(f"/proc/{server_pid}/task").glob("*"):
        try:
            children = [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            try:
                arguments = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if any(argument.startswith(b"--listen-fd") for argument in arguments):
                found.add(child)
    return found


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
    killed: Killed | None = None  # --kill: what was killed during this step

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


def run_step(
    args: argparse.Namespace, deployment: Deployment, tokens: list[str], *, kill: bool = False
) -> StepResult:
    """Run every candidate of the step at once from ``--clients`` processes, and the probe;
    with ``kill``, kill a serving process and the worker halfway through the timed part."""
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
        killed = None
        if kill:
            timed_from = start_at + args.arrive
            killed = kill_and_restart(deployment, timed_from + args.seconds / 2, timed_from)
            killed.step = len(tokens)
        time.sleep(max(0.0, start_at + args.arrive + args.seconds - time.time()))
        used = [cpu_seconds(pids) - began for pids, began in zip(groups, before, strict=True)]
        longest = (args.arrive + args.seconds) * 3 + args.timeout * 4 + 120
        parts = [load.get(timeout=longest) for load in loads]
        health = probe.get(timeout=longest)
    result = StepResult(candidates=len(tokens), seconds=args.seconds, killed=killed)
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


# --- kill -9 -------------------------------------------------------------------------------------


@dataclass
class Killed:
    """What ``--kill`` killed, and what took its place."""

    serving_pid: int
    serving_count: int
    worker_pid: int
    held: int  # tasks the worker had taken when it was killed
    at: float  # wall clock of the kill
    seconds_in: float  # into the step's timed part
    pdf_candidates: list[int]
    step: int = 0
    replacement_pid: int = 0
    replaced_after: float = math.nan
    new_worker_pid: int = 0
    new_worker_seen_after: float = math.nan

    @property
    def restarted(self) -> bool:
        return bool(self.replacement_pid and self.new_worker_pid)


def kill_and_restart(deployment: Deployment, at: float, timed_from: float) -> Killed:
    """At ``at``: ask for a few hiring-file PDFs, wait until the worker has taken one, then kill
    one serving process and the worker (its process group) with SIGKILL, by their PIDs. Then
    wait for serve to start a serving process in the dead one's place, and start a new worker
    after ``WORKER_RESTART_PAUSE_SECONDS``, as an operator's supervisor would."""
    from django.db import connections

    from hireproof.hiring.models.candidates import Candidate
    from hireproof.hiring.pdf import request_pdf
    from hireproof.platform.models import Worker
    from hireproof.platform.tasks import overview

    _sleep_until_wall(at)
    # A recruiter prepares the hiring files of the first candidates: the page's own request.
    candidates = list(Candidate.objects.order_by("pk")[:KILL_PDFS])
    for candidate in candidates:
        request_pdf(candidate)
    taken_by = time.monotonic() + KILL_TAKEN_WAIT_SECONDS
    while overview().taken == 0 and time.monotonic() < taken_by:
        time.sleep(0.05)
    held = overview().taken
    serving = serving_processes(deployment.server_pid)
    victim = min(serving)
    worker = deployment.workers[-1]
    os.kill(victim, signal.SIGKILL)
    os.killpg(worker.pid, signal.SIGKILL)  # the worker and its cluster's processes
    killed_at = time.time()
    worker.wait()
    deployment.app_pids.remove(worker.pid)
    killed = Killed(
        serving_pid=victim,
        serving_count=len(serving),
        worker_pid=worker.pid,
        held=held,
        at=killed_at,
        seconds_in=killed_at - timed_from,
        pdf_candidates=[candidate.pk for candidate in candidates],
    )
    print(
        f"kill -9: serving process {victim} (of {len(serving)}) and worker {worker.pid} (its"
        f" cluster too, holding {held} task{'' if held == 1 else 's'}) at"
        f" {killed.seconds_in:.0f} s of the timed part",
        flush=True,
    )
    while time.time() < killed_at + WORKER_RESTART_PAUSE_SECONDS + 60:
        now = serving_processes(deployment.server_pid)
        if not killed.replacement_pid and victim not in now and len(now) == len(serving):
            killed.replacement_pid = max(now - serving)
            killed.replaced_after = time.time() - killed_at
        if not killed.new_worker_pid and time.time() >= killed_at + WORKER_RESTART_PAUSE_SECONDS:
            killed.new_worker_pid = start_worker(deployment).pid
        if killed.new_worker_pid and Worker.objects.filter(pid=killed.new_worker_pid).exists():
            killed.new_worker_seen_after = time.time() - killed_at
            if killed.replacement_pid:
                break
        time.sleep(0.1)
    connections.close_all()
    print(
        f"kill -9: serve started serving process {killed.replacement_pid or 'none'} in its place"
        f" after {killed.replaced_after:.1f} s; a new worker {killed.new_worker_pid or 'none'}"
        f" ran {killed.new_worker_seen_after:.1f} s after the kill",
        flush=True,
    )
    return killed


def _sleep_until_wall(moment: float) -> None:
    time.sleep(max(0.0, moment - time.time()))


def check_after_kill(
    deployment: Deployment, killed: Killed, results: list[StepResult], scratch: Path
) -> bool:
    """The checks of ``--kill``, a line each, then the summary line; whether all passed."""
    from django.db import connections

    lost = sum(result.lost for result in results)
    acknowledged = sum(result.answered for result in results)
    saves_ok = lost == 0
    print(
        f"\nkill -9 check, saves: {'OK' if saves_ok else 'FAILED'}: {lost} of {acknowledged:,}"
        " acknowledged saves lost"
    )
    restarted = killed.restarted
    print(
        f"kill -9 check, restarts: {'OK' if restarted else 'FAILED'}: serving process"
        f" {killed.replacement_pid or 'none'} in place of {killed.serving_pid}"
        f" ({killed.replaced_after:.1f} s), worker {killed.new_worker_pid or 'none'} in place of"
        f" {killed.worker_pid} (running {killed.new_worker_seen_after:.1f} s after the kill)"
    )
    drained = _drain_queue(killed)
    connections.close_all()
    tasks_ok = drained.ok
    print(f"kill -9 check, tasks: {'OK' if tasks_ok else 'FAILED'}: {drained.summary}")
    audit_ok, leaves, audit_summary = _verify_audit(deployment, scratch)
    print(f"kill -9 check, audit: {'OK' if audit_ok else 'FAILED'}: {audit_summary}")
    passed = saves_ok and restarted and tasks_ok and audit_ok
    print(
        f"kill -9: serving process {killed.serving_pid} and worker {killed.worker_pid} killed at"
        f" {killed.seconds_in:.0f} s; {'restarted' if restarted else 'NOT restarted'};"
        f" lost {lost};"
        f" tasks {'drained' if tasks_ok else 'NOT drained'} ({drained.run} run,"
        f" {drained.failed} failed);"
        f" audit verify {'OK' if audit_ok else 'FAILED'} ({leaves:,} leaves)"
        + ("" if passed else "; FAILED")
    )
    return passed


@dataclass
class Drained:
    ok: bool
    run: int
    failed: int
    summary: str


def _drain_queue(killed: Killed) -> Drained:
    """Wait until no task waits or is held, no retry is pending, and every PDF asked for is
    prepared (or ``DRAIN_SECONDS`` passed); what then stands."""
    from datetime import UTC, datetime

    from django_q.models import Task

    from hireproof.hiring.pdf import pdf_key
    from hireproof.platform.files import stored_file
    from hireproof.platform.tasks import overview

    began = time.monotonic()
    while True:
        state = overview()
        files = [stored_file(pdf_key(pk)) for pk in killed.pdf_candidates]
        ready = [file for file in files if file is not None and file.ready]
        busy = state.waiting or state.taken or state.retrying
        if not busy and len(ready) == len(files):
            break
        if time.monotonic() - began > DRAIN_SECONDS:
            break
        time.sleep(1.0)
    waited = time.monotonic() - began
    kill_moment = datetime.fromtimestamp(killed.at, UTC)
    run = Task.objects.filter(stopped__gte=kill_moment).count()
    failed = len(state.failed_for_good)
    last = max((file.prepared_at for file in ready if file.prepared_at), default=None)
    last_after = (last - kill_moment).total_seconds() if last else math.nan
    ok = not busy and len(ready) == len(files) and failed == 0
    summary = (
        f"after {waited:.0f} s, {state.waiting} waiting, {state.taken} held,"
        f" {len(state.retrying)} retrying, {failed} failed for good;"
        f" {len(ready)} of {len(files)} PDFs prepared ({killed.held} taken by the killed worker;"
        f" the last prepared {last_after:.0f} s after the kill); {run} tasks run since the kill"
    )
    for problem in state.problems:
        summary += f"\n  {problem.label}: {problem.error}"
    return Drained(ok=ok, run=run, failed=failed, summary=summary)


def _verify_audit(deployment: Deployment, scratch: Path) -> tuple[bool, int, str]:
    """``hireproof audit export`` of the run's log, then ``hireproof audit verify --vkey``."""
    bundle = scratch / "audit.bundle"

    def hireproof(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hireproof", *arguments],
            env=deployment.server_env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    vkey = hireproof("audit", "vkey")
    exported = hireproof("audit", "export", "--out", str(bundle))
    if vkey.returncode != 0 or exported.returncode != 0:
        said = (vkey.stderr + exported.stdout + exported.stderr).strip()[-2000:]
        return False, 0, f"export failed (exit {exported.returncode}): {said}"
    verified = hireproof("audit", "verify", str(bundle), "--vkey", vkey.stdout.strip())
    found = re.search(r"bundle: (\d+) leaves", verified.stdout)
    leaves = int(found.group(1)) if found else 0
    checkpoints = re.search(r"checkpoints: (\d+) of (\d+) verified", verified.stdout)
    if verified.returncode != 0:
        said = (verified.stdout + verified.stderr).strip()[-2000:]
        return False, leaves, f"verify exited {verified.returncode}:\n{said}"
    signed = f", {checkpoints.group(1)} checkpoints" if checkpoints else ""
    return True, leaves, f"export, then verify --vkey: OK ({leaves:,} leaves{signed})"


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
