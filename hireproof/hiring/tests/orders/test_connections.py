"""The integrations settings pages: connecting an ATS (its hireproof key made, shown once and
kept sealed; rotating revokes the one before), its secrets written and never shown, bad
settings refused naming the field with nothing saved, switching off and on, the test event
(Greenhouse's reaches our own ``list_tests`` over real HTTP with the connection's key), the
recent exchanges (failed only, a page at a time, htmx's rows), the list of every ATS, the audit
page's words for the ATS events, and every page refused to all but administrators."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hireproof.accounts.api_keys import find_key
from hireproof.accounts.models import ApiKey, User
from hireproof.audit.models import LogLeaf
from hireproof.hiring.actions.connections import (
    ConnectionChange,
    ConnectionRefused,
    do_save_connection,
    do_send_test_event,
)
from hireproof.hiring.ats.exchanges import record_exchange
from hireproof.hiring.ats.greenhouse import basic_auth
from hireproof.hiring.ats.push import ADAPTERS, push_order
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.orders import (
    AssessmentOrder,
    Ats,
    AtsConnection,
    AtsExchange,
    Direction,
)
from hireproof.hiring.tests.orders.conftest import take_the_test
from hireproof.hiring.tests.orders.test_greenhouse import GRACE, _take_the_test_from_the_email
from hireproof.testing.fake_greenhouse import running_greenhouse

pytestmark = pytest.mark.django_db

LIST = reverse("integrations_settings:list")
KEY = re.compile(r'id="integration-key">([^<]+)<')


def page(ats: Ats) -> str:
    return reverse("integrations_settings:ats", args=[ats.value])


def _leaves() -> bytes:
    return b"".join(bytes(row.data) for row in LogLeaf.objects.order_by("index"))


def _last_events(count: int) -> list[str]:
    rows = LogLeaf.objects.order_by("-index").values_list("event_type", flat=True)[:count]
    return list(reversed(rows))


def _connect(client: Client, ats: Ats, data: dict[str, str] | None = None) -> str:
    response = client.post(page(ats), data or {})
    assert response.status_code == 201, response.text
    found = KEY.search(response.text)
    return found.group(1) if found else ""


def test_connecting_greenhouse_makes_a_key_shown_once_and_kept_sealed(
    administrator_client: Client, administrator: User
) -> None:
    raw = _connect(administrator_client, Ats.GREENHOUSE)
    connection = AtsConnection.objects.get(ats=Ats.GREENHOUSE)
    key = find_key(raw, timezone.now())
    assert key is not None
    assert key == connection.api_key
    assert key.owner == administrator
    assert key.scopes == "greenhouse"
    assert connection.enabled
    assert connection.api_key_raw == raw
    assert connection.api_key_sealed is not None
    assert raw.encode() not in bytes(connection.api_key_sealed)  # sealed
    assert _last_events(2) == ["api_key.created", "ats.connection_changed"]
    assert raw.encode() not in _leaves()
    again = administrator_client.get(page(Ats.GREENHOUSE)).text
    assert raw not in again  # once
    assert f"<code>{key.prefix}…</code>" in again
    assert "/integrations/greenhouse/send_test</code>" in again  # the addresses to give


def test_rotating_the_key_shows_the_new_one_once_and_revokes_the_old(
    administrator_client: Client,
) -> None:
    old = _connect(administrator_client, Ats.GREENHOUSE)
    response = administrator_client.post(
        reverse("integrations_settings:rotate", args=["greenhouse"])
    )
    assert response.status_code == 200
    found = KEY.search(response.text)
    assert found is not None
    new = found.group(1)
    assert new != old
    now = timezone.now()
    assert find_key(old, now) is None
    assert find_key(new, now) is not None
    assert AtsConnection.objects.get(ats=Ats.GREENHOUSE).api_key_raw == new
    assert _last_events(3) == ["api_key.created", "api_key.revoked", "ats.connection_changed"]


def test_lever_secrets_are_written_never_shown_kept_when_empty_and_cleared_on_request(
    administrator_client: Client,
) -> None:
    lever = page(Ats.LEVER)
    settings = {
        "api_base_url": "https://api.lever.co/v1",
        "ats_secret": "lever-api-key-0123456789",
        "signing_secret": "lever-signature-token-abcdef",
        "trigger_stage_id": "stage-assessment-1",
        "tag_prefix": "hireproof",
    }
    assert _connect(administrator_client, Ats.LEVER, settings) == ""  # Lever has no key
    connection = AtsConnection.objects.get(ats=Ats.LEVER)
    assert connection.ats_secret == settings["ats_secret"]
    assert connection.signing_secret == settings["signing_secret"]
    assert connection.options == {
        "trigger_stage_id": "stage-assessment-1",
        "tag_prefix": "hireproof",
    }
    assert connection.api_key is None
    shown = administrator_client.get(lever).text
    for secret in (settings["ats_secret"], settings["signing_secret"]):
        assert secret not in shown
        assert secret.encode() not in _leaves()
    assert shown.count("<dd>set</dd>") == 2

    kept = {**settings, "ats_secret": "", "signing_secret": "", "tag_prefix": "hp"}
    assert administrator_client.post(lever, kept).status_code == 302
    connection.refresh_from_db()
    assert connection.ats_secret == settings["ats_secret"]
    assert connection.signing_secret == settings["signing_secret"]
    assert connection.options["tag_prefix"] == "hp"

    refused = administrator_client.post(
        lever, {**settings, "ats_secret": "new-key-9", "tag_prefix": "/"}
    )
    assert refused.status_code == 400
    assert "new-key-9" not in refused.text  # not even on the form sent back
    connection.refresh_from_db()
    assert connection.ats_secret == settings["ats_secret"]

    cleared = {**kept, "signing_secret_clear": "on"}
    assert administrator_client.post(lever, cleared).status_code == 302
    connection.refresh_from_db()
    assert connection.signing_secret == ""
    assert connection.ats_secret == settings["ats_secret"]
    shown = administrator_client.get(lever).text
    assert "<dd>set</dd>" in shown
    assert "<dd>not set</dd>" in shown


@pytest.mark.parametrize(
    ("ats", "data", "field", "why"),
    [
        (Ats.ASHBY, {"api_base_url": "ftp://api.ashbyhq.com"}, "api_base_url", "https://"),
        (
            Ats.ASHBY,
            {"api_base_url": "https://user:pw@api.ashbyhq.com"},
            "api_base_url",
            "user name",
        ),
        (
            Ats.LEVER,
            {"api_base_url": "https://api.lever.co/v1", "tag_prefix": "no/slash"},
            "tag_prefix",
            "Tag prefix",
        ),
        (
            Ats.LEVER,
            {
                "api_base_url": "https://api.lever.co/v1",
                "tag_prefix": "hp",
                "trigger_stage_id": "a b",
            },
            "trigger_stage_id",
            "Trigger stage id",
        ),
    ],
)
def test_bad_settings_are_refused_naming_the_field_and_nothing_is_saved(
    administrator_client: Client, ats: Ats, data: dict[str, str], field: str, why: str
) -> None:
    leaves = LogLeaf.objects.count()
    response = administrator_client.post(page(ats), data)
    assert response.status_code == 400
    assert why in str(response.context["form"].errors[field])
    assert not AtsConnection.objects.exists()
    assert not ApiKey.objects.exists()
    assert LogLeaf.objects.count() == leaves


def test_the_action_refuses_a_bad_address_and_a_key_for_lever(administrator: User) -> None:
    with pytest.raises(ConnectionRefused) as refused:
        do_save_connection(
            actor=administrator, ats=Ats.ASHBY, change=ConnectionChange(api_base_url="api.ashby")
        )
    assert refused.value.field == "api_base_url"
    with pytest.raises(ConnectionRefused, match="Lever does not call hireproof"):
        do_save_connection(
            actor=administrator, ats=Ats.LEVER, change=ConnectionChange(new_key=True)
        )
    assert not AtsConnection.objects.exists()


def test_switching_off_and_on_is_saved_and_recorded(administrator_client: Client) -> None:
    _connect(administrator_client, Ats.WORKABLE, {"ats_secret": "workable-token"})
    off = administrator_client.post(reverse("integrations_settings:switch_off", args=["workable"]))
    assert off.status_code == 302
    connection = AtsConnection.objects.get(ats=Ats.WORKABLE)
    assert not connection.enabled
    assert connection.ats_secret == "workable-token"  # the switch keeps the secrets
    assert '<span class="status status-off">Off</span>' in administrator_client.get(LIST).text
    administrator_client.post(reverse("integrations_settings:switch_on", args=["workable"]))
    connection.refresh_from_db()
    assert connection.enabled
    assert _last_events(2) == ["ats.connection_changed", "ats.connection_changed"]


def test_the_page_offers_a_test_event_only_where_the_adapter_has_one(
    administrator_client: Client, administrator: User
) -> None:
    for ats in Ats:
        do_save_connection(actor=administrator, ats=ats, change=ConnectionChange())
        shown = administrator_client.get(page(ats)).text
        has_one = ADAPTERS.get(ats) is not None and ADAPTERS[ats].test_event is not None
        sendable = reverse("integrations_settings:send_test", args=[ats.value]) in shown
        assert sendable == has_one, ats
        reason = f"The {ats.label} integration has no test event yet."
        assert (reason in shown) == (not has_one), ats
    assert ADAPTERS[Ats.GREENHOUSE].test_event is not None


@pytest.mark.django_db(transaction=True)
def test_the_greenhouse_test_event_calls_list_tests_with_the_connections_key(
    live_server: Any, settings: Any, administrator: User, opening: Opening
) -> None:
    client, raw = _greenhouse_connected(live_server, settings, administrator)
    sent = client.post(reverse("integrations_settings:send_test", args=["greenhouse"]))
    assert sent.status_code == 302
    words = [str(m) for m in get_messages(sent.wsgi_request)]
    host = "localhost" if "localhost" in live_server.url else "127.0.0.1"
    assert words == [f"Test event: list_tests: {host} was reached and answered 200."]
    inbound, out = AtsExchange.objects.order_by("pk")  # ours answered while the call waited
    assert (out.direction, out.call, out.status_code, out.error) == ("out", "list_tests", 200, "")
    assert out.asked["test_event"] is True
    assert (inbound.direction, inbound.call, inbound.status_code) == ("in", "list_tests", 200)
    assert inbound.answered == {"tests": [str(opening.pk)]}
    key = find_key(raw, timezone.now())
    assert key is not None
    assert key.last_used_at is not None

    # The key revoked elsewhere: Greenhouse would be refused, and the test event says so.
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())
    [outcome] = do_send_test_event(actor=administrator, ats=Ats.GREENHOUSE)
    assert not outcome.accepted
    assert outcome.status == 401
    assert "was reached but refused: the ATS answered 401" in outcome.words

    # Our own site not reachable at the address given: not reached, in words.
    settings.HIREPROOF_SITE_URL = "http://127.0.0.1:9"
    [outcome] = do_send_test_event(actor=administrator, ats=Ats.GREENHOUSE)
    assert outcome.status is None
    assert "127.0.0.1 was not reached" in outcome.words
    assert AtsExchange.objects.filter(error__gt="").count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_fake_greenhouse_calls_with_the_key_the_page_showed(
    live_server: Any, settings: Any, administrator: User, opening: Opening
) -> None:
    client, raw = _greenhouse_connected(live_server, settings, administrator)
    with running_greenhouse(f"{live_server.url}/integrations/greenhouse", raw) as fake:
        assert fake.list_tests().status_code == 200
        _, sent = fake.send_test(str(opening.pk), _grace())
        assert sent.status_code == 200, sent.text
    shown = client.get(page(Ats.GREENHOUSE)).text
    order = sent.json()["partner_interview_id"]
    assert "<code>send_test</code>" in shown
    assert f"<code>{order}</code></a>" in shown
    assert "grace" not in shown.lower()


def _grace() -> dict[str, Any]:
    return {"first_name": "Grace", "last_name": "Hopper", "email": "grace.hopper@example.org"}


def _exchanges(count: int, *, failing_every: int) -> list[AtsExchange]:
    start = timezone.now() - timedelta(hours=1)
    return [
        record_exchange(
            ats=Ats.GREENHOUSE,
            direction=Direction.INBOUND,
            call=f"call_{n}",
            actor="system",
            at=start + timedelta(seconds=n),
            status=404 if n % failing_every == 0 else 200,
            error="no such interview" if n % failing_every == 0 else "",
        )
        for n in range(count)
    ]


def _calls(text: str) -> list[str]:
    return re.findall(r"<code>(call_\d+)</code>", text)


def test_recent_exchanges_come_fifty_at_a_time_and_filter_to_the_failed(
    administrator_client: Client,
) -> None:
    _exchanges(120, failing_every=10)
    first = administrator_client.get(page(Ats.GREENHOUSE)).text
    assert _calls(first) == [f"call_{n}" for n in range(119, 69, -1)]
    more = re.search(r'href="\?before=(\d+)#exchanges-heading"', first)
    assert more is not None
    rows = administrator_client.get(
        page(Ats.GREENHOUSE), {"before": more.group(1)}, HTTP_HX_REQUEST="true"
    ).text
    assert "<html" not in rows  # htmx gets the rows alone
    assert _calls(rows) == [f"call_{n}" for n in range(69, 19, -1)]
    last = re.search(r"before=(\d+)#", rows)
    assert last is not None
    final = administrator_client.get(page(Ats.GREENHOUSE), {"before": last.group(1)}).text
    assert _calls(final) == [f"call_{n}" for n in range(19, -1, -1)]
    assert "More exchanges" not in final

    failed = administrator_client.get(page(Ats.GREENHOUSE), {"failed": "1"}).text
    assert _calls(failed) == [f"call_{n}" for n in range(110, -1, -10)]
    assert "Show all" in failed

    bad = administrator_client.get(page(Ats.GREENHOUSE), {"before": "x1"})
    assert bad.status_code == 400
    assert "before: &#x27;x1&#x27; is not an exchange" in bad.text


def test_the_list_shows_each_ats_state_last_exchange_and_failures_of_the_day(
    administrator_client: Client, administrator: User
) -> None:
    do_save_connection(actor=administrator, ats=Ats.ASHBY, change=ConnectionChange(enabled=False))
    _exchanges(20, failing_every=5)
    record_exchange(
        ats=Ats.GREENHOUSE,
        direction=Direction.OUTBOUND,
        call="patch_completed",
        actor="system",
        at=timezone.now() - timedelta(days=2),
        error="no answer",
    )
    rows = administrator_client.get(LIST).context["rows"]
    assert [(row.ats, row.state, row.recent_failures) for row in rows] == [
        (Ats.GREENHOUSE, "not connected", 4),
        (Ats.ASHBY, "off", 0),
        (Ats.WORKABLE, "not connected", 0),
        (Ats.LEVER, "not connected", 0),
    ]
    assert rows[0].last_exchange_at is not None
    assert rows[1].last_exchange_at is None


def test_the_audit_page_tells_the_ats_events_in_words(
    administrator_client: Client, administrator: User
) -> None:
    do_save_connection(
        actor=administrator,
        ats=Ats.LEVER,
        change=ConnectionChange(
            api_base_url="https://api.lever.co/v1",
            ats_secret="lever-key-secret",
            options={"tag_prefix": "hireproof"},
        ),
    )
    record_exchange(
        ats=Ats.LEVER,
        direction=Direction.OUTBOUND,
        call="add_note",
        actor=administrator.audit_actor,
        at=timezone.now(),
        status=503,
        error="the ATS answered 503",
    )
    shown = administrator_client.get(reverse("audit:home")).text
    assert (
        f"Lever connection saved by {administrator.full_name}: on; API at api.lever.co; "
        "ATS secret set; signing secret not set; options tag_prefix=hireproof"
    ) in shown
    assert f"hireproof called Lever (add_note): 503, failed, by {administrator.full_name}" in shown
    assert "lever-key-secret" not in shown


def test_the_pages_are_for_administrators_only(
    recruiter_client: Client, interviewer_client: Client, auditor_client: Client, client: Client
) -> None:
    leaves = LogLeaf.objects.count()
    actions = ("rotate", "switch_off", "switch_on", "send_test")
    for someone in (recruiter_client, interviewer_client, auditor_client):
        assert someone.get(LIST).status_code == 404
        assert someone.get(page(Ats.GREENHOUSE)).status_code == 404
        assert someone.post(page(Ats.GREENHOUSE)).status_code == 404
        for action in actions:
            url = reverse(f"integrations_settings:{action}", args=["greenhouse"])
            assert someone.post(url).status_code == 404
        assert "Integrations" not in someone.get("/").text
    assert client.get(LIST)["Location"].startswith(reverse("accounts:sign_in"))
    assert not AtsConnection.objects.exists()
    assert LogLeaf.objects.count() == leaves


def test_an_unknown_ats_is_a_404(administrator_client: Client) -> None:
    assert administrator_client.get("/settings/integrations/bamboohr/").status_code == 404


def _greenhouse_connected(
    live_server: Any, settings: Any, administrator: User
) -> tuple[Client, str]:
    """An administrator's client that connected Greenhouse on the live server (outbound calls
    to 127.0.0.1 allowed, for the fake), and the key the page showed."""
    settings.HIREPROOF_SITE_URL = live_server.url
    settings.HIREPROOF_OUTBOUND_ALLOW_PRIVATE = True
    client = Client()
    client.force_login(administrator)
    return client, _connect(client, Ats.GREENHOUSE)


@pytest.mark.django_db(transaction=True)
def test_a_connection_switched_off_stops_traffic_both_ways_until_switched_on(
    live_server: Any, settings: Any, administrator: User, opening: Opening, mailoutbox: Any
) -> None:
    client, raw = _greenhouse_connected(live_server, settings, administrator)
    with running_greenhouse(f"{live_server.url}/integrations/greenhouse", raw) as fake:
        _, sent = fake.send_test(str(opening.pk), GRACE)
        assert sent.status_code == 200, sent.text
        client.post(reverse("integrations_settings:switch_off", args=["greenhouse"]))
        refused = fake.list_tests()
        assert refused.status_code == 403
        assert "switched off" in refused.json()["errors"][0]
        _take_the_test_from_the_email(mailoutbox)  # scored while off: nothing sent
        assert fake.patches == []
        held = AtsExchange.objects.get(direction="out")
        assert "switched off" in held.error
        client.post(reverse("integrations_settings:switch_on", args=["greenhouse"]))
        assert fake.list_tests().status_code == 200
        order = AssessmentOrder.objects.get(public_id=sent.json()["partner_interview_id"])
        push_order(order.pk)  # what Retry now on Background work queues
        assert len(fake.patches) == 1


@pytest.mark.django_db(transaction=True)
def test_after_a_rotation_the_patch_carries_the_key_greenhouse_now_holds(
    live_server: Any, settings: Any, administrator: User, opening: Opening, mailoutbox: Any
) -> None:
    client, old = _greenhouse_connected(live_server, settings, administrator)
    with running_greenhouse(f"{live_server.url}/integrations/greenhouse", old) as fake:
        _, sent = fake.send_test(str(opening.pk), GRACE)
        assert sent.status_code == 200, sent.text
        rotated = client.post(reverse("integrations_settings:rotate", args=["greenhouse"]))
        found = KEY.search(rotated.text)
        assert found is not None
        new = found.group(1)
        take_the_test(mailoutbox, str(GRACE["email"]))
        [patch] = fake.patches
        assert patch.authorization == basic_auth(new)  # the old key is revoked
