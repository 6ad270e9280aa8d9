"""Odd input for every page: the values, the forms a page offers, and the cases built from them.

A page's fields are what its HTML offers (every ``<form>``: its action, method and fields) plus
the query parameters pages read (``QUERY_PARAMETERS``) and the fields of the POST-only
endpoints no page has a form for (``ENDPOINT_FIELDS``). Each case sends one odd value in one
field, every other field keeping the value the page gave it. The path's own values (an opening's
id, a candidate's token) get odd values too (``PATH_VALUES``, ``path_cases``), one parameter at a
time, the others keeping real values.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Protocol, TypeVar
from urllib.parse import parse_qsl, quote_from_bytes, urljoin, urlsplit

ODD_VALUES: dict[str, bytes] = {
    "empty": b"",
    "superscript digit": "²".encode(),
    "arabic-indic digits": "١٢٣".encode(),
    "fullwidth digits": "１２".encode(),
    "5,000 digits": b"9" * 5000,
    "huge number": b"99999999999999999999999",
    "negative": b"-1",
    "exponent": b"1e999",
    "NUL": b"\x00",
    "NUL inside": b"7\x000",
    "invalid UTF-8": b"\xff\xfe141",
    "lone continuation byte": b"\x80",
    "very long": b"x" * 100_000,
    "markup": b"<script>alert(1)</script>",
    "spaces": b"   ",
    "quote": b"' OR '1'='1",
}
"""The odd values every field gets, by label."""

MALFORMED = {"NUL", "NUL inside", "invalid UTF-8", "lone continuation byte"}
"""Values no page may take: always refused with 400 (``platform.middleware``)."""

MULTIPART_BOUNDARY = b"hireproof-fuzz-boundary"

NUMBERS = {
    "superscript digit",
    "arabic-indic digits",
    "fullwidth digits",
    "5,000 digits",
    "huge number",
    "negative",
    "exponent",
}
"""The values that look like numbers to ``str.isdigit`` or ``float``, but are no page's."""

SLOW_PAGES = {"decisions:file_pdf"}
"""Pages that take a second to answer (a PDF rendered) and read no field."""

QUERY_PARAMETERS = ("q", "saved", "status", "verdict", "review", "sort", "page", "next")
"""The query parameters pages read (``?q=`` of the questions, the pipeline's search, filters
and page...)."""

ENDPOINT_FIELDS: dict[str, dict[str, str]] = {
    "assessments:save": {"answer-sjt-incomplete-data": "b"},
    "assessments:signal": {"kind": "paste", "item": "sjt-incomplete-data", "chars": "3"},
}
"""Fields of the POST-only endpoints the pages' scripts call (no ``<form>`` to read)."""


PATH_VALUES: dict[str, str] = {
    "20 digits": "9" * 20,
    "one past the largest id": str(2**63),
    "the largest id": str(2**63 - 1),
    "zero": "0",
    "negative": "-1",
    "superscript digit": quote_from_bytes("²".encode()),
    "arabic-indic digits": quote_from_bytes("١٢".encode()),
    "fullwidth digits": quote_from_bytes("１２".encode()),
    "5,000 digits": "9" * 5000,
    "exponent": "1e3",
    "NUL": "%00",
    "invalid UTF-8": "%FF%FE",
    "very long": "x" * 5000,
}
"""The odd values every path parameter gets, by label, as they are written in the URL."""

PATH_MALFORMED = {"NUL"}
"""Path values no address may hold: refused with 400 (``platform.middleware``) before any page."""

ID_CONVERTER = "id"
"""The converter of every number in a path (``views.urls.IdConverter``): an odd value in such a
parameter matches no pattern, so it must answer 404."""

_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


@dataclass
class Form:
    """One ``<form>`` of a page."""

    action: str
    method: str
    multipart: bool
    fields: dict[str, str] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self.own_parameters: set[str] = set()
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "a" and a.get("href"):
            link = urlsplit(urljoin(self.page_url, a["href"]))
            if link.path == urlsplit(self.page_url).path:
                self.own_parameters |= {name for name, _ in parse_qsl(link.query)}
        if tag == "form":
            action = urljoin(self.page_url, a.get("action") or self.page_url)
            self.forms.append(
                Form(
                    action=action,
                    method=(a.get("method") or "get").lower(),
                    multipart=a.get("enctype") == "multipart/form-data",
                )
            )
        elif not self.forms or "name" not in a:
            return
        elif tag in ("input", "textarea", "button") and a.get("type") != "file":
            if a.get("type") in ("checkbox", "radio") and a["name"] in self.forms[-1].fields:
                return
            self.forms[-1].fields.setdefault(a["name"], a.get("value", ""))
        elif tag == "select":
            self._select = a["name"]
            self.forms[-1].fields.setdefault(a["name"], "")
        elif tag == "option" and self._select and not self.forms[-1].fields[self._select]:
            self.forms[-1].fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def forms_of(page_url: str, html: str) -> tuple[list[Form], set[str]]:
    """The forms of a page, with each field's value as the page fills it, and the query
    parameters of its links to itself (``?q=2`` of the one-question-per-page view)."""
    parser = _FormParser(page_url)
    parser.feed(html)
    return parser.forms, parser.own_parameters


@dataclass(frozen=True)
class Case:
    """One request: ``field`` of ``url`` set to the odd value ``label``, as ``visitor``."""

    route: str
    visitor: str
    method: str
    url: str
    field: str
    label: str
    fields: tuple[tuple[str, str], ...] = ()
    multipart: bool = False
    read: bool = False
    """True for a query parameter the page's own links carry (``?q=2``): every odd value is
    sent to it; other fields get one value of each kind."""

    @property
    def kind(self) -> str:
        """The odd value's kind: "malformed", "number" or "other"."""
        if self.label in MALFORMED:
            return "malformed"
        return "number" if self.label in NUMBERS else "other"

    @property
    def key(self) -> tuple[str, ...]:
        """What coverage counts: each (page, method, field) gets a case of each kind of odd
        value (a page that reads no field, ``SLOW_PAGES``, one of each kind); a parameter of
        the page's own links, every value, as each visitor who saw those links."""
        if self.read:
            return (self.route, self.method, self.field, self.label, self.visitor)
        field = "*" if self.route in SLOW_PAGES else self.field
        return (self.route, self.method, field, self.kind)

    @property
    def malformed(self) -> bool:
        return self.kind == "malformed"

    def body(self) -> bytes:
        """The urlencoded form: the page's own values, ``field`` set to the odd value."""
        parts = []
        for name, value in self.fields:
            raw = ODD_VALUES[self.label] if name == self.field else value.encode()
            parts.append(f"{quote_from_bytes(name.encode())}={quote_from_bytes(raw)}")
        if self.field not in dict(self.fields):
            parts.append(f"{quote_from_bytes(self.field.encode())}={self.odd_quoted}")
        return "&".join(parts).encode()

    def multipart_body(self) -> bytes:
        """The same form as ``multipart/form-data`` (built here: Django's test client would
        read a ``bytes`` value as a list of numbers), boundary ``MULTIPART_BOUNDARY``."""
        values = {name: value.encode() for name, value in self.fields}
        values[self.field] = ODD_VALUES[self.label]
        lines = []
        for name, raw in values.items():
            lines += [
                b"--" + MULTIPART_BOUNDARY,
                b'Content-Disposition: form-data; name="' + name.encode() + b'"',
                b"",
                raw,
            ]
        return b"\r\n".join([*lines, b"--" + MULTIPART_BOUNDARY + b"--", b""])

    @property
    def odd_quoted(self) -> str:
        return quote_from_bytes(ODD_VALUES[self.label])

    def query_url(self) -> str:
        separator = "&" if urlsplit(self.url).query else "?"
        return f"{self.url}{separator}{quote_from_bytes(self.field.encode())}={self.odd_quoted}"


def cases_for(
    route: str, visitor: str, url: str, forms: Iterable[Form], own: AbstractSet[str] = frozenset()
) -> list[Case]:
    """Every case of one page as one visitor: each query parameter (``QUERY_PARAMETERS`` and
    ``own``, those of its links to itself) and each form field, with every odd value."""
    made = [
        Case(route, visitor, "get", url, name, label, read=name in own)
        for name in sorted(set(QUERY_PARAMETERS) | own)
        for label in ODD_VALUES
    ]
    for form in forms:
        path = urlsplit(form.action).path + (
            "?" + urlsplit(form.action).query if urlsplit(form.action).query else ""
        )
        fields = tuple(form.fields.items())
        for name in form.fields:
            if name == "csrfmiddlewaretoken":
                continue
            for label in ODD_VALUES:
                method = "post" if form.method == "post" else "get"
                made.append(Case(route, visitor, method, path, name, label, fields, form.multipart))
    return made


@dataclass(frozen=True)
class PathCase:
    """One request: the path parameter ``parameter`` of ``route`` set to the odd value
    ``label`` (``PATH_VALUES``), the other parameters real, as ``visitor``."""

    route: str
    visitor: str
    method: str
    url: str
    parameter: str
    label: str
    is_id: bool
    """True for an ``<id:...>`` parameter: every odd value there must answer 404."""

    @property
    def expected(self) -> int | None:
        """The status this case must answer: 400 for a malformed value, 404 for any other odd
        value of an id; ``None``: anything but a 5xx."""
        if self.label in PATH_MALFORMED:
            return 400
        return 404 if self.is_id else None

    @property
    def key(self) -> tuple[str, ...]:
        """Coverage: every odd value in every parameter of every pattern."""
        return (self.route, "path", self.parameter, self.label)


def path_cases(
    route: str, pattern: str, values: Mapping[str, object], visitor: str, method: str
) -> list[PathCase]:
    """The cases of one URL pattern's path: each parameter with each of ``PATH_VALUES``,
    the others filled from ``values``."""
    made = []
    for converter, name in _PARAMETER.findall(pattern):
        for label, raw in PATH_VALUES.items():

            def fill(match: re.Match[str], name: str = name, raw: str = raw) -> str:
                return raw if match.group(2) == name else str(values[match.group(2)])

            url = "/" + _PARAMETER.sub(fill, pattern)
            made.append(
                PathCase(route, visitor, method, url, name, label, converter == ID_CONVERTER)
            )
    return made


class Sampled(Protocol):
    """What sampling reads of a case."""

    @property
    def route(self) -> str: ...

    @property
    def key(self) -> tuple[str, ...]: ...


Some = TypeVar("Some", bound=Sampled)


def chosen(cases: Sequence[Some], budget: int, seed: int) -> list[Some]:
    """A seeded sample of at most ``budget`` cases (more when coverage needs it): first one
    case of every coverage key (``Case.key``), then others up to the budget (none of
    ``SLOW_PAGES``)."""
    rng = random.Random(seed)
    shuffled = list(cases)
    rng.shuffle(shuffled)
    picked: list[Some] = []
    rest: list[Some] = []
    seen: set[tuple[str, ...]] = set()
    for case in shuffled:
        if case.key not in seen:
            seen.add(case.key)
            picked.append(case)
        elif case.route not in SLOW_PAGES:
            rest.append(case)
    return picked + rest[: max(0, budget - len(picked))]


def covering(cases: Sequence[Sampled]) -> int:
    """How many cases coverage alone needs (``Case.key``)."""
    return len({case.key for case in cases})
