"""``hireproof audit ...``: the offline verifier (core only) and the log operator's commands."""

from __future__ import annotations

import argparse

from hireproof.cli import audit_offline, audit_server


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "audit", help="verify, export and prove the tamper-evident audit log"
    )
    audit_commands = parser.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    audit_offline.register(audit_commands)
    audit_server.register(audit_commands)
