"""Playbook library pages: the list, one version's hiring guide, its YAML, and the upload form."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hireproof.accounts.roles import Permission
from hireproof.core.errors import PlaybookError
from hireproof.hiring.access import access_playbook_version, access_site, may
from hireproof.hiring.actions.playbooks import PublishRefused, do_publish_playbook
from hireproof.hiring.models.playbooks import PlaybookVersion
from hireproof.hiring.reads.playbook_guide import DescribedProblem, described_problems, guide_of
from hireproof.views.decorators import staff_view
from hireproof.views.staff.forms.playbooks import UploadPlaybookForm
from hireproof.views.staff.http import form_status


@staff_view
def library(request: HttpRequest) -> HttpResponse:
    """Every playbook with all its published versions, newest first."""
    user = access_site(request.user, Permission.READ_PLAYBOOKS)
    versions = PlaybookVersion.objects.select_related("published_by").order_by(
        "playbook_id", "-published_at", "-pk"
    )
    playbooks = [list(group) for _, group in groupby(versions, key=lambda v: v.playbook_id)]
    playbooks.sort(key=lambda group: group[0].title.casefold())
    context = {"playbooks": playbooks, "can_publish": may(user, Permission.PUBLISH_PLAYBOOKS)}
    return render(request, "playbooks/library.html", context)


@staff_view
def version_detail(request: HttpRequest, playbook_id: str, version: str) -> HttpResponse:
    """One version as a readable hiring guide, answer keys and rationales included."""
    published = access_playbook_version(
        request.user, playbook_id, version, Permission.READ_PLAYBOOKS
    )
    context = {"published": published, "guide": guide_of(published.load())}
    return render(request, "playbooks/version.html", context)


@staff_view
def version_yaml(request: HttpRequest, playbook_id: str, version: str) -> HttpResponse:
    """The version's YAML exactly as it was published, as a file download."""
    published = access_playbook_version(
        request.user, playbook_id, version, Permission.READ_PLAYBOOKS
    )
    response = HttpResponse(published.source, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{published.download_name}"'
    return response


@staff_view
def upload(request: HttpRequest) -> HttpResponse:
    """Publish a playbook or a new version from a file or pasted YAML; list every problem."""
    user = access_site(request.user, Permission.PUBLISH_PLAYBOOKS)
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
    return render(request, "playbooks/upload.html", context, status=form_status(request))


def _announce(request: HttpRequest, published: PlaybookVersion) -> None:
    if published.just_published:
        messages.success(request, f"Published {published.title}, version {published.version}.")
    else:
        messages.info(
            request,
            f"{published.playbook_id} {published.version} is already published with exactly "
            "this content; nothing changed.",
        )
