"""Throttling of failed sign-ins, per (account, client address) and per client address, and of
password-reset requests, per address and per client address.

Rule: ``SIGN_IN_THROTTLE_FAILURES`` failures within ``SIGN_IN_THROTTLE_WINDOW_SECONDS`` lock
that pair for ``SIGN_IN_THROTTLE_LOCK_SECONDS`` after the last of them;
``SIGN_IN_THROTTLE_CLIENT_FAILURES`` failures from one address, whatever the accounts, lock the
address the same way. Locking the *pair* rather than the account alone means nobody can lock a
colleague out by typing wrong passwords for them from another machine. Attempts refused while
locked are not counted, so a lock ends on time however often someone retries.

Password resets: at most ``PASSWORD_RESET_THROTTLE_REQUESTS`` requests for one address, and
``PASSWORD_RESET_THROTTLE_CLIENT_REQUESTS`` from one client address, within
``PASSWORD_RESET_THROTTLE_WINDOW_SECONDS``; past either, the page answers as always but sends
nothing, so nobody can flood an inbox (or the mail server) through the form, and the page
still reveals nothing about which addresses are accounts. Requests held back are not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet

from hireproof.accounts.models import FailedSignIn, PasswordResetRequest, normalize_email_address


@dataclass(frozen=True)
class ThrottleRule:
    """How many failures within how long lock for how long."""

    failures: int
    window: timedelta
    lock: timedelta


def pair_rule() -> ThrottleRule:
    """The rule for one account from one client address."""
    return ThrottleRule(
        failures=settings.SIGN_IN_THROTTLE_FAILURES,
        window=timedelta(seconds=settings.SIGN_IN_THROTTLE_WINDOW_SECONDS),
        lock=timedelta(seconds=settings.SIGN_IN_THROTTLE_LOCK_SECONDS),
    )


def client_rule() -> ThrottleRule:
    """The rule for one client address, whatever the accounts it tries."""
    return ThrottleRule(
        failures=settings.SIGN_IN_THROTTLE_CLIENT_FAILURES,
        window=timedelta(seconds=settings.SIGN_IN_THROTTLE_WINDOW_SECONDS),
        lock=timedelta(seconds=settings.SIGN_IN_THROTTLE_LOCK_SECONDS),
    )


def _locked_until(
    failures: QuerySet[FailedSignIn], rule: ThrottleRule, now: datetime
) -> datetime | None:
    """When the lock these failures impose ends, or ``None`` when they impose none now."""
    last = failures.filter(at__gt=now - rule.lock).order_by("-at").first()
    if last is None:
        return None
    in_window = failures.filter(at__gt=last.at - rule.window, at__lte=last.at).count()
    return last.at + rule.lock if in_window >= rule.failures else None


def sign_in_locked_until(email: str, client_ip: str, now: datetime) -> datetime | None:
    """The time sign-in for ``email`` from ``client_ip`` opens again, or ``None`` if open."""
    from_client = FailedSignIn.objects.filter(client_ip=client_ip)
    ends = [
        _locked_until(from_client.filter(email=normalize_email_address(email)), pair_rule(), now),
        _locked_until(from_client, client_rule(), now),
    ]
    locks = [end for end in ends if end is not None]
    return max(locks) if locks else None


def oldest_failure_kept(now: datetime) -> datetime:
    """Failures before this time can no longer contribute to any lock."""
    longest = max(pair_rule().window + pair_rule().lock, client_rule().window + client_rule().lock)
    return now - longest


@dataclass(frozen=True)
class ResetRule:
    """How many password-reset requests per address and per client within how long."""

    per_address: int
    per_client: int
    window: timedelta


def reset_rule() -> ResetRule:
    """The password-reset rule of the settings."""
    return ResetRule(
        per_address=settings.PASSWORD_RESET_THROTTLE_REQUESTS,
        per_client=settings.PASSWORD_RESET_THROTTLE_CLIENT_REQUESTS,
        window=timedelta(seconds=settings.PASSWORD_RESET_THROTTLE_WINDOW_SECONDS),
    )


def password_reset_allowed(email: str, client_ip: str, now: datetime) -> bool:
    """True when a reset request for ``email`` from ``client_ip`` may send an email now."""
    rule = reset_rule()
    recent = PasswordResetRequest.objects.filter(at__gt=now - rule.window)
    return (
        recent.filter(email=normalize_email_address(email)).count() < rule.per_address
        and recent.filter(client_ip=client_ip).count() < rule.per_client
    )
