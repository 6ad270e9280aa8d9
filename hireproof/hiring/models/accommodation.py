"""Extra time for a candidate (an accommodation): what may be granted, and how it is written.

An accommodation stretches the whole assessment, so every item: either by a percentage of the
time limit (x1.25, x1.5, x2) or by a number of minutes, never both at once (one clear rule is
easier to apply fairly, and to explain to the candidate, than a sum of two).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ALLOWED_PERCENTS = (25, 50, 100)
MAX_EXTRA_MINUTES = 240

# "25%", "x1.5", "×2", "1.5x" -> percent; "15", "15m", "15 min", "15 minutes" -> minutes.
_PERCENT = re.compile(r"^(\d{1,3})\s*%$")
_FACTOR = re.compile(r"^(?:[x×]\s*(\d(?:\.\d+)?)|(\d(?:\.\d+)?)\s*[x×])$")
_MINUTES = re.compile(r"^(\d{1,4})\s*(?:m|min|mins|minute|minutes)?$")
_FACTOR_PERCENTS = {"1.25": 25, "1.5": 50, "1.50": 50, "2": 100, "2.0": 100, "2.00": 100}

EXTRA_TIME_FORMATS = "25%, 50%, 100% (or x1.25, x1.5, x2), or minutes such as '15 min'"


class AccommodationError(ValueError):
    """Extra time that cannot be granted; ``str()`` says what is allowed."""


@dataclass(frozen=True)
class Accommodation:
    """Extra time: a percentage of the time limit, or minutes (zero and zero for none)."""

    extra_percent: int = 0
    extra_minutes: int = 0

    def __post_init__(self) -> None:
        check_extra_time(self.extra_percent, self.extra_minutes)

    @property
    def is_extended(self) -> bool:
        """True when this grants any extra time."""
        return bool(self.extra_percent or self.extra_minutes)

    def describe(self) -> str:
        """``"x1.5 time"``, ``"+15 minutes"`` or ``"none"``, for pages and reports."""
        if self.extra_percent:
            factor = f"{1 + self.extra_percent / 100:g}"
            return f"x{factor} time"
        if self.extra_minutes:
            return f"+{self.extra_minutes} minutes"
        return "none"


def check_extra_time(extra_percent: int, extra_minutes: int) -> None:
    """Raise ``AccommodationError`` unless the pair is an extra time we grant."""
    if extra_percent and extra_minutes:
        raise AccommodationError("Choose extra time as a percentage or as minutes, not both.")
    if extra_percent not in (0, *ALLOWED_PERCENTS):
        raise AccommodationError(
            f"Extra time of {extra_percent}% is not offered; choose 25%, 50% or 100%."
        )
    if not 0 <= extra_minutes <= MAX_EXTRA_MINUTES:
        raise AccommodationError(
            f"Extra minutes must be between 0 and {MAX_EXTRA_MINUTES}; got {extra_minutes}."
        )


NO_ACCOMMODATION = Accommodation()


def parse_extra_time(text: str) -> Accommodation:
    """Read an extra-time cell (see ``EXTRA_TIME_FORMATS``); an empty cell means none.

    Raises ``AccommodationError`` naming the accepted forms.
    """
    cell = text.strip().lower()
    if cell in {"", "0", "none", "no"}:
        return NO_ACCOMMODATION
    try:
        if match := _PERCENT.match(cell):
            return Accommodation(extra_percent=int(match.group(1)))
        if match := _FACTOR.match(cell):
            factor = match.group(1) or match.group(2)
            if factor in _FACTOR_PERCENTS:
                return Accommodation(extra_percent=_FACTOR_PERCENTS[factor])
        elif match := _MINUTES.match(cell):
            return Accommodation(extra_minutes=int(match.group(1)))
    except AccommodationError:
        pass
    raise AccommodationError(
        f"{text.strip()!r} is not an extra time we offer: use {EXTRA_TIME_FORMATS}, "
        "or leave it empty for none"
    )
