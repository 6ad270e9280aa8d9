"""The assessment clock: when an attempt's time runs out, and whether a request is in time.

Pure functions; the current time is always an argument. Extra time for accommodations applies
to the whole assessment (and so to every item): a percentage of the time limit, plus minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

__all__ = ["GRACE", "Allowance", "Timeliness", "deadline_for", "judge_request", "seconds_left"]

GRACE = timedelta(seconds=10)
"""How late a request may arrive and still count: covers a save in flight at the deadline."""


class Timeliness(StrEnum):
    IN_TIME = "in_time"
    IN_GRACE = "in_grace"  # after the deadline but within GRACE: accepted
    LATE = "late"  # refused


@dataclass(frozen=True)
class Allowance:
    """An attempt's time: the playbook's limit, stretched by an accommodation if any."""

    limit_minutes: int
    extra_percent: int = 0  # e.g. 25, 50, 100 for x1.25, x1.5, x2
    extra_minutes: int = 0

    def __post_init__(self) -> None:
        if self.limit_minutes <= 0:
            raise ValueError("the time limit must be positive")
        if self.extra_percent < 0 or self.extra_minutes < 0:
            raise ValueError("extra time cannot be negative")

    @property
    def total(self) -> timedelta:
        """The whole time the candidate has, extension included."""
        base = timedelta(minutes=self.limit_minutes)
        return base + base * self.extra_percent / 100 + timedelta(minutes=self.extra_minutes)

    @property
    def is_extended(self) -> bool:
        """True when an accommodation adds time."""
        return bool(self.extra_percent or self.extra_minutes)


def deadline_for(started_at: datetime, allowance: Allowance) -> datetime:
    """The moment the attempt's time runs out."""
    if started_at.tzinfo is None:
        raise ValueError("started_at must be timezone-aware")
    return started_at + allowance.total


def judge_request(now: datetime, deadline: datetime, grace: timedelta = GRACE) -> Timeliness:
    """Whether a request arriving at ``now`` is in time, in the grace period, or late."""
    if now <= deadline:
        return Timeliness.IN_TIME
    if now <= deadline + grace:
        return Timeliness.IN_GRACE
    return Timeliness.LATE


def seconds_left(now: datetime, deadline: datetime) -> int:
    """Whole seconds until the deadline (0 once it has passed), for the countdown."""
    return max(0, int((deadline - now).total_seconds()))
