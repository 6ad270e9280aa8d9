"""The bundle file: one manifest line, then one leaf per line."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from hireproof.core.audit.bundle import (
    Bundle,
    ConsistencyProof,
    KeyPeriod,
    PlaybookText,
    decode_bundle,
    encode_bundle,
    read_bundle,
    write_bundle,
)
from hireproof.core.audit.commitments import Opening
from hireproof.core.errors import AuditError

BUNDLE = Bundle(
    origin="example.com/log",
    leaves=[b'{"a":1}', b'{"b":"\xc3\xa9"}'],
    keys=(KeyPeriod("k1", 0, 5), KeyPeriod("k2", 5)),
    checkpoints=("note one\n", "note two\n"),
    consistency_proofs=(ConsistencyProof(1, 2, (b"\x01" * 32,)),),
    openings={1: (Opening("answers", {"q1": "70"}, "00" * 32),)},
    playbooks={"a" * 64: PlaybookText("p.yaml", "id: p\nversion: 1\n")},
    erased_subjects=("subj_1",),
)


def test_a_bundle_is_a_manifest_line_then_one_leaf_per_line() -> None:
    lines = encode_bundle(BUNDLE).split(b"\n")
    assert lines[1:] == [b'{"a":1}', b'{"b":"\xc3\xa9"}', b""]
    assert json.loads(lines[0]) == {
        "format": "hireproof-audit-bundle/v1",
        "origin": "example.com/log",
        "leaf_count": 2,
        "keys": [
            {"vkey": "k1", "first_size": 0, "last_size": 5},
            {"vkey": "k2", "first_size": 5, "last_size": None},
        ],
        "checkpoints": ["note one\n", "note two\n"],
        "consistency_proofs": [
            {"size1": 1, "size2": 2, "proof": ["AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="]}
        ],
        "openings": {"1": [{"field": "answers", "value": {"q1": "70"}, "salt": "00" * 32}]},
        "playbooks": {"a" * 64: {"filename": "p.yaml", "text": "id: p\nversion: 1\n"}},
        "erased_subjects": ["subj_1"],
    }


def test_a_bundle_round_trips_through_a_file(tmp_path: Path) -> None:
    path = tmp_path / "log.bundle"
    write_bundle(path, BUNDLE)
    assert read_bundle(path) == dataclasses.replace(BUNDLE, leaf_count=2)


def test_a_cut_off_last_leaf_is_kept_for_the_verifier_to_name() -> None:
    data = encode_bundle(BUNDLE)[:-4]  # cut inside the last character
    assert decode_bundle(data).leaves == [b'{"a":1}', b'{"b":"\xc3']


def test_key_periods_cover_their_sizes() -> None:
    assert [KeyPeriod("k", 2, 4).covers(size) for size in range(6)] == [
        False,
        False,
        True,
        True,
        True,
        False,
    ]
    assert KeyPeriod("k", 2).covers(10**9)


def test_it_refuses_to_write_a_leaf_holding_a_newline() -> None:
    with pytest.raises(ValueError, match="leaf 0 holds a newline"):
        encode_bundle(Bundle("o", [b"a\nb"], (), ()))


def _manifest(**changes: object) -> bytes:
    manifest = json.loads(encode_bundle(BUNDLE).split(b"\n")[0])
    manifest.update(changes)
    return json.dumps(manifest).encode() + b"\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the bundle has no manifest line"),
        (b"{\n", "not a hireproof-audit-bundle/v1 bundle: line 1 is not valid JSON"),
        (b"[]\n", "the file is not a hireproof-audit-bundle/v1 bundle"),
        (_manifest(format="x"), "the file is not a hireproof-audit-bundle/v1 bundle"),
        (
            b'{"format": "hireproof-audit-bundle/v1"}\n',
            "lacks: checkpoints, consistency_proofs, erased_subjects, keys, leaf_count, "
            "openings, origin, playbooks",
        ),
        (_manifest(origin=5), "origin is not a string"),
        (_manifest(keys={}), "keys is not a list"),
        (_manifest(keys=["k"]), r"keys\[0\] is not an object"),
        (
            _manifest(keys=[{"vkey": "k", "first_size": -1, "last_size": None}]),
            r"keys\[0\].first_size is not a whole",
        ),
        (
            _manifest(keys=[{"vkey": "k", "first_size": 0, "last_size": "9"}]),
            r"keys\[0\].last_size is not a whole",
        ),
        (_manifest(keys=[{"vkey": "k", "first_size": 0}]), r"keys\[0\] lacks last_size"),
        (
            _manifest(keys=[{"vkey": "k", "first_size": 0, "last_size": None, "x": 1}]),
            r"keys\[0\] has unknown x",
        ),
        (_manifest(checkpoints=[1]), r"checkpoints\[0\] is not a string"),
        (
            _manifest(consistency_proofs=[{"size1": 1, "size2": 2, "proof": ["!"]}]),
            r"consistency_proofs\[0\].proof\[0\] is not base64",
        ),
        (
            _manifest(consistency_proofs=[{"size1": 1, "size2": 2, "proof": ["A" * 42 + "B="]}]),
            r"consistency_proofs\[0\].proof\[0\] is not canonical base64",
        ),
        (
            _manifest(consistency_proofs=[{"size1": 1, "size2": 2, "proof": ["AQE="]}]),
            r"consistency_proofs\[0\].proof\[0\] is 2 bytes, not 32",
        ),
        (
            _manifest(consistency_proofs=[{"size1": 1, "size2": 2, "proof": "x"}]),
            r"consistency_proofs\[0\].proof is not a list",
        ),
        (
            _manifest(consistency_proofs=[{"size1": True, "size2": 2, "proof": []}]),
            r"consistency_proofs\[0\].size1 is not",
        ),
        (
            _manifest(consistency_proofs=[{"size1": 1, "size2": 2, "proof": [], "sig": ""}]),
            r"consistency_proofs\[0\] has unknown sig",
        ),
        (_manifest(openings=[]), "openings is not an object"),
        (_manifest(openings={"x": []}), "openings key 'x' is not a leaf index"),
        (_manifest(openings={"01": []}), "openings key '01' is not a leaf index"),
        (_manifest(openings={"\u00b2": []}), "is not a leaf index"),
        (_manifest(openings={"1": {}}), "the openings of leaf 1 is not a list"),
        (_manifest(openings={"1": [{"field": "a"}]}), r"openings\['1'\]: an opening must be"),
        (
            _manifest(openings={"1": [{"field": "a", "value": 1, "salt": "AB" * 32}]}),
            r"openings\['1'\]: the salt of field 'a' is not 64 lower-case hex digits",
        ),
        (_manifest(playbooks={"h": {}}), r"playbooks\['h'\]: a playbook hash is 64 lower-case"),
        (_manifest(playbooks={"A" * 64: {}}), "a playbook hash is 64 lower-case hex"),
        (_manifest(playbooks={"a" * 64: "text"}), r"playbooks\['a+'\] is not an object"),
        (
            _manifest(playbooks={"a" * 64: {"filename": "p.yaml", "text": 1}}),
            r"playbooks\['a+'\].text is not a string",
        ),
        (
            _manifest(playbooks={"a" * 64: {"filename": 1, "text": "t"}}),
            r"playbooks\['a+'\].filename is not a string",
        ),
        (_manifest(playbooks={"a" * 64: {"text": "t"}}), r"playbooks\['a+'\] lacks filename"),
        (_manifest(erased_subjects="subj"), "erased_subjects is not a list"),
        (_manifest(erased_subjects=[None]), r"erased_subjects\[0\] is not a string"),
        (_manifest(leaf_count="2"), "leaf_count is not a whole number"),
        (_manifest(extra=1), "the manifest has unknown extra"),
        (
            encode_bundle(BUNDLE).split(b"\n")[0][:-1] + b', "origin": "other"}\n',
            "the bundle's manifest holds the key origin twice",
        ),
    ],
)
def test_it_refuses_a_malformed_manifest_saying_what(data: bytes, message: str) -> None:
    with pytest.raises(AuditError, match=message):
        decode_bundle(data)


def test_the_declared_leaf_count_is_kept_for_the_verifier_to_check() -> None:
    assert decode_bundle(_manifest(leaf_count=3) + b'{"a":1}\n').leaf_count == 3
    assert BUNDLE.leaf_count is None


def test_it_says_which_file_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(AuditError, match=r"cannot read the bundle .*nope\.bundle: No such file"):
        read_bundle(tmp_path / "nope.bundle")
