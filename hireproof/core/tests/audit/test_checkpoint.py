"""Signed notes and checkpoints: the C2SP vectors of design note 3.8 and every refusal."""

from __future__ import annotations

import base64
import re

import pytest

from hireproof.core.audit.checkpoint import (
    Checkpoint,
    check_extends,
    generate_signing_key,
    key_id_of,
    open_checkpoint,
    open_note,
    parse_checkpoint_body,
    parse_vkey,
    sign_checkpoint,
    sign_note,
    signer_from_key_bytes,
    vkey_of,
)
from hireproof.core.audit.merkle import EMPTY_ROOT, MemorySource, consistency_proof, leaf_hash
from hireproof.core.errors import ForkError, SignatureError

EXAMPLE_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
EXAMPLE_NOTE = (
    "This is an example message.\n\n"
    "\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3"
    "mFXmRKuwHjG1Yu72IneyaQM=\n"
)
TEST_KEY = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
ORIGIN = "example.com/audit-log-test"
PROJECT_VKEY = "example.com/audit-log-test+ddffb46d+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea"
ROOT8 = base64.b64decode("XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=")
PROJECT_NOTE = (
    "example.com/audit-log-test\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n"
    "\u2014 example.com/audit-log-test 3f+0bSf7laIBHEvZLBcIPrqkJUZ3+ehiaR5aCxAYmOnJTg6rRDbtf0lAvPE4"
    "SqOMTvkPyGHttjifTzvOPA0/KIwuZAM=\n"
)
WITNESS_LINE = (
    "\u2014 example.com/witness-test q2RxwwAAAABlU/EA+XveG/2yOi59ubzCgZI2NmL9gvjpMjl55YBL5QCZjaMZ"
    "FbYcdgIuw5XATC7sjpBiSwc5SvPzq8EEMZ5qnW2AAg==\n"
)
SIGNER = signer_from_key_bytes(ORIGIN, TEST_KEY)


def test_it_verifies_the_official_signed_note_example() -> None:
    verifier = parse_vkey(EXAMPLE_VKEY)
    assert verifier.key_id.hex() == "530d903a"
    assert key_id_of("example.com/foo", verifier.public_key) == bytes.fromhex("530d903a")
    assert open_note(EXAMPLE_NOTE, [verifier]) == "This is an example message.\n"


def test_changing_one_character_of_the_example_breaks_its_signature() -> None:
    with pytest.raises(SignatureError, match=r"the signature by example\.com/foo does not verify"):
        open_note(
            EXAMPLE_NOTE.replace("example message", "example messagE"), [parse_vkey(EXAMPLE_VKEY)]
        )


def test_it_reproduces_the_project_checkpoint_vector_byte_for_byte() -> None:
    assert vkey_of(SIGNER) == PROJECT_VKEY
    assert vkey_of(SIGNER.verifier) == PROJECT_VKEY
    assert SIGNER.verifier.public_key.hex() == (
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    )
    assert sign_checkpoint(SIGNER, Checkpoint(ORIGIN, 8, ROOT8)) == PROJECT_NOTE


def test_it_opens_the_project_checkpoint_with_its_vkey_whose_base64_holds_a_plus() -> None:
    assert "+" in PROJECT_VKEY.split("+", 2)[2]
    assert open_checkpoint(PROJECT_NOTE, [parse_vkey(PROJECT_VKEY)]) == Checkpoint(ORIGIN, 8, ROOT8)


def test_it_ignores_a_witness_cosignature_it_does_not_know() -> None:
    cosigned = PROJECT_NOTE + WITNESS_LINE
    assert open_checkpoint(cosigned, [parse_vkey(PROJECT_VKEY)]).size == 8


def test_it_refuses_a_note_signed_only_by_an_unknown_key() -> None:
    with pytest.raises(
        SignatureError, match=r"no trusted key signed the note \(trusted keys: example\.com/foo"
    ):
        open_checkpoint(PROJECT_NOTE, [parse_vkey(EXAMPLE_VKEY)])
    with pytest.raises(SignatureError, match="trusted keys: none"):
        open_checkpoint(PROJECT_NOTE, [])


def test_a_fresh_key_signs_and_verifies_and_the_body_keeps_extension_lines() -> None:
    signer = signer_from_key_bytes("log.example/v1", generate_signing_key())
    checkpoint = Checkpoint("log.example/v1", 0, EMPTY_ROOT, ("ext one", "ext two"))
    note = sign_checkpoint(signer, checkpoint)
    assert note.startswith(
        "log.example/v1\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next one\n"
    )
    assert open_checkpoint(note, [parse_vkey(vkey_of(signer))]) == checkpoint


def test_the_signer_keeps_its_private_key_out_of_its_repr() -> None:
    assert "private_key" not in repr(SIGNER)


SIGNATURE = PROJECT_NOTE.split("\n\n")[1]


@pytest.mark.parametrize(
    ("note", "message"),
    [
        (PROJECT_NOTE.replace("\n8\n", "\n9\n"), "does not verify"),
        (PROJECT_NOTE.replace("\n8\n", "\n8\r\n"), "control character"),
        (PROJECT_NOTE + "\ud800", "not valid UTF-8"),
        (PROJECT_NOTE.replace("\n\n", "\n"), "no blank line before its signatures"),
        (PROJECT_NOTE.rstrip("\n"), "no blank line before its signatures"),
        (PROJECT_NOTE.split("\u2014")[0], "no signature lines"),
        ("\n\n" + SIGNATURE, "must be non-empty and end with a newline"),
        (PROJECT_NOTE.replace("\u2014 ", "- "), "signature line 1 does not start with an em dash"),
        (
            PROJECT_NOTE.replace(f"{ORIGIN} 3f", f"{ORIGIN}  3f"),
            "is not a key name and a signature",
        ),
        (
            PROJECT_NOTE.replace("\u2014 example.com/audit-log-test ", "\u2014  "),
            "is not a key name",
        ),
        (PROJECT_NOTE.replace("ZAM=", "ZAM"), "signature line 1 is not valid base64"),
        (
            PROJECT_NOTE.replace(SIGNATURE, f"\u2014 {ORIGIN} AAAA\n"),
            "signature line 1 is too short",
        ),
        (PROJECT_NOTE + WITNESS_LINE * 100, "the note has 101 signatures; at most 100"),
    ],
)
def test_it_refuses_a_bad_note_saying_why(note: str, message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        open_checkpoint(note, [parse_vkey(PROJECT_VKEY)])


def test_a_base64_signature_that_is_not_canonical_is_refused() -> None:
    # "ZAN=" decodes to the same bytes as "ZAM=" but is not the canonical encoding.
    with pytest.raises(SignatureError, match="not in canonical base64"):
        open_checkpoint(PROJECT_NOTE.replace("ZAM=", "ZAN="), [parse_vkey(PROJECT_VKEY)])


def _signed_body(body: str) -> str:
    return sign_note(SIGNER, body)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (f"{ORIGIN}\n8\n", "a checkpoint has an origin, a size and a root"),
        (f"\n8\n{base64.b64encode(ROOT8).decode()}\n", "origin line is empty"),
        (f"{ORIGIN}\n08\n{base64.b64encode(ROOT8).decode()}\n", "size '08' is not a decimal"),
        (f"{ORIGIN}\n-1\n{base64.b64encode(ROOT8).decode()}\n", "size '-1' is not a decimal"),
        (f"{ORIGIN}\n8\n{base64.b64encode(ROOT8[:31]).decode()}\n", "root is 31 bytes, not 32"),
        (f"{ORIGIN}\n8\nnot base64!\n", "the checkpoint root is not valid base64"),
    ],
)
def test_it_refuses_a_malformed_checkpoint_body(body: str, message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        open_checkpoint(_signed_body(body), [SIGNER.verifier])


def test_it_refuses_an_empty_extension_line() -> None:
    body = f"{ORIGIN}\n8\n{base64.b64encode(ROOT8).decode()}\next\n\nmore\n"
    with pytest.raises(SignatureError, match="extension line is empty"):
        parse_checkpoint_body(body)


def test_the_note_text_may_itself_contain_blank_lines() -> None:
    note = sign_note(SIGNER, "first\n\nsecond\n")
    assert open_note(note, [SIGNER.verifier]) == "first\n\nsecond\n"


@pytest.mark.parametrize(
    ("vkey", "message"),
    [
        ("example.com/foo", "is not name\\+keyid\\+key"),
        ("+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "key name '' must be"),
        ("exa mple+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "must be non-empty"),
        ("example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "8 lower-case"),
        ("example.com/foo+530d903a+AekyeRrm56hA!", "the vkey's key is not valid base64"),
        ("example.com/foo+530d903a+BNdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea", "not an Ed25519"),
        ("example.com/foo+530d903a+AQID", "not an Ed25519 key"),
        ("example.com/bar+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "does not match"),
    ],
)
def test_it_refuses_a_malformed_vkey(vkey: str, message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        parse_vkey(vkey)


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("a+b", TEST_KEY, "must be non-empty, without spaces or '\\+'"),
        ("a\tb", TEST_KEY, "must be non-empty"),
        ("log", TEST_KEY[:31], "an Ed25519 private key is 32 bytes, not 31"),
    ],
)
def test_it_refuses_a_bad_signing_key(name: str, raw: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        signer_from_key_bytes(name, raw)


@pytest.mark.parametrize("text", ["no newline", "\n"])
def test_it_refuses_to_sign_text_that_is_not_lines(text: str) -> None:
    with pytest.raises(ValueError, match="must be non-empty and end with a newline"):
        sign_note(SIGNER, text)


# --- refusing forks ------------------------------------------------------------------------------

TREE = MemorySource([leaf_hash(bytes([i])) for i in range(10)])


def _checkpoint(size: int, origin: str = ORIGIN) -> Checkpoint:
    return Checkpoint(origin, size, TREE.root(size) if size else EMPTY_ROOT)


def test_a_checkpoint_that_extends_the_last_one_is_accepted() -> None:
    check_extends(_checkpoint(4), _checkpoint(10), consistency_proof(TREE, 4, 10))
    check_extends(_checkpoint(10), _checkpoint(10), [])
    check_extends(_checkpoint(0), _checkpoint(3), [])


def test_a_fork_is_refused() -> None:
    forked = MemorySource([leaf_hash(bytes([i])) for i in [0, 1, 2, 99, 4, 5]])
    new = Checkpoint(ORIGIN, 6, forked.root(6))
    with pytest.raises(
        ForkError, match="the tree of 6 leaves does not extend the signed tree of 4"
    ):
        check_extends(_checkpoint(4), new, consistency_proof(forked, 4, 6))


@pytest.mark.parametrize(
    ("previous", "new", "proof", "message"),
    [
        (_checkpoint(6), _checkpoint(4), [], "has 4 leaves, fewer than the 6 signed"),
        (_checkpoint(4), _checkpoint(6, "other.example/log"), [], "is for 'other.example/log'"),
        (Checkpoint(ORIGIN, 0, ROOT8), _checkpoint(4), [], "does not carry the empty root"),
        (_checkpoint(0), _checkpoint(4), [ROOT8], "does not carry the empty root"),
        (_checkpoint(6), Checkpoint(ORIGIN, 6, ROOT8), [], "have different roots"),
    ],
)
def test_it_says_why_a_checkpoint_does_not_extend(
    previous: Checkpoint, new: Checkpoint, proof: list[bytes], message: str
) -> None:
    with pytest.raises(ForkError, match=message):
        check_extends(previous, new, proof)


def test_the_vkey_pattern_is_name_keyid_base64() -> None:
    assert re.fullmatch(r"[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*", PROJECT_VKEY)
