"""Playbook library pages: the list, one version's hiring guide, its YAML, and the upload form."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hireproof.accounts.access import PLAYBOOK_ROLES, staff_required
from hireproof.core.errors import PlaybookError

from .access import (
    PUBLISHER_ROLES,
    access_playbook_library,
    access_playbook_publishing,
    access_playbook_version,
    can_publish_playbooks,
)
from .actions import PublishRefused, do_publish_playbook
from .forms import UploadPlaybookForm
from .models import PlaybookVersion
from .presentation import DescribedProblem, described_problems, guide_of


@staff_required(*PLAYBOOK_ROLES)
def library(request: HttpRequest) -> HttpResponse:
    """Every playbook with all its published versions, newest first."""
    user = access_playbook_library(request.user)
    versions = PlaybookVersion.objects.select_related("published_by").order_by(
        "playbook_id", "-published_at", "-pk"
    )
    playbooks = [list(group) for _, group in groupby(versions, key=lambda v: v.playbook_id)]
    playbooks.sort(key=lambda group: group[0].title.casefold())
    context = {"playbooks": playbooks, "can_publish": can_publish_playbooks(user)}
    return render(request, "playbooks/library.html", context)


@staff_required(*PLAYBOOK_ROLES)
def version_detail(request: HttpRequest, playbook_id: str, version: str) -> HttpResponse:
    """One version as a readable hiring guide, answer keys and rationales included."""
    published = access_playbook_version(request.user, playbook_id, version)
    context = {"published": published, "guide": guide_of(published.load())}
    return render(request, "playbooks/version.html", context)


@staff_required(*PLAYBOOK_ROLES)
def version_yaml(request: HttpRequest, playbook_id: str, version: str) -> HttpResponse:
    """The version's YAML exactly as it was published, as a file download."""
    published = access_playbook_version(request.user, playbook_id, version)
    response = HttpResponse(published.source, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{published.download_name}"'
    return response


@staff_required(*PUBLISHER_ROLES)
def upload(request: HttpRequest) -> HttpResponse:
    """Publish a playbook or a new version from a file or pasted YAML; list every problem."""
    user = access_playbook_publishing(request.user)
    posted = request.method == "POST"
    form = UploadPlaybookForm(request.POST, request.FILES) if posted else UploadPlaybookForm()
    problems: list[DescribedProblem] = []
    filename = ""
    if posted and form.is_valid():
        text, filename = form.cleaned_data["text"], form.cleaned_data["filename"]
        try:
            published = do_publish_playbook(text, filename, actor=user)
        except PlaybookError as error:
            problems = described_problems(error.problems, text)
        except PublishRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            _announce(request, published)
            return redirect(
                "playbooks:version", playbook_id=published.playbook_id, version=published.version
            )
    context = {"form": form, "problems": problems, "filename": filename}
    return render(request, "playbooks/upload.html", context)


def _announce(request: HttpRequest, published: PlaybookVersion) -> None:
    if published.just_published:
        messages.success(request, f"Published {published.title}, version {published.version}.")
    else:
        messages.info(
            request,
            f"{published.playbook_id} {published.version} is already published with exactly "
            "this content; nothing changed.",
        )
