"""Every outbound HTTP call of the product, guarded against server-side request forgery.

A URL someone else chose (a webhook subscription, an ATS's callback) must not
reach the machines beside the server: its loopback, its private network, the cloud's metadata
service at 169.254.169.254. ``post`` (and ``send``, for another method) therefore:

- takes only ``http`` and ``https`` URLs with a host and no user name or password;
- resolves the host once and refuses it when any address it resolves to is loopback, private,
  link-local, multicast, reserved, unspecified, shared (100.64/10) or otherwise not global,
  including such an IPv4 address inside IPv6 (IPv4-mapped, 6to4, Teredo, NAT64);
- connects to the address it checked (the connection never looks the name up again, so a
  name that answers a public address to the check and a private one a moment later, DNS
  rebinding, gets nowhere), while TLS still checks the certificate against the host name;
- never follows a redirect (a 3xx is the answer, which the caller counts as a failure), so a
  public URL cannot send the call on to a private one;
- bounds its time (connect, read, write, and the whole call) and reads at most
  ``EXCERPT_BYTES`` of the answer.

``HIREPROOF_OUTBOUND_ALLOW_PRIVATE=true`` lifts the address check (not the rest), for an operator
whose receivers live on their own network. httpcore is the HTTP client: it lets this module
give it the network backend that opens its connections (``_GuardedBackend``).
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import certifi
import httpcore
from django.conf import settings

EXCERPT_BYTES = 1024  # the most of an answer's body that is read and kept
CONNECT_SECONDS = 5.0
READ_SECONDS = 10.0
TOTAL_SECONDS = 20.0  # the whole call, however slowly the other side trickles its answer
SCHEMES = {"http": 80, "https": 443}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundRefused(Exception):
    """The URL may not be called: its scheme, its form, or the address its host resolves to."""


class OutboundFailed(Exception):
    """The call was made but did not get an answer: refused, timed out, cut, bad TLS."""


@dataclass(frozen=True)
class Answer:
    """What the other side answered: its status, the start of its body, how long it took."""

    status: int
    excerpt: bytes
    seconds: float


@dataclass(frozen=True)
class Target:
    """A checked URL's parts."""

    scheme: str
    host: str
    port: int
    target: str  # the path and query, as sent in the request line


def allow_private() -> bool:
    """Whether the operator lifted the address check (``HIREPROOF_OUTBOUND_ALLOW_PRIVATE``)."""
    return bool(settings.HIREPROOF_OUTBOUND_ALLOW_PRIVATE)


def parse_url(url: str) -> Target:
    """``url``'s parts, or ``OutboundRefused`` saying what is wrong with its form."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise OutboundRefused(f"the URL is not valid ({error})") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise OutboundRefused("the URL must start with https:// or http://")
    if not parts.hostname:
        raise OutboundRefused("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise OutboundRefused("the URL may not carry a user name or password")
    if any(ord(char) < 33 or ord(char) == 127 for char in url.strip()):
        raise OutboundRefused("the URL may not contain spaces or control characters")
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return Target(scheme, parts.hostname, port or SCHEMES[scheme], target)


def address_problem(address: IpAddress) -> str | None:
    """Why a call may not go to ``address``, or None when it may (a global unicast address)."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address.teredo is not None:
            inner = address.teredo[1]
        if inner is None and address in _NAT64:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
        if inner is not None and (problem := address_problem(inner)) is not None:
            return f"{address} carries {inner}: {problem}"
    kinds = (
        ("is_loopback", "a loopback address"),
        ("is_unspecified", "the unspecified address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_private", "a private address"),
        ("is_reserved", "a reserved address"),
    )
    for attribute, kind in kinds:
        if getattr(address, attribute):
            return f"{address} is {kind}"
    if not address.is_global:
        return f"{address} is not a public address"
    return None


def resolve(host: str, port: int) -> str:
    """The address to connect to for ``host``: resolved once and checked (unless the operator
    allowed private addresses). ``OutboundRefused`` when the name does not resolve or any of
    its addresses is not public (a name that also points inward is not trusted at all)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise OutboundRefused(f"{host} does not resolve ({error})") from None
    addresses: list[IpAddress] = []
    for _family, _type, _proto, _name, sockaddr in found:
        text = str(sockaddr[0]).split("%", 1)[0]  # an IPv6 scope id is not part of the address
        addresses.append(ipaddress.ip_address(text))
    if not addresses:
        raise OutboundRefused(f"{host} does not resolve")
    if not allow_private():
        for address in addresses:
            problem = address_problem(address)
            if problem is not None:
                raise OutboundRefused(
                    f"{host} resolves to {problem}; calls go only to public addresses"
                    " (HIREPROOF_OUTBOUND_ALLOW_PRIVATE=true lifts this for a receiver on"
                    " your own network)"
                )
    return str(addresses[0])


def check_url(url: str) -> Target:
    """Check ``url`` as ``post`` would before calling it (its form, then its host's addresses);
    ``OutboundRefused`` says what is wrong. A form checks a URL with this when it is entered;
    the check that counts is the one at each call."""
    target = parse_url(url)
    resolve(target.host, target.port)
    return target


class _GuardedBackend(httpcore.NetworkBackend):
    """httpcore's synchronous backend, connecting only to the address ``resolve`` checked."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        address = resolve(host, port)
        return self._inner.connect_tcp(
            address, port, timeout=timeout, socket_options=socket_options
        )

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        raise OutboundRefused("calls go over TCP only")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _ssl_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=certifi.where())


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body`` to ``url`` with ``headers``, guarded as the module says.

    Returns the answer whatever its status (a 3xx is not followed); raises ``OutboundRefused``
    before any connection for a URL or address that is not allowed, ``OutboundFailed`` when
    no answer came (refused connection, timeout, TLS failure, a cut connection).
    """
    return send("POST", url, body, headers, agent="hireproof-webhooks")


def send(
    method: str,
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    agent: str = "hireproof",
    limit: int = EXCERPT_BYTES,
) -> Answer:
    """Send one ``method`` request (``GET``, ``POST``, ``PATCH``, ``PUT``) to ``url``, guarded
    and answered as ``post`` is, reading at most ``limit`` bytes of the answer (an ATS's record
    a task reads, say); an ATS's callback goes through here."""
    target = parse_url(url)
    sent = [(b"Content-Type", b"application/json"), (b"User-Agent", agent.encode())]
    sent += [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
    timeouts = {"connect": CONNECT_SECONDS, "read": READ_SECONDS, "write": READ_SECONDS}
    started = time.monotonic()
    with httpcore.ConnectionPool(
        ssl_context=_ssl_context(), network_backend=_GuardedBackend(), retries=0
    ) as pool:
        try:
            with pool.stream(
                method,
                httpcore.URL(
                    scheme=target.scheme.encode(),
                    host=target.host.encode("idna"),
                    port=target.port,
                    target=target.target.encode(),
                ),
                headers=sent,
                content=body,
                extensions={"timeout": timeouts},
            ) as response:
                excerpt = b""
                for chunk in response.iter_stream():
                    excerpt += chunk
                    if len(excerpt) >= limit or time.monotonic() - started > TOTAL_SECONDS:
                        break
                return Answer(response.status, excerpt[:limit], time.monotonic() - started)
        except OutboundRefused:
            raise
        except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError) as error:
            raise OutboundFailed(_describe(error)) from None
        except (OSError, UnicodeError, ssl.SSLError) as error:
            raise OutboundFailed(_describe(error)) from None


def _describe(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
