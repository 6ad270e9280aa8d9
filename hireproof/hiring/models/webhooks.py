"""Webhook endpoints, their deliveries, and every try of each delivery.

An endpoint is a URL an administrator subscribed to some of the pipeline's events. Its signing
secret (``whsec_...``, Standard Webhooks) is sealed with AES-GCM under a key derived from the
KEK, which lives in the keys folder, never in the database: a copy of the database alone cannot
sign a webhook. After a rotation the previous secret is kept, sealed the same way, until
``previous_secret_until``; deliveries meanwhile carry a signature by each.

A delivery is one event for one endpoint: its ``message_id`` (the ``webhook-id`` header, the
same on every try and on a replay), its body (fixed when the event happens, so every try sends
the same bytes) and where it stands. Each try is a ``WebhookTry``: its status code, how long it
took, the start of the answer, or the error.
"""

from __future__ import annotations

import base64
import os
import secrets
from datetime import datetime
from typing import ClassVar

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db import models
from django.utils import timezone

from hireproof.accounts.models import User
from hireproof.audit.keys import kek_bytes

SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix Standard Webhooks gives secrets)
SECRET_BYTES = 32
_SECRET_INFO = b"hireproof webhook secrets v1"
_SECRET_AAD = b"webhook-secret"
_NONCE_BYTES = 12


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _secrets_key() -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_SECRET_INFO).derive(
        kek_bytes()
    )


def seal_secret(secret: str) -> bytes:
    """``secret`` encrypted under the KEK-derived key (a random nonce, then the ciphertext)."""
    nonce = os.urandom(_NONCE_BYTES)
    return nonce + AESGCM(_secrets_key()).encrypt(nonce, secret.encode(), _SECRET_AAD)


def unseal_secret(sealed: bytes | memoryview) -> str:
    """The secret ``seal_secret`` sealed."""
    blob = bytes(sealed)
    nonce, ciphertext = blob[:_NONCE_BYTES], blob[_NONCE_BYTES:]
    return AESGCM(_secrets_key()).decrypt(nonce, ciphertext, _SECRET_AAD).decode()


class WebhookEndpoint(models.Model):
    """A URL subscribed to events (``events``: their names, space-separated, with a space before
    the first and after the last so one name is found with ``contains``)."""

    url = models.CharField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    events = models.CharField(max_length=1000)
    secret_sealed = models.BinaryField()
    previous_secret_sealed = models.BinaryField(null=True, blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_because = models.CharField(max_length=500, blank=True)
    paused_automatically = models.BooleanField(default=False)
    failing_since = models.DateTimeField(null=True, blank=True)  # None: the last try succeeded
    next_sequence = models.PositiveBigIntegerField(default=1)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "id"]

    def __str__(self) -> str:
        return f"webhook endpoint {self.pk}"

    @property
    def event_names(self) -> list[str]:
        """The events it is subscribed to, in the order stored."""
        return self.events.split()

    @property
    def paused(self) -> bool:
        """Deliveries wait (they are sent when it is resumed)."""
        return self.paused_at is not None

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets deliveries are signed with at ``now``: the current one, and the previous
        one while its overlap lasts."""
        found = [unseal_secret(self.secret_sealed)]
        if (
            self.previous_secret_sealed is not None
            and self.previous_secret_until is not None
            and now < self.previous_secret_until
        ):
            found.append(unseal_secret(self.previous_secret_sealed))
        return found


def events_field(names: list[str]) -> str:
    """``names`` as ``WebhookEndpoint.events`` stores them."""
    return " " + " ".join(names) + " "


class WebhookDelivery(models.Model):
    """One event for one endpoint, tried until it is delivered or out of tries."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    message_id = models.CharField(max_length=40, unique=True)  # the webhook-id header
    event = models.CharField(max_length=60)
    sequence = models.PositiveBigIntegerField()  # per endpoint, in the order events happened
    body = models.TextField()  # the JSON sent, the same bytes on every try
    created_at = models.DateTimeField(default=timezone.now)
    tries = models.PositiveIntegerField(default=0)  # every try, replays included
    failures_in_row = models.PositiveIntegerField(default=0)  # scheduled tries failed since
    next_try_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)  # out of tries
    last_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["endpoint", "-created_at", "-id"], name="webhook_delivery_list"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.message_id}"

    @property
    def state(self) -> str:
        """``delivered``, ``failed`` (out of tries) or ``waiting``."""
        if self.delivered_at is not None:
            return "delivered"
        if self.failed_at is not None:
            return "failed"
        return "waiting"


class WebhookTry(models.Model):
    """One try of a delivery: what the receiver answered, or why there was no answer."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    replay = models.BooleanField(default=False)
    at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)  # at most 1 KB of the answer's body
    error = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["delivery", "number"]

    def __str__(self) -> str:
        return f"try {self.number} of {self.delivery_id}"

    @property
    def succeeded(self) -> bool:
        """The receiver answered 2xx."""
        return self.status_code is not None and 200 <= self.status_code < 300
