"""The hiring pipeline's tables, and the queries every later layer shares about them.

- ``playbooks``: published playbook versions (immutable, content-hashed);
- ``openings``: a job pinned to one playbook version; ``candidates``: its candidates and their
  invitations (personal data sealed); ``accommodation``: extra time;
- ``attempts``: the timed attempt, saved answers, integrity signals, the stored scorecard;
- ``reviews`` and ``flags``: a reviewer's acknowledgement of a warning, and an attempt's flags;
- ``interviews``: assignments and versioned scorecards;
- ``decisions``: recommendations, decisions, the decision notice, and the rules decisions follow;
- ``stage``: where a candidate stands, the one definition;
- ``webhooks``: endpoints subscribed to events, their deliveries and every try;
- ``orders``: assessment orders from applicant tracking systems, and every exchange with one.

Rows are written only by ``hireproof.hiring.actions``.
"""

from hireproof.hiring.models.attempts import Answer, Attempt, IntegritySignal
from hireproof.hiring.models.candidates import Candidate, Invitation
from hireproof.hiring.models.decisions import Decision, NoticeSettings, Recommendation
from hireproof.hiring.models.interviews import Assignment, InterviewEmailTemplates, ScorecardVersion
from hireproof.hiring.models.openings import Opening
from hireproof.hiring.models.orders import AssessmentOrder, AtsExchange
from hireproof.hiring.models.playbooks import PlaybookVersion
from hireproof.hiring.models.reviews import FlagAcknowledgement
from hireproof.hiring.models.webhooks import WebhookDelivery, WebhookEndpoint, WebhookTry

__all__ = [
    "Answer",
    "AssessmentOrder",
    "Assignment",
    "AtsExchange",
    "Attempt",
    "Candidate",
    "Decision",
    "FlagAcknowledgement",
    "IntegritySignal",
    "InterviewEmailTemplates",
    "Invitation",
    "NoticeSettings",
    "Opening",
    "PlaybookVersion",
    "Recommendation",
    "ScorecardVersion",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookTry",
]
