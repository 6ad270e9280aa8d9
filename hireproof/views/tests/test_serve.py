"""``hireproof serve`` end to end: a real server process, real HTTP, stopped by its PID."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest

from hireproof.cli import build_parser
from hireproof.cli.serve import proxy_options
from hireproof.testing.server import READY, STARTUP_SECONDS, RunningServer, server_environment

ONE_TIME_LINK = re.compile(r"(http://127\.0\.0\.1:\d+/accounts/password/set/\S+/)")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    running = RunningServer(tmp_path / "data")
    yield running
    running.kill()


def fetch(url: str, opener: urllib.request.OpenerDirector | None = None) -> tuple[int, str, str]:
    with (opener or urllib.request.build_opener()).open(url, timeout=10) as response:
        return response.status, response.headers["Content-Type"], response.read().decode()


def test_serve_sets_up_prints_a_one_time_link_serves_pages_and_stops(
    server: RunningServer, tmp_path: Path
) -> None:
    link = server.wait_for(ONE_TIME_LINK).group(1)
    base = server.wait_for(READY).group(1)
    assert "To choose one for boss@example.org" in "".join(server.output)

    status, kind, page = fetch(f"{base}/accounts/sign-in/")
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert '<label for="id_username">Email</label>' in page

    status, kind, script = fetch(f"{base}/static/vendor/htmx.min.js")
    assert (status, kind) == (200, 'text/javascript; charset="utf-8"')
    assert "htmx" in script[:2000]
    status, kind, _ = fetch(f"{base}/static/hireproof.css")
    assert (status, kind) == (200, 'text/css; charset="utf-8"')

    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    status, _, page = fetch(link, browser)
    assert status == 200
    assert "<h1>Choose your password</h1>" in page

    assert server.stop() == 0
    assert server.output[-1] == "hireproof stopped.\n"
    assert (tmp_path / "data" / "hireproof.sqlite3").exists()


def _echo_client_address(environ: dict[str, str], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{environ['REMOTE_ADDR']} {environ['wsgi.url_scheme']}".encode()]


def _seen_by_waitress(options: dict[str, Any]) -> str:
    """What a WSGI app behind waitress (with ``options``) sees of a proxied request."""
    from waitress import create_server

    server = create_server(_echo_client_address, host="127.0.0.1", port=0, threads=1, **options)

    def run_until_closed() -> None:
        # Waitress has no stop(): closing its socket ends the loop with EBADF, as intended.
        with contextlib.suppress(OSError):
            server.run()

    thread = threading.Thread(target=run_until_closed, daemon=True)
    thread.start()
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{server.effective_port}/",
            headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local
            return str(response.read().decode())
    finally:
        server.close()
        thread.join(timeout=10)


def test_behind_a_trusted_proxy_the_app_sees_the_client_address_and_https() -> None:
    assert _seen_by_waitress(proxy_options("127.0.0.1")) == "203.0.113.7 https"


def test_without_a_trusted_proxy_forwarded_headers_are_ignored() -> None:
    assert _seen_by_waitress(proxy_options("")) == "127.0.0.1 http"
    assert _seen_by_waitress(proxy_options("192.0.2.1")) == "127.0.0.1 http"


def test_the_trusted_proxy_comes_from_the_option_or_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HIREPROOF_TRUSTED_PROXY", "10.0.0.5")
    assert build_parser().parse_args(["serve"]).trusted_proxy == "10.0.0.5"
    parsed = build_parser().parse_args(["serve", "--trusted-proxy", "127.0.0.1"])
    assert parsed.trusted_proxy == "127.0.0.1"


def test_serve_refuses_to_start_while_a_key_file_is_open_to_other_users(tmp_path: Path) -> None:
    data = tmp_path / "data"
    keys = data / "keys"
    keys.mkdir(parents=True, mode=0o700)
    data.chmod(0o700)
    signing_key = keys / "audit-signing.key"
    signing_key.write_bytes(b"\x07" * 32)
    signing_key.chmod(0o644)
    retired = keys / "audit-signing.key.retired-0badc0de"
    retired.write_bytes(b"\x08" * 32)
    retired.chmod(0o600)
    running = RunningServer(data)
    code = running.process.wait(timeout=STARTUP_SECONDS)
    running.stop_reading()
    printed = "".join(running.output)
    assert code == 2, printed
    assert (
        f"hireproof: the audit signing key {signing_key} has mode 0644, open to other users;"
        f" it must be 0600: run  chmod 600 {signing_key}\n"
    ) in printed
    assert "hireproof is serving" not in printed
    assert retired.exists()  # a refused start changes nothing
    assert not (data / "hireproof.sqlite3").exists()  # refused before touching the database


def test_serve_creates_the_data_folder_0700_and_the_database_file_0600(
    server: RunningServer, tmp_path: Path
) -> None:
    server.wait_for(READY)
    data = tmp_path / "data"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    files = [data / f"hireproof.sqlite3{suffix}" for suffix in ("", "-wal", "-shm")]
    assert {path.name: stat.S_IMODE(path.stat().st_mode) for path in files} == {
        "hireproof.sqlite3": 0o600,
        "hireproof.sqlite3-wal": 0o600,
        "hireproof.sqlite3-shm": 0o600,
    }
    assert server.stop() == 0


def test_serve_refuses_a_kek_inside_the_data_folder_under_production_settings(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    env = server_environment(data, {"SECURE_COOKIES": "true"})
    refused = subprocess.run(
        [sys.executable, "-m", "hireproof", "serve", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=STARTUP_SECONDS,
        check=False,
    )
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert refused.stderr.startswith(
        "hireproof: refusing to start under production settings: "
        f"HIREPROOF_KEK={data}/keys/kek.key lies inside the data folder"
    )
    assert "hireproof is serving" not in refused.stdout


# --- any other WSGI server: hireproof.wsgi checks what `hireproof serve` checks ----------------


def _load_the_wsgi_application(data: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    """Import ``hireproof.wsgi`` in a process of its own, as gunicorn or uWSGI would."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HIREPROOF_", "DJANGO_")) and key != "DATABASE_URL"
    }
    env |= {"HIREPROOF_DATA_DIR": str(data), **variables}
    return subprocess.run(
        [sys.executable, "-c", "import hireproof.wsgi; print('loaded')"],
        env=env,
        capture_output=True,
        text=True,
        timeout=STARTUP_SECONDS,
        check=False,
    )


def test_a_wsgi_server_loads_the_app_only_with_private_key_files(tmp_path: Path) -> None:
    data = tmp_path / "data"
    keys = data / "keys"
    keys.mkdir(parents=True, mode=0o700)
    data.chmod(0o700)
    kek = keys / "kek.key"
    kek.write_bytes(b"\x07" * 32)
    kek.chmod(0o644)

    refused = _load_the_wsgi_application(data)

    assert refused.returncode != 0
    assert "loaded" not in refused.stdout
    assert refused.stderr.splitlines()[-1] == (
        f"hireproof.audit.startup.StartRefused: the KEK {kek} has mode 0644, open to other users;"
        f" it must be 0600: run  chmod 600 {kek}"
    )
    kek.chmod(0o600)
    loaded = _load_the_wsgi_application(data)
    assert (loaded.returncode, loaded.stdout) == (0, "loaded\n"), loaded.stderr
    # The KEK lies in the data folder: outside production, a warning on stderr.
    (warning,) = [line for line in loaded.stderr.splitlines() if line.startswith("WARNING")]
    assert warning.startswith(f"WARNING: HIREPROOF_KEK={kek} lies inside the data folder")


def test_a_wsgi_server_refuses_a_loose_data_folder_or_a_kek_inside_it_in_production(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    loose = _load_the_wsgi_application(data)
    assert loose.returncode != 0
    assert loose.stderr.splitlines()[-1].endswith(
        f"the data folder {data} has mode 0755, open to other users; it must be 0700:"
        f" run  chmod 700 {data}"
    )
    data.chmod(0o700)
    production = _load_the_wsgi_application(data, SECURE_COOKIES="true")
    assert production.returncode != 0
    assert "refusing to start under production settings: HIREPROOF_KEK=" in production.stderr
    elsewhere = _load_the_wsgi_application(
        data, SECURE_COOKIES="true", HIREPROOF_KEK=str(tmp_path / "secrets" / "kek.key")
    )
    assert (elsewhere.returncode, elsewhere.stdout) == (0, "loaded\n"), elsewhere.stderr
    assert "WARNING:" not in elsewhere.stderr
    assert stat.S_IMODE((data / "hireproof.sqlite3").stat().st_mode) == 0o600


# --- the worker `hireproof serve` starts -----------------------------------------------------

STARTED_WORKER = re.compile(r"started a worker for background tasks \(pid (\d+)\)")


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # no signal: only whether the process exists
    except ProcessLookupError:
        return False
    return True


def test_serve_on_sqlite_runs_a_worker_and_stops_it_by_its_pid(server: RunningServer) -> None:
    pid = int(server.wait_for(STARTED_WORKER).group(1))
    server.wait_for(READY)
    server.wait_for(re.compile(rf"hireproof worker {pid} is running tasks in 2 processes"))
    assert _running(pid)
    assert server.stop() == 0
    assert f"hireproof worker {pid} stopped.\n" in server.output, server.output[2:]
    assert server.output[-1] == "hireproof stopped.\n"
    assert not _running(pid)


def test_a_worker_whose_server_was_killed_stops_by_itself(server: RunningServer) -> None:
    pid = int(server.wait_for(STARTED_WORKER).group(1))
    server.wait_for(READY)
    server.wait_for(re.compile(rf"hireproof worker {pid} is running tasks"))
    server.kill()  # kill -9: serve cannot stop its worker
    deadline = time.monotonic() + 30
    while _running(pid):
        assert time.monotonic() < deadline, "the worker outlived its server by 30 s"
        time.sleep(0.1)


def test_serve_with_no_worker_starts_none(tmp_path: Path) -> None:
    running = RunningServer(tmp_path / "data", args=["--no-worker"])
    try:
        running.wait_for(READY)
        printed = "".join(running.output)
        assert "no worker started (--no-worker): run `hireproof worker`" in printed
        assert "started a worker" not in printed
    finally:
        running.kill()


def children_of(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def test_serve_with_processes_serves_from_that_many_processes_and_replaces_one_that_dies(
    tmp_path: Path,
) -> None:
    running = RunningServer(tmp_path / "data", args=["--processes", "2", "--no-worker"])
    try:
        base = running.wait_for(READY).group(1)
        assert "from 2 processes" in running.output[-1]
        serving = children_of(running.process.pid)
        assert len(serving) == 2
        for _ in range(4):
            assert fetch(f"{base}/healthz")[0] == 200

        killed = min(serving)
        os.kill(killed, signal.SIGKILL)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            now = children_of(running.process.pid)
            if len(now) == 2 and killed not in now:
                break
            time.sleep(0.2)
        assert killed not in now, "the dead serving process is still there"
        assert len(now) == 2, "the dead serving process was not replaced"
        for _ in range(4):
            assert fetch(f"{base}/healthz")[0] == 200

        assert running.stop() == 0
        assert running.output[-1] == "hireproof stopped.\n"
        assert all(not Path(f"/proc/{pid}").exists() for pid in now)
    finally:
        running.kill()


@pytest.mark.django_db
def test_serve_starts_a_worker_on_sqlite_and_on_postgresql_only_when_asked() -> None:
    from django.db import connection

    from hireproof.cli.serve import wants_worker

    parse = build_parser().parse_args
    on_sqlite = connection.vendor == "sqlite"
    assert wants_worker(parse(["serve"])) is on_sqlite
    assert wants_worker(parse(["serve", "--no-worker"])) is False
    assert wants_worker(parse(["serve", "--with-worker"])) is True
    with pytest.raises(SystemExit):
        parse(["serve", "--no-worker", "--with-worker"])


def test_a_worker_refuses_to_start_where_tasks_run_where_they_are_queued(tmp_path: Path) -> None:
    env = server_environment(tmp_path / "data", {"HIREPROOF_TASKS_SYNC": "true"})
    (tmp_path / "data").mkdir(mode=0o700)
    done = subprocess.run(
        [sys.executable, "-m", "hireproof", "worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "HIREPROOF_TASKS_SYNC is on" in done.stderr


@pytest.mark.parametrize(
    ("variables", "processes"),
    [
        ({}, 1),
        ({"DATABASE_URL": "postgres://hireproof@127.0.0.1/hireproof"}, 2),
        ({"DATABASE_URL": "postgres://h@127.0.0.1/h", "HIREPROOF_PROCESSES": "3"}, 3),
    ],
)
def test_the_number_of_serving_processes_follows_the_database(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], processes: int
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("HIREPROOF_PROCESSES", raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert build_parser().parse_args(["serve"]).processes == processes
