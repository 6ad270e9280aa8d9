"""A real ``hireproof witness serve`` process for tests, and a plain HTTP client for it."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

# The witness must run without Django: the child gets no settings module at all.
# Straight to the witness on 127.0.0.1, whatever proxy the environment names.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}


def witness_command(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``hireproof witness ARGS`` to completion in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "hireproof", "witness", *args],
        capture_output=True,
        text=True,
        env=CHILD_ENV,
        timeout=60,
        check=False,
    )


class WitnessProcess:
    """``hireproof witness serve DIR --port 0`` in a child process; ``url`` once it listens."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> WitnessProcess:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hireproof",
                "witness",
                "serve",
                str(self.folder),
                "--port",
                "0",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=CHILD_ENV,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:"), line
        self.url = line.split()[-1]
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            assert self.process.stdout is not None
            self.process.stdout.close()
            self.process = None

    def __enter__(self) -> WitnessProcess:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


def post(url: str, body: bytes, path: str = "/add-checkpoint") -> tuple[int, str, bytes]:
    """POST ``body``; the status, content type and body, whatever the status."""
    request = urllib.request.Request(url + path, data=body, method="POST")  # noqa: S310 - local
    try:
        with DIRECT.open(request, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers["Content-Type"], error.read()
