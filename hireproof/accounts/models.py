"""Staff users, the sessions they hold, the failed sign-ins that throttle guessing, the
password-reset requests that throttle reset emails, and the API keys that act for staff (with
their request counts and remembered responses)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone

from hireproof.accounts.roles import Permission, Role, Scope


def normalize_email_address(email: str) -> str:
    """The form an email address is stored and compared in: trimmed and lower-case.

    Lower-casing the local part too is deliberate: no mail system staff use treats
    ``Ada@x`` and ``ada@x`` as two people, and one canonical form makes the unique
    constraint case-insensitive without a functional index.
    """
    return email.strip().lower()


class UserManager(BaseUserManager["User"]):
    """Creates users by email address; looks them up case-insensitively."""

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        """A user with ``password`` hashed, or an unusable password when it is ``None``."""
        user = self.model(email=normalize_email_address(email), **fields)
        user.set_password(password)  # None gives an unusable password
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        """An administrator (used by Django's ``createsuperuser``)."""
        fields["role"] = Role.ADMINISTRATOR
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> User:
        """The user whose email matches ``username`` in any letter case."""
        return self.get(email=normalize_email_address(username or ""))


class User(AbstractBaseUser):
    """A member of staff; the email address is the sign-in name."""

    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(
        default=True, help_text="Deactivated staff cannot sign in; their sessions have ended."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    # Set in memory (never stored) when the user acts through an API key: the key's id, for the
    # audit log, and the permissions the endpoint's scope grants (``roles.has_permission``).
    acting_key: int | None = None
    api_grants: frozenset[Permission] | None = None

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        ordering: ClassVar[list[str]] = ["full_name", "email"]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalize_email_address(self.email)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email_address(self.email)

    @property
    def audit_actor(self) -> str:
        """How this user is named in the audit log: an id, never personal data.

        ``staff:7``, or ``api-key:3/staff:7`` for staff member 7 acting through API key 3.
        """
        if self.acting_key is not None:
            return f"api-key:{self.acting_key}/staff:{self.pk}"
        return f"staff:{self.pk}"

    @property
    def has_set_password(self) -> bool:
        """False while an invitation is outstanding (the password is still unusable)."""
        return self.has_usable_password()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class UserSession(models.Model):
    """A session a user signed in with, so deactivation can end every one of them."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    signed_in_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"session of user {self.user_id}"


class FailedSignIn(models.Model):
    """One failed sign-in, counted per (email, client address) and per client address.

    Kept in the database rather than a cache so every server thread and process sees the
    same counts; rows older than the throttle window are pruned as new ones arrive.
    """

    email = models.CharField(max_length=254)
    client_ip = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["email", "client_ip", "at"]),
            models.Index(fields=["client_ip", "at"]),
        ]

    def __str__(self) -> str:
        return f"failed sign-in at {self.at.isoformat()}"


class PasswordResetRequest(models.Model):
    """One password-reset request that was let through (an email left if the address is an
    account's), counted per address and per client address.

    Kept like ``FailedSignIn``: in the database, so every server thread and process counts the
    same, and pruned once older than the throttle window.
    """

    email = models.CharField(max_length=254)
    client_ip = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["email", "at"]),
            models.Index(fields=["client_ip", "at"]),
        ]

    def __str__(self) -> str:
        return f"password-reset request at {self.at.isoformat()}"


class ApiKey(models.Model):
    """A key a program uses to call the API as ``owner``, within ``scopes``.

    Only the SHA-256 of the key is stored (keys are 256 random bits, so a plain hash is safe);
    ``prefix`` keeps its first characters to tell keys apart in lists. The request counter of the
    current rate-limit window and the last use are kept on the row, so every server process
    counts the same requests.
    """

    name = models.CharField(max_length=100)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_keys")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=16)
    scopes = models.CharField(max_length=200, help_text="Space-separated scope names.")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    window_start = models.DateTimeField(null=True, blank=True)
    window_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"API key {self.pk} ({self.prefix}...)"

    @property
    def scope_set(self) -> frozenset[Scope]:
        """The key's scopes."""
        return frozenset(Scope(name) for name in self.scopes.split())

    @property
    def audit_name(self) -> str:
        """How the key is named in the audit log."""
        return f"api-key:{self.pk}"

    def is_usable(self, now: datetime) -> bool:
        """True while the key is neither revoked nor expired and its owner is active."""
        return (
            self.revoked_at is None
            and (self.expires_at is None or self.expires_at > now)
            and self.owner.is_active
        )


class IdempotentRequest(models.Model):
    """The first response to a POST sent with an ``Idempotency-Key``, kept for a while.

    ``fingerprint`` is the SHA-256 of the method, path and body: the same key with another body
    is refused. ``status`` is 0 while the first request is still being answered.
    """

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=500, blank=True)
    body = models.BinaryField(default=b"")
    kept = models.BooleanField(default=True, help_text="False when the body was too large.")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["api_key", "key"], name="idempotency_key_once_per_key")
        ]

    def __str__(self) -> str:
        return f"idempotent request {self.pk}"
