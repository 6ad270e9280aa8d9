"""Connecting Greenhouse in a real Chromium: an administrator opens Integrations, connects
Greenhouse, copies the key the page shows once, the fake Greenhouse orders a test with that key
over real HTTP, and the administrator sees the exchange in Recent exchanges, its order linking
to the candidate's page.

Driven by Playwright against Debian's Chromium (``hireproof.testing.browser``); skipped with a
reason when it is missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from hireproof.accounts.models import User
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.orders import AssessmentOrder, Ats, AtsConnection
from hireproof.testing.fake_greenhouse import running_greenhouse
from hireproof.views.tests.browser_flow import expect, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GRACE = {"first_name": "Grace", "last_name": "Hopper", "email": "grace.hopper@example.org"}


def test_an_administrator_connects_greenhouse_and_sees_its_first_order_arrive(
    page: Page, live_server: Any, settings: Any, administrator: User, opening: Opening
) -> None:
    settings.HIREPROOF_SITE_URL = live_server.url
    sign_in(page, live_server, administrator.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Integrations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Integrations")
    expect(page.get_by_role("row", name="Greenhouse")).to_contain_text("Not connected")
    page.get_by_role("link", name="Greenhouse").click()
    expect(page.get_by_text(f"{live_server.url}/integrations/greenhouse/send_test")).to_be_visible()
    page.get_by_role("button", name="Connect Greenhouse").click()
    expect(page.get_by_role("status").filter(has_text="shown this once")).to_be_visible()
    key = page.locator("#integration-key").inner_text()
    assert AtsConnection.objects.get(ats=Ats.GREENHOUSE).api_key_raw == key

    with running_greenhouse(f"{live_server.url}/integrations/greenhouse", key) as greenhouse:
        _, sent = greenhouse.send_test(str(opening.pk), GRACE)
    assert sent.status_code == 200, sent.text
    order = AssessmentOrder.objects.get(public_id=sent.json()["partner_interview_id"])

    page.goto(f"{live_server.url}/settings/integrations/greenhouse/")
    expect(page.locator("#integration-key")).to_have_count(0)  # shown once
    exchanges = page.locator("#exchange-rows")
    row = exchanges.get_by_role("row").filter(has_text="send_test")
    expect(row).to_contain_text("Greenhouse → hireproof")
    expect(row).to_contain_text("200")
    row.get_by_role("link", name=order.public_id).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Grace Hopper")
