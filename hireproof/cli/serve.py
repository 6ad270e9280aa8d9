"""``hireproof serve``: set up the data folder and serve the web app with waitress.

On every start: check the files (key files 0600 in 0700 folders, the data folder 0700, the
database file 0600, and the KEK outside the data folder in production), migrate the database,
collect static files, publish the built-in playbooks, install the periodic schedules, destroy
retired private keys a crashed rotation left behind, make sure there is an administrator
(printing a one-time link to choose a password; never a default password), start a worker for
the background tasks (on SQLite, unless ``--no-worker``; with ``DATABASE_URL``, only with
``--with-worker``: workers there are processes of their own), then serve. On exit the worker
it started is stopped, by its PID.

``--processes N`` serves from N processes: this one opens the listening socket, prepares the
site and starts the worker, then starts N ``hireproof serve`` processes that each run waitress
on that same socket (the kernel hands each new connection to one of them) and starts again any
that dies. One process cannot use more than one core (Python's GIL): the processes are what lets
the app use the machine. The defaults come from ``bench/load.py`` (README, "Serving a crowd").
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from types import FrameType
from typing import Any

DEFAULT_ADMIN_EMAIL = "admin@localhost"
# How long a stopping worker may take to finish the tasks it runs before it is killed (they run
# again elsewhere: delivery is at least once).
WORKER_STOP_SECONDS = 30
# A serving process that dies is started again, but not more often than this: one that cannot
# start at all must not spin.
RESTART_PAUSE_SECONDS = 1.0
# How long the serving processes get to finish their requests after a SIGTERM.
STOP_SECONDS = 20.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve", help="set up the database and serve the web app (production server)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=_port, default=8000, help="port to listen on (0: any)")
    parser.add_argument(
        "--processes",
        type=_positive,
        default=_default_processes(),
        help="serving processes sharing the port (default: $HIREPROOF_PROCESSES, else 1 on "
        "SQLite and 2 on PostgreSQL)",
    )
    parser.add_argument(
        "--threads", type=_positive, default=8, help="threads handling requests, per process"
    )
    parser.add_argument(
        "--connection-limit",
        type=_positive,
        default=4000,
        help="open connections each process accepts at once (a browser keeps one open; so does "
        "a reverse proxy, a few)",
    )
    parser.add_argument(
        "--backlog",
        type=_positive,
        default=2048,
        help="connections the system queues before one of the processes accepts them",
    )
    parser.add_argument(
        "--keep-alive",
        type=_positive,
        default=75,
        metavar="SECONDS",
        help="how long an idle connection stays open (a candidate saves every few seconds)",
    )
    parser.add_argument("--listen-fd", type=int, help=argparse.SUPPRESS)  # a serving process
    parser.add_argument(
        "--trusted-proxy",
        metavar="ADDRESS",
        default=os.environ.get("HIREPROOF_TRUSTED_PROXY", ""),
        help="the address of the reverse proxy in front (e.g. 127.0.0.1): trust its "
        "X-Forwarded-For and X-Forwarded-Proto headers, so sign-in throttling sees each "
        "client's own address and emailed links start with https:// "
        "(default: $HIREPROOF_TRUSTED_PROXY, else trust no proxy)",
    )
    workers = parser.add_mutually_exclusive_group()
    workers.add_argument(
        "--no-worker",
        action="store_true",
        help="on SQLite: start no worker process (background tasks wait for a `hireproof worker`)",
    )
    workers.add_argument(
        "--with-worker",
        action="store_true",
        help="with DATABASE_URL: start one worker process too (by default none: run"
        " `hireproof worker` as processes of their own)",
    )
    parser.set_defaults(handler=serve)


def _default_processes() -> int:
    configured = os.environ.get("HIREPROOF_PROCESSES", "")
    if configured:
        return _positive(configured)
    return 2 if os.environ.get("DATABASE_URL", "").startswith("postgres") else 1


def _port(text: str) -> int:
    number = _whole_number(text)
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return number


def _positive(text: str) -> int:
    number = _whole_number(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: need at least 1")
    return number


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def serve(args: argparse.Namespace) -> int:
    """Prepare everything, then serve until Ctrl-C or SIGTERM; returns the exit code."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hireproof.settings")
    if args.listen_fd is not None:
        return serve_on_socket(args)
    import django

    django.setup()
    prepare_site()
    if args.processes > 1:
        return serve_from_processes(args)
    # Imported after collectstatic: WhiteNoise indexes the static folder when it starts.
    from hireproof.wsgi import application

    server = _waitress(application, args, host=args.host, port=args.port)
    base_url = _base_url(args.host, int(server.effective_port))
    announce_first_administrator(base_url)
    # From before it says it serves, a SIGTERM or Ctrl-C stops it gracefully, even one that
    # arrives before waitress's loop (which handles it itself) has started.
    _stop_on_sigterm()
    worker = None
    try:
        worker = start_worker() if wants_worker(args) else None
        print(f"hireproof is serving at {base_url}/  (Ctrl-C to stop)", flush=True)
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        if worker is not None:
            stop_worker(worker)
    print("hireproof stopped.", flush=True)
    return 0


def wants_worker(args: argparse.Namespace) -> bool:
    """Whether this server starts a worker: on SQLite unless ``--no-worker``, else only with
    ``--with-worker`` (and it says so when it starts none)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        if args.no_worker:
            print("no worker started (--no-worker): run `hireproof worker`", flush=True)
        return not args.no_worker
    if not args.with_worker:
        print("no worker started (DATABASE_URL is set): run `hireproof worker`", flush=True)
    return bool(args.with_worker)


def start_worker() -> subprocess.Popen[bytes]:
    """Start ``hireproof worker`` as a child process (in a process group of its own, which
    ``stop_worker`` ends), told to stop if this process is gone."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "hireproof", "worker", "--stop-with", str(os.getpid())],
        start_new_session=True,
    )
    print(f"started a worker for background tasks (pid {worker.pid})", flush=True)
    return worker


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """Stop the worker this process started, by its PID: SIGTERM lets it finish its running
    tasks; after ``WORKER_STOP_SECONDS`` its whole process group is killed."""
    if worker.poll() is not None:
        return
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def _waitress(application: Any, args: argparse.Namespace, **where: Any) -> Any:
    """Waitress serving ``application`` with the command's settings, where ``where`` says (a
    host and port, or ``sockets``)."""
    from django.conf import settings
    from waitress import create_server

    return create_server(
        application,
        threads=args.threads,
        connection_limit=args.connection_limit,
        backlog=args.backlog,
        channel_timeout=args.keep_alive,
        # poll(), not select(): select() cannot watch a connection numbered past 1023.
        asyncore_use_poll=True,
        # Past this, 413 before the body is read (waitress' default is 1 GB).
        max_request_body_size=settings.MAX_REQUEST_BODY_BYTES,
        **proxy_options(args.trusted_proxy),
        **where,
    )


def serve_from_processes(args: argparse.Namespace) -> int:
    """Open the socket, start ``args.processes`` serving processes on it (and the worker, as
    ``serve`` does), and start again any serving process that dies, until Ctrl-C or SIGTERM."""
    from django.db import connections

    listener = socket.create_server(
        (args.host, args.port),
        family=socket.AF_INET6 if ":" in args.host else socket.AF_INET,
        backlog=args.backlog,
    )
    listener.set_inheritable(True)
    base_url = _base_url(args.host, int(listener.getsockname()[1]))
    announce_first_administrator(base_url)
    connections.close_all()  # the serving processes open their own
    command = _serving_command(args, listener.fileno())
    children = [_start_serving_process(command, listener) for _ in range(args.processes)]
    _stop_on_sigterm()
    worker = None
    try:
        worker = start_worker() if wants_worker(args) else None
        serving = f"hireproof is serving at {base_url}/ from {args.processes} processes"
        print(f"{serving}  (Ctrl-C to stop)", flush=True)
        while True:
            for number, child in enumerate(children):
                if child.poll() is not None:
                    print(
                        f"hireproof: serving process {child.pid} exited ({child.returncode});"
                        " starting another",
                        file=sys.stderr,
                        flush=True,
                    )
                    time.sleep(RESTART_PAUSE_SECONDS)
                    children[number] = _start_serving_process(command, listener)
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        _stop_serving_processes(children)
        listener.close()
        if worker is not None:
            stop_worker(worker)
    print("hireproof stopped.", flush=True)
    return 0


def _serving_command(args: argparse.Namespace, fd: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "hireproof",
        "serve",
        f"--listen-fd={fd}",
        f"--threads={args.threads}",
        f"--connection-limit={args.connection_limit}",
        f"--backlog={args.backlog}",
        f"--keep-alive={args.keep_alive}",
        f"--trusted-proxy={args.trusted_proxy}",
    ]


def _start_serving_process(command: Sequence[str], listener: socket.socket) -> Any:
    return subprocess.Popen(command, pass_fds=[listener.fileno()])


def _stop_serving_processes(children: Sequence[Any]) -> None:
    """SIGTERM each serving process (by its PID), then wait for them, SIGKILL past the wait."""
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def serve_on_socket(args: argparse.Namespace) -> int:
    """A serving process of ``--processes``: waitress on the socket it inherited, until SIGTERM.

    The site was prepared by the process that started it, which also started the worker.
    """
    import django

    django.setup()
    from hireproof.wsgi import application

    listener = socket.socket(fileno=args.listen_fd)
    server = _waitress(application, args, sockets=[listener])
    _stop_on_sigterm()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0


def proxy_options(trusted_proxy: str) -> dict[str, Any]:
    """Waitress' options to trust the reverse proxy at ``trusted_proxy`` ("" trusts none).

    Behind a proxy every request comes from the proxy's address over plain HTTP. Without
    these, sign-in throttling would count every client's failures as one address's (so a
    few wrong passwords anywhere lock everyone out) and links built from the request would
    say ``http://``. Only the proxy's own headers are trusted; waitress drops those headers
    from anyone else.
    """
    if not trusted_proxy:
        return {}
    return {
        "trusted_proxy": trusted_proxy,
        "trusted_proxy_count": 1,
        "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
        "clear_untrusted_proxy_headers": True,
    }


def prepare_site() -> None:
    """Check the files, migrate, collect static files, publish the built-in playbooks, install
    the periodic schedules, and settle retired signing keys a crash left behind.

    Each step is idempotent. Refuses to start (``StartRefused``) before touching the database
    while a key file, the data folder or the database file is open to other users, or, under
    production settings, while the KEK lies inside the data folder (a loud warning otherwise).
    """
    from django.core.management import call_command

    from hireproof.audit import startup
    from hireproof.cli.worker import periodic_jobs
    from hireproof.hiring.actions.playbooks import load_builtin_playbooks
    from hireproof.platform.tasks import install_schedules

    startup.check_files()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    load_builtin_playbooks()
    install_schedules(periodic_jobs())
    for line in startup.notices(startup.prepare_process()):
        print(line, file=sys.stderr if line.startswith("WARNING") else sys.stdout, flush=True)


def announce_first_administrator(base_url: str) -> None:
    """Create the first administrator if needed and print their one-time set-password link.

    Also prints a fresh link while no active administrator has chosen a password yet, so a
    link that expired before anyone used it is replaced by restarting the server.
    """
    from hireproof.accounts.actions import StaffChangeRefused, do_create_first_administrator
    from hireproof.accounts.emails import set_password_url
    from hireproof.accounts.models import User
    from hireproof.accounts.roles import Permission, holders_of
    from hireproof.core.errors import HireproofError

    email = os.environ.get("HIREPROOF_ADMIN_EMAIL", DEFAULT_ADMIN_EMAIL)
    try:
        do_create_first_administrator(email=email)
    except StaffChangeRefused as refusal:
        raise HireproofError(str(refusal)) from None
    administrators = User.objects.filter(holders_of(Permission.MANAGE_STAFF))
    if any(admin.has_set_password for admin in administrators):
        return
    admin = administrators.order_by("date_joined", "pk").first()
    if admin is None:  # pragma: no cover - do_create_first_administrator just made one
        return
    print(
        f"No administrator has a password yet. To choose one for {admin.email}, open this "
        f"one-time link:\n\n    {set_password_url(admin, base_url)}\n",
        flush=True,
    )


def _base_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    if host in {"0.0.0.0", "::"}:  # noqa: S104 - naming the wildcard, not binding to it
        shown = "127.0.0.1" if host == "0.0.0.0" else "[::1]"  # noqa: S104
    return f"http://{shown}:{port}"


def _stop_on_sigterm() -> None:
    """Turn SIGTERM into the same graceful stop as Ctrl-C (waitress handles KeyboardInterrupt)."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
