"""Pytest plugin loaded first (``-p hireproof.testing.env``): a private data folder per test run,
and the hypothesis profile every property test runs under.

It must run before pytest-django imports the settings, which is why it is a ``-p`` plugin and
not a conftest: the database, keys and secret of a test run never touch a real data folder.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

from hypothesis import settings as _hypothesis_settings

if "HIREPROOF_DATA_DIR" not in os.environ:
    _data_dir = tempfile.mkdtemp(prefix="hireproof-test-")
    os.environ["HIREPROOF_DATA_DIR"] = _data_dir
    atexit.register(shutil.rmtree, _data_dir, ignore_errors=True)

# Property tests: no per-example deadline (a loaded 2-core CI machine is slow, not wrong), no
# example database in the work tree, and a fixed derandomised run in CI so a red build is
# reproducible; locally each run explores new examples.
_hypothesis_settings.register_profile(
    "hireproof", deadline=None, database=None, derandomize=os.environ.get("CI") == "true"
)
_hypothesis_settings.load_profile("hireproof")

# Background tasks run at once, in the test's own process and transaction (Django-Q2's sync
# mode); the tests that start real `hireproof worker` processes turn it off for them.
os.environ.setdefault("HIREPROOF_TASKS_SYNC", "true")
