"""Sending checkpoints to witnesses (C2SP tlog-witness) and keeping their cosignatures.

Each witness in ``settings.HIREPROOF_WITNESSES`` is sent the latest checkpoint with a
consistency proof from the size it last cosigned (as the stored cosignatures say; a 409 answer
names the witness's own size and the request is retried once from there). The answer's
cosignature is verified with the witness's vkey before it is stored. A witness that is down,
slow or refuses is logged and tried again at the next round: nothing here raises to its caller,
and nothing here runs inside a request (background tasks call ``submit_pending``: after each
checkpoint, and every minute).

Cosignatures are not audit events: they sign the checkpoint, which is outside the log's leaves.
"""

from __future__ import annotations

import logging
import re
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max

from hireproof.audit.checkpoints import latest_checkpoint
from hireproof.audit.models import Checkpoint, Cosignature
from hireproof.audit.store import StoredTree
from hireproof.core.audit import (
    WitnessKey,
    add_cosignatures,
    consistency_proof,
    encode_add_checkpoint,
    parse_witness_vkey,
    read_cosignatures,
)
from hireproof.core.errors import HireproofError

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5.0  # per request: a hung witness holds its task no longer
MAX_ANSWER = 64 * 1024
_SIZE = re.compile(rb"(0|[1-9][0-9]*)\n")


@dataclass(frozen=True)
class Witness:
    """A configured witness: where to send checkpoints and the key its cosignatures verify with."""

    url: str
    key: WitnessKey

    @property
    def name(self) -> str:
        """The witness's key name."""
        return self.key.name


class WitnessRefused(HireproofError):
    """A witness answered with something other than a verified cosignature."""


def configured_witnesses() -> list[Witness]:
    """The witnesses of ``settings.HIREPROOF_WITNESSES`` (validated when settings load)."""
    return [Witness(url, parse_witness_vkey(vkey)) for url, vkey in settings.HIREPROOF_WITNESSES]


def submit_pending() -> int:
    """Send the latest checkpoint to every witness that has not cosigned it; never raises.

    Returns how many cosignatures were stored.
    """
    try:
        if not settings.HIREPROOF_WITNESSES:
            return 0
        latest = latest_checkpoint()
        return 0 if latest is None else len(submit_checkpoint(latest))
    except Exception:
        logger.exception("sending the latest checkpoint to the witnesses failed")
        return 0


def submit_checkpoint(checkpoint: Checkpoint) -> list[Cosignature]:
    """Send ``checkpoint`` to each witness that has not cosigned it; the cosignatures stored.

    Never raises: a witness that cannot be reached or refuses is logged.
    """
    stored = []
    for witness in configured_witnesses():
        try:
            if checkpoint.cosignatures.filter(witness_name=witness.name).exists():
                continue
            stored.append(_submit_to(witness, checkpoint))
        except Exception as error:
            logger.warning(
                "witness %s (%s) did not cosign the checkpoint over %d leaves: %s",
                witness.name,
                witness.url,
                checkpoint.size,
                error,
            )
    return stored


def cosigned_note(checkpoint: Checkpoint) -> str:
    """The checkpoint's signed note with every stored cosignature line merged in."""
    lines = [row.line for row in checkpoint.cosignatures.order_by("witness_name")]
    return add_cosignatures(checkpoint.note, lines) if lines else checkpoint.note


def cosigned_notes(checkpoints: Sequence[Checkpoint]) -> list[str]:
    """``cosigned_note`` of each checkpoint, reading the cosignatures in one query."""
    lines: dict[int, list[str]] = {}
    if not checkpoints:
        return []
    sizes = [c.size for c in checkpoints]  # a range, not a list of ids: any number of them
    rows = Cosignature.objects.filter(
        checkpoint__size__gte=min(sizes), checkpoint__size__lte=max(sizes)
    )
    for checkpoint_id, line in rows.order_by("checkpoint_id", "witness_name").values_list(
        "checkpoint_id", "line"
    ):
        lines.setdefault(checkpoint_id, []).append(line)
    return [add_cosignatures(c.note, lines[c.pk]) if c.pk in lines else c.note for c in checkpoints]


def last_cosigned_size(witness: Witness) -> int:
    """The largest checkpoint size this witness's key has cosigned (0 if none)."""
    found = Cosignature.objects.filter(
        witness_name=witness.name, key_id=witness.key.key_id.hex()
    ).aggregate(size=Max("checkpoint__size"))["size"]
    return int(found or 0)


def _submit_to(witness: Witness, checkpoint: Checkpoint) -> Cosignature:
    old = last_cosigned_size(witness)
    status, body = _post(witness, old, checkpoint)
    if status == 409:
        match = _SIZE.fullmatch(body)
        if match is None:
            raise WitnessRefused(f"its 409 answer {body[:80]!r} is not a tree size")
        old = int(match.group(1))
        status, body = _post(witness, old, checkpoint)
    if status != 200:
        reason = body[:200].decode("utf-8", "replace").strip()
        raise WitnessRefused(f"it answered {status} to old size {old}: {reason}")
    return _store(witness, checkpoint, body)


def _post(witness: Witness, old: int, checkpoint: Checkpoint) -> tuple[int, bytes]:
    if old > checkpoint.size:
        raise WitnessRefused(f"it has cosigned {old} leaves already, more than {checkpoint.size}")
    proof = consistency_proof(StoredTree(), old, checkpoint.size) if old else []
    request = urllib.request.Request(  # noqa: S310 - the operator configures http(s) URLs
        witness.url + "/add-checkpoint",
        data=encode_add_checkpoint(old, proof, checkpoint.note),
        method="POST",
        headers={"Content-Type": "text/plain; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
            return int(answer.status), answer.read(MAX_ANSWER)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read(MAX_ANSWER)


def _store(witness: Witness, checkpoint: Checkpoint, body: bytes) -> Cosignature:
    try:
        lines = body.decode("utf-8").splitlines(keepends=True)
        cosignatures = read_cosignatures(add_cosignatures(checkpoint.note, lines), [witness.key])
    except (UnicodeDecodeError, HireproofError) as error:
        raise WitnessRefused(f"its answer is not a valid cosignature: {error}") from None
    if not cosignatures:
        raise WitnessRefused("its answer holds no cosignature by its key")
    cosignature = cosignatures[0]
    try:
        with transaction.atomic():
            return Cosignature.objects.create(
                checkpoint=checkpoint,
                witness_name=cosignature.name,
                key_id=cosignature.key_id.hex(),
                timestamp=cosignature.timestamp,
                line=cosignature.line,
            )
    except IntegrityError:
        # Another round stored this witness's cosignature of the checkpoint meanwhile.
        return Cosignature.objects.get(checkpoint=checkpoint, witness_name=witness.name)
