"""The signed, read-only report link an ATS shows its users.

A link is ``/reports/<token>/`` where the token is Django's signed object (HMAC-SHA256) of the
order's public id and the link's expiry (Unix seconds), under a key derived from the KEK with
HKDF: the KEK lives in the keys folder, never in the database, so a copy of the database alone
cannot make a link. A token whose signature does not verify (any character altered, another
key) is ``LinkRefused``; one past its expiry is ``LinkExpired``. The expiry is inside the signed
part: it cannot be moved. Links last ``HIREPROOF_REPORT_LINK_DAYS``; each status answer issues
a fresh one (``hiring.ats.links.report_url``); the page asks the funnel
(``access.access_order_report``), which reads the token here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core import signing

from hireproof.audit.keys import kek_bytes
from hireproof.hiring.models.orders import AssessmentOrder

_INFO = b"hireproof report links v1"
_SALT = "hireproof.report-link"


class LinkRefused(Exception):
    """The token was not signed by this site (altered, truncated, or made elsewhere)."""


class LinkExpired(Exception):
    """The token is genuine but its time is over."""


@dataclass(frozen=True)
class ReportLink:
    """What a verified token names: the order, and until when the link opens it."""

    order_id: str
    expires_at: datetime


def _signer() -> signing.Signer:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(kek_bytes())
    return signing.Signer(key=key.hex(), salt=_SALT, algorithm="sha256")


def link_days() -> int:
    """How long a link opens the report (``HIREPROOF_REPORT_LINK_DAYS``)."""
    days: int = settings.HIREPROOF_REPORT_LINK_DAYS
    return days


def report_token(order: AssessmentOrder, now: datetime) -> str:
    """A token for ``order``'s report, expiring ``link_days()`` after ``now``."""
    expires = int((now + timedelta(days=link_days())).timestamp())
    return _signer().sign_object({"o": order.public_id, "e": expires}, compress=False)


def read_report_token(token: str, now: datetime) -> ReportLink:
    """What ``token`` names, once its signature verifies and its time is not over."""
    try:
        payload = _signer().unsign_object(token)
    except (signing.BadSignature, ValueError, UnicodeError):
        raise LinkRefused("this report link is not valid") from None
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("o"), str)
        or not isinstance(payload.get("e"), int)
    ):
        raise LinkRefused("this report link is not valid")
    expires_at = datetime.fromtimestamp(payload["e"], tz=UTC)
    if expires_at <= now:
        raise LinkExpired("this report link has expired")
    return ReportLink(payload["o"], expires_at)
