"""Assessment orders: an ATS asks for a test for a candidate, and every exchange with it.

``do_place_order`` is what an adapter's "send a test" calls: in one transaction it adds the
candidate to the opening (or finds the one already there under that address), invites them (the
email with their link is queued) unless they already hold a link, creates the order that the ATS
will ask about, records ``ats.order_placed`` (ids only: the name and email are in
``candidate.added``, committed and sealed) and queues the push that tells the ATS the order's
first status (``notify_orders``: Workable hears ``pending``, Lever a tag, Greenhouse nothing),
and the one for the moment the link expires (``notify_orders_at``). An ATS that gives no id of
its own (Workable) asks for one order per candidate of the opening (``once_per_candidate``): a
second is ``OrderAlreadyPlaced``. ``do_cancel_order`` is an ATS's "cancel": the candidate's link
is revoked. ``do_record_ats_exchange`` keeps one call between hireproof
and an ATS, as a row and an ``ats.exchange`` event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from hireproof.accounts.models import User
from hireproof.audit.log import record_event
from hireproof.core.audit import EventType
from hireproof.hiring.actions.candidates import AlreadyACandidate, NewCandidate, do_add_candidate
from hireproof.hiring.actions.invitations import (
    do_invite_candidate,
    do_resend_invitation,
    do_revoke_invitation,
)
from hireproof.hiring.actions.openings import OpeningChangeRefused, require_open
from hireproof.hiring.ats.exchanges import host_of, record_exchange
from hireproof.hiring.ats.push import notify_orders, notify_orders_at
from hireproof.hiring.models.accommodation import NO_ACCOMMODATION
from hireproof.hiring.models.attempts import Attempt
from hireproof.hiring.models.candidates import Candidate, Invitation, email_lookup_for
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.orders import (
    AssessmentOrder,
    Ats,
    AtsExchange,
    Direction,
    OrderStatus,
    seal_secret,
)
from hireproof.hiring.models.stage import Stage, stage_of

_CLOSED = (Stage.HIRED, Stage.NOT_HIRED, Stage.WITHDRAWN)
_NOT_ACTIVE = (
    "This candidate's application in this opening is closed (hired, not hired or withdrawn);"
    " no test was sent."
)
_AT_THE_SAME_TIME = (
    "Another request placed an order for this candidate at the same moment; ask again to get it."
)


class OrderRefused(Exception):
    """An order that cannot be placed as asked; ``str()`` says why, in plain words."""


class OrderAlreadyPlaced(OrderRefused):
    """The ATS already ordered a test for this candidate or application (``order``)."""

    def __init__(self, order: AssessmentOrder) -> None:
        super().__init__(f"A test was already ordered for this candidate ({order.public_id}).")
        self.order = order


@dataclass(frozen=True)
class OrderRequest:
    """What an ATS asks for: a test (an opening) for a person, and where to report back."""

    ats: Ats
    opening: Opening
    name: str
    email: str
    callback_url: str = ""
    callback_auth: str = ""
    ats_reference: str = ""  # the ATS's id of the candidate or application, if it gives one
    # No id of its own (Workable): one order of this ATS per candidate of the opening.
    once_per_candidate: bool = False


def do_place_order(*, actor: User, request: OrderRequest, base_url: str) -> AssessmentOrder:
    """Create the order, the candidate (unless the address is already one in the opening) and
    their invitation (unless they hold one); refused for a closed opening or an erased
    candidate, and ``OrderAlreadyPlaced`` when the ATS already ordered one under the same
    ``ats_reference`` (a retried webhook, two at once) or, ``once_per_candidate``, for the
    same candidate."""
    try:
        return _place(actor, request, base_url)
    except IntegrityError:  # the same reference, placed by a request running at the same time
        if request.ats_reference:
            raise OrderAlreadyPlaced(_placed(request)) from None
        raise OrderRefused(_AT_THE_SAME_TIME) from None


def _placed(request: OrderRequest) -> AssessmentOrder:
    return AssessmentOrder.objects.get(ats=request.ats, ats_reference=request.ats_reference)


def _place(actor: User, request: OrderRequest, base_url: str) -> AssessmentOrder:
    opening = request.opening
    try:
        require_open(opening)
        with transaction.atomic():
            if request.ats_reference and (
                AssessmentOrder.objects.filter(
                    ats=request.ats, ats_reference=request.ats_reference
                ).exists()
            ):
                raise OrderAlreadyPlaced(_placed(request))
            candidate = _candidate(actor, opening, request.name, request.email)
            if candidate.is_erased:
                raise OrderRefused("This candidate's personal data was erased.")
            if request.once_per_candidate:
                placed = AssessmentOrder.objects.filter(ats=request.ats, candidate=candidate)
                if (first := placed.order_by("created_at", "id").first()) is not None:
                    raise OrderAlreadyPlaced(first)
            invited = not Invitation.objects.filter(candidate=candidate).exists()
            stage = stage_of(candidate, timezone.now())
            if stage in _CLOSED:
                raise OrderRefused(_NOT_ACTIVE)
            if invited:
                do_invite_candidate(
                    actor=actor,
                    candidate=candidate,
                    accommodation=candidate.requested_accommodation,
                    base_url=base_url,
                )
            resent = stage in (Stage.EXPIRED, Stage.REVOKED)
            if resent:  # a link that no longer opens: a new one, emailed (the ATS asks again)
                do_resend_invitation(actor=actor, candidate=candidate, base_url=base_url)
            now = timezone.now()
            order = AssessmentOrder.objects.create(
                ats=request.ats,
                candidate=candidate,
                opening=opening,
                api_key_id=actor.acting_key,
                created_at=now,
                callback_url=request.callback_url,
                ats_reference=request.ats_reference,
                callback_auth_sealed=(
                    seal_secret(request.callback_auth) if request.callback_auth else None
                ),
            )
            record_event(
                EventType.ATS_ORDER_PLACED,
                actor=actor.audit_actor,
                subject=candidate.subject,
                public={
                    "ats": str(request.ats),
                    "order_id": order.public_id,
                    "opening_id": opening.pk,
                    "candidate_id": candidate.pk,
                    "invited": invited,
                    "resent": resent,
                    "callback_host": host_of(request.callback_url) or None,
                },
                at=now,
            )
            notify_orders(candidate, at=now)
            links = Invitation.objects.filter(candidate=candidate)
            if (expiry := links.values_list("expires_at", flat=True).first()) is not None:
                notify_orders_at(candidate, max(expiry, now))
    except OpeningChangeRefused as refusal:
        raise OrderRefused(str(refusal)) from None
    return order


def _candidate(actor: User, opening: Opening, name: str, email: str) -> Candidate:
    found = Candidate.objects.filter(opening=opening, email_lookup=email_lookup_for(email)).first()
    if found is not None:
        return found
    try:
        return do_add_candidate(
            actor=actor,
            opening=opening,
            candidate=NewCandidate(name, email, NO_ACCOMMODATION),
        )
    except AlreadyACandidate:  # added by a request running at the same time: never the address
        raise OrderRefused(_AT_THE_SAME_TIME) from None


def do_cancel_order(*, actor: User, order: AssessmentOrder) -> Invitation:
    """The ATS cancelled ``order``: the candidate's link is revoked (``do_revoke_invitation``,
    which records ``invitation.revoked``; again, it changes nothing). The order counts as told
    it is cancelled, since its ATS said so: the push does not tell it back. Refused
    (``OrderRefused``, nothing changed) once the candidate has submitted or was erased."""
    candidate = order.candidate
    if candidate.is_erased:
        raise OrderRefused("This candidate's personal data was erased.")
    if Attempt.objects.filter(invitation__candidate=candidate, submitted_at__isnull=False).exists():
        raise OrderRefused("The candidate has already submitted the test: it cannot be cancelled.")
    now = timezone.now()
    try:
        with transaction.atomic():
            AssessmentOrder.objects.filter(pk=order.pk).update(
                reported_status=OrderStatus.CANCELLED, reported_at=now
            )
            return do_revoke_invitation(actor=actor, candidate=candidate, now=now)
    except OpeningChangeRefused as refusal:
        raise OrderRefused(str(refusal)) from None


def do_record_ats_exchange(
    *,
    actor: str,
    ats: Ats,
    call: str,
    status: int,
    order: AssessmentOrder | None = None,
    asked: dict[str, Any] | None = None,
    answered: dict[str, Any] | None = None,
    error: str = "",
    at: datetime | None = None,
) -> AtsExchange:
    """Keep one call an ATS made to hireproof (its answer included): a row and
    ``ats.exchange``, by ids only."""
    with transaction.atomic():
        return record_exchange(
            ats=ats,
            direction=Direction.INBOUND,
            call=call,
            actor=actor,
            at=at or timezone.now(),
            order=order,
            status=status,
            asked=asked,
            answered=answered,
            error=error,
        )
