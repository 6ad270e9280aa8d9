"""The ``hireproof`` command line.

Each sub-command group lives in its own module with a ``register(subparsers)`` function; a
handler returns the process exit code. Any ``HireproofError`` becomes a plain message on stderr
and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from hireproof.cli import (
    api_key,
    audit,
    backup,
    demo,
    playbook,
    scoring,
    serve,
    sweep,
    witness,
    worker,
)
from hireproof.core.errors import HireproofError

COMMAND_GROUPS = (playbook, scoring, audit, serve, worker, sweep, demo, witness, api_key, backup)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hireproof",
        description="Hiring assessments scored by a deterministic rubric, with an audit log.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except HireproofError as error:
        print(f"hireproof: {error}", file=sys.stderr)
        return 2
    return code
