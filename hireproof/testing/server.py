"""A real ``hireproof serve`` process for tests: its own data folder, a free port, stopped by its
PID. What it prints (stdout and stderr, the log included) is read as it comes.

The process gets none of the test run's ``HIREPROOF_*``, ``DJANGO_*`` or ``DATABASE_URL``
settings: it runs as a deployment would, on SQLite in its data folder, with ``env`` added.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

READY = re.compile(r"hireproof is serving at (http://127\.0\.0\.1:\d+)/")
STARTUP_SECONDS = 90


def server_environment(data_dir: Path, env: Mapping[str, str] = {}) -> dict[str, str]:
    """This process's environment without the test run's settings, for ``data_dir``."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HIREPROOF_", "DJANGO_")) and key != "DATABASE_URL"
    }
    return {**clean, "HIREPROOF_DATA_DIR": str(data_dir), **env}


class RunningServer:
    """A ``hireproof serve`` subprocess and everything it has printed so far."""

    def __init__(
        self,
        data_dir: Path,
        *,
        args: Sequence[str] = (),
        env: Mapping[str, str] = {},
    ) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hireproof", "serve", "--port", "0", "--threads", "2", *args],
            env=server_environment(data_dir, {"HIREPROOF_ADMIN_EMAIL": "boss@example.org", **env}),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        assert self.process.stdout is not None
        self.pump = threading.Thread(target=self._pump, args=(self.process.stdout,), daemon=True)
        self.pump.start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put(line)

    def wait_for(self, pattern: re.Pattern[str]) -> re.Match[str]:
        """The first line (from now on) matching ``pattern``; fails after a timeout."""
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.process.poll() is None, "server exited:\n" + "".join(self.output)
                continue
            self.output.append(line)
            if match := pattern.search(line):
                return match
        raise AssertionError(f"no line matched {pattern.pattern}:\n" + "".join(self.output))

    def stop_reading(self) -> None:
        """Collect everything an exited server printed."""
        self.pump.join(timeout=30)
        while not self.lines.empty():
            self.output.append(self.lines.get())

    def stop(self) -> int:
        """Send SIGTERM to the server's PID and wait for it to exit; its exit code."""
        os.kill(self.process.pid, signal.SIGTERM)
        code = self.process.wait(timeout=60)
        self.stop_reading()  # to the end of what it, and the worker it started, printed
        return code

    def kill(self) -> None:
        """Stop a server still running, whatever state it is in (a fixture's teardown)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
