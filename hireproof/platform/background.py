"""Periodic work inside the server process: one daemon thread per job.

The attempt sweeper and the audit checkpointer each run as a ``BackgroundJob``: started by
``hireproof serve`` once the site is prepared (never inside a test run, where a thread writing
to the test database behind the tests' back would make them flaky), stopped on demand. Each
round runs with a fresh database connection, closed afterwards, as Django does around a request.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from django.db import close_old_connections, connection


class PeriodicThread(threading.Thread):
    """A daemon thread calling ``task`` at once and then every ``interval`` seconds."""

    def __init__(self, name: str, interval: float, task: Callable[[], object]) -> None:
        super().__init__(name=name, daemon=True)
        self.interval = interval
        self.task = task
        self.stopped = threading.Event()

    def run(self) -> None:
        while True:
            close_old_connections()
            try:
                self.task()
            finally:
                connection.close()
            if self.stopped.wait(self.interval):
                return

    def stop(self) -> None:
        """Ask the thread to end after its current round, and wait for it."""
        self.stopped.set()
        self.join()


class BackgroundJob:
    """At most one ``PeriodicThread`` per process running ``task``.

    ``task`` must not raise (it logs its own failures); ``default_interval`` is read when the
    job starts, so settings changed by then apply.
    """

    def __init__(
        self, name: str, task: Callable[[], object], default_interval: Callable[[], float]
    ) -> None:
        self.name = name
        self.task = task
        self.default_interval = default_interval
        self.running: PeriodicThread | None = None
        self._lock = threading.Lock()

    def start(self, interval: float | None = None) -> PeriodicThread:
        """Start the job's thread, or return the one already running."""
        with self._lock:
            if self.running is None or not self.running.is_alive():
                every = self.default_interval() if interval is None else interval
                self.running = PeriodicThread(self.name, every, self.task)
                self.running.start()
            return self.running

    def stop(self) -> None:
        """Stop the job's thread, if one runs."""
        with self._lock:
            running, self.running = self.running, None
        if running is not None:
            running.stop()

    def start_at_server_start(self) -> None:
        """Start the job for a serving process, except inside a test run."""
        if "PYTEST_CURRENT_TEST" in os.environ:
            return
        self.start()
