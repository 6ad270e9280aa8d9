"""``hireproof audit verify``, ``audit trust`` and ``audit receipt verify``: the auditor's side.

They run on the core alone - no database, no Django - so an outside auditor can check an export
or a receipt with nothing but this package and a key they trust: one they pass with ``--vkey``,
or the keys of a trust file they keep (``hireproof audit trust init FILE --vkey V``). With
``--witness`` (or witness keys in the trust file) the cosignatures of those witnesses are
required too: a quorum of them (``--quorum``; default all) must have cosigned what is verified,
so the log cannot show the auditor a history of its own. A verification with a trust file that
ends OK rewrites the file (atomically): the keys that rotations signed by a trusted key vouched
for join it, and its checkpoint moves forward.

Exit codes of ``verify`` and ``receipt verify``: 0 OK, 1 verification failed (the report says
what and where; a key you named that did not sign it is a failure too), 2 the input could not
be read (a missing file, a malformed manifest, receipt, trust file or key) or the command was
misused, 3 untrusted (everything holds together, but you named no key to trust).
"""

from __future__ import annotations

import argparse
import base64
from pathlib import Path

from hireproof.core.audit import (
    Receipt,
    Result,
    TrustFile,
    check_receipt,
    verify_bundle,
)
from hireproof.core.errors import AuditError

from .files import write_atomically

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_UNREADABLE = 2
EXIT_UNTRUSTED = 3
EXIT_CODES = {Result.OK: EXIT_OK, Result.FAILED: EXIT_FAILED, Result.UNTRUSTED: EXIT_UNTRUSTED}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``verify`` and ``receipt verify`` to the ``hireproof audit`` group."""
    verify = subparsers.add_parser(
        "verify", help="verify an exported audit bundle offline (no database needed)"
    )
    verify.add_argument("bundle", type=Path, metavar="BUNDLE", help="the exported bundle file")
    anchor = verify.add_mutually_exclusive_group()
    anchor.add_argument(
        "--vkey",
        action="append",
        default=[],
        metavar="VKEY",
        help="a log key you trust (repeatable)",
    )
    anchor.add_argument(
        "--trust",
        type=Path,
        metavar="FILE",
        help="your trust file (hireproof audit trust init); rewritten after an OK result",
    )
    verify.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        type=Path,
        metavar="NOTE",
        help="a signed checkpoint you kept earlier (repeatable): catches a cut-off tail",
    )
    _witness_arguments(verify)
    verify.set_defaults(handler=_verify)

    trust = subparsers.add_parser("trust", help="keep the keys and checkpoint you trust")
    trust_actions = trust.add_subparsers(dest="trust_command", required=True, metavar="ACTION")
    trust_init = trust_actions.add_parser("init", help="start a trust file from one log key")
    trust_init.add_argument("file", type=Path, metavar="FILE")
    trust_init.add_argument(
        "--vkey", required=True, metavar="VKEY", help="the log's key, obtained out of band"
    )
    _witness_arguments(trust_init, "the file then requires their cosignatures")
    trust_init.set_defaults(handler=_trust_init)
    trust_show = trust_actions.add_parser("show", help="print what a trust file holds")
    trust_show.add_argument("file", type=Path, metavar="FILE")
    trust_show.set_defaults(handler=_trust_show)

    receipt = subparsers.add_parser("receipt", help="check a receipt for one recorded event")
    receipt_actions = receipt.add_subparsers(
        dest="receipt_command", required=True, metavar="ACTION"
    )
    receipt_verify = receipt_actions.add_parser("verify", help="verify a receipt JSON file")
    receipt_verify.add_argument("receipt", type=Path, metavar="RECEIPT.json")
    receipt_anchor = receipt_verify.add_mutually_exclusive_group()
    receipt_anchor.add_argument(
        "--vkey",
        action="append",
        default=[],
        metavar="VKEY",
        help="a log key you trust (repeatable); without one the receipt cannot be OK",
    )
    receipt_anchor.add_argument(
        "--trust",
        type=Path,
        metavar="FILE",
        help="your trust file: its keys are trusted and its witnesses required",
    )
    _witness_arguments(receipt_verify)
    receipt_verify.set_defaults(handler=_verify_receipt)


def _witness_arguments(
    parser: argparse.ArgumentParser, purpose: str = "their cosignatures are required"
) -> None:
    parser.add_argument(
        "--witness",
        action="append",
        default=[],
        metavar="VKEY",
        help=f"the key of a witness you trust (repeatable): {purpose}",
    )
    parser.add_argument(
        "--quorum",
        type=int,
        metavar="N",
        help="how many of the witnesses must have cosigned (default: all of them)",
    )


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise AuditError(f"cannot read the {what} {path}: {reason}") from None


def _verify(args: argparse.Namespace) -> int:
    held = [_read_text(path, "checkpoint") for path in args.checkpoint]
    trust = None if args.trust is None else _read_trust(args.trust)
    report = verify_bundle(
        args.bundle,
        trusted_vkeys=args.vkey,
        held_checkpoints=held,
        trust=trust,
        witness_vkeys=args.witness,
        witness_quorum=args.quorum,
    )
    if not args.vkey and trust is None:
        print("no trusted key: pass the log's key with --vkey, or a trust file with --trust")
    print(report.summary())
    if trust is not None and report.result is Result.OK:
        write_atomically(args.trust, trust.after(report).to_json())
        print(f"trust file {args.trust} updated")
    return EXIT_CODES[report.result]


def _read_trust(path: Path) -> TrustFile:
    try:
        return TrustFile.from_json(_read_text(path, "trust file"))
    except AuditError as error:
        raise AuditError(f"{path}: {error}") from None


def _trust_init(args: argparse.Namespace) -> int:
    if args.file.exists():
        raise AuditError(f"{args.file} already exists; it is not overwritten")
    try:
        trust = TrustFile.start(args.vkey, args.witness, args.quorum)
    except AuditError as error:
        raise AuditError(f"--vkey, --witness or --quorum: {error}") from None
    write_atomically(args.file, trust.to_json())
    print(f"wrote {args.file}: trusting {trust.trusted_vkeys[0]} for log {trust.origin}")
    if trust.witness_vkeys:
        count = len(trust.witness_vkeys)
        print(f"requiring {trust.witness_quorum} of {count} witnesses to cosign")
    return EXIT_OK


def _trust_show(args: argparse.Namespace) -> int:
    trust = _read_trust(args.file)
    print(f"log: {trust.origin}")
    print("trusted keys:")
    print("".join(f"  {vkey}\n" for vkey in trust.trusted_vkeys), end="")
    if trust.checkpoint is None:
        print("verified: nothing yet")
    else:
        size, root = trust.checkpoint
        print(f"verified: the first {size} leaves, root {base64.b64encode(root).decode()}")
    quorum = trust.witness_quorum
    print(f"witnesses: {len(trust.witness_vkeys)} keys, {quorum} required")
    print("".join(f"  {vkey}\n" for vkey in trust.witness_vkeys), end="")
    return EXIT_OK


def _verify_receipt(args: argparse.Namespace) -> int:
    """Exit 0 OK, 1 FAILED, 2 unreadable, 3 UNTRUSTED (it holds, but you named no key)."""
    receipt = Receipt.from_json(_read_text(args.receipt, "receipt"))
    report = check_receipt(
        receipt,
        trusted_vkeys=args.vkey,
        trust=None if args.trust is None else _read_trust(args.trust),
        witness_vkeys=args.witness,
        witness_quorum=args.quorum,
    )
    print(report.summary())
    return EXIT_CODES[report.result]
