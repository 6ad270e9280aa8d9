"""The API's docs page in a real Chromium, under the site's Content-Security-Policy: it renders
the operations from the OpenAPI document with no inline script and nothing from another site
(the ``new_page`` fixture fails the test on any CSP violation the browser reports)."""

from __future__ import annotations

from typing import Any

import pytest

from hireproof.accounts.models import User
from hireproof.testing.browser import NewPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_page_renders_under_the_strict_policy(
    live_server: Any, new_page: NewPage, builtins: None
) -> None:
    page = new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    response = page.goto(live_server.url + "/api/v1/docs")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy
    assert "script-src 'self'" in policy
    page.get_by_text("/api/v1/openings/{opening_id}/candidates/batch").first.wait_for()
    assert page.get_by_text("hireproof API").first.is_visible()
    assert all(url.startswith(live_server.url) for url in requested)


def test_the_staff_navigation_links_the_docs(recruiter: User, client_as: Any) -> None:
    page = client_as(recruiter).get("/").content.decode()
    assert 'href="/api/v1/docs"' in page
