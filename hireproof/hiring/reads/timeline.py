"""A candidate's timeline, read from the audit log: one readable line per event about them;
and the log's latest events, in the same words, for the audit page.

The log's leaves carry the subject's pseudonym (``LogLeaf.subject``, copied out of the leaf
for this indexed query); each leaf is parsed with the core's ``parse_leaf`` and described
from its public part only, which is all that remains after an erasure too. Staff actors are
named by one more query for their names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeGuard

from hireproof.accounts.models import User
from hireproof.audit.log import OCCURRED_AT
from hireproof.audit.models import LogLeaf, Subject
from hireproof.core.audit import EventType, Leaf, parse_leaf
from hireproof.core.errors import AuditError
from hireproof.hiring.models.orders import Ats

STAFF_PREFIX = "staff:"
KEY_PREFIX = "api-key:"


@dataclass(frozen=True)
class TimelineEntry:
    """One event of the candidate's timeline: when, what (in words), and its leaf index."""

    index: int
    at: datetime | None
    event_type: str
    text: str

    @property
    def line(self) -> str:
        """``"10:42:03 Answer saved (pandas-filter-sum, revision 3) - leaf 57"``."""
        when = f"{self.at:%H:%M:%S}" if self.at else "--:--:--"
        return f"{when} {self.text} - leaf {self.index}"


def subject_timeline(subject: Subject) -> list[TimelineEntry]:
    """Every event the log holds about ``subject``, oldest first (two queries at most)."""
    leaves = LogLeaf.objects.filter(subject=subject.pseudonym).order_by("index")
    parsed = [_parsed(leaf) for leaf in leaves]
    names = _staff_names(leaf.actor for leaf in parsed if isinstance(leaf, Leaf))
    return [_entry(leaf, names) for leaf in parsed]


def latest_events(count: int) -> list[TimelineEntry]:
    """The log's ``count`` newest events, newest first, in words (two queries at most)."""
    leaves = LogLeaf.objects.order_by("-index")[:count]
    parsed = [_parsed(leaf) for leaf in leaves]
    names = _staff_names(leaf.actor for leaf in parsed if isinstance(leaf, Leaf))
    return [_entry(leaf, names) for leaf in parsed]


def _parsed(leaf: LogLeaf) -> Leaf | TimelineEntry:
    try:
        return parse_leaf(bytes(leaf.data))
    except AuditError as error:
        # A leaf that does not read is shown, not hidden: verification will name it too.
        return TimelineEntry(leaf.index, None, leaf.event_type, f"Unreadable event ({error})")


def _person(actor: str | None) -> str | None:
    """The staff part of an actor: ``staff:7``, also of ``api-key:3/staff:7``."""
    if actor and actor.startswith(KEY_PREFIX):
        return actor.partition("/")[2]
    return actor


def _staff_names(actors: Iterable[str | None]) -> dict[str, str]:
    people = [_person(actor) for actor in actors]
    ids = {int(p.removeprefix(STAFF_PREFIX)) for p in people if _is_staff(p)}
    if not ids:
        return {}
    rows = User.objects.filter(pk__in=ids).values_list("pk", "full_name")
    return {f"{STAFF_PREFIX}{pk}": name for pk, name in rows}


def _is_staff(actor: str | None) -> TypeGuard[str]:
    return bool(
        actor and actor.startswith(STAFF_PREFIX) and actor.removeprefix(STAFF_PREFIX).isdigit()
    )


def _entry(leaf: Leaf | TimelineEntry, names: Mapping[str, str]) -> TimelineEntry:
    if isinstance(leaf, TimelineEntry):
        return leaf
    describe = _DESCRIPTIONS.get(leaf.event_type, _generic)
    # When the action happened, as its action stated it (``occurred_at``), else when it was logged.
    occurred = leaf.public.get(OCCURRED_AT)
    when = _time(occurred if isinstance(occurred, str) else leaf.at)
    return TimelineEntry(leaf.index, when, str(leaf.event_type), describe(leaf, names))


def _time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def actor_words(actor: str | None, names: Mapping[str, str]) -> str:
    """Who acted, in words: a staff member's name (through an API key, when one was used),
    "the candidate", "the system"."""
    if actor is None or actor == "system":
        return "the system"
    if actor == "candidate":
        return "the candidate"
    if actor.startswith(KEY_PREFIX):
        key, _, person = actor.partition("/")
        number = key.removeprefix(KEY_PREFIX)
        return f"{names.get(person, person or 'someone')} through API key {number}"
    return names.get(actor, actor)


def _when(value: object) -> str:
    moment = _time(value) if isinstance(value, str) else None
    return f"{moment:%d %b %Y %H:%M} UTC" if moment else "an unknown time"


def _by(leaf: Leaf, names: Mapping[str, str]) -> str:
    return f"by {actor_words(leaf.actor, names)}"


def _generic(leaf: Leaf, names: Mapping[str, str]) -> str:
    words = str(leaf.event_type).replace(".", " ").replace("_", " ")
    return f"{words[:1].upper()}{words[1:]} ({_by(leaf, names)})"


def _added(leaf: Leaf, names: Mapping[str, str]) -> str:
    source = " from a CSV file" if leaf.public.get("source") == "csv" else ""
    return f"Added to the opening{source} {_by(leaf, names)}"


def _invited(leaf: Leaf, names: Mapping[str, str]) -> str:
    until = _when(leaf.public.get("expires_at"))
    return f"Invitation sent {_by(leaf, names)} (link valid until {until})"


def _resent(leaf: Leaf, names: Mapping[str, str]) -> str:
    p = leaf.public
    again = ", reinstated after a revocation" if p.get("reinstated") else ""
    return (
        f"New link sent {_by(leaf, names)} (send {p.get('send_count')}{again}; valid until "
        f"{_when(p.get('expires_at'))})"
    )


def _revoked(leaf: Leaf, names: Mapping[str, str]) -> str:
    return f"Invitation revoked {_by(leaf, names)}"


def _started(leaf: Leaf, names: Mapping[str, str]) -> str:
    return f"Assessment started (time limit {leaf.public.get('time_limit_minutes')} minutes)"


def _saved(leaf: Leaf, names: Mapping[str, str]) -> str:
    p = leaf.public
    return f"Answer saved ({p.get('item_id')}, revision {p.get('revision')})"


def _refused(leaf: Leaf, names: Mapping[str, str]) -> str:
    p = leaf.public
    return (
        f"Answer refused: it arrived {p.get('seconds_after_deadline')} seconds after the "
        f"deadline ({p.get('item_id')})"
    )


def _signal(leaf: Leaf, names: Mapping[str, str]) -> str:
    p = leaf.public
    kind = str(p.get("kind", "")).replace("_", " ")
    where = f", {p['item_id']}" if p.get("item_id") else ""
    chars = f", {p.get('chars')} characters" if p.get("kind") == "paste" else ""
    return f"Integrity signal: {kind}{where}{chars} (evidence, not a penalty)"


def _submitted(leaf: Leaf, names: Mapping[str, str]) -> str:
    p = leaf.public
    return f"Submitted by the candidate ({p.get('answered')} of {p.get('items')} answered)"


def _auto_submitted(leaf: Leaf, names: Mapping[str, str]) -> str:
    p = leaf.public
    return (
        f"Submitted automatically at the deadline ({p.get('answered')} of {p.get('items')} "
        "answered)"
    )


def _scored(leaf: Leaf, names: Mapping[str, str]) -> str:
    p = leaf.public
    # Leaves written before the scorecard hash was committed still name it in public.
    legacy = p.get("scorecard_hash")
    shown = f" (scorecard {str(legacy)[:12]})" if legacy else ""
    return f"Scored: verdict {p.get('verdict')}{shown}"


def _acknowledged(leaf: Leaf, names: Mapping[str, str]) -> str:
    return f"Warning on {leaf.public.get('item_id')} acknowledged {_by(leaf, names)}"


def _interview_assigned(leaf: Leaf, names: Mapping[str, str]) -> str:
    return f"Interview assigned {_by(leaf, names)}"


def _interview_cancelled(leaf: Leaf, names: Mapping[str, str]) -> str:
    return f"Interview cancelled {_by(leaf, names)}"


def _scorecard_submitted(leaf: Leaf, names: Mapping[str, str]) -> str:
    return f"Interview scorecard submitted {_by(leaf, names)}"


def _scorecard_amended(leaf: Leaf, names: Mapping[str, str]) -> str:
    return f"Interview scorecard amended {_by(leaf, names)} (version {leaf.public.get('version')})"


def _recommended(leaf: Leaf, names: Mapping[str, str]) -> str:
    p = leaf.public
    interviews = p.get("interview_scorecards") or 0
    basis = f"test and {interviews} interview scorecard(s)" if interviews else "the test alone"
    return f"Recommendation: {p.get('kind')} (from {basis})"


def _decided(leaf: Leaf, names: Mapping[str, str]) -> str:
    p = leaf.public
    notes = []
    if p.get("against_recommendation"):
        notes.append("against the recommendation")
    if p.get("overrides_critical"):
        notes.append("overrides a critical fail")
    if p.get("supersedes") is not None:
        notes.append(f"supersedes leaf {p.get('supersedes')}")
    if "recommendation" in p and p["recommendation"] is None:
        notes.append("before any recommendation existed")
    extra = f" ({'; '.join(notes)})" if notes else ""
    return f"Decision: {p.get('outcome')} {_by(leaf, names)}{extra}"


def _erased(leaf: Leaf, names: Mapping[str, str]) -> str:
    return f"Personal data erased {_by(leaf, names)} (basis: {leaf.public.get('basis')})"


def _ats(value: object) -> str:
    return Ats(str(value)).label if value in Ats.values else str(value)


def _order_placed(leaf: Leaf, names: Mapping[str, str]) -> str:
    p = leaf.public
    invited = ", invitation sent" if p.get("invited") else ""
    order = f"order {p.get('order_id')}{invited}"
    return f"{_ats(p.get('ats'))} ordered a test ({order}) {_by(leaf, names)}"


def _exchange(leaf: Leaf, names: Mapping[str, str]) -> str:
    p = leaf.public
    ats, call = _ats(p.get("ats")), p.get("call")
    status = p.get("status") or "no answer"
    failed = ", failed" if p.get("failed") else ""
    order = f", order {p['order_id']}" if p.get("order_id") else ""
    if p.get("direction") == "in":
        return f"{ats} called {call}: answered {status}{failed}{order}"
    return f"hireproof called {ats} ({call}): {status}{failed}{order}, {_by(leaf, names)}"


def _connection_changed(leaf: Leaf, names: Mapping[str, str]) -> str:
    p = leaf.public
    parts = ["on" if p.get("enabled") else "off"]
    if p.get("api_host"):
        parts.append(f"API at {p['api_host']}")
    if p.get("api_key_id") is not None:
        parts.append(f"hireproof key {p['api_key_id']}")
    parts.append(f"ATS secret {'set' if p.get('ats_secret_set') else 'not set'}")
    parts.append(f"signing secret {'set' if p.get('signing_secret_set') else 'not set'}")
    options = p.get("options")
    if isinstance(options, dict) and options:
        parts.append("options " + ", ".join(f"{k}={v}" for k, v in sorted(options.items())))
    return f"{_ats(p.get('ats'))} connection saved {_by(leaf, names)}: {'; '.join(parts)}"


Describe = Callable[[Leaf, Mapping[str, str]], str]
_DESCRIPTIONS: dict[EventType, Describe] = {
    EventType.CANDIDATE_ADDED: _added,
    EventType.INVITATION_SENT: _invited,
    EventType.INVITATION_RESENT: _resent,
    EventType.INVITATION_REVOKED: _revoked,
    EventType.ATTEMPT_STARTED: _started,
    EventType.ANSWER_SAVED: _saved,
    EventType.ANSWER_REFUSED_LATE: _refused,
    EventType.ATTEMPT_INTEGRITY_SIGNAL: _signal,
    EventType.ATTEMPT_SUBMITTED: _submitted,
    EventType.ATTEMPT_AUTO_SUBMITTED: _auto_submitted,
    EventType.ATTEMPT_SCORED: _scored,
    EventType.FLAG_ACKNOWLEDGED: _acknowledged,
    EventType.INTERVIEW_ASSIGNED: _interview_assigned,
    EventType.INTERVIEW_CANCELLED: _interview_cancelled,
    EventType.INTERVIEW_SCORECARD_SUBMITTED: _scorecard_submitted,
    EventType.INTERVIEW_SCORECARD_AMENDED: _scorecard_amended,
    EventType.RECOMMENDATION_COMPUTED: _recommended,
    EventType.DECISION_RECORDED: _decided,
    EventType.SUBJECT_ERASED: _erased,
    EventType.ATS_ORDER_PLACED: _order_placed,
    EventType.ATS_EXCHANGE: _exchange,
    EventType.ATS_CONNECTION_CHANGED: _connection_changed,
}
