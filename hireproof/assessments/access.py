"""The candidate's only way in: the token of their personal link.

A candidate has no account: the link's token is their credential, and everything they can reach
is found from it, never from an id in the URL. ``access_*`` return what was asked for or raise
``Http404``; an unknown token, a revoked invitation and an erased candidate all look exactly like
any other missing page.
"""

from __future__ import annotations

from django.http import Http404

from hireproof.openings.actions import hash_token
from hireproof.openings.models import Invitation

from .models import Attempt

# Tokens are ``secrets.token_urlsafe(32)`` (43 characters); anything far longer is not ours and
# is refused before hashing.
MAX_TOKEN_LENGTH = 200


token_hash = hash_token  # the digest the openings app stores for each link token


def access_invitation_for_candidate(token: str) -> Invitation:
    """The live invitation whose link carries ``token``, with everything a page needs; else 404.

    Expired invitations are returned: whether an expired link may still be used depends on
    whether the attempt had started, which the view decides.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise Http404("No such page.")
    invitation = (
        Invitation.objects.select_related(
            "candidate__subject",
            "candidate__opening__playbook_version",
            "candidate__opening__created_by",
        )
        .filter(token_hash=token_hash(token))
        .first()
    )
    if invitation is None or invitation.revoked_at is not None:
        raise Http404("No such page.")
    candidate = invitation.candidate
    if candidate.erased_at is not None or candidate.subject.is_erased:
        raise Http404("No such page.")
    return invitation


def attempt_of(invitation: Invitation) -> Attempt | None:
    """The invitation's attempt, or ``None`` before the candidate pressed Start."""
    return Attempt.objects.filter(invitation=invitation).first()


def access_attempt_for_candidate(token: str) -> Attempt:
    """The started attempt of the link carrying ``token``; 404 when there is none."""
    invitation = access_invitation_for_candidate(token)
    attempt = attempt_of(invitation)
    if attempt is None:
        raise Http404("No such page.")
    attempt.invitation = invitation  # reuse the rows already loaded with the invitation
    return attempt
