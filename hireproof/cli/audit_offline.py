"""``hireproof audit verify`` and ``hireproof audit receipt verify``: the auditor's side.

Both run on the core alone - no database, no Django - so an outside auditor can check an export
or a receipt with nothing but this package and the log's published vkey.

Exit codes: 0 everything verified, 1 verification failed (the report says what and where),
2 the input could not be read (a missing file, a malformed bundle manifest or receipt).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from hireproof.core.audit import (
    Receipt,
    open_checkpoint,
    parse_leaf,
    parse_vkey,
    verify_bundle,
    verify_receipt,
)
from hireproof.core.errors import AuditError

EXIT_OK = 0
EXIT_FAILED = 1


def register(subparsers: Any) -> None:
    """Add ``verify`` and ``receipt verify`` to the ``hireproof audit`` group."""
    verify = subparsers.add_parser(
        "verify", help="verify an exported audit bundle offline (no database needed)"
    )
    verify.add_argument("bundle", type=Path, metavar="BUNDLE", help="the exported bundle file")
    verify.add_argument(
        "--vkey",
        action="append",
        default=[],
        metavar="VKEY",
        help="a log key you trust (repeatable); without it the bundle's own keys are used",
    )
    verify.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        type=Path,
        metavar="NOTE",
        help="a signed checkpoint you kept earlier (repeatable): catches a cut-off tail",
    )
    verify.set_defaults(handler=_verify)

    receipt = subparsers.add_parser("receipt", help="check a receipt for one recorded event")
    receipt_actions = receipt.add_subparsers(
        dest="receipt_command", required=True, metavar="ACTION"
    )
    receipt_verify = receipt_actions.add_parser("verify", help="verify a receipt JSON file")
    receipt_verify.add_argument("receipt", type=Path, metavar="RECEIPT.json")
    receipt_verify.add_argument(
        "--vkey", metavar="VKEY", help="the log key you trust (otherwise the receipt's own)"
    )
    receipt_verify.set_defaults(handler=_verify_receipt)


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise AuditError(f"cannot read the {what} {path}: {reason}") from None


def _verify(args: argparse.Namespace) -> int:
    held = [_read_text(path, "checkpoint") for path in args.checkpoint]
    report = verify_bundle(args.bundle, trusted_vkeys=args.vkey, held_checkpoints=held)
    if not args.vkey:
        print("note: keys taken from the bundle itself; pin the log's key with --vkey")
    print(report.summary())
    return EXIT_OK if report.ok else EXIT_FAILED


def _verify_receipt(args: argparse.Namespace) -> int:
    receipt = Receipt.from_json(_read_text(args.receipt, "receipt"))
    try:
        verify_receipt(receipt, vkey=args.vkey)
    except AuditError as error:
        print(f"receipt FAILED: {error}")
        return EXIT_FAILED
    checkpoint = open_checkpoint(receipt.checkpoint, [parse_vkey(receipt.vkey)])
    print(
        f"receipt OK: leaf {receipt.leaf_index}{_event_of(receipt)} is in log {checkpoint.origin}, "
        f"checkpoint of size {checkpoint.size} signed by {receipt.vkey}"
    )
    return EXIT_OK


def _event_of(receipt: Receipt) -> str:
    """`` (event.type)`` when the receipt carries a readable leaf, else nothing."""
    if receipt.leaf is None:
        return ""
    try:
        return f" ({parse_leaf(receipt.leaf).event_type})"
    except AuditError:
        return " (unreadable leaf)"
