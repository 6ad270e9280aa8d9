"""Assessment orders: an applicant tracking system (ATS) asked for a test for a candidate.

One order is one request of one ATS (Greenhouse, Ashby, Workable, Lever) for one candidate of
one opening. Its ``public_id`` (``hpo_`` and 128 random bits) is what the ATS holds and asks
about; the order's status is never stored, it is read from the candidate's stage
(``order_status``), so an order says what the pipeline says. What is stored is what the ATS
gave to be called back: ``callback_url`` and, sealed under a key derived from the KEK, the
credential it expects there (``callback_auth_sealed``: for Greenhouse, the API key it called
us with, which the database otherwise keeps only as a hash), and the ATS's own id for the
candidate or application (``ats_reference``: Ashby's application, Lever's opportunity), which
makes a repeated request find the order it already placed.

An ``AtsConnection`` is an administrator's set-up of one ATS: whether it is on, the hireproof
API key the ATS calls us with, the ATS's own credential for our calls to it and the secret it
signs its webhooks with (both sealed like the callback credential), the base address of its
API, and the adapter's options (Lever's trigger stage and tags, say).

Every exchange with an ATS, in either direction, is an ``AtsExchange``: the call, its status,
the order and the ids asked and answered (never a name, an email or a secret); each is also an
``ats.exchange`` event of the audit log.
"""

from __future__ import annotations

import os
import secrets
from typing import ClassVar

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db import models
from django.utils import timezone

from hireproof.accounts.models import ApiKey
from hireproof.audit.keys import kek_bytes
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.stage import Stage, stage_is

ORDER_PREFIX = "hpo_"
_AUTH_INFO = b"hireproof ats callback credentials v1"
_AUTH_AAD = b"ats-callback-auth"
_NONCE_BYTES = 12


class Ats(models.TextChoices):
    """The applicant tracking systems an order can come from."""

    GREENHOUSE = "greenhouse", "Greenhouse"
    ASHBY = "ashby", "Ashby"
    WORKABLE = "workable", "Workable"
    LEVER = "lever", "Lever"


class OrderStatus(models.TextChoices):
    """Where an order stands, as every adapter reports it (read from the candidate's stage)."""

    SENT = "sent", "Sent"
    STARTED = "started", "Started"
    SUBMITTED = "submitted", "Submitted"
    SCORED = "scored", "Scored"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"
    ERASED = "erased", "Erased"


def new_order_id() -> str:
    """A fresh public id: ``hpo_`` and 128 random bits, URL-safe."""
    return ORDER_PREFIX + secrets.token_urlsafe(16)


def order_status(stage: Stage, scored: bool) -> OrderStatus:
    """The order's status for a candidate at ``stage`` whose test is ``scored`` (or not).

    A decision or an interview comes after the test: the order stays scored. A decision
    recorded before any score (a withdrawal, a no hire), a revoked link and a withdrawal
    cancel it."""
    if stage is Stage.ERASED:
        return OrderStatus.ERASED
    if scored:
        return OrderStatus.SCORED
    if stage in (Stage.WITHDRAWN, Stage.REVOKED, Stage.HIRED, Stage.NOT_HIRED):
        return OrderStatus.CANCELLED
    if stage is Stage.EXPIRED:
        return OrderStatus.EXPIRED
    if stage is Stage.SUBMITTED:
        return OrderStatus.SUBMITTED
    if stage is Stage.STARTED:
        return OrderStatus.STARTED
    return OrderStatus.SENT


def status_filter(status: OrderStatus) -> models.Q:
    """The filter that keeps the candidates (``with_stage`` annotated) whose orders are at
    ``status``: every stage, scored or not, that ``order_status`` turns into it."""
    scored = models.Q(invitation__attempt__scorecard_hash__gt="")
    # Spelled out rather than negated: NOT over the outer join's NULL would keep no one.
    unscored = models.Q(invitation__attempt__isnull=True) | models.Q(
        invitation__attempt__scorecard_hash=""
    )
    condition = models.Q(pk__in=[])
    for stage in Stage:
        for is_scored, test in ((True, scored), (False, unscored)):
            if order_status(stage, is_scored) is status:
                condition |= stage_is(stage) & test
    return condition


def _auth_key() -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_AUTH_INFO).derive(
        kek_bytes()
    )


def seal_secret(credential: str) -> bytes:
    """``credential`` encrypted under the KEK-derived key (a random nonce, then the ciphertext)."""
    nonce = os.urandom(_NONCE_BYTES)
    return nonce + AESGCM(_auth_key()).encrypt(nonce, credential.encode(), _AUTH_AAD)


def unseal_secret(sealed: bytes | memoryview | None) -> str:
    """The credential ``seal_secret`` sealed ("" for none)."""
    if sealed is None:
        return ""
    blob = bytes(sealed)
    return AESGCM(_auth_key()).decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], _AUTH_AAD).decode()


class AssessmentOrder(models.Model):
    """An ATS's request for a test for one candidate, and where to report back."""

    public_id = models.CharField(max_length=40, unique=True, default=new_order_id)
    ats = models.CharField(max_length=20, choices=Ats.choices)
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="orders")
    opening = models.ForeignKey(Opening, on_delete=models.PROTECT, related_name="orders")
    api_key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    callback_url = models.CharField(max_length=2000, blank=True)
    callback_auth_sealed = models.BinaryField(null=True, blank=True)
    # The ATS's id of the candidate or application the order is for ("" when it gives none).
    ats_reference = models.CharField(max_length=200, blank=True)
    # The last status an ATS was told (by a push that it accepted), "" before any.
    reported_status = models.CharField(max_length=20, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    # Until when one push holds the order (none at a time reports it; a lease, freed at its end).
    push_claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["ats", "ats_reference"],
                condition=~models.Q(ats_reference=""),
                name="one_order_per_ats_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ats} order {self.public_id}"

    @property
    def callback_auth(self) -> str:
        """The credential the ATS expects on its callback ("" when it gave none)."""
        return unseal_secret(self.callback_auth_sealed)


class AtsConnection(models.Model):
    """An administrator's set-up of one ATS (at most one per ATS)."""

    ats = models.CharField(max_length=20, choices=Ats.choices, unique=True)
    enabled = models.BooleanField(default=True)
    # The hireproof key the ATS calls us with (Greenhouse, Ashby, Workable), and that key
    # sealed, so the settings page can call our own endpoints as the ATS would.
    api_key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    api_key_sealed = models.BinaryField(null=True, blank=True)
    # The ATS's credential for our calls to it (Ashby's or Lever's API key, Workable's token).
    ats_secret_sealed = models.BinaryField(null=True, blank=True)
    # The secret the ATS signs its webhooks with (Lever's signature token).
    signing_secret_sealed = models.BinaryField(null=True, blank=True)
    # The base address of the ATS's API ("" where the contract gives a URL per order).
    api_base_url = models.CharField(max_length=2000, blank=True)
    options = models.JSONField(default=dict, blank=True)
    connected_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.ats} connection"

    @property
    def api_key_raw(self) -> str:
        """The hireproof key the ATS calls us with ("" when none is kept)."""
        return unseal_secret(self.api_key_sealed)

    @property
    def ats_secret(self) -> str:
        """The ATS's credential for our calls ("" when none is set)."""
        return unseal_secret(self.ats_secret_sealed)

    @property
    def signing_secret(self) -> str:
        """The secret the ATS signs its webhooks with ("" when none is set)."""
        return unseal_secret(self.signing_secret_sealed)


class Direction(models.TextChoices):
    """Who called whom."""

    INBOUND = "in", "The ATS called hireproof"
    OUTBOUND = "out", "hireproof called the ATS"


class AtsExchange(models.Model):
    """One call between hireproof and an ATS: what was asked and answered, by ids only."""

    ats = models.CharField(max_length=20, choices=Ats.choices)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    call = models.CharField(max_length=60)
    order = models.ForeignKey(
        AssessmentOrder, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status_code = models.PositiveIntegerField(null=True, blank=True)
    asked = models.JSONField(default=dict)
    answered = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["ats", "-at", "-id"], name="ats_exchange_list"),
        ]

    def __str__(self) -> str:
        return f"{self.ats} {self.direction} {self.call}"


def switched_off(ats: str) -> bool:
    """Whether an administrator saved ``ats``'s connection and switched it off (no traffic
    either way until it is switched on again)."""
    return AtsConnection.objects.filter(ats=ats, enabled=False).exists()


def connection_for(ats: str) -> AtsConnection | None:
    """``ats``'s connection when one is saved and switched on."""
    return AtsConnection.objects.filter(ats=ats, enabled=True).first()
