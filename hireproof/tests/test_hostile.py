"""A hostile visitor against a running server, over real HTTP.

Most checks run against pytest-django's live server, in this process, so they can set up the
demo and read the database; ``TestTheServerAsDeployed`` runs against a real ``hireproof serve``
process (waitress, production settings behind a TLS proxy, its own data folder), for what only
the server a deployment runs decides: HTTPS redirects and HSTS, long paths, body limits, logs.

Classes, each with its checks: answer-key leaks in candidate responses, cross-candidate and
role access (a withdrawn candidate's link included), bad input (hosts, numbers in queries and
paths, invalid UTF-8, NUL), resource exhaustion (body size, field count, long fields, the saves
one attempt can record, reset emails, regex rules and YAML aliases in playbooks) and the
security headers (error pages included).
"""

from __future__ import annotations

import http.client
import re
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.test import Client

from hireproof.accounts.models import User
from hireproof.accounts.roles import Role
from hireproof.audit.models import LogLeaf
from hireproof.core.audit import EventType
from hireproof.core.tests.playbook.sample import SAMPLE
from hireproof.hiring.actions import attempts
from hireproof.hiring.actions.attempts import MAX_ANSWER_CHARS
from hireproof.hiring.actions.decisions import do_record_decision
from hireproof.hiring.demo.loader import DemoReport
from hireproof.hiring.models.attempts import Attempt, saved_answers
from hireproof.hiring.models.candidates import Invitation, hash_token
from hireproof.hiring.models.playbooks import PlaybookVersion
from hireproof.testing.server import READY, RunningServer
from hireproof.tests.site import Link, links, staff_of

pytestmark = pytest.mark.django_db(transaction=True)

FORM = "application/x-www-form-urlencoded"


class Server:
    """Raw HTTP to the live server: every header and byte as given."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            sent = {"Host": f"{self.host}:{self.port}", **(headers or {})}
            if body is not None:
                sent.setdefault("Content-Type", FORM)
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
            return response.status, {k.lower(): v for k, v in response.getheaders()}, text
        finally:
            connection.close()


@pytest.fixture
def server(live_server: Any) -> Server:
    return Server(live_server.url)


@pytest.fixture
def site(demo: DemoReport) -> dict[str, Any]:
    made = {link.label: link for link in links(demo)}
    return {"links": made, "staff": staff_of(demo), "demo": demo}


def session_cookie(user: Any) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}


def csrf(server: Server, path: str, signed_in: dict[str, str] | None = None) -> dict[str, str]:
    """The CSRF cookie a page sets, and the header htmx sends with it (with the session cookie
    of ``signed_in``, when given)."""
    _, headers, _ = server.request("GET", path, headers=signed_in)
    value = headers["set-cookie"].split(f"{settings.CSRF_COOKIE_NAME}=", 1)[1].split(";", 1)[0]
    cookies = [f"{settings.CSRF_COOKIE_NAME}={value}"]
    if signed_in:
        cookies.append(signed_in["Cookie"])
    return {"Cookie": "; ".join(cookies), "X-CSRFToken": value}


def started(site: dict[str, Any]) -> Link:
    link: Link = site["links"]["started"]
    return link


# --- bad input --------------------------------------------------------------------------------


def test_a_host_the_site_does_not_serve_answers_400_on_every_kind_of_path(server: Server) -> None:
    for path in ("/", "/accounts/sign-in/", "/healthz", "/no-such-page/"):
        status, _, body = server.request("GET", path, headers={"Host": "evil.example"})
        assert status == 400, path
        assert "Something in that request was wrong" in body


def test_odd_page_numbers_are_refused_with_400(server: Server, site: dict[str, Any]) -> None:
    token = started(site).token
    for raw in ("%C2%B2", "9" * 5000, "%D9%A1", "-1", "1e3"):
        status, _, body = server.request("GET", f"/a/{token}/questions/?q={raw}")
        assert status == 400, raw
        assert "q must be a whole number" in body
    assert server.request("GET", f"/a/{token}/questions/?q=2")[0] == 200


@pytest.mark.parametrize("value", [b"%FF%FE141", b"14%001", b"%C0%AF"])
def test_an_autosave_that_is_not_clean_utf8_is_refused_naming_the_field(
    server: Server, site: dict[str, Any], value: bytes
) -> None:
    link = started(site)
    invitation = Invitation.objects.get(token_hash=hash_token(link.token))
    attempt = invitation.attempt
    before = saved_answers(attempt)
    body = b"answer-pandas-filter-sum=" + value
    status, _, text = server.request(
        "POST", f"/a/{link.token}/answers/pandas-filter-sum/", body=body
    )
    assert status == 400
    assert "answer-pandas-filter-sum" in text
    assert saved_answers(attempt) == before


# --- access -----------------------------------------------------------------------------------


def test_a_candidate_link_reaches_only_its_own_attempt(
    server: Server, site: dict[str, Any]
) -> None:
    token = started(site).token
    wrong = token[:-1] + ("a" if token[-1] != "a" else "b")
    assert server.request("GET", f"/a/{wrong}/questions/")[0] == 404
    headers = csrf(server, f"/a/{token}/questions/")
    body = b"answer-cognitive-growth=1"
    assert server.request("POST", f"/a/{wrong}/answers/cognitive-growth/", body, headers)[0] == 404


def test_a_very_long_candidate_path_answers_404(server: Server, site: dict[str, Any]) -> None:
    assert server.request("GET", f"/a/{'x' * 5000}/")[0] == 404


def test_staff_pages_refuse_the_anonymous_and_the_wrong_role(
    server: Server, site: dict[str, Any]
) -> None:
    status, headers, _ = server.request("GET", "/audit/")
    assert status == 302
    assert headers["location"].startswith("/accounts/sign-in/")
    interviewer = session_cookie(site["staff"][Role.INTERVIEWER])
    assert server.request("GET", "/audit/", headers=interviewer)[0] == 404
    assert server.request("POST", "/audit/checkpoint/", b"", headers=interviewer)[0] in (403, 404)
    assert server.request("GET", "/accounts/staff/", headers=interviewer)[0] == 404


# --- leaks ------------------------------------------------------------------------------------


def test_no_candidate_response_carries_the_answer_key(server: Server, site: dict[str, Any]) -> None:
    token = started(site).token
    for path in ("/", "questions/", "questions/?q=1", "time/", "submit/"):
        status, _, body = server.request("GET", f"/a/{token}/{path.lstrip('/')}")
        assert status in (200, 302), path
        assert "1210" not in body  # the key of cognitive-growth
        assert "rubric" not in body.lower() or "scored by a rubric" in body


# --- resource exhaustion ----------------------------------------------------------------------


def test_bodies_and_fields_past_the_limits_are_refused_with_4xx(
    server: Server, site: dict[str, Any]
) -> None:
    token = started(site).token
    url = f"/a/{token}/answers/cognitive-growth/"
    headers = csrf(server, f"/a/{token}/questions/")
    huge = b"answer-cognitive-growth=" + b"1" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    assert server.request("POST", url, huge, headers)[0] == 400
    many = b"&".join(b"f%d=1" % n for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 5))
    assert server.request("POST", url, many, headers)[0] == 400
    long_answer = b"answer-cognitive-growth=" + b"7" * (MAX_ANSWER_CHARS + 1)
    status, _, text = server.request(
        "POST",
        url,
        long_answer,
        csrf(server, f"/a/{token}/questions/"),
    )
    assert status == 400
    assert "characters long" in text


# --- headers ----------------------------------------------------------------------------------


def test_every_page_sends_the_security_headers(server: Server, site: dict[str, Any]) -> None:
    token = started(site).token
    recruiter = session_cookie(site["staff"][Role.RECRUITER])
    pages = [
        ("/accounts/sign-in/", {}, False),
        ("/openings/", recruiter, True),
        (f"/a/{token}/questions/", {}, True),
        ("/no-such-page/", {}, False),
    ]
    for path, headers, private in pages:
        status, sent, _ = server.request("GET", path, headers=headers)
        assert status in (200, 404), path
        policy = sent["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "style-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert sent["referrer-policy"] == "same-origin"
        assert sent["x-content-type-options"] == "nosniff"
        if private:
            assert "no-store" in sent["cache-control"], path


def test_error_pages_carry_the_frame_and_content_policies(server: Server) -> None:
    pages = [
        ("a host the site does not serve", "/", {"Host": "evil.example"}, 400),
        ("a parameter that is not UTF-8", "/healthz?q=%FF", {}, 400),
        ("a method the page does not take", "/audit/checkpoint/", {}, 405),
        ("no such page", "/no-such-page/", {}, 404),
    ]
    for what, path, headers, expected in pages:
        status, sent, _ = server.request("GET", path, headers=headers)
        assert status == expected, what
        assert sent["x-frame-options"] == "DENY", what
        assert "frame-ancestors 'none'" in sent["content-security-policy"], what


# --- numbers in paths -------------------------------------------------------------------------


def test_numbers_in_paths_past_the_database_integers_answer_404(
    server: Server, site: dict[str, Any]
) -> None:
    recruiter = session_cookie(site["staff"][Role.RECRUITER])
    opening = site["demo"].opening.pk
    for number in ("9" * 20, str(2**63), str(2**63 - 1), "0", "-1", "%D9%A1", "9" * 5000):
        for path in (
            f"/reviews/openings/{number}/candidates/1/",
            f"/decisions/openings/{number}/candidates/1/file.pdf",
            f"/interviews/openings/{number}/candidates/1/",
            f"/openings/{opening}/candidates/{number}/invite/",
            f"/openings/{number}/",
        ):
            assert server.request("GET", path, headers=recruiter)[0] == 404, path


def test_a_nul_in_an_address_is_refused_with_400(server: Server, site: dict[str, Any]) -> None:
    # PostgreSQL fails a query holding a NUL: refused before any page reads the path.
    recruiter = session_cookie(site["staff"][Role.RECRUITER])
    for path in ("/playbooks/data-scientist-mid/%00/", "/a/%00/", "/a/x%00y/questions/"):
        status, _, page = server.request("GET", path, headers=recruiter)
        assert status == 400, path
        assert "The address was refused: it holds a NUL character" in page


# --- the checkout ------------------------------------------------------------------------------


def test_the_server_serves_no_file_of_the_checkout(server: Server) -> None:
    for path in ("/pyproject.toml", "/hireproof/settings.py", "/README.md"):
        status, sent, body = server.request("GET", path)
        assert status == 404, path
        assert "content-security-policy" in sent  # the site's own 404, not a file
        assert "[project]" not in body


# --- the withdrawn candidate's link -----------------------------------------------------------


def test_a_withdrawn_candidates_link_says_so_and_saves_and_submits_nothing(
    server: Server, site: dict[str, Any]
) -> None:
    link = started(site)
    invitation = Invitation.objects.select_related("candidate").get(
        token_hash=hash_token(link.token)
    )
    do_record_decision(
        actor=site["staff"][Role.RECRUITER],
        candidate=invitation.candidate,
        outcome="withdrawn",
        reason="Wrote to say they accepted another offer.",
    )
    attempt = Attempt.objects.get(invitation=invitation)
    before = (saved_answers(attempt), attempt.submitted_at)
    status, _, page = server.request("GET", f"/a/{link.token}/questions/")
    assert status == 410
    assert "<h1>Your application was withdrawn</h1>" in page
    assert "/accounts/sign-in/" not in page
    headers = csrf(server, "/accounts/sign-in/")  # the site's CSRF cookie, from any form
    for path, body in (
        ("", b"disclose_extension="),
        ("questions/", b"answer-pandas-filter-sum=1&action=submit"),
        ("answers/pandas-filter-sum/", b"answer-pandas-filter-sum=1"),
        ("submit/", b""),
    ):
        assert server.request("POST", f"/a/{link.token}/{path}", body, headers)[0] == 410, path
    attempt.refresh_from_db()
    assert (saved_answers(attempt), attempt.submitted_at) == before


# --- resource exhaustion: saves, reset emails, playbooks --------------------------------------


def test_one_attempt_records_no_more_saves_than_its_bound(
    server: Server, site: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The bound is 200 (MAX_ANSWER_LEAVES_PER_ATTEMPT); 5 makes the check quick, the same code.
    monkeypatch.setattr(attempts, "MAX_ANSWER_LEAVES_PER_ATTEMPT", 5)
    link = started(site)
    attempt = Invitation.objects.get(token_hash=hash_token(link.token)).attempt
    headers = csrf(server, f"/a/{link.token}/questions/")
    for number in range(12):  # alternating items: no save is coalesced with the one before
        item = ("pandas-filter-sum", "cognitive-growth")[number % 2]
        body = f"answer-{item}={100 + number}".encode()
        assert server.request("POST", f"/a/{link.token}/answers/{item}/", body, headers)[0] == 200
    pseudonym = attempt.invitation.candidate.subject.pseudonym
    recorded = LogLeaf.objects.filter(subject=pseudonym, event_type=EventType.ANSWER_SAVED)
    assert recorded.count() == 5
    # Every save past the bound still updates the answer: the latest text is never lost.
    assert saved_answers(attempt) == {"pandas-filter-sum": "110", "cognitive-growth": "111"}


def test_thirty_reset_requests_send_only_the_allowed_emails(
    server: Server, recruiter: User, mailoutbox: Any
) -> None:
    address = recruiter.email
    headers = csrf(server, "/accounts/password/reset/")
    body = f"email={address}".encode()
    answers = {
        server.request("POST", "/accounts/password/reset/", body, headers)[0] for _ in range(30)
    }
    assert answers == {302}
    assert (
        len([m for m in mailoutbox if m.to == [address]])
        == settings.PASSWORD_RESET_THROTTLE_REQUESTS
    )


def upload_playbook(server: Server, recruiter: User, text: str) -> tuple[int, str]:
    """Paste ``text`` into the upload form as ``recruiter``; the status and the page."""
    headers = csrf(server, "/playbooks/upload/", session_cookie(recruiter))
    body = urlencode({"pasted": text}).encode()
    status, _, page = server.request("POST", "/playbooks/upload/", body, headers)
    return status, page


def test_a_playbook_with_a_backtracking_regex_is_handled_and_the_server_keeps_answering(
    server: Server, recruiter: User
) -> None:
    # ``^(a+)+$`` takes exponential time in a backtracking engine on "aaaa...b"; rules are RE2's.
    text = SAMPLE.replace("id: tiny", "id: hostile-regex").replace(
        '{regex: "wrong"}', '{regex: "^(a+)+$"}'
    )
    status, page = upload_playbook(server, recruiter, text)
    assert status in (302, 400), page  # published, or refused with the rule's place
    assert server.request("GET", "/healthz")[0] == 200


def test_a_playbook_with_yaml_aliases_or_tags_is_refused_with_the_place(
    server: Server, recruiter: User
) -> None:
    laughs = SAMPLE.replace("  title: Analyst\n", "  title: &a " + "ha" * 1000 + "\n").replace(
        "  when_to_use: When numbers matter.\n",
        "  when_to_use: [" + ", ".join(["*a"] * 500) + "]\n",
    )
    status, page = upload_playbook(server, recruiter, laughs)
    assert status == 400
    assert "YAML anchors and aliases are not allowed in a playbook (&amp;a)" in page
    tagged = SAMPLE.replace("  title: Analyst\n", "  title: !!binary R3VpZGU=\n")
    status, page = upload_playbook(server, recruiter, tagged)
    assert status == 400
    assert "YAML tags are not allowed in a playbook (!!binary)" in page
    assert not PlaybookVersion.objects.filter(playbook_id="tiny").exists()


# --- the server as deployed -------------------------------------------------------------------


class Deployed:
    """A ``hireproof serve`` process behind an imagined TLS proxy at 127.0.0.1."""

    HTTPS = {"X-Forwarded-Proto": "https"}  # what the trusted proxy says of its clients

    def __init__(self, running: RunningServer, url: str) -> None:
        self.running = running
        self.server = Server(url)
        self.url = url


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    root = tmp_path_factory.mktemp("deployed")
    secrets_folder = root / "secrets"
    secrets_folder.mkdir(mode=0o700)
    running = RunningServer(
        root / "data",
        args=["--trusted-proxy", "127.0.0.1"],
        env={"SECURE_COOKIES": "true", "HIREPROOF_KEK": str(secrets_folder / "kek.key")},
    )
    try:
        yield Deployed(running, running.wait_for(READY).group(1))
    finally:
        running.kill()


class TestTheServerAsDeployed:
    """``hireproof serve`` with SECURE_COOKIES on and a trusted proxy, over real HTTP."""

    def test_plain_http_is_redirected_to_https_but_the_health_check(
        self, deployed: Deployed
    ) -> None:
        status, sent, _ = deployed.server.request("GET", "/accounts/sign-in/?next=/openings/")
        assert status == 301
        host = deployed.url.removeprefix("http://")
        assert sent["location"] == f"https://{host}/accounts/sign-in/?next=/openings/"
        status, _, body = deployed.server.request("GET", "/healthz")
        assert (status, body) == (200, "ok\n")

    def test_https_responses_carry_hsts_and_secure_cookies(self, deployed: Deployed) -> None:
        status, sent, _ = deployed.server.request(
            "GET", "/accounts/sign-in/", headers=Deployed.HTTPS
        )
        assert status == 200
        assert sent["strict-transport-security"] == "max-age=31536000"
        assert "; Secure" in sent["set-cookie"]
        assert sent["x-frame-options"] == "DENY"

    def test_very_long_paths_answer_404(self, deployed: Deployed) -> None:
        for length in (5_000, 20_000, 60_000):
            for prefix in ("/a/", "/", "/static/", "/openings/"):
                path = prefix + "x" * length + "/"
                status = deployed.server.request("GET", path, headers=Deployed.HTTPS)[0]
                assert status == 404, (prefix, length)

    def test_no_file_of_the_checkout_or_the_data_folder_is_served(self, deployed: Deployed) -> None:
        for path in (
            "/pyproject.toml",
            "/hireproof/settings.py",
            "/hireproof.sqlite3",
            "/secret-key",
            "/media/../secret-key",
            "/static/../secret-key",
        ):
            assert deployed.server.request("GET", path, headers=Deployed.HTTPS)[0] == 404, path

    def test_a_body_past_the_bound_is_refused_before_it_is_read(self, deployed: Deployed) -> None:
        too_long = {**Deployed.HTTPS, "Content-Length": str(settings.MAX_REQUEST_BODY_BYTES + 1)}
        assert deployed.server.request("POST", "/healthz", b"", too_long)[0] == 413
        within = b"x=" + b"1" * 1_000_000  # read, then refused by the site itself
        status = deployed.server.request("POST", "/healthz", within, Deployed.HTTPS)[0]
        assert 400 <= status < 500
        assert status != 413

    def test_no_candidate_token_reaches_the_log(self, deployed: Deployed) -> None:
        token = "leak-check-" + secrets.token_urlsafe(24)
        for path in (f"/a/{token}/questions/", f"/a/{token}/answers/x/?q=1"):
            assert deployed.server.request("GET", path, headers=Deployed.HTTPS)[0] in (404, 405)
        deployed.running.wait_for(re.compile(r"Not Found: /a/\[token\]/questions/"))
        deployed.running.wait_for(re.compile(r"/a/\[token\]/answers/x/"))
        assert token not in "".join(deployed.running.output)
