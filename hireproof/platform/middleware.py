"""The site's own middleware: request input refused before any view reads it, and error pages.

- ``RefuseMalformedInputMiddleware``: a query parameter or form field that is not valid UTF-8,
  or holds a NUL character, is refused with 400 and a message naming it, before any view (or
  the CSRF check) reads the request; so is an address holding a NUL. Django would otherwise
  decode such bytes to U+FFFD replacement characters and store the mangled text as if the
  person had typed it; a NUL is never part of text anyone types, and some databases refuse or
  truncate it (PostgreSQL fails the query).
- ``ErrorPageMiddleware``: a 405 (a method the page does not accept) answers with the site's
  page instead of Django's empty body.

Both render their pages without ``request.user`` or a session: they run before the middleware
that sets them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.template.loader import render_to_string

Handler = Callable[[HttpRequest], HttpResponseBase]

FORM_URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
REPLACEMENT = "\ufffd"


class MalformedInput(ValueError):
    """A parameter or field that is not valid text; ``str()`` says which and why."""


def _pairs(raw: bytes) -> Iterator[tuple[bytes, bytes]]:
    """The (name, value) pairs of an ``application/x-www-form-urlencoded`` string, as bytes."""
    for pair in raw.split(b"&"):
        if not pair:
            continue
        name, _, value = pair.partition(b"=")
        yield (
            unquote_to_bytes(name.replace(b"+", b" ")),
            unquote_to_bytes(value.replace(b"+", b" ")),
        )


def _shown(name: bytes | str) -> str:
    """A field's name for a message: decoded leniently, control characters escaped, short."""
    text = name.decode("utf-8", errors="replace") if isinstance(name, bytes) else name
    text = text.encode("unicode_escape").decode("ascii")
    return repr(text if len(text) <= 80 else text[:80] + "...")


def check_urlencoded(raw: bytes, where: str) -> None:
    """Raise ``MalformedInput`` naming the first field of ``raw`` (``where``: "query parameter"
    or "form field") whose name or value is not UTF-8 or holds a NUL."""
    for name, value in _pairs(raw):
        for part, what in ((name, "name"), (value, "value")):
            try:
                text = part.decode("utf-8")
            except UnicodeDecodeError:
                raise MalformedInput(
                    f"The {where} {_shown(name)} was refused: its {what} is not valid UTF-8 "
                    "text. Send it again as UTF-8; nothing was saved."
                ) from None
            if "\x00" in text:
                raise MalformedInput(
                    f"The {where} {_shown(name)} was refused: its {what} holds a NUL character "
                    "(U+0000), which no text may hold. Remove it and send again; nothing was "
                    "saved."
                )


def check_parsed(fields: Iterator[tuple[str, str]], where: str) -> None:
    """The same refusals for fields Django has already decoded (a multipart form): there a byte
    that was not UTF-8 shows as the replacement character U+FFFD."""
    for name, value in fields:
        for text, what in ((name, "name"), (value, "value")):
            if "\x00" in text:
                raise MalformedInput(
                    f"The {where} {_shown(name)} was refused: its {what} holds a NUL character "
                    "(U+0000), which no text may hold. Remove it and send again; nothing was "
                    "saved."
                )
            if REPLACEMENT in text:
                raise MalformedInput(
                    f"The {where} {_shown(name)} was refused: its {what} is not valid UTF-8 "
                    "text (it decodes to U+FFFD replacement characters). Send it again as "
                    "UTF-8; nothing was saved."
                )


def _charset(request: HttpRequest) -> str:
    return str((request.content_params or {}).get("charset", "utf-8")).strip().lower()


def check_path(path: str) -> None:
    """Raise ``MalformedInput`` for an address holding a NUL (``%00``): no page has one, and a
    database may refuse the character in a query (PostgreSQL does) rather than find nothing.
    (Bytes that are not UTF-8 reach the site percent-encoded, as text, and match no page.)"""
    if "\x00" in path:
        raise MalformedInput(
            "The address was refused: it holds a NUL character (%00), which no address of this "
            "site holds. Check the link."
        )


def check_request(request: HttpRequest) -> None:
    """Raise ``MalformedInput`` when the path, the query string or the form body is not clean
    text."""
    check_path(request.path_info)
    check_urlencoded(
        request.META.get("QUERY_STRING", "").encode("iso-8859-1", "replace"), "query parameter"
    )
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    if request.content_type in (FORM_URLENCODED, MULTIPART) and _charset(request) not in (
        "utf-8",
        "utf8",
    ):
        raise MalformedInput(
            f"The form was refused: it is sent as {_charset(request)!r}; send it as UTF-8."
        )
    if request.content_type == FORM_URLENCODED:
        check_urlencoded(request.body, "form field")
    elif request.content_type == MULTIPART:
        check_parsed(
            ((name, value) for name, values in request.POST.lists() for value in values),
            "form field",
        )
        check_parsed(
            (
                (name, str(getattr(upload, "name", "") or ""))
                for name, upload in request.FILES.items()
            ),
            "file",
        )


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """The site's 400 page, with ``message`` saying what was wrong."""
    body = render_to_string("400.html", {"reason": message}, request=request)
    return HttpResponse(body, status=400)


class RefuseMalformedInputMiddleware:
    """Refuse (400) a request whose parameters or form fields are not clean UTF-8 text."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            check_request(request)
        except MalformedInput as refusal:
            return bad_request(request, str(refusal))
        return self.get_response(request)


class ErrorPageMiddleware:
    """Give Django's bodiless 405 responses the site's page (with the methods allowed)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed) and not response.content:
            allowed = response["Allow"]
            body = render_to_string("405.html", {"allowed": allowed}, request=request)
            page = HttpResponse(body, status=405)
            page["Allow"] = allowed
            return page
        return response
