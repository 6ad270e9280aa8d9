"""Staff users, the sessions they hold, the failed sign-ins that throttle guessing, and the
password-reset requests that throttle reset emails."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone

from hireproof.accounts.roles import Role


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
        """How this user is named in the audit log: an id, never personal data."""
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
