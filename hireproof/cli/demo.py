"""``hireproof demo``: fill the database with sample staff and candidates at every stage.

It prepares the site exactly as ``hireproof serve`` does (migrate, static files, start-up
hooks), then loads the demo (``hireproof.reviews.demo``). Running it twice adds nothing.
"""

from __future__ import annotations

import argparse
import os
from typing import Any


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo",
        help="add sample staff and candidates at every stage (idempotent), then exit",
    )
    parser.set_defaults(handler=demo)


def demo(args: argparse.Namespace) -> int:
    """Prepare the site, load the demo, print what was made and how to sign in."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hireproof.settings")
    import django

    django.setup()
    from hireproof.assessments.sweeper import stop_sweeper
    from hireproof.reviews.demo import load_demo, report_lines

    from .serve import prepare_site

    prepare_site()
    # The start-up hooks start the attempt sweeper for a server; this command is not one.
    stop_sweeper()
    report = load_demo()  # a DemoRefused is a HireproofError: the CLI prints it, exit 2
    print("\n".join(report_lines(report)), flush=True)
    print("Start the server with `make run` (or `hireproof serve`) and sign in.", flush=True)
    return 0
