"""A serving process killed with ``kill -9`` while candidates save loses no acknowledged save.

``hireproof serve --processes 2`` runs on the test's PostgreSQL database; a few candidates save
what they type at once, over real HTTP, each a new connection that either process may take.
One serving process is killed with SIGKILL, by its PID, while they save; serve starts another
in its place and the saves go on. At the end every save the server acknowledged (a 2xx) is in
the database: the text of each answer is the last acknowledged one, or one sent after it (a
save cut off by the kill may have committed without its answer reaching the candidate).

PostgreSQL only: on SQLite the site is served from one process (``hireproof serve``'s default
there), since every write takes the database's one lock.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.db import connection

from hireproof.accounts.roles import Role
from hireproof.hiring.actions.candidates import NewCandidate, do_add_candidate
from hireproof.hiring.actions.playbooks import load_builtin_playbooks
from hireproof.hiring.models.attempts import Attempt, saved_answers
from hireproof.hiring.models.candidates import Invitation, hash_token
from hireproof.hiring.models.playbooks import PlaybookVersion
from hireproof.testing.personas import make_opening, make_staff
from hireproof.testing.processes import Processes, wait_until

WRITERS = 4
ITEM = "outlier-ages"  # a text question of the built-in playbook
SAVES_BEFORE_AND_AFTER = 5  # acknowledged saves each writer makes before the kill, and after
SERVE_START_SECONDS = 120
READY = re.compile(r"hireproof is serving at (http://127\.0\.0\.1:\d+)/")


def serving_processes(server_pid: int) -> set[int]:
    """The children of ``server_pid`` that serve on the socket it passed them."""
    found: set[int] = set()
    for task in Path(f"/proc/{server_pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                with contextlib.suppress(OSError):
                    if b"--listen-fd" in Path(f"/proc/{child}/cmdline").read_bytes():
                        found.add(int(child))
    return found


@dataclass
class Writer:
    """A candidate typing one answer: each save's number, and what the server said of it."""

    token: str
    acknowledged: list[int] = field(default_factory=list)
    unanswered: list[int] = field(default_factory=list)  # no 2xx: refused, reset, timed out
    errors: list[str] = field(default_factory=list)
    browser: urllib.request.OpenerDirector = field(
        default_factory=lambda: urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar())
        )
    )
    csrf: str = ""

    @property
    def sent(self) -> int:
        return len(self.acknowledged) + len(self.unanswered)

    def last_acknowledged(self) -> int:
        return self.acknowledged[-1] if self.acknowledged else 0

    def run(self, base: str, stop: threading.Event) -> None:
        """Save again and again (a new connection each time) until ``stop``."""
        try:
            self.csrf = self.csrf or start(self.browser, f"{base}/a/{self.token}/")
        except Exception as error:
            self.errors.append(f"start: {error!r}")
            return
        while not stop.is_set():
            number = self.sent + 1
            request = urllib.request.Request(  # noqa: S310 - local
                f"{base}/a/{self.token}/answers/{ITEM}/",
                data=urllib.parse.urlencode({f"answer-{ITEM}": text_of(number)}).encode(),
                headers={"X-CSRFToken": self.csrf, "HX-Request": "true"},
            )
            try:
                with self.browser.open(request, timeout=30) as response:
                    response.read()
                    acknowledged = 200 <= response.status < 300
            except (urllib.error.URLError, OSError, http.client.HTTPException):
                # Refused, reset, timed out, or cut off mid-answer (IncompleteRead) by the kill.
                acknowledged = False
            (self.acknowledged if acknowledged else self.unanswered).append(number)


def saving(writers: list[Writer], base: str) -> tuple[threading.Event, list[threading.Thread]]:
    """Start every writer in a thread of its own; the event that stops them, and the threads."""
    stop = threading.Event()
    threads = [threading.Thread(target=w.run, args=(base, stop), daemon=True) for w in writers]
    for thread in threads:
        thread.start()
    return stop, threads


def stopped(stop: threading.Event, threads: list[threading.Thread]) -> None:
    """Stop the writers; each ends once the save it is sending has its answer (or fails)."""
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)


def assert_no_acknowledged_save_lost(
    writers: list[Writer], links: list[tuple[str, Invitation]]
) -> None:
    """Each answer holds the last acknowledged save, or one sent after it whose answer did not
    arrive (the kill cut the connection after the commit)."""
    for writer, (_, invitation) in zip(writers, links, strict=True):
        assert writer.errors == []
        held = number_of(saved_answers(Attempt.objects.get(invitation=invitation))[ITEM])
        last = writer.last_acknowledged()
        assert held == last or (held > last and held in writer.unanswered), (
            f"the answer holds save {held}; the last acknowledged was {last}"
            f" (not acknowledged: {writer.unanswered})"
        )


def start(browser: urllib.request.OpenerDirector, link: str) -> str:
    """Open the link, press Start; the CSRF token the questions page gives its saves."""
    with browser.open(link, timeout=30) as response:
        page = response.read().decode()
    form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert form_token is not None, page[:2000]
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": form_token.group(1)}).encode()
    with browser.open(link, data=form, timeout=30) as response:
        page = response.read().decode()
        assert response.url.endswith("/questions/"), response.url
    found = re.search(r'"X-CSRFToken": "([^"]+)"', page)
    assert found is not None, page[:2000]
    return found.group(1)


def text_of(number: int) -> str:
    return f"draft {number}: " + "the ages column holds 141 " * min(number, 20)


def number_of(text: str) -> int:
    found = re.match(r"draft (\d+):", text)
    return int(found.group(1)) if found else 0


def invited(count: int) -> list[tuple[str, Invitation]]:
    """``count`` candidates of one opening, each with a link (its token) and invitation."""
    load_builtin_playbooks()
    recruiter = make_staff("Rosa Recruiter", "rosa@example.org", Role.RECRUITER)
    version = PlaybookVersion.objects.get(playbook_id="data-scientist-mid")
    opening = make_opening(recruiter, version, "Graduate programme")
    links = []
    for number in range(count):
        candidate = do_add_candidate(
            actor=recruiter,
            opening=opening,
            candidate=NewCandidate(f"Candidate {number}", f"candidate{number}@example.org"),
        )
        token = f"serving-kill-{number}-0123456789abcdefghijklmnopqrstuvwxyz"
        invitation = Invitation.objects.create(
            candidate=candidate,
            token_hash=hash_token(token),
            expires_at=datetime.now(UTC) + timedelta(days=7),
        )
        links.append((token, invitation))
    return links


def test_a_serving_process_killed_while_candidates_save_loses_no_acknowledged_save(
    processes: Processes,
) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite is served from one process: serve --processes is PostgreSQL's")
    links = invited(WRITERS)
    serve = processes.start(
        "-m", "hireproof", "serve", "--host", "127.0.0.1", "--port", "0", "--processes", "2"
    )
    wait_until(
        lambda: READY.search(processes.output(serve)) is not None,
        SERVE_START_SECONDS,
        lambda: f"serve did not start:\n{processes.output(serve)}",
    )
    found = READY.search(processes.output(serve))
    assert found is not None
    base = found.group(1)
    serving = serving_processes(serve.pid)
    assert len(serving) == 2, processes.output(serve)

    writers = [Writer(token) for token, _ in links]
    stop, threads = saving(writers, base)
    try:
        wait_until(
            lambda: all(len(w.acknowledged) >= SAVES_BEFORE_AND_AFTER for w in writers),
            60,
            lambda: f"the candidates could not save: {[w.errors for w in writers]}",
        )
        killed = min(serving)
        os.kill(killed, signal.SIGKILL)  # while the saves are on their way
    finally:
        stopped(stop, threads)
    # What was acknowledged up to the kill, by either process, is there.
    assert_no_acknowledged_save_lost(writers, links)

    wait_until(
        lambda: (now := serving_processes(serve.pid)) != serving and len(now) == 2,
        SERVE_START_SECONDS,
        lambda: f"the killed process was not replaced:\n{processes.output(serve)}",
    )
    assert killed not in serving_processes(serve.pid)
    # The saves go on, on the other process and on the one started in the killed one's place.
    sent_before = [writer.sent for writer in writers]
    stop, threads = saving(writers, base)
    try:
        wait_until(
            lambda: all(
                len([n for n in w.acknowledged if n > sent]) >= SAVES_BEFORE_AND_AFTER
                for w, sent in zip(writers, sent_before, strict=True)
            ),
            60,
            lambda: f"the saves did not go on after the kill: {[w.errors for w in writers]}",
        )
    finally:
        stopped(stop, threads)
    assert all(
        not [n for n in w.unanswered if n > sent]
        for w, sent in zip(writers, sent_before, strict=True)
    ), "a save was refused once serve had replaced the killed process"
    assert_no_acknowledged_save_lost(writers, links)
    assert processes.stop(serve) == 0
