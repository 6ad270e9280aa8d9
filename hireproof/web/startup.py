"""Work done each time the server starts, after migrating: e.g. loading built-in playbooks.

Apps add a function to ``STARTUP_HOOKS`` (from their ``AppConfig.ready``); ``hireproof serve``
calls each once, in order. A hook must be idempotent: it runs on every start.
"""

from __future__ import annotations

from collections.abc import Callable

STARTUP_HOOKS: list[Callable[[], None]] = []


def add_startup_hook(hook: Callable[[], None]) -> None:
    """Register ``hook`` to run at every server start (once, however often it is added)."""
    if hook not in STARTUP_HOOKS:
        STARTUP_HOOKS.append(hook)


def run_startup_hooks() -> None:
    """Call every registered hook, in the order they were added."""
    for hook in STARTUP_HOOKS:
        hook()
