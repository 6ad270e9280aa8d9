"""``hireproof sweep``: submit every attempt left open past its deadline, once.

A worker does this every minute (the periodic task ``hiring.sweeper.sweep_overdue``); run this
by hand while no worker runs, so no attempt waits for one.
"""

from __future__ import annotations

import argparse

from hireproof.cli.django_setup import with_django


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "sweep", help="submit every attempt left open past its deadline (what was saved)"
    )
    parser.set_defaults(handler=sweep)


@with_django
def sweep(args: argparse.Namespace) -> int:
    """Auto-submit the overdue attempts and say how many."""
    from hireproof.hiring.actions.attempts import do_auto_submit_overdue

    submitted = do_auto_submit_overdue()
    print(f"auto-submitted {len(submitted)} attempt(s) past their deadline")
    return 0
