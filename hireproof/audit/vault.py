"""Per-candidate keys and the sealing of their personal data (AES-256-GCM).

Every candidate gets a ``Subject``: a random pseudonym (the only thing the log says about them)
and two random 256-bit keys, each stored wrapped (AES-GCM) under the key-encryption key that
lives in a file outside the database:

- the *commitment secret*, from which the salts of their committed fields derive
  (``hireproof.core.audit.commitments``);
- the *data key*, under which the hiring pipeline seals the candidate's personal data and
  answer texts with ``seal`` / ``unseal``.

A sealed blob is ``nonce (12 bytes) || ciphertext+tag``. The associated data names the subject
and a caller-chosen ``context`` (e.g. ``"candidate.email"``), so a blob copied into another
field or another candidate's row does not open.

Erasing a subject (``hireproof.audit.actions.do_erase_subject``) destroys both wrapped keys:
every sealed blob becomes undecryptable and every commitment unopenable, while the log itself
stays intact.
"""

from __future__ import annotations

import base64
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.utils import timezone

from hireproof.audit.keys import KEY_SIZE, kek_bytes
from hireproof.audit.models import Subject
from hireproof.core.errors import HireproofError

NONCE_SIZE = 12
PSEUDONYM_PREFIX = "subj_"
_WRAP_DOMAIN = b"hireproof/kek/v1"
_SEAL_DOMAIN = b"hireproof/vault/v1"


class VaultError(HireproofError):
    """A sealed value or a wrapped key does not open (wrong key, wrong context, or altered)."""


class SubjectErasedError(VaultError):
    """The subject was erased: their keys are gone and nothing of theirs can be opened."""


def new_pseudonym() -> str:
    """``subj_`` + 128 random bits in lower-case base32: never derived from anything personal."""
    encoded = base64.b32encode(secrets.token_bytes(16)).decode("ascii")
    return PSEUDONYM_PREFIX + encoded.rstrip("=").lower()


def create_subject() -> Subject:
    """Create and save a new subject with a fresh pseudonym, secret and data key."""
    pseudonym = new_pseudonym()
    return Subject.objects.create(
        pseudonym=pseudonym,
        secret_wrapped=_wrap(pseudonym, "secret", secrets.token_bytes(KEY_SIZE)),
        data_key_wrapped=_wrap(pseudonym, "data-key", secrets.token_bytes(KEY_SIZE)),
        created_at=timezone.now(),
    )


def commitment_secret(subject: Subject) -> bytes:
    """The subject's commitment secret (unwrapped); ``SubjectErasedError`` once erased."""
    return _unwrap(subject, "secret", subject.secret_wrapped)


def data_key(subject: Subject) -> bytes:
    """The subject's data key (unwrapped); ``SubjectErasedError`` once erased."""
    return _unwrap(subject, "data-key", subject.data_key_wrapped)


def seal(subject: Subject, plaintext: str, *, context: str) -> bytes:
    """Encrypt ``plaintext`` for ``subject``, bound to ``context`` (the field it is stored in)."""
    nonce = secrets.token_bytes(NONCE_SIZE)
    associated = _associated_data(_SEAL_DOMAIN, subject.pseudonym, context)
    return nonce + AESGCM(data_key(subject)).encrypt(nonce, plaintext.encode(), associated)


def unseal(subject: Subject, blob: bytes, *, context: str) -> str:
    """Decrypt a blob made by ``seal`` for the same subject and context."""
    key = data_key(subject)
    associated = _associated_data(_SEAL_DOMAIN, subject.pseudonym, context)
    try:
        plaintext = AESGCM(key).decrypt(blob[:NONCE_SIZE], blob[NONCE_SIZE:], associated)
    except InvalidTag:
        raise VaultError(
            f"a sealed value of {subject.pseudonym} does not open as {context!r}: it belongs to"
            " another field or another candidate, or it was altered"
        ) from None
    return plaintext.decode()


def _associated_data(domain: bytes, pseudonym: str, context: str) -> bytes:
    # Length-free joining is safe: pseudonyms never contain "|" and the context comes last.
    return b"|".join((domain, pseudonym.encode(), context.encode()))


def _wrap(pseudonym: str, role: str, key: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_SIZE)
    associated = _associated_data(_WRAP_DOMAIN, pseudonym, role)
    return nonce + AESGCM(kek_bytes()).encrypt(nonce, key, associated)


def _unwrap(subject: Subject, role: str, wrapped: bytes | memoryview | None) -> bytes:
    if subject.is_erased or wrapped is None:
        raise SubjectErasedError(
            f"subject {subject.pseudonym} was erased: their keys are destroyed"
        )
    blob = bytes(wrapped)
    associated = _associated_data(_WRAP_DOMAIN, subject.pseudonym, role)
    try:
        return AESGCM(kek_bytes()).decrypt(blob[:NONCE_SIZE], blob[NONCE_SIZE:], associated)
    except InvalidTag:
        raise VaultError(
            f"the {role} of subject {subject.pseudonym} does not unwrap with the KEK in"
            " the key file: the KEK was replaced or the database row was altered"
        ) from None
