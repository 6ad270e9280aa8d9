"""``hireproof demo``: sample candidates at every stage, made with the real actions, once."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from hireproof.accounts.models import User
from hireproof.audit.models import LogLeaf
from hireproof.cli import main
from hireproof.hiring.actions.playbooks import load_builtin_playbooks
from hireproof.hiring.demo.cast import DEMO_OPENING_TITLE
from hireproof.hiring.demo.loader import DemoRefused, load_demo, report_lines
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.flags import can_move_on
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.reviews import FlagAcknowledgement
from hireproof.hiring.models.stage import Stage, stage_in, with_stage
from hireproof.platform.models import OutboxEmail
from hireproof.platform.tasks import queued_for_workers

pytestmark = pytest.mark.django_db

EXPECTED = {
    "Amara Okafor": ("scored", "strong_pass", "advance", 0),
    "Lukas Becker": ("scored", "strong_pass", "advance", 0),
    "Sofia Marin": ("scored", "borderline", "review", 0),
    "Daniel Kim": ("scored", "fail", "reject", 0),
    "Priya Natarajan": ("scored", "critical_fail", "reject", 0),
    "Jonas Weber": ("scored", "strong_pass", "review", 1),
    "Chloe Dubois": ("scored", "strong_pass", "review", 1),
    "Mateo Garcia": ("started", "", "", 0),
    "Hannah Schmidt": ("invited", "", "", 0),
    "Wei Zhang": ("added", "", "", 0),
    "Olivia Brown": ("expired", "", "", 0),
    "Kwame Mensah": ("revoked", "", "", 0),
    "Elena Rossi": ("scored", "borderline", "review", 0),
    "Ana Souza": ("in_interview", "strong_pass", "advance", 0),
    "Ravi Kumar": ("recommended", "strong_pass", "advance", 0),
    "Grace Obi": ("hired", "strong_pass", "advance", 0),
    "Tomás Silva": ("not_hired", "fail", "reject", 0),
    # Withdrew during the test: the withdrawal submitted what was saved.
    "Yuki Tanaka": ("withdrawn", "fail", "reject", 0),
    "(erased)": ("erased", "", "", 0),
}


@pytest.fixture
def published(db: Any) -> None:
    load_builtin_playbooks()


def pipeline() -> dict[str, tuple[str, str, str, int]]:
    candidates = with_stage(
        Candidate.objects.filter(opening__title=DEMO_OPENING_TITLE).select_related(
            "subject", "invitation__attempt"
        ),
        timezone.now(),
    )
    rows = {}
    for candidate in candidates:
        attempt = getattr(getattr(candidate, "invitation", None), "attempt", None)
        rows[candidate.name] = (
            stage_in(candidate).value,
            attempt.verdict if attempt else "",
            attempt.recommendation if attempt else "",
            attempt.warning_count if attempt else 0,
        )
    return rows


def test_it_fills_an_opening_with_candidates_at_every_stage(published: None) -> None:
    report = load_demo()
    assert report.created is True
    assert pipeline() == EXPECTED
    assert report.candidates[0] == ("Olivia Brown", "expired")
    assert Opening.objects.get(title=DEMO_OPENING_TITLE).invitation_days == 7
    assert mail.outbox == []


def test_every_stage_of_the_pipeline_but_the_instant_submitted_has_someone(
    published: None,
) -> None:
    load_demo()
    reached = {stage for stage, *_ in pipeline().values()}
    # "submitted" lasts no longer than the transaction that scores the attempt.
    assert reached == {stage.value for stage in Stage} - {Stage.SUBMITTED.value}


def test_the_later_stages_are_reached_through_interviews_and_decisions(published: None) -> None:
    load_demo()
    by_name = {c.name: c for c in Candidate.objects.filter(opening__title=DEMO_OPENING_TITLE)}
    assert by_name["Ravi Kumar"].recommendations.values_list("kind", flat=True).last() == "hire"
    assert by_name["Ana Souza"].interview_assignments.get().scorecards.count() == 0
    assert [d.outcome for d in by_name["Grace Obi"].decisions.all()] == ["hire"]
    assert [d.outcome for d in by_name["Tomás Silva"].decisions.all()] == ["no_hire"]
    assert [d.outcome for d in by_name["Yuki Tanaka"].decisions.all()] == ["withdrawn"]
    assert by_name["(erased)"].is_erased


def test_the_demo_candidates_show_each_review_state(published: None) -> None:
    load_demo()
    attempts = {
        c.name: c.invitation.attempt
        for c in Candidate.objects.filter(invitation__attempt__scorecard_hash__gt="")
    }
    assert can_move_on(attempts["Amara Okafor"]) is True
    assert can_move_on(attempts["Jonas Weber"]) is False
    assert can_move_on(attempts["Chloe Dubois"]) is True
    assert can_move_on(attempts["Priya Natarajan"]) is False
    assert list(FlagAcknowledgement.objects.values_list("item_id", flat=True)) == [
        "sjt-incomplete-data"
    ]
    assert attempts["Elena Rossi"].submission == "automatic"
    elena = attempts["Elena Rossi"]
    assert elena.submitted_at is not None
    assert elena.submitted_at > elena.deadline
    assert attempts["Lukas Becker"].invitation.extension_disclosed is True
    assert attempts["Daniel Kim"].signals.count() == 3


def test_demo_staff_get_passwords_printed_once(published: None) -> None:
    report = load_demo()
    lines = report_lines(report)
    assert lines[0] == (
        f"Created the opening 'Data Scientist (demo)' (id {report.opening.pk}) with 19 candidates:"
    )
    assert "  Priya Natarajan: critical fail" in lines
    passwords = {login.staff.email: login.password for login in report.staff}
    for email, password in passwords.items():
        assert password is not None
        assert User.objects.get(email=email).check_password(password)
        assert any(line.endswith(f"{email}  password: {password}") for line in lines)
    assert sorted(User.objects.values_list("role", flat=True)) == [
        "administrator",
        "auditor",
        "interviewer",
        "recruiter",
    ]


def test_running_it_twice_adds_nothing_and_says_so(published: None) -> None:
    first = load_demo()
    events, candidates = LogLeaf.objects.count(), Candidate.objects.count()
    second = load_demo()
    assert second.created is False
    assert second.opening == first.opening
    assert (LogLeaf.objects.count(), Candidate.objects.count()) == (events, candidates)
    assert User.objects.count() == 4
    assert report_lines(second) == [
        f"The demo is already loaded (opening 'Data Scientist (demo)', id {first.opening.pk}); "
        "nothing was added.",
        "Demo staff: maya.chen@demo.hireproof.test, tom.okafor@demo.hireproof.test, "
        "ines.duarte@demo.hireproof.test, lena.fischer@demo.hireproof.test (their passwords "
        "were printed when they were created).",
    ]


def test_it_refuses_without_the_built_in_playbook(db: Any) -> None:
    with pytest.raises(DemoRefused, match="the built-in playbook data-scientist-mid"):
        load_demo()
    assert Opening.objects.count() == 0
    assert User.objects.count() == 0


def test_the_command_prepares_the_site_then_loads_the_demo(
    published: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    prepared = []
    monkeypatch.setattr("hireproof.cli.serve.prepare_site", lambda: prepared.append(True))
    assert main(["demo"]) == 0
    assert main(["demo"]) == 0
    assert prepared == [True, True]
    out = capsys.readouterr().out
    assert out.count("Created the opening 'Data Scientist (demo)'") == 1
    assert out.count("The demo is already loaded") == 1


def test_no_email_the_demo_queues_is_left_for_a_worker_to_send(published: None) -> None:
    with queued_for_workers():  # as `hireproof demo` runs: the worker sends, later
        load_demo()
    queued = OutboxEmail.objects.all()
    assert queued.exists()
    assert not [row for row in queued if row.waiting]
    assert {row.cancelled_because for row in queued} == {"the demo sends no email"}
