"""The audit log, for the ``audit`` scope and ``READ_AUDIT_LOG``: its latest checkpoint, an
inclusion proof, a consistency proof, and an export bundle.

Reading never signs: a proof is given against a checkpoint already signed (the latest by
default), and a leaf no checkpoint covers yet is a 409 to retry within seconds. The export is a
POST because a disclosure is recorded in the log.
"""

from __future__ import annotations

import base64
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from hireproof.accounts.roles import Permission, Scope
from hireproof.api.endpoints.common import answers, invalid, invalid_parameter, refused
from hireproof.api.gate import acting
from hireproof.api.problems import ApiProblem
from hireproof.audit.checkpoints import current_vkey, latest_checkpoint, log_origin
from hireproof.audit.models import Checkpoint, LogKey, Subject
from hireproof.audit.receipts import inclusion_proof_document
from hireproof.audit.store import StoredTree, read_head
from hireproof.audit.vault import SubjectErasedError
from hireproof.core.audit import consistency_proof
from hireproof.core.errors import AuditError
from hireproof.hiring.access import access_site
from hireproof.hiring.actions.log_export import do_export_log

router = Router(tags=["audit"])

MAX_LEAF = 2**62


class CheckpointOut(Schema):
    """The latest signed checkpoint (a C2SP signed note) and the key that signed it."""

    origin: str
    size: int
    root: str
    note: str
    key_id: str
    vkey: str
    signed_at: datetime
    log_size: int
    current_vkey: str


class InclusionQuery(Schema):
    """The leaf to prove, and the tree size to prove it in (default: the latest checkpoint's)."""

    leaf_index: int = Field(ge=0, le=MAX_LEAF)
    tree_size: int | None = Field(None, ge=1, le=MAX_LEAF)


class InclusionOut(Schema):
    """An RFC 9162 inclusion proof (hashes in base64), with the checkpoint of that size."""

    leaf_index: int
    tree_size: int
    leaf_hash: str
    root: str
    inclusion_proof: list[str]
    checkpoint: str | None


class ConsistencyQuery(Schema):
    """Two tree sizes, the first no larger than the second."""

    first: int = Field(ge=1, le=MAX_LEAF)
    second: int = Field(ge=1, le=MAX_LEAF)


class ConsistencyOut(Schema):
    """An RFC 9162 consistency proof (hashes in base64) and both roots."""

    first: int
    second: int
    first_root: str
    second_root: str
    consistency_proof: list[str]


class ExportIn(Schema):
    """The pseudonyms of the candidates whose committed fields the bundle discloses."""

    disclose: list[str] = Field(default_factory=list, max_length=1000)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@router.get("/audit/checkpoint", response=answers({200: CheckpointOut}), url_name="checkpoint")
def get_checkpoint(request: HttpRequest) -> dict[str, object]:
    """The latest signed checkpoint (404 before the first one)."""
    access_site(acting(request, Scope.AUDIT), Permission.READ_AUDIT_LOG)
    checkpoint = latest_checkpoint()
    if checkpoint is None:
        raise Http404("No checkpoint yet.")
    return {
        "origin": log_origin(),
        "size": checkpoint.size,
        "root": _b64(bytes(checkpoint.root)),
        "note": checkpoint.note,
        "key_id": checkpoint.key_id,
        "vkey": LogKey.objects.get(key_id=checkpoint.key_id).vkey,
        "signed_at": checkpoint.signed_at,
        "log_size": read_head().size,
        "current_vkey": current_vkey(),
    }


@router.get(
    "/audit/proofs/inclusion", response=answers({200: InclusionOut}), url_name="inclusion_proof"
)
def get_inclusion_proof(request: HttpRequest, query: Query[InclusionQuery]) -> dict[str, object]:
    """The proof that leaf ``leaf_index`` is in the tree of ``tree_size`` leaves."""
    access_site(acting(request, Scope.AUDIT), Permission.READ_AUDIT_LOG)
    size = query.tree_size
    if size is None:
        covering = Checkpoint.objects.filter(size__gt=query.leaf_index).order_by("-size").first()
        if covering is None:
            raise ApiProblem(
                409,
                "not-yet-signed",
                f"No signed checkpoint covers leaf {query.leaf_index} yet (checkpoints are "
                "signed within seconds); retry shortly, or give tree_size.",
            )
        size = covering.size
    try:
        document: dict[str, object] = inclusion_proof_document(query.leaf_index, size)
    except AuditError as error:
        raise invalid_parameter("leaf_index", str(error)) from None
    return document


@router.get(
    "/audit/proofs/consistency",
    response=answers({200: ConsistencyOut}),
    url_name="consistency_proof",
)
def get_consistency_proof(
    request: HttpRequest, query: Query[ConsistencyQuery]
) -> dict[str, object]:
    """The proof that the tree of ``first`` leaves is a prefix of the tree of ``second``."""
    access_site(acting(request, Scope.AUDIT), Permission.READ_AUDIT_LOG)
    size = read_head().size
    if not query.first <= query.second <= size:
        raise invalid_parameter(
            "second",
            f"need first <= second <= {size} (the log's size); got {query.first}, {query.second}",
        )
    tree = StoredTree()
    return {
        "first": query.first,
        "second": query.second,
        "first_root": _b64(tree.root(query.first)),
        "second_root": _b64(tree.root(query.second)),
        "consistency_proof": [_b64(h) for h in consistency_proof(tree, query.first, query.second)],
    }


EXPORT_RESPONSE = {
    "responses": {
        "200": {
            "description": "The export bundle (verify it with `hireproof audit verify`)",
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    }
}


@router.post(
    "/audit/export", response=answers({}), url_name="audit_export", openapi_extra=EXPORT_RESPONSE
)
def export_log(request: HttpRequest, payload: ExportIn) -> HttpResponse:
    """The whole log as a bundle, disclosing the named candidates' fields (a disclosure is
    recorded in the log first)."""
    user = access_site(acting(request, Scope.AUDIT), Permission.READ_AUDIT_LOG)
    subjects = list(Subject.objects.filter(pseudonym__in=payload.disclose))
    unknown = sorted(set(payload.disclose) - {subject.pseudonym for subject in subjects})
    if unknown:
        raise invalid("/disclose", f"no candidate has the pseudonym {', '.join(unknown)[:200]}")
    folder = Path(tempfile.mkdtemp(prefix="hireproof-export-"))
    try:
        path = folder / "bundle"
        try:
            do_export_log(path, actor=user.audit_actor, disclose=subjects)
        except (SubjectErasedError, AuditError) as error:
            raise refused(error) from None
        response = HttpResponse(path.read_bytes(), content_type="application/octet-stream")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    response["Content-Disposition"] = 'attachment; filename="hireproof-audit.bundle"'
    return response
