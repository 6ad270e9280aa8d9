"""``hireproof serve`` end to end: a real server process, real HTTP, stopped by its PID."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest

from hireproof.cli import build_parser
from hireproof.cli.serve import proxy_options
from hireproof.testing.server import READY, STARTUP_SECONDS, RunningServer, server_environment

ONE_TIME_LINK = re.compile(r"(http://127\.0\.0\.1:\d+/accounts/password/set/\S+/)")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    running = RunningServer(tmp_path / "data")
    yield running
    running.kill()


def fetch(url: str, opener: urllib.request.OpenerDirector | None = None) -> tuple[int, str, str]:
    with (opener or urllib.request.build_opener()).open(url, timeout=10) as response:
        return response.status, response.headers["Content-Type"], response.read().decode()


def test_serve_sets_up_prints_a_one_time_link_serves_pages_and_stops(
    server: RunningServer, tmp_path: Path
) -> None:
    link = server.wait_for(ONE_TIME_LINK).group(1)
    base = server.wait_for(READY).group(1)
    assert "To choose one for boss@example.org" in "".join(server.output)

    status, kind, page = fetch(f"{base}/accounts/sign-in/")
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert '<label for="id_username">Email</label>' in page

    status, kind, script = fetch(f"{base}/static/vendor/htmx.min.js")
    assert (status, kind) == (200, 'text/javascript; charset="utf-8"')
    assert "htmx" in script[:2000]
    status, kind, _ = fetch(f"{base}/static/hireproof.css")
    assert (status, kind) == (200, 'text/css; charset="utf-8"')

    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    status, _, page = fetch(link, browser)
    assert status == 200
    assert "<h1>Choose your password</h1>" in page

    assert server.stop() == 0
    assert server.output[-1] == "hireproof stopped.\n"
    assert (tmp_path / "data" / "hireproof.sqlite3").exists()


def _echo_client_address(environ: dict[str, str], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{environ['REMOTE_ADDR']} {environ['wsgi.url_scheme']}".encode()]


def _seen_by_waitress(options: dict[str, Any]) -> str:
    """What a WSGI app behind waitress (with ``options``) sees of a proxied request."""
    from waitress import create_server

    server = create_server(_echo_client_address, host="127.0.0.1", port=0, threads=1, **options)

    def run_until_closed() -> None:
        # Waitress has no stop(): closing its socket ends the loop with EBADF, as intended.
        with contextlib.suppress(OSError):
            server.run()

    thread = threading.Thread(target=run_until_closed, daemon=True)
    thread.start()
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{server.effective_port}/",
            headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local
            return str(response.read().decode())
    finally:
        server.close()
        thread.join(timeout=10)


def test_behind_a_trusted_proxy_the_app_sees_the_client_address_and_https() -> None:
    assert _seen_by_waitress(proxy_options("127.0.0.1")) == "203.0.113.7 https"


def test_without_a_trusted_proxy_forwarded_headers_are_ignored() -> None:
    assert _seen_by_waitress(proxy_options("")) == "127.0.0.1 http"
    assert _seen_by_waitress(proxy_options("192.0.2.1")) == "127.0.0.1 http"


def test_the_trusted_proxy_comes_from_the_option_or_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HIREPROOF_TRUSTED_PROXY", "10.0.0.5")
    assert build_parser().parse_args(["serve"]).trusted_proxy == "10.0.0.5"
    parsed = build_parser().parse_args(["serve", "--trusted-proxy", "127.0.0.1"])
    assert parsed.trusted_proxy == "127.0.0.1"


def test_serve_refuses_to_start_while_a_key_file_is_open_to_other_users(tmp_path: Path) -> None:
    data = tmp_path / "data"
    keys = data / "keys"
    keys.mkdir(parents=True, mode=0o700)
    signing_key = keys / "audit-signing.key"
    signing_key.write_bytes(b"\x07" * 32)
    signing_key.chmod(0o644)
    retired = keys / "audit-signing.key.retired-0badc0de"
    retired.write_bytes(b"\x08" * 32)
    retired.chmod(0o600)
    running = RunningServer(data)
    code = running.process.wait(timeout=STARTUP_SECONDS)
    running.stop_reading()
    printed = "".join(running.output)
    assert code == 2, printed
    assert (
        f"hireproof: the audit signing key {signing_key} has mode 0644, open to other users;"
        f" it must be 0600: run  chmod 600 {signing_key}\n"
    ) in printed
    assert "hireproof is serving" not in printed
    assert not retired.exists()  # leftovers are destroyed before the modes are checked
    assert not (data / "hireproof.sqlite3").exists()  # refused before touching the database


def test_serve_refuses_a_kek_inside_the_data_folder_under_production_settings(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    env = server_environment(data, {"SECURE_COOKIES": "true"})
    refused = subprocess.run(
        [sys.executable, "-m", "hireproof", "serve", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=STARTUP_SECONDS,
        check=False,
    )
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert refused.stderr.startswith(
        "hireproof: refusing to start under production settings: "
        f"HIREPROOF_KEK={data}/keys/kek.key lies inside the data folder"
    )
    assert "hireproof is serving" not in refused.stdout
