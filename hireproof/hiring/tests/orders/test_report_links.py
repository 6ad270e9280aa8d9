"""The signed report link an ATS shows: it opens a read-only summary without an account, and
an altered, foreign or expired link, or one to an erased candidate, is refused. The page shows
no answer, answer key or explanation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hireproof.accounts.models import User
from hireproof.hiring.actions.erasure import ErasureBasis, do_erase_candidate
from hireproof.hiring.actions.orders import OrderRequest, do_place_order
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.orders import AssessmentOrder, Ats
from hireproof.hiring.models.report_links import (
    LinkExpired,
    LinkRefused,
    read_report_token,
    report_token,
)
from hireproof.hiring.tests.webhooks.conftest import STRONG, take_test

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(recruiter: User, opening: Opening) -> AssessmentOrder:
    """An order from Greenhouse whose candidate took the test (every answer right)."""
    placed = do_place_order(
        actor=recruiter,
        request=OrderRequest(Ats.GREENHOUSE, opening, "Grace Hopper", "grace@example.org"),
        base_url="http://testserver/",
    )
    take_test(placed.candidate, STRONG)
    return AssessmentOrder.objects.get(pk=placed.pk)


def _page(token: str) -> Any:
    return Client().get(reverse("reports:order", kwargs={"token": token}))


def test_a_fresh_link_opens_the_summary_and_no_answer_or_key(order: AssessmentOrder) -> None:
    page = _page(report_token(order, timezone.now()))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Grace Hopper" in text
    assert "100.00%" in text
    assert order.opening.playbook_version.content_hash in text
    for answer in STRONG.values():
        if len(answer) >= 4:  # the longer answers (the keys are these answers): never shown
            assert answer not in text
    assert "explanation" not in text.lower()
    assert "no-store" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "no-referrer"


def test_an_altered_or_foreign_link_is_a_404(order: AssessmentOrder) -> None:
    token = report_token(order, timezone.now())
    payload, signature = token.split(":")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    assert _page(f"{payload}:{flipped}").status_code == 404
    assert _page("x" * 20).status_code == 404
    with pytest.raises(LinkRefused):
        read_report_token(f"{payload}:{flipped}", timezone.now())


def test_an_expired_link_is_refused_with_a_410(order: AssessmentOrder, settings: Any) -> None:
    issued = timezone.now() - timedelta(days=settings.HIREPROOF_REPORT_LINK_DAYS, seconds=1)
    token = report_token(order, issued)
    page = _page(token)
    assert page.status_code == 410
    assert "Grace Hopper" not in page.content.decode()
    with pytest.raises(LinkExpired):
        read_report_token(token, timezone.now())
    assert read_report_token(report_token(order, timezone.now()), timezone.now()).order_id == (
        order.public_id
    )


def test_a_link_to_an_erased_candidate_is_a_404(
    order: AssessmentOrder, administrator: User
) -> None:
    token = report_token(order, timezone.now())
    do_erase_candidate(actor=administrator, candidate=order.candidate, basis=ErasureBasis.REQUEST)
    assert _page(token).status_code == 404
