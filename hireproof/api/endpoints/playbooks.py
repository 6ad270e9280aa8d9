"""Playbooks: the library's versions, one version with its YAML, and publishing a version.

Reading needs the ``read`` scope and ``READ_PLAYBOOKS`` (the YAML holds the answer keys: staff
knowledge); publishing the ``write`` scope and ``PUBLISH_PLAYBOOKS``, with the web upload's
checks and messages.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from hireproof.accounts.roles import Permission, Scope
from hireproof.api.endpoints.common import answers, refused
from hireproof.api.gate import acting
from hireproof.api.problems import ApiProblem
from hireproof.api.schemas import LongText, OneLine
from hireproof.core.errors import PlaybookError
from hireproof.hiring.access import access_playbook_version, access_site
from hireproof.hiring.actions.playbooks import PublishRefused, do_publish_playbook
from hireproof.hiring.models.playbooks import PlaybookVersion

router = Router(tags=["playbooks"])

MAX_PLAYBOOK_CHARS = 1024 * 1024
"""The web upload's limit (1 MB)."""


class PlaybookOut(Schema):
    """One published version of a playbook."""

    playbook_id: str
    version: str
    title: str
    hash: str
    builtin: bool
    published_at: datetime


class PlaybookDetail(PlaybookOut):
    """A version with its YAML exactly as published (answer keys included)."""

    yaml: str


class PlaybookUpload(Schema):
    """A playbook file's YAML, and the file name problems are reported against."""

    yaml: LongText = Field(min_length=1, max_length=MAX_PLAYBOOK_CHARS)
    filename: OneLine = Field("playbook.yaml", min_length=1, max_length=200)


def _out(version: PlaybookVersion) -> dict[str, object]:
    return {
        "playbook_id": version.playbook_id,
        "version": version.version,
        "title": version.title,
        "hash": version.content_hash,
        "builtin": version.is_builtin,
        "published_at": version.published_at,
    }


@router.get("/playbooks", response=answers({200: list[PlaybookOut]}), url_name="playbooks")
def list_playbooks(request: HttpRequest) -> list[dict[str, object]]:
    """Every published version, by playbook id, newest version first."""
    access_site(acting(request, Scope.READ), Permission.READ_PLAYBOOKS)
    versions = PlaybookVersion.objects.order_by("playbook_id", "-published_at", "-pk")
    return [_out(version) for version in versions]


@router.get(
    "/playbooks/{playbook_id}/{version}",
    response=answers({200: PlaybookDetail}),
    url_name="playbook",
)
def get_playbook(request: HttpRequest, playbook_id: str, version: str) -> dict[str, object]:
    """One version, with its YAML as published."""
    published = access_playbook_version(
        acting(request, Scope.READ), playbook_id, version, Permission.READ_PLAYBOOKS
    )
    return {**_out(published), "yaml": published.source}


@router.post(
    "/playbooks",
    response=answers({200: PlaybookOut, 201: PlaybookOut}),
    url_name="playbook_upload",
)
def upload_playbook(request: HttpRequest, payload: PlaybookUpload) -> Status[dict[str, object]]:
    """Publish a playbook or a new version: 201, or 200 when exactly this content is already
    published (nothing changes). An invalid file is a 422 listing every located problem, as the
    upload page lists them."""
    user = access_site(acting(request, Scope.WRITE), Permission.PUBLISH_PLAYBOOKS)
    try:
        published = do_publish_playbook(payload.yaml, payload.filename, actor=user)
    except PlaybookError as error:
        raise ApiProblem(
            422,
            "invalid-playbook",
            f"The playbook has {len(error.problems)} problem(s); nothing was published.",
            errors=[{"pointer": "/yaml", "detail": str(problem)} for problem in error.problems],
        ) from None
    except PublishRefused as refusal:
        raise refused(refusal) from None
    return Status((201 if published.just_published else 200), _out(published))
