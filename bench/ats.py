"""Greenhouse end to end: from "attempt scored" to the PATCH at Greenhouse, and the retries of a
failing Greenhouse, against a real ``hireproof serve`` and its worker.

    .venv/bin/python bench/ats.py [--orders 20] [--retry-seconds 110]

In a temporary data folder (SQLite), it adds a recruiter, an opening and a ``greenhouse`` API key
(through the actions), starts ``hireproof serve --processes 1`` (which starts its worker) on a
free port of 127.0.0.1 and a fake Greenhouse (``hireproof.testing.fake_greenhouse``) on another.
The fake places ``--orders`` orders with ``send_test``; each candidate follows the link of the
email the worker sent (the console backend prints it), starts the test, answers every item and
submits, over HTTP as a browser does. For each order it measures the time from the
``attempt.scored`` leaf's time to the PATCH arriving at the fake, and prints p50, p95 and max.

Then the fake answers 503 to every PATCH, one more candidate takes the test, and for
``--retry-seconds`` the bench prints each try as it arrives, with the schedule the worker
keeps for the next one (``TaskProblem``: tries, next try; the Background work page reads it)
and the failed exchanges (the ATS's settings page and the ``ats.exchange`` events). It prints
figures only; nothing is asserted on time. The server is stopped by its PID and the folder
removed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from before_after import bench_opening  # noqa: E402  (bench/ is the script's folder)

from hireproof.testing.fake_greenhouse import FakeGreenhouse  # noqa: E402
from hireproof.testing.server import READY, RunningServer  # noqa: E402

LINK = re.compile(r"https?://[^/\s]+/a/([A-Za-z0-9_-]{16,})/")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The built-in playbook's items, all answered correctly.
ANSWERS = {
    "cognitive-growth": "1210",
    "pandas-filter-sum": "70",
    "sjt-incomplete-data": "B",
    "outlier-ages": "141, nobody is that old",
    "communication-summary": "B",
}
PATCH_WAIT_SECONDS = 60.0
# Between Start and Submit: long enough for the worker to handle the push the start queued (a
# real candidate takes minutes). Without it, that push finds the test already scored and sends
# the PATCH too, beside the submission's own push.
THINK_SECONDS = 1.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=20, help="orders placed by the fake")
    parser.add_argument(
        "--retry-seconds",
        type=float,
        default=110.0,
        help="how long to watch a failing Greenhouse being tried again",
    )
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hireproof-bench-ats-"))
    os.environ.update(
        {
            "HIREPROOF_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "hireproof.settings",
            "LOG_LEVEL": "WARNING",
        }
    )
    for name in ("DATABASE_URL", "HIREPROOF_AUDIT_SIGNING_KEY", "HIREPROOF_KEK"):
        os.environ.pop(name, None)
    server: RunningServer | None = None
    fake: FakeGreenhouse | None = None
    try:
        opening_id, key = set_up()
        server = RunningServer(
            data_dir,
            args=["--processes", "1"],
            env={"HIREPROOF_OUTBOUND_ALLOW_PRIVATE": "true", "LOG_LEVEL": "WARNING"},
        )
        base = server.wait_for(READY).group(1)
        print(f"hireproof serve --processes 1 (pid {server.process.pid}) at {base}", flush=True)
        fake = FakeGreenhouse(f"{base}/integrations/greenhouse", key)
        fake.start()
        print(f"fake Greenhouse at 127.0.0.1:{fake.port}\n", flush=True)
        latencies = measure_pushes(server, fake, base, opening_id, args.orders)
        report_latencies(latencies, args.orders)
        watch_retries(server, fake, base, opening_id, args.retry_seconds)
    finally:
        if fake is not None:
            fake.stop()
        if server is not None:
            if server.process.poll() is None:
                server.stop()
            server.kill()
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


# --- setting up -------------------------------------------------------------------------------


def set_up() -> tuple[int, str]:
    """Migrate, publish the built-ins, add a recruiter, an opening and a Greenhouse key."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from hireproof.accounts.actions import do_create_api_key
    from hireproof.accounts.models import Role, User
    from hireproof.accounts.roles import Scope
    from hireproof.audit.startup import prepare_process

    prepare_process()
    call_command("migrate", interactive=False, verbosity=0)
    recruiter = User.objects.create_user(
        "bench-recruiter@example.org", None, full_name="Bench Recruiter", role=Role.RECRUITER
    )
    opening = bench_opening(recruiter, "Data Scientist (Greenhouse benchmark)")
    _, key = do_create_api_key(
        actor=None, name="Greenhouse", owner=recruiter, scopes=[Scope.GREENHOUSE]
    )
    connections.close_all()
    return opening.pk, key


# --- one order, one candidate -----------------------------------------------------------------


def order_and_take(
    server: RunningServer, fake: FakeGreenhouse, base: str, opening_id: int, number: int
) -> str:
    """The fake orders a test; the candidate follows the emailed link and takes it over HTTP.
    The order's id."""
    candidate = {
        "first_name": "Candidate",
        "last_name": str(number),
        "preferred_name": None,
        "email": f"candidate{number}@example.org",
        "resume_url": None,
        "phone_number": None,
        "greenhouse_profile_url": f"https://app.greenhouse.io/people/{number}",
    }
    _, sent = fake.send_test(str(opening_id), candidate)
    if sent.status_code != 200:
        raise SystemExit(f"send_test answered {sent.status_code}: {sent.text}")
    token = server.wait_for(LINK).group(1)  # the worker prints the invitation email
    take_test(base, token)
    return str(sent.json()["partner_interview_id"])


def take_test(base: str, token: str) -> None:
    """Start, answer every item and submit, as a browser without JavaScript does."""
    browser = requests.Session()
    start = f"{base}/a/{token}/"
    page = _ok(browser.get(start, timeout=30))
    _ok(browser.post(start, data={"csrfmiddlewaretoken": _csrf(page)}, timeout=30))
    questions = _ok(browser.get(f"{base}/a/{token}/questions/", timeout=30))
    time.sleep(THINK_SECONDS)
    for item_id, text in ANSWERS.items():
        _ok(
            browser.post(
                f"{base}/a/{token}/answers/{item_id}/",
                data={f"answer-{item_id}": text},
                headers={"X-CSRFToken": _csrf(questions), "HX-Request": "true"},
                timeout=30,
            )
        )
    confirm = _ok(browser.get(f"{base}/a/{token}/submit/", timeout=30))
    _ok(browser.post(f"{base}/a/{token}/submit/", data={"csrfmiddlewaretoken": _csrf(confirm)}))


def _ok(answer: requests.Response) -> str:
    if answer.status_code != 200:
        raise SystemExit(f"{answer.request.method} {answer.url} answered {answer.status_code}")
    return answer.text


def _csrf(page: str) -> str:
    found = CSRF_FIELD.search(page) or re.search(r'"X-CSRFToken": "([^"]+)"', page)
    if found is None:
        raise SystemExit("the page holds no CSRF token")
    return found.group(1)


# --- what the log and the fake saw ------------------------------------------------------------


def scored_at(order_id: str) -> datetime:
    """The time of the ``attempt.scored`` leaf of the order's candidate."""
    from hireproof.audit.models import LogLeaf
    from hireproof.core.audit import EventType, parse_leaf
    from hireproof.hiring.models.orders import AssessmentOrder

    order = AssessmentOrder.objects.select_related("candidate__subject").get(public_id=order_id)
    pseudonym = order.candidate.subject.pseudonym
    for row in LogLeaf.objects.filter(event_type=EventType.ATTEMPT_SCORED).order_by("-index"):
        leaf = parse_leaf(bytes(row.data))
        if leaf.subject == pseudonym:
            return datetime.strptime(leaf.at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    raise SystemExit(f"order {order_id}: no attempt.scored leaf")


def patches_of(fake: FakeGreenhouse, order_id: str) -> list[Any]:
    numbers = {n for n, interview in fake.interviews.items() if interview == order_id}
    with fake.lock:
        return [patch for patch in fake.patches if patch.test_number in numbers]


def measure_pushes(
    server: RunningServer, fake: FakeGreenhouse, base: str, opening_id: int, count: int
) -> list[float]:
    """Seconds from each order's ``attempt.scored`` leaf to its PATCH at the fake."""
    began = time.monotonic()
    orders = [order_and_take(server, fake, base, opening_id, n) for n in range(count)]
    print(f"{count} orders placed and tests taken in {time.monotonic() - began:.1f} s", flush=True)
    deadline = time.monotonic() + PATCH_WAIT_SECONDS
    while time.monotonic() < deadline and not all(patches_of(fake, o) for o in orders):
        time.sleep(0.2)
    time.sleep(2.0)  # any second PATCH for an order
    latencies, extra = [], 0
    for order_id in orders:
        patches = patches_of(fake, order_id)
        if not patches:
            print(f"  {order_id}: no PATCH within {PATCH_WAIT_SECONDS:.0f} s")
            continue
        extra += len(patches) - 1
        latencies.append(patches[0].at - scored_at(order_id).timestamp())
    print(f"PATCHes beyond one per order: {extra}")
    return latencies


def report_latencies(latencies: list[float], count: int) -> None:
    if not latencies:
        print("no PATCH arrived")
        return
    ordered = sorted(latencies)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(
        f"attempt.scored -> PATCH at Greenhouse, {len(latencies)} of {count} orders: "
        f"p50 {statistics.median(ordered) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {ordered[-1] * 1000:.0f} ms\n",
        flush=True,
    )


# --- a failing Greenhouse ---------------------------------------------------------------------


def watch_retries(
    server: RunningServer, fake: FakeGreenhouse, base: str, opening_id: int, seconds: float
) -> None:
    """Greenhouse answers 503: print each try of one order's PATCH as it arrives, the next
    try the worker scheduled, and where the failure shows."""
    from hireproof.hiring.ats.push import PUSH_FIRST_DELAY, PUSH_TRIES, push_order
    from hireproof.hiring.models.orders import AssessmentOrder, AtsExchange
    from hireproof.platform.models import TaskProblem
    from hireproof.platform.tasks import retries_of

    fake.mode = "unavailable"
    policy = retries_of(push_order)
    plan = ", ".join(f"{policy.first_delay * 2**n:g}" for n in range(PUSH_TRIES - 1))
    print(
        f"Greenhouse now answers 503. The push is tried {PUSH_TRIES} times, waiting "
        f"{plan} s (+ up to 25% jitter) after each failure (first delay {PUSH_FIRST_DELAY:g} s)."
    )
    order_id = order_and_take(server, fake, base, opening_id, 10_000)
    scored = scored_at(order_id).timestamp()
    order = AssessmentOrder.objects.get(public_id=order_id)
    print(f"order {order_id}: scored; watching for {seconds:.0f} s")
    seen = 0
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        for patch in patches_of(fake, order_id)[seen:]:
            seen += 1
            print(f"  PATCH {seen} at +{patch.at - scored:6.1f} s: answered {patch.answered}")
        time.sleep(0.2)
    failed = AtsExchange.objects.filter(order=order).exclude(error="").order_by("at")
    print(f"  {failed.count()} failed exchanges recorded (the ATS's recent exchanges, and")
    print("  ats.exchange events with failed: true in the audit log); the last error:")
    last = failed.last()
    print(f"    {last.error if last is not None else '(none)'}")
    for problem in TaskProblem.objects.filter(task__endswith="push_order").order_by("pk"):
        tried = problem.last_tried_at.timestamp() - scored
        if problem.next_try_at is None:
            following = "failed for good"
        else:
            following = f"next try at +{problem.next_try_at.timestamp() - scored:.1f} s"
        print(
            f"  Background work page: '{problem.label}', {problem.tries} of "
            f"{problem.max_tries} tries, last at +{tried:.1f} s, {following}: {problem.error}"
        )
    order.refresh_from_db()
    print(f"  reported to Greenhouse: {order.reported_status or 'not yet'}")


if __name__ == "__main__":
    sys.exit(main())
