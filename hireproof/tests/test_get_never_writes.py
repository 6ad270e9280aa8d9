"""A GET never writes: rule 3 of docs/architecture.md.

Every page of the site, staff and candidate, is requested by GET on a database where the demo
put candidates at every stage: each staff page as every role and anonymously, and each page
about one thing once for every such thing (every candidate of the demo opening, every interview
assignment, every decision); each candidate page through candidate links at every point of the
attempt, a link past its deadline included. Afterwards the audit log has the same size and every
table holds exactly the rows it held, to the last column (a digest of each table's full
contents, so an UPDATE shows as much as an INSERT), and no page answered 5xx.
"""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.test import Client

from hireproof.audit.models import LogLeaf
from hireproof.hiring.demo.loader import DemoReport
from hireproof.hiring.models.candidates import Candidate
from hireproof.hiring.models.decisions import Decision
from hireproof.hiring.models.interviews import Assignment
from hireproof.tests.site import (
    every_instance,
    links,
    routes,
    signed_in,
    staff_of,
    urls,
    values_of,
)


def table_digests() -> dict[str, str]:
    """Every table's full contents, by model: a SHA-256 of its rows, in key order."""
    digests = {}
    for model in apps.get_models(include_auto_created=True):
        rows = model._default_manager.order_by("pk").values_list()
        digests[model._meta.label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return digests


def test_no_page_writes_anything_when_it_is_read(demo: DemoReport) -> None:
    values = values_of(demo)
    tokens = [link.token for link in links(demo)]
    clients = [Client(), *(signed_in(user) for user in staff_of(demo).values())]
    before, leaves = table_digests(), LogLeaf.objects.count()
    read: dict[str, set[int]] = {
        "candidate_id": set(),
        "assignment_id": set(),
        "decision_id": set(),
    }
    failed = []
    for route in routes():
        for instance in every_instance(route, values):
            for key, ids in read.items():
                if key in route.parameters:
                    ids.add(instance[key])
            for url in urls(route, instance, tokens):
                for client in clients:
                    status = client.get(url).status_code
                    # /readyz answers 503 when not ready (no signer runs here): an answer.
                    if status >= 500 and (route.name, status) != ("assessments:ready", 503):
                        failed.append(f"{route.name} {url}: {status}")
    assert failed == []
    assert LogLeaf.objects.count() == leaves
    changed = sorted(label for label, digest in table_digests().items() if before[label] != digest)
    assert changed == []
    # The pages of every candidate, assignment and decision of the demo opening were read.
    opening = demo.opening
    assert read == {
        "candidate_id": set(Candidate.objects.filter(opening=opening).values_list("pk", flat=True)),
        "assignment_id": set(
            Assignment.objects.filter(candidate__opening=opening).values_list("pk", flat=True)
        ),
        "decision_id": set(
            Decision.objects.filter(candidate__opening=opening).values_list("pk", flat=True)
        ),
    }
