"""``hireproof witness``: a small C2SP tlog-witness that an outside party runs with its own key.

The company's counsel, an auditor or a works council keeps a witness folder; the hiring app is
configured to send it every new checkpoint (``HIREPROOF_WITNESSES``). The witness cosigns a
checkpoint only if it extends the last one it cosigned for that log, so the operator can no
longer show two histories to two auditors.

    hireproof witness init DIR --name NAME        create the witness key (0600, folder 0700)
    hireproof witness vkey DIR                    print the witness's public key to give out
    hireproof witness trust DIR --log-vkey VKEY   trust a log key (its name is the log origin)
    hireproof witness serve DIR [--host H] [--port N]

The folder holds ``witness.key`` (32 raw bytes), ``witness.json`` (its name),
``trusted-logs.txt`` (one log vkey a line) and ``state.json`` (the latest head cosigned per
log, replaced atomically under a lock before each answer). None of this needs Django or a
database: an outside party installs the package and runs the witness alone.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hireproof.core.audit import (
    SIZE_CONTENT_TYPE,
    Verifier,
    WitnessedHead,
    decode_witness_state,
    encode_witness_state,
    parse_vkey,
    witness_add,
    witness_vkey_of,
)
from hireproof.core.errors import HireproofError

from .files import write_atomically

KEY_FILE = "witness.key"
CONFIG_FILE = "witness.json"
TRUSTED_FILE = "trusted-logs.txt"
STATE_FILE = "state.json"
LOCK_FILE = "state.lock"
MAX_BODY = 64 * 1024  # 63 proof lines and a note with 100 signatures fit in a tenth of this
DEFAULT_PORT = 8380


class WitnessError(HireproofError):
    """The witness folder is missing, incomplete or unsafe."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``witness`` group."""
    parser = subparsers.add_parser(
        "witness", help="run a witness that cosigns a log's checkpoints (no database needed)"
    )
    actions = parser.add_subparsers(dest="witness_command", required=True, metavar="ACTION")
    init = actions.add_parser("init", help="create a witness key in a new folder")
    init.add_argument("folder", type=Path, metavar="DIR")
    init.add_argument(
        "--name", required=True, help="the witness's key name, e.g. witness.example.org"
    )
    init.set_defaults(handler=_init)
    vkey = actions.add_parser("vkey", help="print the witness's public key (its vkey)")
    vkey.add_argument("folder", type=Path, metavar="DIR")
    vkey.set_defaults(handler=_vkey)
    trust = actions.add_parser("trust", help="trust a log's key; its name is the log's origin")
    trust.add_argument("folder", type=Path, metavar="DIR")
    trust.add_argument("--log-vkey", required=True, metavar="VKEY", help="the log's vkey")
    trust.set_defaults(handler=_trust)
    serve = actions.add_parser("serve", help="answer POST /add-checkpoint over HTTP")
    serve.add_argument("folder", type=Path, metavar="DIR")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help="port to listen on (0: any)")
    serve.set_defaults(handler=_serve)


# --- the folder ------------------------------------------------------------------------------


class WitnessFolder:
    """A witness's folder: key, name, trusted log keys and state."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def create(self, name: str) -> str:
        """Create the folder, key and name; ``WitnessError`` if a key is already there."""
        key = Ed25519PrivateKey.generate()
        try:
            vkey = witness_vkey_of(key, name)
        except ValueError as error:
            raise WitnessError(str(error)) from None
        if (self.path / KEY_FILE).exists():
            raise WitnessError(f"{self.path / KEY_FILE} already exists: refusing to overwrite")
        self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path.chmod(0o700)
        try:
            descriptor = os.open(self.path / KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise WitnessError(
                f"{self.path / KEY_FILE} already exists: refusing to overwrite"
            ) from None
        with os.fdopen(descriptor, "wb") as file:
            file.write(key.private_bytes_raw())
            file.flush()
            os.fsync(file.fileno())
        write_atomically(self.path / CONFIG_FILE, json.dumps({"name": name}) + "\n")
        return vkey

    def key(self) -> tuple[Ed25519PrivateKey, str]:
        """The private key and the witness's name; ``WitnessError`` if unsafe or missing."""
        path = self.path / KEY_FILE
        try:
            folder_mode = self.path.stat().st_mode & 0o777
            key_mode = path.stat().st_mode & 0o777
            raw = path.read_bytes()
            config = json.loads((self.path / CONFIG_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise WitnessError(
                f"{error.filename} is missing: create the witness with `hireproof witness init`"
            ) from None
        except (OSError, ValueError) as error:
            raise WitnessError(f"cannot read the witness folder {self.path}: {error}") from None
        if folder_mode & 0o077 or key_mode & 0o077:
            raise WitnessError(
                f"{path} must be readable by its owner only (folder 0700, file 0600)"
            )
        if len(raw) != 32:
            raise WitnessError(f"{path} holds {len(raw)} bytes, not a 32-byte Ed25519 key")
        if not isinstance(config, dict) or not isinstance(config.get("name"), str):
            raise WitnessError(f"{self.path / CONFIG_FILE} does not name the witness")
        return Ed25519PrivateKey.from_private_bytes(raw), config["name"]

    def trusted_logs(self) -> list[Verifier]:
        """The trusted log keys, one vkey a line."""
        path = self.path / TRUSTED_FILE
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        verifiers = []
        for number, line in enumerate(lines, start=1):
            if line.strip():
                try:
                    verifiers.append(parse_vkey(line))
                except HireproofError as error:
                    raise WitnessError(f"{path}:{number}: {error}") from None
        return verifiers

    def trust(self, vkey: str) -> Verifier:
        """Add a log key to the trusted ones (once)."""
        self.key()
        verifier = parse_vkey(vkey)
        with self.locked():
            known = self.trusted_logs()
            if verifier not in known:
                lines = [v.vkey for v in known] + [verifier.vkey]
                write_atomically(self.path / TRUSTED_FILE, "".join(line + "\n" for line in lines))
        return verifier

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold this process's lock and the folder's file lock (another process may serve)."""
        with self._lock, open(self.path / LOCK_FILE, "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def state(self) -> dict[str, WitnessedHead]:
        """The latest head cosigned per log origin."""
        path = self.path / STATE_FILE
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        try:
            return decode_witness_state(text)
        except HireproofError as error:
            raise WitnessError(f"{path}: {error}") from None

    def add_checkpoint(self, body: bytes) -> tuple[int, bytes]:
        """Decide on one request and persist the new state before answering."""
        key, name = self.key()
        with self.locked():
            state = self.state()
            status, answer, new_state = witness_add(
                state, body, self.trusted_logs(), key, name, int(time.time())
            )
            if new_state != state:
                write_atomically(self.path / STATE_FILE, encode_witness_state(new_state))
        return status, answer


# --- the commands ----------------------------------------------------------------------------


def _init(args: argparse.Namespace) -> int:
    vkey = WitnessFolder(args.folder).create(args.name)
    print(f"created the witness {args.name} in {args.folder}")
    print(f"vkey: {vkey}")
    return 0


def _vkey(args: argparse.Namespace) -> int:
    key, name = WitnessFolder(args.folder).key()
    print(witness_vkey_of(key, name))
    return 0


def _trust(args: argparse.Namespace) -> int:
    verifier = WitnessFolder(args.folder).trust(args.log_vkey)
    print(f"trusting log {verifier.name} (key {verifier.key_id.hex()})")
    return 0


def _serve(args: argparse.Namespace) -> int:
    folder = WitnessFolder(args.folder)
    folder.key()  # refuse to start without a safe key
    folder.state()  # ... or with a damaged state file
    server = ThreadingHTTPServer((args.host, args.port), _handler_for(folder))
    server.daemon_threads = True
    print(f"listening on http://{args.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _handler_for(folder: WitnessFolder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "hireproof-witness"
        timeout = 10  # seconds a client may take to send its request

        def do_POST(self) -> None:
            if self.path != "/add-checkpoint":
                self._answer(404, b"not found: the witness answers POST /add-checkpoint\n")
                return
            length_text = self.headers.get("Content-Length", "")
            if not length_text.isdigit():
                self._answer(411, b"a Content-Length is required\n")
                return
            length = int(length_text)
            if length > MAX_BODY:
                self._answer(413, f"the body is over {MAX_BODY} bytes\n".encode())
                return
            body = self.rfile.read(length)
            try:
                status, answer = folder.add_checkpoint(body)
            except HireproofError as error:
                print(f"hireproof witness: {error}", file=sys.stderr, flush=True)
                self._answer(500, b"the witness cannot read its folder\n")
                return
            self._answer(status, answer)

        def _answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            kind = SIZE_CONTENT_TYPE if status == 409 else "text/plain; charset=utf-8"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler
