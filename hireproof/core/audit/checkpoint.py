"""Signed checkpoints: C2SP ``tlog-checkpoint@v1.0.0`` bodies in ``signed-note@v1.0.0`` notes.

A checkpoint body is three lines and optional extension lines, each ending in ``\\n``::

    example.com/audit-log-test          origin: unique per log, equal to the key name
    8                                   tree size, ASCII decimal, no leading zeros
    XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=      root hash, standard base64

A signed note is the body, a blank line, then one or more signature lines
``"\\u2014 <key name> <base64(key id[4] || Ed25519 signature[64])>\\n"``. The signed bytes are
the body including its final newline. The key id is ``SHA-256(name || 0x0A || 0x01 ||
public key)[:4]`` and a verifier key is published as the vkey string
``<name>+<hex key id>+<base64(0x01 || public key)>``.

Verifier rules (signed-note spec): lines from unknown (name, key id) pairs are ignored (witness
cosignatures, future algorithms); a line from a known key must verify or the whole note is
refused; at least one known key must have signed.

Everything is pure except ``generate_signing_key``, the one function that draws randomness.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from hireproof.core.errors import ForkError, ProofError, SignatureError

from .merkle import EMPTY_ROOT, HASH_SIZE, verify_consistency

__all__ = [
    "MAX_SIGNATURES",
    "Checkpoint",
    "Signer",
    "Verifier",
    "check_extends",
    "generate_signing_key",
    "key_id_of",
    "open_checkpoint",
    "open_note",
    "parse_checkpoint_body",
    "parse_vkey",
    "sign_checkpoint",
    "sign_note",
    "signer_from_key_bytes",
    "vkey_of",
]

ED25519_TYPE = b"\x01"
MAX_SIGNATURES = 100  # the spec asks verifiers to accept at least 16 and to apply a bound
_SIGNATURE_PREFIX = "\u2014 "  # EM DASH, then a space
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True)
class Checkpoint:
    """A log's signed statement: the tree of ``size`` leaves has ``root``."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        """The checkpoint text that is signed (every line ends in a newline)."""
        lines = [
            self.origin,
            str(self.size),
            base64.b64encode(self.root).decode(),
            *self.extensions,
        ]
        return "".join(line + "\n" for line in lines)


@dataclass(frozen=True)
class Verifier:
    """A trusted public key: the key name, its 4-byte id and the raw Ed25519 public key."""

    name: str
    key_id: bytes
    public_key: bytes

    @property
    def vkey(self) -> str:
        """The published form ``name+keyid+base64(0x01 || public key)``."""
        encoded = base64.b64encode(ED25519_TYPE + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    def accepts(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``message``."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """A log's signing key under its key name (the name should equal the log's origin)."""

    name: str
    private_key: Ed25519PrivateKey = field(repr=False)

    @property
    def verifier(self) -> Verifier:
        """The matching public key."""
        public = self.private_key.public_key().public_bytes_raw()
        return Verifier(self.name, key_id_of(self.name, public), public)

    def sign(self, message: bytes) -> bytes:
        """The Ed25519 signature of ``message`` (deterministic, RFC 8032)."""
        return self.private_key.sign(message)


def generate_signing_key() -> bytes:
    """32 fresh random bytes: a new Ed25519 private key (the only random function here)."""
    return Ed25519PrivateKey.generate().private_bytes_raw()


def key_id_of(name: str, public_key: bytes) -> bytes:
    """The signed-note key id: ``SHA-256(name || 0x0A || 0x01 || public key)[:4]``."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519_TYPE + public_key).digest()[:4]


def signer_from_key_bytes(name: str, raw: bytes) -> Signer:
    """A signer from a 32-byte raw Ed25519 private key; ``ValueError`` for a bad name or key."""
    _require_key_name(name, ValueError)
    if len(raw) != 32:
        raise ValueError(f"an Ed25519 private key is 32 bytes, not {len(raw)}")
    return Signer(name, Ed25519PrivateKey.from_private_bytes(raw))


def vkey_of(key: Signer | Verifier) -> str:
    """The vkey string to publish for ``key``."""
    return key.verifier.vkey if isinstance(key, Signer) else key.vkey


def parse_vkey(vkey: str) -> Verifier:
    """Read a vkey string; ``SignatureError`` saying what is wrong with it."""
    # split("+", 2): the base64 part may itself contain "+", names and ids cannot.
    parts = vkey.strip().split("+", 2)
    if len(parts) != 3:
        raise SignatureError(f"the vkey {vkey!r} is not name+keyid+key")
    name, key_id_hex, encoded = parts
    _require_key_name(name, SignatureError)
    if not re.fullmatch(r"[0-9a-f]{8}", key_id_hex):
        raise SignatureError(f"the vkey's key id {key_id_hex!r} is not 8 lower-case hex digits")
    raw = _decode_base64(encoded, "the vkey's key")
    if raw[:1] != ED25519_TYPE or len(raw) != 33:
        raise SignatureError("the vkey is not an Ed25519 key (type 0x01, 32 bytes)")
    public = raw[1:]
    if key_id_of(name, public) != bytes.fromhex(key_id_hex):
        raise SignatureError(f"the vkey's key id {key_id_hex} does not match its key")
    return Verifier(name, bytes.fromhex(key_id_hex), public)


def sign_note(signer: Signer, text: str) -> str:
    """A signed note over ``text`` (which must end with a newline)."""
    _require_note_text(text, ValueError)
    signature = signer.sign(text.encode())
    verifier = signer.verifier
    encoded = base64.b64encode(verifier.key_id + signature).decode()
    return f"{text}\n{_SIGNATURE_PREFIX}{signer.name} {encoded}\n"


def sign_checkpoint(signer: Signer, checkpoint: Checkpoint) -> str:
    """The signed note of ``checkpoint``: what the log publishes and stores."""
    return sign_note(signer, checkpoint.body())


def open_note(note: str, verifiers: Iterable[Verifier]) -> str:
    """The note's text once a trusted key's signature verifies; ``SignatureError`` otherwise."""
    _require_note_characters(note)
    separator = note.rfind("\n\n")  # the LAST blank line: the text may contain blank lines
    if separator < 0 or not note.endswith("\n"):
        raise SignatureError("the note has no blank line before its signatures")
    text, signature_block = note[: separator + 1], note[separator + 2 :]
    _require_note_text(text, SignatureError)
    lines = signature_block.split("\n")[:-1]
    if not lines:
        raise SignatureError("the note has no signature lines")
    if len(lines) > MAX_SIGNATURES:
        raise SignatureError(f"the note has {len(lines)} signatures; at most 100 are read")
    trusted = {(v.name, v.key_id): v for v in verifiers}
    if not _verify_signature_lines(lines, text.encode(), trusted):
        names = ", ".join(sorted({name for name, _ in trusted})) or "none"
        raise SignatureError(f"no trusted key signed the note (trusted keys: {names})")
    return text


def _verify_signature_lines(
    lines: Sequence[str], message: bytes, trusted: dict[tuple[str, bytes], Verifier]
) -> bool:
    verified = False
    for number, line in enumerate(lines, start=1):
        name, raw = _parse_signature_line(line, number)
        verifier = trusted.get((name, raw[:4]))
        if verifier is None:
            continue  # someone else's signature (a witness, a newer algorithm): ignore it
        if not verifier.accepts(message, raw[4:]):
            raise SignatureError(f"the signature by {name} does not verify")
        verified = True
    return verified


def _parse_signature_line(line: str, number: int) -> tuple[str, bytes]:
    if not line.startswith(_SIGNATURE_PREFIX):
        raise SignatureError(f"signature line {number} does not start with an em dash and space")
    parts = line[len(_SIGNATURE_PREFIX) :].split(" ")
    if len(parts) != 2 or not parts[0]:
        raise SignatureError(f"signature line {number} is not a key name and a signature")
    raw = _decode_base64(parts[1], f"signature line {number}")
    if len(raw) < 5:
        raise SignatureError(f"signature line {number} is too short")
    return parts[0], raw


def open_checkpoint(note: str, verifiers: Iterable[Verifier]) -> Checkpoint:
    """Verify a signed checkpoint note and parse its body; ``SignatureError`` on any problem."""
    return parse_checkpoint_body(open_note(note, verifiers))


def parse_checkpoint_body(text: str) -> Checkpoint:
    """Parse a checkpoint body (not its signatures); ``SignatureError`` if malformed."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise SignatureError("a checkpoint has an origin, a size and a root, each on a line")
    origin, size_text, root_text, *extensions = lines[:-1]
    if not origin:
        raise SignatureError("the checkpoint's origin line is empty")
    if not _DECIMAL.fullmatch(size_text):
        raise SignatureError(f"the checkpoint size {size_text!r} is not a decimal number")
    root = _decode_base64(root_text, "the checkpoint root")
    if len(root) != HASH_SIZE:
        raise SignatureError(f"the checkpoint root is {len(root)} bytes, not {HASH_SIZE}")
    if any(not line for line in extensions):
        raise SignatureError("a checkpoint extension line is empty")
    return Checkpoint(origin, int(size_text), root, tuple(extensions))


def check_extends(previous: Checkpoint, new: Checkpoint, proof: Sequence[bytes]) -> None:
    """Refuse (``ForkError``) to accept ``new`` unless it extends ``previous``.

    This is what the writer calls before signing: a restored backup that appended different
    leaves produces a tree that no consistency proof can join to the last signed one.
    """
    if new.origin != previous.origin:
        raise ForkError(f"the new checkpoint is for {new.origin!r}, not {previous.origin!r}")
    if new.size < previous.size:
        raise ForkError(
            f"the new checkpoint has {new.size} leaves, fewer than the {previous.size} signed"
        )
    if previous.size == 0:
        if previous.root != EMPTY_ROOT or proof:
            raise ForkError("the signed empty checkpoint does not carry the empty root")
        return
    try:
        verify_consistency(previous.size, new.size, previous.root, new.root, proof)
    except ProofError as error:
        raise ForkError(
            f"the tree of {new.size} leaves does not extend the signed tree of "
            f"{previous.size} leaves: {error}"
        ) from None


def _require_key_name(name: str, error: type[Exception]) -> None:
    if not name or "+" in name or any(ch.isspace() or ord(ch) < 0x20 for ch in name):
        raise error(f"the key name {name!r} must be non-empty, without spaces or '+'")


def _require_note_characters(note: str) -> None:
    try:
        note.encode()
    except UnicodeEncodeError:
        raise SignatureError("the note is not valid UTF-8") from None
    if any((ord(ch) < 0x20 and ch != "\n") or ord(ch) == 0x7F for ch in note):
        raise SignatureError("the note holds a control character other than newline")


def _require_note_text(text: str, error: type[Exception]) -> None:
    if not text.endswith("\n") or text == "\n":
        raise error("a note's text must be non-empty and end with a newline")


def _decode_base64(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError(f"{what} is not valid base64") from None
    if base64.b64encode(raw).decode() != text:
        raise SignatureError(f"{what} is not in canonical base64")
    return raw
