"""A property-based run of the OpenAPI document against the live server, over real HTTP.

Schemathesis reads ``/api/v1/openapi.json`` from the running server and, for every operation,
sends requests generated from the document (valid ones and ones that break it) with a key
holding every scope. No answer may be a 5xx, and every answer must be one the document declares,
with the media type and the body schema it declares. Bounded: a few examples per operation, so
the run takes about a minute; it prints how many requests it sent.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest
import requests
import schemathesis
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hireproof.accounts.models import User
from hireproof.api.tests.conftest import key_for
from hireproof.hiring.demo.loader import load_demo

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = 8
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_no_request_the_document_allows_or_refuses_gets_a_5xx_or_an_undeclared_answer(
    live_server: Any, builtins: None, mailoutbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Set on the settings object itself (the live server's thread reads it), undone after.
    monkeypatch.setattr(django_settings, "HIREPROOF_API_RATE_LIMIT", 1_000_000)
    # The outside world's edge: every name a generated webhook URL holds resolves to a
    # documentation address, which the SSRF guard refuses, so the run sends nothing anywhere.
    real_lookup = socket.getaddrinfo

    def documentation_dns(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "localhost":  # the live server
            return real_lookup(host, port, *args, **kwargs)
        try:
            ipaddress.ip_address(str(host))
        except ValueError:
            return real_lookup("192.0.2.1", port, *args, **kwargs)
        return real_lookup(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", documentation_dns)
    load_demo()  # openings and candidates at every stage, so ids 1, 2, ... exist
    administrator = User.objects.filter(role="administrator").order_by("pk").first()
    assert administrator is not None
    key = key_for(administrator)
    schema = schemathesis.openapi.from_url(live_server.url + "/api/v1/openapi.json")
    session = requests.Session()
    headers = {"Authorization": f"Bearer {key}"}
    sent, seen = 0, set()
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an Err raises here, as it should
        strategy = st.one_of(
            operation.as_strategy(),
            operation.as_strategy(schemathesis.GenerationMode.NEGATIVE),
        )

        @given(case=strategy)
        @examples(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            nonlocal sent
            response = case.call(base_url=live_server.url, session=session, headers=headers)
            sent += 1
            seen.add(response.status_code)
            case.validate_response(response, checks=CHECKS, headers=headers)

        run()
    print(f"schemathesis: {sent} requests, statuses {sorted(seen)}")
    assert sent > 100
    assert max(seen) < 500
