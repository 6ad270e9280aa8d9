"""Settings from the environment: typed, and a bad value stops start-up naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from hireproof.platform.env import env_bool, env_int, env_list, env_path, env_str


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("Yes", True), ("on", True), ("0", False), ("off", False)]
)
def test_booleans_take_the_usual_words(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("HP_FLAG", raw)
    assert env_bool("HP_FLAG", not expected) is expected


def test_unset_variables_take_their_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HP_UNSET", raising=False)
    assert env_bool("HP_UNSET", True) is True
    assert env_int("HP_UNSET", 7) == 7
    assert env_list("HP_UNSET", ["a"]) == ["a"]
    assert env_str("HP_UNSET", "x") == "x"
    assert env_path("HP_UNSET", Path("/srv/data")) == Path("/srv/data")


def test_a_bad_boolean_names_the_variable_and_the_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match=r"DEBUG='maybe': expected one of true/false"):
        env_bool("DEBUG", False)


@pytest.mark.parametrize(
    ("raw", "message"),
    [("ten", r"PORTS='ten': expected a whole number"), ("0", r"PORTS='0': must be at least 1")],
)
def test_a_bad_number_is_refused_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, raw: str, message: str
) -> None:
    monkeypatch.setenv("PORTS", raw)
    with pytest.raises(ImproperlyConfigured, match=message):
        env_int("PORTS", 5, minimum=1)


def test_lists_drop_blanks_and_paths_expand_the_home_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOSTS", " a.example , ,b.example")
    monkeypatch.setenv("FOLDER", "~/hp")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]
    assert env_path("FOLDER", Path("/x")) == Path.home() / "hp"


def _start_settings(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HIREPROOF_", "DJANGO_"))}
    env |= {"HIREPROOF_DATA_DIR": str(tmp_path), **variables}
    return subprocess.run(
        [sys.executable, "-c", "import hireproof.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"EMAIL_URL": "pigeon://coop"}, "EMAIL_URL='pigeon://coop': expected 'console' or smtp"),
        (
            {"EMAIL_URL": "smtp://mail.example.org:25x"},
            "EMAIL_URL='smtp://mail.example.org:25x': the port must be a number from 1 to 65535",
        ),
        (
            {"EMAIL_URL": "smtp://mail.example.org", "EMAIL_TIMEOUT_SECONDS": "0"},
            "EMAIL_TIMEOUT_SECONDS='0': must be at least 1",
        ),
        ({"HIREPROOF_CHECKPOINT_EVERY": "0"}, "HIREPROOF_CHECKPOINT_EVERY='0': must be at least 1"),
        ({"DEBUG": "perhaps"}, "DEBUG='perhaps'"),
        (
            {"HIREPROOF_TASK_TIMEOUT_SECONDS": "60", "HIREPROOF_TASK_LEASE_SECONDS": "60"},
            "HIREPROOF_TASK_LEASE_SECONDS=60 must be more than HIREPROOF_TASK_TIMEOUT_SECONDS=60",
        ),
        (
            {"HIREPROOF_TASK_POLL_SECONDS": "soon"},
            "HIREPROOF_TASK_POLL_SECONDS='soon': expected a number",
        ),
        ({"HIREPROOF_TASK_POLL_SECONDS": "0"}, "HIREPROOF_TASK_POLL_SECONDS='0': must be at least"),
        ({"HIREPROOF_TASK_WORKERS": "0"}, "HIREPROOF_TASK_WORKERS='0': must be at least 1"),
    ],
)
def test_a_bad_setting_stops_start_up_with_a_message_naming_it(
    tmp_path: Path, variables: dict[str, str], message: str
) -> None:
    result = _start_settings(tmp_path, **variables)
    assert result.returncode != 0
    assert message in result.stderr


def test_smtp_settings_come_from_one_url(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import hireproof.settings as s; print(s.EMAIL_HOST, s.EMAIL_PORT, "
            "s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_SSL, s.EMAIL_USE_TLS, "
            "s.EMAIL_TIMEOUT)",
        ],
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("HIREPROOF_")},
            "HIREPROOF_DATA_DIR": str(tmp_path),
            "EMAIL_URL": "smtps://mailer:p%40ss@mail.example.org",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == [
        "mail.example.org",
        "465",
        "mailer",
        "p@ss",
        "True",
        "False",
        "15",
    ]


def test_the_secret_key_is_generated_once_into_the_data_folder(tmp_path: Path) -> None:
    for _ in range(2):
        assert _start_settings(tmp_path).returncode == 0
    key_file = tmp_path / "secret-key"
    assert len(key_file.read_text()) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(("raw", "expected"), [(None, "False False"), ("true", "True True")])
def test_cookies_are_https_only_when_secure_cookies_is_set(
    tmp_path: Path, raw: str | None, expected: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIREPROOF_")}
    env.pop("SECURE_COOKIES", None)
    env["HIREPROOF_DATA_DIR"] = str(tmp_path)
    if raw is not None:
        env["SECURE_COOKIES"] = raw
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import hireproof.settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == expected


def _printed(tmp_path: Path, expression: str, **variables: str) -> str:
    """What ``expression`` (over the settings module ``s``) is under ``variables``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HIREPROOF_", "DJANGO_"))}
    for name in ("SECURE_COOKIES", "SECURE_SSL_REDIRECT"):
        env.pop(name, None)
    env |= {"HIREPROOF_DATA_DIR": str(tmp_path), **variables}
    result = subprocess.run(
        [sys.executable, "-c", f"import hireproof.settings as s; print({expression})"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, "False"),
        ({"SECURE_COOKIES": "true"}, "True"),
        ({"SECURE_COOKIES": "true", "SECURE_SSL_REDIRECT": "false"}, "False"),
        ({"SECURE_SSL_REDIRECT": "true"}, "True"),
    ],
)
def test_plain_http_is_redirected_by_default_when_the_site_says_it_is_served_over_https(
    tmp_path: Path, variables: dict[str, str], expected: str
) -> None:
    assert _printed(tmp_path, "s.SECURE_SSL_REDIRECT", **variables) == expected
    assert (
        _printed(tmp_path, "s.SECURE_REDIRECT_EXEMPT", **variables) == "['^healthz$', '^readyz$']"
    )


def test_media_lives_in_the_data_folder_never_beside_the_code(tmp_path: Path) -> None:
    assert _printed(tmp_path, "s.MEDIA_URL, s.MEDIA_ROOT") == f"media/ {tmp_path / 'media'}"


def test_the_queue_takes_its_settings_from_the_environment(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import hireproof.settings as s; q = s.Q_CLUSTER; print(q['workers'], q['timeout'],"
            " q['retry'], q['poll'], q['sync'], q['ack_failures'], q['orm'])",
        ],
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("HIREPROOF_")},
            "HIREPROOF_DATA_DIR": str(tmp_path),
            "HIREPROOF_TASK_WORKERS": "3",
            "HIREPROOF_TASK_TIMEOUT_SECONDS": "30",
            "HIREPROOF_TASK_LEASE_SECONDS": "45",
            "HIREPROOF_TASK_POLL_SECONDS": "0.5",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["3", "30", "45", "0.5", "False", "True", "default"]
