from datetime import UTC, datetime, timedelta

import pytest

from hireproof.core.timing import (
    GRACE,
    Allowance,
    Timeliness,
    deadline_for,
    judge_request,
    seconds_left,
)

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("allowance", "expected_minutes"),
    [
        (Allowance(30), 30),
        (Allowance(30, extra_percent=25), 37.5),
        (Allowance(30, extra_percent=50), 45),
        (Allowance(30, extra_percent=100), 60),
        (Allowance(30, extra_minutes=15), 45),
        (Allowance(30, extra_percent=50, extra_minutes=5), 50),
    ],
)
def test_the_deadline_adds_the_accommodation_to_the_limit(
    allowance: Allowance, expected_minutes: int
) -> None:
    assert deadline_for(START, allowance) == START + timedelta(minutes=expected_minutes)


def test_an_allowance_says_whether_it_is_extended() -> None:
    assert not Allowance(30).is_extended
    assert Allowance(30, extra_percent=25).is_extended
    assert Allowance(30, extra_minutes=1).is_extended


@pytest.mark.parametrize(
    "kwargs",
    [
        {"limit_minutes": 0},
        {"limit_minutes": 30, "extra_percent": -1},
        {"limit_minutes": 30, "extra_minutes": -5},
    ],
)
def test_it_refuses_impossible_allowances(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="time"):
        Allowance(**kwargs)


def test_it_refuses_a_naive_start_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        deadline_for(datetime(2026, 11, 26, 9, 0), Allowance(30))  # noqa: DTZ001


def test_requests_are_judged_against_the_deadline_and_the_grace() -> None:
    deadline = START + timedelta(minutes=30)
    assert judge_request(deadline, deadline) is Timeliness.IN_TIME
    assert judge_request(deadline + GRACE, deadline) is Timeliness.IN_GRACE
    assert judge_request(deadline + GRACE + timedelta(microseconds=1), deadline) is Timeliness.LATE


def test_seconds_left_counts_down_to_zero_and_stays_there() -> None:
    deadline = START + timedelta(minutes=30)
    assert seconds_left(START, deadline) == 1800
    assert seconds_left(deadline - timedelta(seconds=1.5), deadline) == 1
    assert seconds_left(deadline + timedelta(hours=1), deadline) == 0
