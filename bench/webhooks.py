"""Webhook deliveries per second, and the time from an event's commit to its first try.

On a fresh SQLite data folder, starts a real ``hireproof worker`` (as ``hireproof serve`` does)
and a receiver on 127.0.0.1 that verifies every delivery with the Standard Webhooks library
(``hireproof/testing/webhook_receiver.py``), subscribes it to ``candidate.invited``
(``HIREPROOF_OUTBOUND_ALLOW_PRIVATE=true``, as for a self-hosted receiver), then:

- latency: ``--events`` events, each written by ``emit`` (what the actions call) in its own
  transaction, ``--every`` seconds apart on an idle worker; from each commit to the
  receiver's arrival of its first try: median, 95th percentile, maximum;
- throughput: ``--burst`` events committed at once; deliveries per second from the commit to
  the last arrival (the worker's ``HIREPROOF_TASK_WORKERS`` processes sending).

    .venv/bin/python bench/webhooks.py [--events 40] [--every 0.3] [--burst 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

# bench/ is the script's folder, first on sys.path.
from before_after import in_fresh_data_folder, prepare_database, start_checkpointer_if_asked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=40, help="events timed one at a time")
    parser.add_argument("--every", type=float, default=0.3, help="seconds between two of them")
    parser.add_argument("--burst", type=int, default=300, help="events committed at once")
    args = parser.parse_args()
    if args.events < 2 or args.burst < 1 or args.every <= 0:
        parser.error("--events must be at least 2, --burst at least 1, --every more than 0")
    os.environ["HIREPROOF_OUTBOUND_ALLOW_PRIVATE"] = "true"
    return in_fresh_data_folder(lambda: _run(args.events, args.every, args.burst))


def _wait_for(receiver: object, ids: set[str], limit: float) -> dict[str, float]:
    deadline = time.monotonic() + limit
    while True:
        arrived = {
            item.message_id: item.arrived
            for item in receiver.verified()  # type: ignore[attr-defined]  # a Receiver
            if item.message_id in ids
        }
        if len(arrived) == len(ids) or time.monotonic() > deadline:
            return arrived
        time.sleep(0.02)


def _run(events: int, every: float, burst: int) -> int:
    import django

    django.setup()
    prepare_database()
    from django.db import transaction
    from django.utils import timezone

    from hireproof.accounts.models import User
    from hireproof.accounts.roles import Role
    from hireproof.hiring.actions.webhooks import do_create_webhook_endpoint
    from hireproof.hiring.models.webhooks import WebhookDelivery
    from hireproof.hiring.webhooks import emit
    from hireproof.testing.webhook_receiver import running_receiver

    admin = User.objects.create_user(
        "bench@example.org", None, full_name="Bench", role=Role.ADMINISTRATOR
    )
    stop = start_checkpointer_if_asked(True)  # the worker
    try:
        with running_receiver() as receiver:
            _, secret = do_create_webhook_endpoint(
                actor=admin, url=receiver.url, events=["candidate.invited"]
            )
            receiver.secrets.append(secret)
            data = {"opening_id": 1, "candidate_id": 1, "stage": "invited"}
            committed: dict[str, float] = {}
            for _ in range(events):
                time.sleep(every)
                with transaction.atomic():
                    emit("candidate.invited", data, at=timezone.now())
                    row = WebhookDelivery.objects.order_by("-pk").first()
                assert row is not None
                committed[row.message_id] = time.time()
            arrived = _wait_for(receiver, set(committed), 60)
            waits = sorted((arrived[i] - committed[i]) * 1000 for i in arrived)
            first = WebhookDelivery.objects.order_by("-pk").values_list("pk", flat=True).first()
            start = time.time()
            with transaction.atomic():
                for _ in range(burst):
                    emit("candidate.invited", data, at=timezone.now())
            committed_at = time.time()
            ids = set(
                WebhookDelivery.objects.filter(pk__gt=first or 0).values_list(
                    "message_id", flat=True
                )
            )
            done = _wait_for(receiver, ids, 300)
            last = max(done.values())
            unverified = len(receiver.received) - len(receiver.verified())
    finally:
        stop()
    print(
        f"webhooks: first try after the commit, {len(waits)} of {events} events: median"
        f" {statistics.median(waits):.0f} ms, p95 {waits[int(0.95 * (len(waits) - 1))]:.0f} ms,"
        f" max {waits[-1]:.0f} ms (an idle worker, SQLite)"
    )
    print(
        f"webhooks: {len(done)} of {burst} deliveries of a burst in {last - committed_at:.2f} s"
        f" after its commit ({burst} written in {committed_at - start:.2f} s):"
        f" {len(done) / (last - committed_at):.0f} deliveries/s; {unverified} not verified"
    )
    return 0 if len(done) == burst and len(waits) == events and not unverified else 1


if __name__ == "__main__":
    raise SystemExit(main())
