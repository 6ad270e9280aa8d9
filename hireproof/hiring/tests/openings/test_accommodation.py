"""Extra time: what may be granted and how a CSV cell or the form writes it."""

from __future__ import annotations

import pytest

from hireproof.hiring.models.accommodation import (
    Accommodation,
    AccommodationError,
    check_extra_time,
    parse_extra_time,
)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("", Accommodation()),
        ("  ", Accommodation()),
        ("none", Accommodation()),
        ("0", Accommodation()),
        ("25%", Accommodation(extra_percent=25)),
        ("50 %", Accommodation(extra_percent=50)),
        ("100%", Accommodation(extra_percent=100)),
        ("x1.25", Accommodation(extra_percent=25)),
        ("×1.5", Accommodation(extra_percent=50)),
        ("2x", Accommodation(extra_percent=100)),
        ("15", Accommodation(extra_minutes=15)),
        ("15m", Accommodation(extra_minutes=15)),
        ("20 min", Accommodation(extra_minutes=20)),
        ("45 Minutes", Accommodation(extra_minutes=45)),
    ],
)
def test_it_reads_every_accepted_way_of_writing_extra_time(
    cell: str, expected: Accommodation
) -> None:
    assert parse_extra_time(cell) == expected


@pytest.mark.parametrize("cell", ["30%", "x1.3", "1000 min", "lots", "-5", "25%+10"])
def test_it_rejects_extra_time_it_does_not_offer_and_says_what_is_accepted(cell: str) -> None:
    with pytest.raises(AccommodationError) as error:
        parse_extra_time(cell)
    assert str(error.value) == (
        f"{cell!r} is not an extra time we offer: use 25%, 50%, 100% (or x1.25, x1.5, x2), "
        "or minutes such as '15 min', or leave it empty for none"
    )


@pytest.mark.parametrize(
    ("percent", "minutes", "message"),
    [
        (25, 10, "Choose extra time as a percentage or as minutes, not both."),
        (30, 0, "Extra time of 30% is not offered; choose 25%, 50% or 100%."),
        (0, 241, "Extra minutes must be between 0 and 240; got 241."),
        (0, -1, "Extra minutes must be between 0 and 240; got -1."),
    ],
)
def test_it_refuses_extra_time_outside_the_rules(percent: int, minutes: int, message: str) -> None:
    with pytest.raises(AccommodationError) as error:
        check_extra_time(percent, minutes)
    assert str(error.value) == message


def test_it_describes_extra_time_in_words() -> None:
    assert [
        Accommodation(extra_percent=25).describe(),
        Accommodation(extra_percent=100).describe(),
        Accommodation(extra_minutes=15).describe(),
        Accommodation().describe(),
    ] == ["x1.25 time", "x2 time", "+15 minutes", "none"]
    assert Accommodation(extra_minutes=15).is_extended
    assert not Accommodation().is_extended
