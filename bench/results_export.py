"""The results export (CSV) of an opening with 5,000 candidates, over real HTTP.

    .venv/bin/python bench/results_export.py [--candidates 5000] [--requests 5]

It sets the opening up as ``bench/pipeline.py`` does (every candidate added through the action
layer, then stages the way a campus day leaves them), gives every scored attempt a real
scorecard (the core's, so each row's section percents and flags are read from it as in
production), starts ``hireproof serve`` and downloads ``/openings/<id>/results.csv`` as a
recruiter ``--requests`` times. It prints, for each download, the time to the first byte and to
the last, the size and the rows; and the server's resident memory before and after (the file is
written as it is sent, a chunk of candidates at a time, so memory should not grow with it).
The server is stopped by its PID and the folder removed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pipeline  # the pipeline bench's set-up, shared


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=5_000, help="candidates in the opening")
    parser.add_argument("--requests", type=int, default=5, help="timed downloads")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hireproof-bench-export-"))
    env = pipeline._environment(data_dir)
    os.environ.update(env)
    server = None
    try:
        opening_id, cookie, _ = pipeline.set_up(args.candidates)
        scored = give_scorecards()
        print(f"{scored:,} scored attempts given a real scorecard", flush=True)
        server, port = pipeline.start_server(env, 2)
        print(f"hireproof serve (pid {server.pid}) on {pipeline.HOST}:{port}\n", flush=True)
        before = resident_mb(server.pid)
        firsts, totals = [], []
        for _ in range(args.requests):
            first, total, size, rows = download(port, f"/openings/{opening_id}/results.csv", cookie)
            firsts.append(first)
            totals.append(total)
        after = resident_mb(server.pid)
        print(
            f"results.csv of {rows - 1:,} candidates ({size / 1e6:.1f} MB), {args.requests} "
            f"downloads: first byte p50 {statistics.median(firsts) * 1000:.0f} ms, whole file "
            f"p50 {statistics.median(totals):.2f} s, max {max(totals):.2f} s "
            f"({(rows - 1) / statistics.median(totals):,.0f} rows/s)"
        )
        print(f"server resident memory: {before:.0f} MB before, {after:.0f} MB after")
    finally:
        if server is not None:
            pipeline.stop_server(server)
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


def give_scorecards() -> int:
    """Every scored attempt gets the scorecard of a real answer sheet (what the bulk set-up
    leaves out: the page does not read it, the export does)."""
    from django.db import connections

    from hireproof.core.canonical import canonical_json
    from hireproof.core.scoring import score
    from hireproof.hiring.models.attempts import Attempt
    from hireproof.hiring.models.playbooks import PlaybookVersion

    playbook = PlaybookVersion.objects.get(playbook_id="data-scientist-mid").load()
    answers = {"cognitive-growth": "1210", "pandas-filter-sum": "71", "sjt-incomplete-data": "B"}
    scorecard = canonical_json(score(playbook, answers).to_dict()).decode()
    count = Attempt.objects.exclude(scorecard_hash="").update(scorecard_json=scorecard)
    connections.close_all()
    return count


def download(port: int, path: str, cookie: str) -> tuple[float, float, int, int]:
    """Seconds to the first byte and to the last, bytes and lines of one download."""
    began = time.perf_counter()
    connection = http.client.HTTPConnection(pipeline.HOST, port, timeout=300)
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    if response.status != 200:
        raise SystemExit(f"{path} answered {response.status}")
    first = response.read(1)
    first_at = time.perf_counter() - began
    rest = response.read()
    total = time.perf_counter() - began
    connection.close()
    body = first + rest
    return first_at, total, len(body), body.count(b"\n")


def resident_mb(pid: int) -> float:
    """The resident memory of ``pid`` and its children (the serving processes), in MB."""
    pids = {str(pid)}
    for task in Path(f"/proc/{pid}/task").iterdir():
        pids.update((task / "children").read_text().split())
    total = 0.0
    for each in pids:
        status = Path(f"/proc/{each}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
    return total


if __name__ == "__main__":
    sys.exit(main())
