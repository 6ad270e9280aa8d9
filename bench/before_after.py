"""Run a bench script against one checkout of the code, or two back to back (before, after).

The audit benches call ``run_measurements``: without ``--before`` they measure this checkout;
with ``--before DIR`` (a checkout of the code before a change, e.g. from ``git worktree add
--detach DIR COMMIT``) they measure that code first, then this one, each in a process of its
own with ``PYTHONPATH`` naming the code it measures, in the same virtualenv. The measuring
process prints its figures and, last, one ``RESULT {json}`` line the caller reads back.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
THIS_CODE = HERE.parent
RESULT = "RESULT "


def run_measurements(
    script: str, before: Path | None, arguments: list[str]
) -> list[tuple[str, dict[str, Any]]]:
    """The results of ``script --measure ARGUMENTS`` for each checkout, labelled."""
    runs = (
        [("this code", THIS_CODE)] if before is None else [("before", before), ("after", THIS_CODE)]
    )
    results = []
    for label, code in runs:
        print(f"== {label}: {code}", flush=True)
        env = {**os.environ, "PYTHONPATH": str(code)}
        done = subprocess.run(
            [sys.executable, str(HERE / script), "--measure", *arguments],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        lines = done.stdout.splitlines()
        print("\n".join(line for line in lines if not line.startswith(RESULT)), flush=True)
        if done.returncode != 0 or not lines or not lines[-1].startswith(RESULT):
            sys.stderr.write(done.stderr)
            raise SystemExit(f"{script} on {code} failed with exit code {done.returncode}")
        results.append((label, json.loads(lines[-1][len(RESULT) :])))
    return results


def in_fresh_data_folder(measure: Callable[[], int]) -> int:
    """Run ``measure`` on the ``hireproof`` on ``PYTHONPATH`` in a fresh, throwaway data folder."""
    data_dir = Path(tempfile.mkdtemp(prefix="hireproof-bench-"))
    os.environ["HIREPROOF_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "hireproof.settings"
    for name in ("DATABASE_URL", "HIREPROOF_AUDIT_SIGNING_KEY", "HIREPROOF_KEK"):
        os.environ.pop(name, None)
    try:
        return measure()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def print_result(values: dict[str, Any]) -> None:
    """The last line of a measuring process: its figures, for the caller."""
    print(RESULT + json.dumps(values), flush=True)


def measured_code() -> str:
    """Where the ``hireproof`` package being measured was imported from."""
    import hireproof

    return str(Path(hireproof.__file__).resolve().parent.parent)
