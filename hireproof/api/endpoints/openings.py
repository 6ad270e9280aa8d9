"""Openings: list, create (pinned to a playbook version), read, close.

Reading needs the ``read`` scope and ``READ_CANDIDATES``; creating and closing the ``write``
scope and ``MANAGE_OPENINGS``, with the opening form's rules (a title, 1 to 90 days of link
validity, an invitation email whose placeholders are known and whose text holds ``{link}``).
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from hireproof.accounts.roles import Permission, Scope
from hireproof.api.endpoints.common import answers, invalid
from hireproof.api.gate import acting
from hireproof.api.schemas import Id, LongText, OneLine, PlaybookRef
from hireproof.hiring.access import access_opening, access_site
from hireproof.hiring.actions.openings import do_close_opening, do_create_opening
from hireproof.hiring.emails import INVITATION_PLACEHOLDERS, check_placeholders
from hireproof.hiring.models.openings import DEFAULT_EMAIL_BODY, DEFAULT_EMAIL_SUBJECT, Opening
from hireproof.hiring.models.playbooks import PlaybookVersion
from hireproof.hiring.models.stage import STAGE_ORDER
from hireproof.hiring.reads.pipeline import stage_counts_by_opening
from hireproof.platform.message_templates import TemplateProblem

router = Router(tags=["openings"])

MAX_INVITATION_DAYS = 90


class OpeningIn(Schema):
    """A new opening. ``version`` defaults to the playbook's latest published version."""

    title: OneLine = Field(min_length=1, max_length=200)
    playbook_id: OneLine = Field(min_length=1, max_length=200)
    version: OneLine | None = Field(None, min_length=1, max_length=50)
    invitation_days: int = Field(7, ge=1, le=MAX_INVITATION_DAYS)
    email_subject: OneLine = Field(DEFAULT_EMAIL_SUBJECT, min_length=1, max_length=200)
    email_body: LongText = Field(DEFAULT_EMAIL_BODY, min_length=1, max_length=20_000)


class OpeningOut(Schema):
    """An opening, its pinned playbook version, and how many candidates are at each stage."""

    id: int
    title: str
    playbook: PlaybookRef
    is_open: bool
    created_at: datetime
    invitation_days: int
    email_subject: str
    email_body: str
    stages: dict[str, int]


def opening_out(opening: Opening, counts: dict[str, int]) -> dict[str, object]:
    """An opening as the API shows it."""
    version = opening.playbook_version
    return {
        "id": opening.pk,
        "title": opening.title,
        "playbook": {
            "playbook_id": version.playbook_id,
            "version": version.version,
            "hash": version.content_hash,
        },
        "is_open": opening.is_open,
        "created_at": opening.created_at,
        "invitation_days": opening.invitation_days,
        "email_subject": opening.email_subject,
        "email_body": opening.email_body,
        "stages": {stage.value: counts.get(stage.value, 0) for stage in STAGE_ORDER},
    }


def _with_counts(opening: Opening) -> dict[str, object]:
    counts = stage_counts_by_opening([opening], timezone.now())[opening.pk]
    return opening_out(opening, dict(counts))


@router.get("/openings", response=answers({200: list[OpeningOut]}), url_name="openings")
def list_openings(request: HttpRequest) -> list[dict[str, object]]:
    """Every opening, newest first, with its candidates counted by stage."""
    access_site(acting(request, Scope.READ), Permission.READ_CANDIDATES)
    openings = list(Opening.objects.select_related("playbook_version").order_by("-created_at"))
    counts = stage_counts_by_opening(openings, timezone.now())
    return [opening_out(opening, dict(counts[opening.pk])) for opening in openings]


@router.post("/openings", response=answers({201: OpeningOut}), url_name="opening_create")
def create_opening(request: HttpRequest, payload: OpeningIn) -> Status[dict[str, object]]:
    """Open a job pinned, for good, to one playbook version."""
    actor = access_site(acting(request, Scope.WRITE), Permission.MANAGE_OPENINGS)
    versions = PlaybookVersion.objects.filter(playbook_id=payload.playbook_id)
    if payload.version is not None:
        versions = versions.filter(version=payload.version)
    version = versions.order_by("-published_at", "-pk").first()
    if version is None:
        which = "/version" if payload.version is not None else "/playbook_id"
        raise invalid(which, "no such playbook version is published")
    _check_template(payload.email_subject, "/email_subject")
    _check_template(payload.email_body, "/email_body")
    if "{link}" not in payload.email_body:
        raise invalid("/email_body", "the text must contain {link}: the candidate's link")
    opening = do_create_opening(
        actor=actor,
        title=payload.title,
        playbook_version=version,
        invitation_days=payload.invitation_days,
        email_subject=payload.email_subject,
        email_body=payload.email_body.replace("\r\n", "\n"),
    )
    return Status(201, _with_counts(opening))


def _check_template(text: str, pointer: str) -> None:
    try:
        check_placeholders(text, INVITATION_PLACEHOLDERS)
    except TemplateProblem as problem:
        raise invalid(pointer, str(problem)) from None


@router.get("/openings/{opening_id}", response=answers({200: OpeningOut}), url_name="opening")
def get_opening(request: HttpRequest, opening_id: Id) -> dict[str, object]:
    """One opening."""
    opening = access_opening(acting(request, Scope.READ), opening_id, Permission.READ_CANDIDATES)
    return _with_counts(opening)


@router.post(
    "/openings/{opening_id}/close", response=answers({200: OpeningOut}), url_name="opening_close"
)
def close_opening(request: HttpRequest, opening_id: Id) -> dict[str, object]:
    """Close the opening to new candidates and invitations (links already sent keep working);
    closing a closed opening changes nothing."""
    actor = acting(request, Scope.WRITE)
    opening = access_opening(actor, opening_id, Permission.MANAGE_OPENINGS)
    do_close_opening(actor=actor, opening=opening)
    return _with_counts(opening)
