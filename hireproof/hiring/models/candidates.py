"""Candidates of an opening and their invitations.

Personal data (a candidate's name and email) is stored sealed under the candidate's audit
``Subject`` key (``hireproof.audit.vault``): erasing the subject destroys the key, and with it
every such value. Only a keyed hash of the email (``email_lookup``) finds duplicates.

The pipeline searches and sorts without the names in clear (``candidate_index``): each
candidate has blind search tokens (``CandidateSearchToken``) and a name order key
(``Candidate.name_order``). What they reveal to someone holding the database but not the keys
folder: which candidates of one opening share a word or a prefix of 3+ characters of their
name or email (never the word), how many such words and prefixes each has (roughly how long
their words are), and the candidates' order by name within the opening (never the names).
Erasure clears both.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from hireproof.accounts.models import normalize_email_address
from hireproof.audit import vault
from hireproof.core.timing import Allowance
from hireproof.hiring.models.accommodation import Accommodation
from hireproof.hiring.models.openings import Opening

NAME_CONTEXT = "candidate.name"
EMAIL_CONTEXT = "candidate.email"
ERASED_NAME = "(erased)"
# Changing this (or SECRET_KEY) changes every lookup: duplicates would no longer be found.
_EMAIL_LOOKUP_SALT = "hireproof.openings.candidate-email"


class Candidate(models.Model):
    """A person applying to an opening; name and email are sealed under their subject's key."""

    opening = models.ForeignKey(Opening, on_delete=models.PROTECT, related_name="candidates")
    subject = models.OneToOneField(
        "audit.Subject", on_delete=models.PROTECT, related_name="candidate"
    )
    name_sealed = models.BinaryField(null=True)
    email_sealed = models.BinaryField(null=True)
    # A keyed hash of the normalised email: finds a duplicate in an opening without keeping
    # the address in clear. Cleared on erasure.
    email_lookup = models.CharField(max_length=64, blank=True, db_index=True)
    # Where the name falls among the opening's candidates (a fractional index: ASCII bytes,
    # compared byte by byte in every database). Reveals only the order. Cleared (empty, which
    # sorts first) on erasure.
    name_order = models.BinaryField(default=b"")
    # Extra time asked for on import (the CSV's extra_time column): the invitation form starts
    # from it. The invitation's own fields are what counts.
    requested_extra_percent = models.PositiveSmallIntegerField(default=0)
    requested_extra_minutes = models.PositiveSmallIntegerField(default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["added_at", "id"]
        indexes = [
            # The pipeline's pages in name order: by opening, then by the order key.
            models.Index(fields=["opening", "name_order", "id"], name="candidate_name_order"),
            models.Index(fields=["opening", "added_at", "id"], name="candidate_added"),
        ]
        constraints = [
            # One person once per opening; erased candidates (lookup cleared) never collide.
            models.UniqueConstraint(
                fields=["opening", "email_lookup"],
                condition=~models.Q(email_lookup=""),
                name="candidate_email_once_per_opening",
            )
        ]

    def __str__(self) -> str:
        return f"candidate {self.subject_id}"

    @property
    def is_erased(self) -> bool:
        """True once the candidate's personal data has been erased."""
        return self.erased_at is not None

    @property
    def requested_accommodation(self) -> Accommodation:
        """The extra time asked for when the candidate was imported (none by default)."""
        return Accommodation(self.requested_extra_percent, self.requested_extra_minutes)

    @property
    def name(self) -> str:
        """The candidate's name, unsealed in memory (``"(erased)"`` after erasure)."""
        return self._unseal(self.name_sealed, NAME_CONTEXT)

    @property
    def email(self) -> str:
        """The candidate's email address, unsealed in memory (``"(erased)"`` after erasure)."""
        return self._unseal(self.email_sealed, EMAIL_CONTEXT)

    def _unseal(self, blob: bytes | memoryview | None, context: str) -> str:
        if blob is None or self.is_erased or self.subject.is_erased:
            return ERASED_NAME
        return vault.unseal(self.subject, bytes(blob), context=context)


# Candidates' addresses are compared in the same form as staff addresses.
normalise_candidate_email = normalize_email_address


def email_lookup_for(email: str) -> str:
    """The keyed hash (HMAC-SHA256 under SECRET_KEY) that finds a duplicate address."""
    normalised = normalise_candidate_email(email)
    return salted_hmac(_EMAIL_LOOKUP_SALT, normalised, algorithm="sha256").hexdigest()


class CandidateSearchToken(models.Model):
    """One blind search token of a candidate: a keyed hash (``candidate_index.search_token``)
    of a word of their name or email, or of a prefix of 3+ characters of one, bound to their
    opening. Written when the candidate is added; deleted on erasure."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=24)

    class Meta:
        indexes = [models.Index(fields=["token", "candidate"], name="candidate_search_token")]

    def __str__(self) -> str:
        return f"search token of candidate {self.candidate_id}"


def hash_token(token: str) -> str:
    """The SHA-256 (hex) of a link token: the only form in which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """The candidate's personal link. Only the SHA-256 of the link's token is stored."""

    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="invitation")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Accommodation: more time for the whole assessment, so for every item.
    extra_time_percent = models.PositiveSmallIntegerField(default=0)
    extra_minutes = models.PositiveSmallIntegerField(default=0)
    # Reviewers see that time was extended only if the candidate agreed to it on the start page.
    extension_disclosed = models.BooleanField(default=False)

    def allowance(self, limit_minutes: int) -> Allowance:
        """The attempt's time under this invitation's accommodation."""
        return Allowance(limit_minutes, self.extra_time_percent, self.extra_minutes)

    def __str__(self) -> str:
        return f"invitation {self.pk}"
