"""Subjects, wrapped keys, and sealing personal data with AES-GCM."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from hireproof.audit import keys, vault
from hireproof.audit.models import Subject

pytestmark = pytest.mark.django_db


def test_a_pseudonym_is_128_random_bits_in_base32() -> None:
    first, second = vault.new_pseudonym(), vault.new_pseudonym()
    assert re.fullmatch(r"subj_[a-z2-7]{26}", first)
    assert first != second


def test_sealed_text_comes_back_unchanged() -> None:
    subject = vault.create_subject()
    blob = vault.seal(subject, "Ada Lovelace <ada@example.org>", context="candidate.name")
    assert b"Ada" not in blob
    assert vault.unseal(subject, blob, context="candidate.name") == "Ada Lovelace <ada@example.org>"


def test_sealing_twice_gives_different_blobs() -> None:
    subject = vault.create_subject()
    first = vault.seal(subject, "70", context="answer.text")
    assert first != vault.seal(subject, "70", context="answer.text")


def test_a_blob_moved_to_another_field_does_not_open() -> None:
    subject = vault.create_subject()
    blob = vault.seal(subject, "ada@example.org", context="candidate.email")
    with pytest.raises(vault.VaultError, match=r"does not open as 'candidate\.name'"):
        vault.unseal(subject, blob, context="candidate.name")


def test_a_blob_moved_to_another_candidate_does_not_open() -> None:
    owner, other = vault.create_subject(), vault.create_subject()
    blob = vault.seal(owner, "ada@example.org", context="candidate.email")
    with pytest.raises(vault.VaultError, match=f"of {other.pseudonym} does not open"):
        vault.unseal(other, blob, context="candidate.email")


def test_an_altered_blob_does_not_open() -> None:
    subject = vault.create_subject()
    blob = bytearray(vault.seal(subject, "70", context="answer.text"))
    blob[-1] ^= 1
    with pytest.raises(vault.VaultError, match="or it was altered"):
        vault.unseal(subject, bytes(blob), context="answer.text")


def test_the_database_holds_only_wrapped_keys() -> None:
    subject = Subject.objects.get(pk=vault.create_subject().pk)
    secret, data_key = vault.commitment_secret(subject), vault.data_key(subject)
    assert len(secret) == len(data_key) == 32
    assert secret != data_key
    assert subject.secret_wrapped is not None
    assert subject.data_key_wrapped is not None
    for wrapped in (bytes(subject.secret_wrapped), bytes(subject.data_key_wrapped)):
        assert len(wrapped) == 12 + 32 + 16
        assert secret not in wrapped
        assert data_key not in wrapped


def test_a_wrapped_key_copied_to_another_subject_does_not_unwrap() -> None:
    owner, other = vault.create_subject(), vault.create_subject()
    other.secret_wrapped = owner.secret_wrapped
    with pytest.raises(vault.VaultError, match=f"secret of subject {other.pseudonym} does not"):
        vault.commitment_secret(other)


def test_the_kek_file_is_created_once_with_private_permissions(key_files: Path) -> None:
    vault.create_subject()
    kek = key_files / "kek.key"
    assert stat.S_IMODE(kek.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_files.stat().st_mode) == 0o700
    assert len(kek.read_bytes()) == 32
    first = kek.read_bytes()
    keys.forget_cached_keys()
    vault.create_subject()
    assert kek.read_bytes() == first


def test_a_kek_of_another_size_is_refused_in_plain_words(key_files: Path) -> None:
    key_files.mkdir()
    (key_files / "kek.key").write_bytes(b"short")
    with pytest.raises(
        keys.KeyFileError, match=r"kek.key holds 5 bytes; a key file holds exactly 32"
    ):
        vault.create_subject()


def test_a_replaced_kek_is_named_when_keys_do_not_unwrap(key_files: Path) -> None:
    subject = vault.create_subject()
    (key_files / "kek.key").write_bytes(bytes(32))
    keys.forget_cached_keys()
    with pytest.raises(vault.VaultError, match="the KEK was replaced"):
        vault.data_key(subject)
