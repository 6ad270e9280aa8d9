"""The gate: rate limits kept in the database, idempotent POSTs, problem details for errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from hireproof.accounts.models import ApiKey, IdempotentRequest, User
from hireproof.api.tests.conftest import ApiClient, key_for
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.openings import Opening

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("builtins")]


def test_over_the_limit_a_key_gets_429_with_retry_after(recruiter: User, settings: Any) -> None:
    settings.HIREPROOF_API_RATE_LIMIT = 3
    settings.HIREPROOF_API_WINDOW_SECONDS = 3600
    api = ApiClient(key_for(recruiter))
    answers = [api.get("/openings") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert all(a["RateLimit-Limit"] == "3" for a in answers)
    refused = answers[-1]
    assert refused["Content-Type"] == "application/problem+json"
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert refused.json()["status"] == 429
    # Another key has its own window; the count lives in the database, in the key's row.
    assert ApiClient(key_for(recruiter)).get("/openings").status_code == 200
    assert ApiKey.objects.order_by("pk").first().window_count == 4  # type: ignore[union-attr]  # the key exists


def test_the_last_use_is_recorded(recruiter: User) -> None:
    api = ApiClient(key_for(recruiter))
    assert ApiKey.objects.get().last_used_at is None
    api.get("/openings")
    assert ApiKey.objects.get().last_used_at is not None


def _opening(api: ApiClient) -> int:
    answer = api.post("/openings", {"title": "Analyst", "playbook_id": "data-scientist-mid"})
    assert answer.status_code == 201
    return int(answer.json()["id"])


def test_a_repeated_post_with_the_same_key_and_body_returns_the_first_answer(
    recruiter: User,
) -> None:
    api = ApiClient(key_for(recruiter))
    opening = _opening(api)
    body = {"name": "Ada", "email": "ada@example.org"}
    path = f"/openings/{opening}/candidates"
    first = api.post(path, body, headers={"Idempotency-Key": "add-ada"})
    again = api.post(path, body, headers={"Idempotency-Key": "add-ada"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Candidate.objects.count() == 1
    other = api.post(path, {**body, "name": "Ada L."}, headers={"Idempotency-Key": "add-ada"})
    assert other.status_code == 409
    assert other["Content-Type"] == "application/problem+json"
    assert other.json()["errors"] == [{"header": "Idempotency-Key", "detail": "already used"}]
    # Without the header the same body is a new request: refused as a duplicate, by the action.
    assert api.post(path, body).status_code == 422
    # Keys belong to one API key: another key's "add-ada" is its own.
    api2 = ApiClient(key_for(recruiter))
    bob = api2.post(
        path, {"name": "Bob", "email": "bob@example.org"}, headers={"Idempotency-Key": "add-ada"}
    )
    assert bob.status_code == 201
    assert Candidate.objects.count() == 2


def test_a_refusal_is_remembered_too_and_bad_keys_are_400(recruiter: User) -> None:
    api = ApiClient(key_for(recruiter))
    body = {"title": "x", "playbook_id": "no-such-playbook"}
    first = api.post("/openings", body, headers={"Idempotency-Key": "k1"})
    assert first.status_code == 422
    assert api.post("/openings", body, headers={"Idempotency-Key": "k1"}).content == first.content
    assert IdempotentRequest.objects.get().status == 422
    bad = api.post("/openings", body, headers={"Idempotency-Key": "é" * 3})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["header"] == "Idempotency-Key"
    assert not Opening.objects.exists()


def test_a_pending_first_request_makes_a_repeat_wait(recruiter: User) -> None:
    from django.utils import timezone

    from hireproof.accounts.api_keys import fingerprint, remember_request

    raw = key_for(recruiter)
    api = ApiClient(raw)
    key = ApiKey.objects.get()
    body = json.dumps({"title": "T", "playbook_id": "data-scientist-mid"}).encode()
    remember_request(key, "slow", fingerprint("POST", "/api/v1/openings", body), timezone.now())
    answer = api.client.post(
        "/api/v1/openings",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}", "Idempotency-Key": "slow"},
    )
    assert answer.status_code == 409
    assert "still being answered" in answer.json()["detail"]
    assert not Opening.objects.exists()


def test_bad_input_is_a_4xx_problem_naming_the_field(recruiter: User) -> None:
    api = ApiClient(key_for(recruiter))
    opening = _opening(api)
    batch = api.post(
        f"/openings/{opening}/candidates/batch",
        {
            "candidates": [
                {"name": "Ada", "email": "ada@example.org"},
                {"name": "Bob", "email": "not-an-address"},
                {"name": "Ada again", "email": "ADA@example.org"},
                {"name": "Cy", "email": "cy@example.org", "extra_time": "x9"},
            ]
        },
    )
    assert batch.status_code == 422
    assert batch["Content-Type"] == "application/problem+json"
    pointers = [error["pointer"] for error in batch.json()["errors"]]
    assert pointers == ["/candidates/1/email", "/candidates/2/email", "/candidates/3/extra_time"]
    assert not Candidate.objects.exists()  # all or nothing
    missing = api.post(f"/openings/{opening}/candidates/batch", {"candidates": [{"name": "A"}]})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["pointer"] == "/candidates/0/email"
    nul = api.post(f"/openings/{opening}/candidates", {"name": "A\u0000", "email": "a@b.org"})
    assert nul.status_code == 422
    assert nul.json()["errors"][0]["pointer"] == "/name"
    too_many = api.post(
        f"/openings/{opening}/candidates/batch",
        {"candidates": [{"name": f"C{i}", "email": f"c{i}@x.org"} for i in range(1001)]},
    )
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["pointer"] == "/candidates"
    not_json = api.client.post(
        "/api/v1/openings",
        b"{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.key}"},
    )
    assert not_json.status_code == 400
    assert not_json["Content-Type"] == "application/problem+json"
    huge = api.get("/openings/99999999999999999999999999")
    assert huge.status_code == 422
    assert huge.json()["errors"][0]["parameter"] == "opening_id"
    cursor = api.get(f"/openings/{opening}/candidates", cursor="bm9wZQ")
    assert cursor.status_code == 422
    assert cursor.json()["errors"][0]["parameter"] == "cursor"
    assert api.get("/no/such/path").status_code == 404


def test_a_malformed_parameter_is_a_problem_document_too(recruiter: User) -> None:
    api = ApiClient(key_for(recruiter))
    answer = api.client.get(
        "/api/v1/openings?x=%00", headers={"Authorization": f"Bearer {api.key}"}
    )
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    assert "NUL" in answer.json()["detail"]


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_an_unknown_api_path_is_a_404_problem_for_every_method(method: str) -> None:
    # As a script calls: no session, no CSRF token (the checks a browser's form would need).
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)("/api/v1/nope", content_type="application/json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content)["detail"] == "The API has no path '/api/v1/nope'."
