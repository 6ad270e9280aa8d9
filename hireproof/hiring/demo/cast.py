"""Who is in ``hireproof demo``: the staff, the candidates, what each answers and the recipe
each follows, and the words the demo's people write (interview notes, decision reasons)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from hireproof.accounts.roles import Role
from hireproof.hiring.models.accommodation import NO_ACCOMMODATION, Accommodation
from hireproof.hiring.models.attempts import SignalKind

DEMO_OPENING_TITLE = "Data Scientist (demo)"
DEMO_DOMAIN = "demo.hireproof.test"
DEMO_PLAYBOOK_ID = "data-scientist-mid"
INVITATION_DAYS = 7
# Invitations are emailed nowhere (see ``emails_kept_in``), so the link's host does not matter.
LINK_BASE_URL = "http://127.0.0.1:8000/"
DUMMY_EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"


class Recipe(StrEnum):
    """What the demo does with a candidate: how far it takes them, and by which road.

    A script for the loader, not a place in the pipeline: the candidate's stage is
    ``hireproof.hiring.models.stage``'s, read back from what the recipe did (several recipes
    end at the same stage: a strong pass, a borderline and a fail are all "scored").
    """

    ADDED = "added"
    INVITED = "invited"
    STARTED = "started"
    STRONG_PASS = "strong_pass"  # noqa: S105 (a recipe, not a password)
    BORDERLINE = "borderline"
    FAIL = "fail"
    CRITICAL_FAIL = "critical_fail"
    WARNING_TO_REVIEW = "warning_to_review"
    WARNING_ACKNOWLEDGED = "warning_acknowledged"
    EXPIRED = "expired"
    REVOKED = "revoked"
    AUTO_SUBMITTED = "auto_submitted"
    IN_INTERVIEW = "in_interview"
    RECOMMENDED = "recommended"
    HIRED = "hired"
    NOT_HIRED = "not_hired"
    WITHDRAWN = "withdrawn"
    ERASED = "erased"


@dataclass(frozen=True)
class DemoStaff:
    """A demo member of staff."""

    full_name: str
    email: str
    role: Role


@dataclass(frozen=True)
class Signal:
    """An integrity signal the demo candidate sends while answering."""

    kind: SignalKind
    item_id: str = ""
    chars: int = 0


@dataclass(frozen=True)
class DemoCandidate:
    """A sample candidate: who, the recipe they follow, their answers and signals."""

    name: str
    email: str
    recipe: Recipe
    answers: Mapping[str, str] = field(default_factory=dict)
    signals: tuple[Signal, ...] = ()
    extra_time: Accommodation = NO_ACCOMMODATION
    disclose_extension: bool = False


DEMO_STAFF = (
    DemoStaff("Maya Chen", f"maya.chen@{DEMO_DOMAIN}", Role.RECRUITER),
    DemoStaff("Tom Okafor", f"tom.okafor@{DEMO_DOMAIN}", Role.INTERVIEWER),
    DemoStaff("Ines Duarte", f"ines.duarte@{DEMO_DOMAIN}", Role.AUDITOR),
    DemoStaff("Lena Fischer", f"lena.fischer@{DEMO_DOMAIN}", Role.ADMINISTRATOR),
)
RECRUITER, INTERVIEWER, _AUDITOR, ADMINISTRATOR = DEMO_STAFF

_RIGHT = {
    "cognitive-growth": "1210",
    "pandas-filter-sum": "70",
    "sjt-incomplete-data": "B",
    "outlier-ages": "141 - nobody on the payroll is 141 years old; probably a typo for 41.",
    "communication-summary": "B",
}


def _answers(**changes: str) -> dict[str, str]:
    """The right answers with some changed (keyword names use _ for -)."""
    answers = dict(_RIGHT)
    answers.update({key.replace("_", "-"): value for key, value in changes.items()})
    return answers


DEMO_CANDIDATES = (
    DemoCandidate(
        "Amara Okafor",
        f"amara.okafor@{DEMO_DOMAIN}",
        Recipe.STRONG_PASS,
        _answers(cognitive_growth="1,210 rows"),
        (Signal(SignalKind.FOCUS_LOST), Signal(SignalKind.FOCUS_RETURNED)),
    ),
    DemoCandidate(
        "Lukas Becker",
        f"lukas.becker@{DEMO_DOMAIN}",
        Recipe.STRONG_PASS,
        _answers(cognitive_growth="1200", outlier_ages="The outlier is 141."),
        (Signal(SignalKind.PASTE, "outlier-ages", 19),),
        extra_time=Accommodation(extra_percent=25),
        disclose_extension=True,
    ),
    DemoCandidate(
        "Sofia Marin",
        f"sofia.marin@{DEMO_DOMAIN}",
        Recipe.BORDERLINE,
        _answers(pandas_filter_sum="700", communication_summary="A"),
    ),
    DemoCandidate(
        "Daniel Kim",
        f"daniel.kim@{DEMO_DOMAIN}",
        Recipe.FAIL,
        _answers(
            cognitive_growth="1331",
            pandas_filter_sum="70 or 100",
            outlier_ages="45, it looks low next to the others",
            communication_summary="D",
        ),
        (
            Signal(SignalKind.FOCUS_LOST),
            Signal(SignalKind.FOCUS_RETURNED),
            Signal(SignalKind.PASTE, "pandas-filter-sum", 9),
        ),
    ),
    DemoCandidate(
        "Priya Natarajan",
        f"priya.natarajan@{DEMO_DOMAIN}",
        Recipe.CRITICAL_FAIL,
        _answers(sjt_incomplete_data="D"),
    ),
    DemoCandidate(
        "Jonas Weber",
        f"jonas.weber@{DEMO_DOMAIN}",
        Recipe.WARNING_TO_REVIEW,
        _answers(communication_summary="C"),
    ),
    DemoCandidate(
        "Chloe Dubois",
        f"chloe.dubois@{DEMO_DOMAIN}",
        Recipe.WARNING_ACKNOWLEDGED,
        _answers(sjt_incomplete_data="A"),
    ),
    DemoCandidate(
        "Mateo Garcia",
        f"mateo.garcia@{DEMO_DOMAIN}",
        Recipe.STARTED,
        {"cognitive-growth": "1210", "pandas-filter-sum": "70.0"},
    ),
    DemoCandidate("Hannah Schmidt", f"hannah.schmidt@{DEMO_DOMAIN}", Recipe.INVITED),
    DemoCandidate("Wei Zhang", f"wei.zhang@{DEMO_DOMAIN}", Recipe.ADDED),
    DemoCandidate("Olivia Brown", f"olivia.brown@{DEMO_DOMAIN}", Recipe.EXPIRED),
    DemoCandidate("Kwame Mensah", f"kwame.mensah@{DEMO_DOMAIN}", Recipe.REVOKED),
    DemoCandidate(
        "Elena Rossi",
        f"elena.rossi@{DEMO_DOMAIN}",
        Recipe.AUTO_SUBMITTED,
        {"cognitive-growth": "1210", "pandas-filter-sum": "70", "sjt-incomplete-data": "B"},
    ),
    DemoCandidate("Ana Souza", f"ana.souza@{DEMO_DOMAIN}", Recipe.IN_INTERVIEW, _answers()),
    DemoCandidate(
        "Ravi Kumar",
        f"ravi.kumar@{DEMO_DOMAIN}",
        Recipe.RECOMMENDED,
        _answers(outlier_ages="141: a typing slip, surely 41."),
    ),
    DemoCandidate(
        "Grace Obi", f"grace.obi@{DEMO_DOMAIN}", Recipe.HIRED, _answers(cognitive_growth="1210")
    ),
    DemoCandidate(
        "Tomás Silva",
        f"tomas.silva@{DEMO_DOMAIN}",
        Recipe.NOT_HIRED,
        _answers(cognitive_growth="1100", pandas_filter_sum="100", communication_summary="D"),
    ),
    DemoCandidate(
        "Yuki Tanaka",
        f"yuki.tanaka@{DEMO_DOMAIN}",
        Recipe.WITHDRAWN,
        {"cognitive-growth": "1210"},
    ),
    DemoCandidate("Sam Doe", f"sam.doe@{DEMO_DOMAIN}", Recipe.ERASED),
)

# The interview kit's questions, all rated 4 (a "yes") by the demo interviewer.
INTERVIEW_RATINGS = dict.fromkeys(
    ("past-project", "overfitting", "deployment", "ill-defined-request", "continuous-learning"), 4
)
INTERVIEW_NOTES = (
    "Walked through a churn model end to end; clear on validation and on what the business "
    "needed. Would ask for more depth on deployment."
)
HIRE_REASON = "Strong written test and a convincing interview; the team wants this profile now."
NO_HIRE_REASON = "The written test shows gaps in the basics the role uses every day."
WITHDRAWN_REASON = "The candidate wrote that they accepted another offer."

ACKNOWLEDGEMENT_NOTE = (
    "Discussed option A with the candidate on a call: they would flag the data gaps to the "
    "manager first. Fine to move on; ask about it again in the interview."
)
INTERVIEWED_RECIPES = {Recipe.IN_INTERVIEW, Recipe.RECOMMENDED, Recipe.HIRED}
SUBMITTED_RECIPES = {
    *INTERVIEWED_RECIPES,
    Recipe.NOT_HIRED,
    Recipe.STRONG_PASS,
    Recipe.BORDERLINE,
    Recipe.FAIL,
    Recipe.CRITICAL_FAIL,
    Recipe.WARNING_TO_REVIEW,
    Recipe.WARNING_ACKNOWLEDGED,
}
AUTO_SUBMITTED_STARTED_AGO = timedelta(minutes=40)
STEP = timedelta(minutes=2)
