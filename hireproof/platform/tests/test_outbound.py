"""The SSRF guard of every outbound call, over real HTTP to receivers on 127.0.0.1.

With the setting off (the default) nothing inward is reached: loopback, private, link-local
(the cloud metadata address), IPv6 loopback, IPv4 inside IPv6, and names that resolve to any
of those. The tests that reach a real receiver allow private addresses, as an operator with a
self-hosted receiver does; a redirect is then answered, never followed. Name resolution is the
outside world's edge: two tests give ``socket.getaddrinfo`` the answers of a hostile DNS server.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from hireproof.platform.outbound import (
    OutboundFailed,
    OutboundRefused,
    address_problem,
    check_url,
    post,
)
from hireproof.testing.webhook_receiver import Receiver, running_receiver

REFUSED_URLS = [
    "http://127.0.0.1/hook",
    "http://127.1.2.3:8080/hook",
    "http://10.0.0.8/hook",
    "http://172.16.5.4/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/hook",
    "http://0.0.0.0/hook",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:169.254.169.254]/hook",
    "http://[fe80::1]/hook",
    "http://[fc00::1]/hook",
    "http://[64:ff9b::7f00:1]/hook",
    "http://[2002:7f00:1::]/hook",
    "http://224.0.0.1/hook",
    "http://localhost/hook",
    "http://localhost:8000/hook",
]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_the_guard_refuses_inward_addresses_before_any_connection(url: str, settings: Any) -> None:
    settings.HIREPROOF_OUTBOUND_ALLOW_PRIVATE = False
    with pytest.raises(OutboundRefused, match="calls go only to public addresses"):
        check_url(url)
    with pytest.raises(OutboundRefused, match="calls go only to public addresses"):
        post(url, b"{}", {})


def test_a_receiver_on_loopback_is_refused_and_gets_nothing(
    receiver: Receiver, settings: Any
) -> None:
    settings.HIREPROOF_OUTBOUND_ALLOW_PRIVATE = False
    for url in (receiver.url, receiver.url.replace("127.0.0.1", "localhost")):
        with pytest.raises(OutboundRefused, match=r"127\.0\.0\.1 is a loopback address"):
            post(url, b"{}", {})
    assert receiver.received == []


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://example.org/hook", "https:// or http://"),
        ("file:///etc/passwd", "https:// or http://"),
        ("https:///hook", "no host"),
        ("https://user:secret@example.org/hook", "user name or password"),
        ("https://example.org/a b", "spaces or control characters"),
        ("https://example.org:99999/hook", "not valid"),
    ],
)
def test_the_guard_refuses_urls_of_the_wrong_form(url: str, why: str) -> None:
    with pytest.raises(OutboundRefused, match=why):
        check_url(url)


def test_public_addresses_pass_and_the_address_kinds_are_named() -> None:
    assert address_problem(ipaddress.ip_address("93.184.215.14")) is None
    assert address_problem(ipaddress.ip_address("2606:4700::1111")) is None
    assert address_problem(ipaddress.ip_address("169.254.169.254")) == (
        "169.254.169.254 is a link-local address"
    )
    assert address_problem(ipaddress.ip_address("::ffff:10.1.2.3")) == (
        "::ffff:a01:203 carries 10.1.2.3: 10.1.2.3 is a private address"
    )


def test_a_name_that_also_resolves_inward_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def hostile_dns(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", hostile_dns)
    with pytest.raises(OutboundRefused, match=r"127\.0\.0\.1 is a loopback address"):
        post("https://rebind.example.test/hook", b"{}", {})


def test_the_call_connects_to_the_address_it_checked_without_a_second_lookup(
    receiver: Receiver, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebinding name answers the check, then would answer something else: the connection
    must use the first answer, so the name is looked up once per call."""
    settings.HIREPROOF_OUTBOUND_ALLOW_PRIVATE = True
    real = socket.getaddrinfo
    lookups: list[str] = []

    def counting_dns(host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        lookups.append(host)
        if host == "hooks.example.test":
            if len(lookups) > 1:
                return real("192.0.2.1", port, *args, **kwargs)  # the rebound answer
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", counting_dns)
    answer = post(f"http://hooks.example.test:{receiver.port}/hooks", b"{}", {})
    assert answer.status == 401  # it reached the receiver (which finds no signature)
    names = [host for host in lookups if not _is_address(host)]  # an address needs no DNS
    assert names == ["hooks.example.test"]
    assert receiver.received[0].headers["host"] == f"hooks.example.test:{receiver.port}"


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def test_a_redirect_is_answered_never_followed(settings: Any) -> None:
    settings.HIREPROOF_OUTBOUND_ALLOW_PRIVATE = True
    with running_receiver() as first, running_receiver() as second:
        first.mode, first.redirect_to = "redirect", second.url
        answer = post(first.url, b"{}", {})
        assert answer.status == 307
        assert second.received == []


def test_no_answer_is_a_failure_and_the_answer_read_is_bounded(settings: Any) -> None:
    settings.HIREPROOF_OUTBOUND_ALLOW_PRIVATE = True
    receiver = Receiver(secrets=[])
    receiver.start()
    url = receiver.url
    receiver.stop()
    with pytest.raises(OutboundFailed, match="ConnectError"):
        post(url, b"{}", {})
    with running_receiver() as running:
        running.mode = "unavailable"
        answer = post(running.url, b"x" * 100_000, {})
        assert (answer.status, answer.excerpt) == (503, b"down for maintenance")
