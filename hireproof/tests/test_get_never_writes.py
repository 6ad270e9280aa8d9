"""A GET never writes: rule 3 of docs/architecture.md.

Every page of the site, staff and candidate, is requested by GET (as every role, anonymously,
and through candidate links at every point of the attempt, a link past its deadline included)
on a database where the demo put candidates at every stage. The audit log's size and every
table's row count are the same afterwards, and no page answers 5xx.
"""

from __future__ import annotations

from django.apps import apps
from django.test import Client

from hireproof.audit.models import LogLeaf
from hireproof.hiring.demo.loader import DemoReport
from hireproof.tests.site import links, routes, signed_in, staff_of, urls, values_of


def row_counts() -> dict[str, int]:
    """Every table's row count, by model."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def test_no_page_writes_anything_when_it_is_read(demo: DemoReport) -> None:
    values = values_of(demo)
    tokens = [link.token for link in links(demo)]
    clients = [Client(), *(signed_in(user) for user in staff_of(demo).values())]
    before, leaves = row_counts(), LogLeaf.objects.count()
    requested, failed = 0, []
    for route in routes():
        for url in urls(route, values, tokens):
            for client in clients:
                status = client.get(url).status_code
                requested += 1
                if status >= 500:
                    failed.append(f"{route.name} {url}: {status}")
    assert failed == []
    assert LogLeaf.objects.count() == leaves
    assert row_counts() == before
    assert requested > 200  # every page, five visitors each
