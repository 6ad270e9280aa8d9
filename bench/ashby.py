"""The time from "attempt scored" to Ashby's ``assessment.update`` carrying the result.

On a fresh SQLite data folder, starts a real ``hireproof worker`` (as ``hireproof serve`` does)
and a fake Ashby on 127.0.0.1 (``hireproof/testing/fake_ashby.py``, which checks every update's
auth and shape), saves the Ashby connection (``HIREPROOF_OUTBOUND_ALLOW_PRIVATE=true``), then
``--orders`` times, ``--every`` seconds apart on an idle worker: places an Ashby order
(``do_place_order``), and the candidate starts, answers and submits through the actions; from
the commit of the submission (which scores) to the fake's acceptance of the "Completed" update:
median, 95th percentile, maximum. The worker also sends each "Started" update.

    .venv/bin/python bench/ashby.py [--orders 30] [--every 0.3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

# bench/ is the script's folder, first on sys.path.
from before_after import (
    bench_opening,
    in_fresh_data_folder,
    prepare_database,
    start_checkpointer_if_asked,
)

ANSWERS = {
    "cognitive-growth": "1210",
    "pandas-filter-sum": "70",
    "sjt-incomplete-data": "B",
    "outlier-ages": "141, nobody is that old",
    "communication-summary": "B",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=30, help="orders timed one at a time")
    parser.add_argument("--every", type=float, default=0.3, help="seconds between two of them")
    args = parser.parse_args()
    if args.orders < 2 or args.every <= 0:
        parser.error("--orders must be at least 2, --every more than 0")
    os.environ["HIREPROOF_OUTBOUND_ALLOW_PRIVATE"] = "true"
    return in_fresh_data_folder(lambda: _run(args.orders, args.every))


def _completed(fake: object) -> dict[str, float]:
    return {
        item.body["assessment_id"]: item.at  # type: ignore[attr-defined]  # a Received
        for item in fake.received  # type: ignore[attr-defined]  # a FakeAshby
        if item.accepted and item.body.get("assessment_status", {}).get("value") == "Completed"
    }


def _run(orders: int, every: float) -> int:
    import django

    django.setup()
    prepare_database()
    from hireproof.accounts.models import User
    from hireproof.accounts.roles import Role
    from hireproof.hiring.actions.attempts import (
        do_save_answer,
        do_start_attempt,
        do_submit_attempt,
    )
    from hireproof.hiring.actions.connections import ConnectionChange, do_save_connection
    from hireproof.hiring.actions.orders import OrderRequest, do_place_order
    from hireproof.hiring.models.candidates import Invitation
    from hireproof.hiring.models.orders import Ats
    from hireproof.testing.fake_ashby import running_ashby

    admin = User.objects.create_user(
        "bench@example.org", None, full_name="Bench", role=Role.ADMINISTRATOR
    )
    opening = bench_opening(admin, "Data Scientist (bench)")
    stop = start_checkpointer_if_asked(True)  # the worker
    try:
        with running_ashby("http://127.0.0.1:9/unused", "unused") as fake:
            do_save_connection(
                actor=admin,
                ats=Ats.ASHBY,
                change=ConnectionChange(api_base_url=fake.base_url, ats_secret=fake.api_key),
            )
            scored: dict[str, float] = {}
            for n in range(orders):
                time.sleep(every)
                order = do_place_order(
                    actor=admin,
                    request=OrderRequest(
                        ats=Ats.ASHBY,
                        opening=opening,
                        name=f"Bench Candidate {n}",
                        email=f"bench{n}@example.org",
                        ats_reference=f"app-{n}",
                    ),
                    base_url="http://127.0.0.1/",
                )
                with fake.lock:
                    fake.assessments[order.public_id] = {}
                attempt = do_start_attempt(Invitation.objects.get(candidate=order.candidate))
                for item_id, text in ANSWERS.items():
                    do_save_answer(attempt, item_id, text)
                do_submit_attempt(attempt)  # its own transaction: committed on return
                scored[order.public_id] = time.time()
            deadline = time.monotonic() + 120
            while len(_completed(fake)) < orders and time.monotonic() < deadline:
                time.sleep(0.05)
            arrived = _completed(fake)
            problems = sum(1 for item in fake.received if item.problems)
    finally:
        stop()
    waits = sorted((arrived[i] - scored[i]) * 1000 for i in arrived if i in scored)
    print(
        f"ashby: assessment.update with the result after the scoring commit, {len(waits)} of"
        f" {orders} orders: median {statistics.median(waits):.0f} ms,"
        f" p95 {waits[int(0.95 * (len(waits) - 1))]:.0f} ms, max {waits[-1]:.0f} ms"
        f" (an idle worker, SQLite); {problems} updates that did not fit the contract"
    )
    return 0 if len(waits) == orders and not problems else 1


if __name__ == "__main__":
    raise SystemExit(main())
