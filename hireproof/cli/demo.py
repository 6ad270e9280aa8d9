"""``hireproof demo``: fill the database with sample staff and candidates at every stage.

It prepares the site exactly as ``hireproof serve`` does (migrate, static files, built-in
playbooks), then loads the demo (``hireproof.hiring.demo.loader``). Running it twice adds nothing.
"""

from __future__ import annotations

import argparse
import os


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    from hireproof.cli.serve import prepare_site
    from hireproof.hiring.demo.loader import load_demo, report_lines

    prepare_site()
    report = load_demo()  # a DemoRefused is a HireproofError: the CLI prints it, exit 2
    print("\n".join(report_lines(report)), flush=True)
    print("Start the server with `make run` (or `hireproof serve`) and sign in.", flush=True)
    return 0
