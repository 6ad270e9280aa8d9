"""Real ``hireproof`` processes on the test's own database: workers, and writers run as
``python -c``. Each starts in a process group of its own and is stopped, or killed, by its PID;
the fixture kills whatever is left when the test ends, pass or fail.

The database is the one the test sees with committed data (``shared_db``: a SQLite file, or
the PostgreSQL test database without its wrapping transaction); the processes share the test's
keys and secret, and run tasks on workers (``HIREPROOF_TASKS_SYNC`` off).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from hireproof.platform.models import Worker

WORKER_START_SECONDS = 60


def database_environment(data_dir: Path) -> dict[str, str]:
    """The environment of a process that works on this test's database, with ``data_dir`` as
    its data folder (on SQLite, the folder of the test's database file)."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name != "DATABASE_URL" and not name.startswith("HIREPROOF_")
    }
    env = {
        **inherited,
        "HIREPROOF_DATA_DIR": str(data_dir),
        "SECRET_KEY": settings.SECRET_KEY,  # the queue signs its tasks with it
        "HIREPROOF_AUDIT_SIGNING_KEY": str(settings.HIREPROOF_AUDIT_SIGNING_KEY),
        "HIREPROOF_KEK": str(settings.HIREPROOF_KEK),
        "HIREPROOF_LOG_ORIGIN": settings.HIREPROOF_LOG_ORIGIN,
        "HIREPROOF_TASKS_SYNC": "false",
    }
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = _postgres_url(connection.settings_dict)
    elif Path(str(connection.settings_dict["NAME"])) != data_dir / "hireproof.sqlite3":
        raise RuntimeError("the processes find the SQLite file in their data folder: use it")
    return env


def _postgres_url(database: Mapping[str, Any]) -> str:
    user = quote(str(database["USER"] or ""), safe="")
    password = quote(str(database["PASSWORD"] or ""), safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@"
    return f"postgres://{credentials}{database['HOST']}:{database['PORT']}/{database['NAME']}"


class Processes:
    """The processes a test started, each with its output in a file of ``folder``."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env
        self.started: list[subprocess.Popen[bytes]] = []
        self._outputs: list[IO[bytes]] = []

    def start(self, *args: str, env: Mapping[str, str] = {}) -> subprocess.Popen[bytes]:
        """Start ``python ARGS`` (in a process group of its own)."""
        output = (self.folder / f"process-{len(self.started)}.log").open("wb")
        self._outputs.append(output)
        process = subprocess.Popen(
            [sys.executable, *args],
            env={**self.env, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append(process)
        return process

    def worker(self, env: Mapping[str, str] = {}) -> subprocess.Popen[bytes]:
        """Start ``hireproof worker`` and wait for its first heartbeat."""
        process = self.start("-m", "hireproof", "worker", env=env)
        wait_until(
            lambda: Worker.objects.filter(pid=process.pid).exists(),
            WORKER_START_SECONDS,
            lambda: f"worker {process.pid} did not start:\n{self.output(process)}",
        )
        return process

    def python(self, code: str) -> subprocess.Popen[bytes]:
        """Start ``python -c CODE`` with Django set up first."""
        setup = (
            "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'hireproof.settings')\n"
            "import django; django.setup()\n"
        )
        return self.start("-c", setup + code)

    def output(self, process: subprocess.Popen[bytes]) -> str:
        """What ``process`` printed so far."""
        index = self.started.index(process)
        return (self.folder / f"process-{index}.log").read_text(errors="replace")

    def stop(self, process: subprocess.Popen[bytes], timeout: float = 60) -> int:
        """SIGTERM to ``process`` (its PID) and wait for it to end; its exit code."""
        process.send_signal(signal.SIGTERM)
        return process.wait(timeout=timeout)

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """``kill -9`` of ``process`` and every process it started (its process group)."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def close(self) -> None:
        """Kill every process still running (its group, named by its PID)."""
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
            else:
                # Its children (a worker's cluster) may outlive it: end the group too.
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
        for output in self._outputs:
            output.close()


def wait_until(done: Callable[[], bool], seconds: float, why: Callable[[], str]) -> float:
    """Wait until ``done()``; the seconds it took. Fails after ``seconds`` with ``why()``."""
    started = time.monotonic()
    while not done():
        if time.monotonic() - started > seconds:
            pytest.fail(why())
        time.sleep(0.05)
    return time.monotonic() - started


@pytest.fixture
def processes(shared_db: None, tmp_path: Path) -> Iterator[Processes]:
    """Start real processes on the test's database; every one is killed at the end."""
    data = tmp_path if connection.vendor == "sqlite" else tmp_path / "data"
    data.mkdir(mode=0o700, exist_ok=True)
    started = Processes(tmp_path, database_environment(data))
    try:
        yield started
    finally:
        started.close()
