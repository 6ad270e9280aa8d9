"""The library pages for every role: the list, a version's hiring guide, its YAML, the upload."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from hireproof.accounts.models import User
from hireproof.core.playbook import load_builtin
from hireproof.hiring.actions.playbooks import do_publish_playbook, load_builtin_playbooks
from hireproof.hiring.models.playbooks import PlaybookVersion
from hireproof.hiring.tests.playbooks.conftest import (
    SEED_ID,
    published_events,
    seed_as_version,
    seed_yaml,
)
from hireproof.views.staff.forms.playbooks import MAX_PLAYBOOK_BYTES

pytestmark = pytest.mark.django_db

LIBRARY = reverse("playbooks:list")
UPLOAD = reverse("playbooks:upload")
SEED_PAGE = reverse("playbooks:version", args=[SEED_ID, "1.0.0"])
SEED_YAML = reverse("playbooks:version_yaml", args=[SEED_ID, "1.0.0"])
READ_PAGES = [LIBRARY, SEED_PAGE, SEED_YAML]


@pytest.fixture
def builtins() -> list[PlaybookVersion]:
    load_builtin_playbooks()
    return list(PlaybookVersion.objects.order_by("playbook_id"))


def _messages(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _yaml_file(text: str, name: str = "playbook.yaml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="application/yaml")


# --- who may do what -----------------------------------------------------------------------------


@pytest.mark.usefixtures("builtins")
@pytest.mark.parametrize("url", [*READ_PAGES, UPLOAD])
def test_an_anonymous_visitor_is_sent_to_sign_in(outsider: Client, url: str) -> None:
    response = outsider.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:sign_in')}?next={url}"


@pytest.mark.usefixtures("builtins")
@pytest.mark.parametrize("persona", ["administrator", "recruiter", "interviewer", "auditor"])
@pytest.mark.parametrize("url", READ_PAGES)
def test_every_staff_role_reads_the_library(
    request: pytest.FixtureRequest, persona: str, url: str
) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")

    assert client.get(url).status_code == 200


@pytest.mark.parametrize("persona", ["administrator", "recruiter"])
def test_administrators_and_recruiters_may_upload(
    request: pytest.FixtureRequest, persona: str
) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")

    assert client.get(UPLOAD).status_code == 200
    assert f'href="{UPLOAD}"' in client.get(LIBRARY).content.decode()


@pytest.mark.parametrize("persona", ["interviewer", "auditor"])
def test_interviewers_and_auditors_cannot_upload(
    request: pytest.FixtureRequest, persona: str
) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")

    assert client.get(UPLOAD).status_code == 404
    assert client.post(UPLOAD, {"pasted": seed_yaml()}).status_code == 404
    assert PlaybookVersion.objects.count() == 0
    assert f'href="{UPLOAD}"' not in client.get(LIBRARY).content.decode()


@pytest.mark.usefixtures("builtins")
@pytest.mark.parametrize(
    "url",
    [
        reverse("playbooks:version", args=[SEED_ID, "9.9.9"]),
        reverse("playbooks:version", args=["no-such-playbook", "1.0.0"]),
        reverse("playbooks:version_yaml", args=[SEED_ID, "9.9.9"]),
    ],
)
def test_a_missing_version_is_not_found(interviewer_client: Client, url: str) -> None:
    assert interviewer_client.get(url).status_code == 404


def test_the_navigation_links_to_the_library(interviewer_client: Client) -> None:
    page = interviewer_client.get(reverse("web:home")).content.decode()

    assert f'href="{LIBRARY}"' in page


# --- the library ---------------------------------------------------------------------------------


def test_the_library_lists_each_playbook_with_its_versions_newest_first(
    builtins: list[PlaybookVersion], recruiter: User, auditor_client: Client
) -> None:
    newer = do_publish_playbook(seed_as_version("1.1.0"), "seed.yaml", actor=recruiter)

    page = auditor_client.get(LIBRARY).content.decode()

    seed_rows = page.split('id="playbook-data-scientist-mid"')[1].split("</table>")[0]
    assert seed_rows.index(">1.1.0</a>") < seed_rows.index(">1.0.0</a>")
    assert newer.short_hash in seed_rows
    assert builtins[0].short_hash in seed_rows
    assert "Rosa Parks" in seed_rows
    assert seed_rows.count('<span class="badge">built-in</span>') == 1
    assert 'id="playbook-data-scientist-mid-weighted"' in page
    assert "2 versions" in page


def test_the_library_says_when_it_is_empty(recruiter_client: Client) -> None:
    page = recruiter_client.get(LIBRARY).content.decode()

    assert "No playbook is published yet." in page


def test_the_library_runs_a_fixed_number_of_queries(
    builtins: list[PlaybookVersion],
    recruiter: User,
    interviewer_client: Client,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    interviewer_client.get(LIBRARY)  # the session is read and cached on the first request
    with django_assert_num_queries(3):
        interviewer_client.get(LIBRARY)
    for minor in range(1, 6):
        do_publish_playbook(seed_as_version(f"1.{minor}.0"), "seed.yaml", actor=recruiter)

    with django_assert_num_queries(3):
        response = interviewer_client.get(LIBRARY)

    assert response.content.decode().count("Rosa Parks") == 5


# --- a version's hiring guide --------------------------------------------------------------------


@pytest.mark.usefixtures("builtins")
def test_the_version_page_renders_the_whole_hiring_guide(interviewer_client: Client) -> None:
    playbook = load_builtin(SEED_ID)

    page = interviewer_client.get(SEED_PAGE).content.decode()

    for anchor in [
        "overview",
        "responsibilities",
        "skills",
        "tools",
        "assessment",
        "interview",
        "decision",
        "identity",
    ]:
        assert f'id="{anchor}"' in page
        assert f'href="#{anchor}"' in page  # the table of contents
    for heading in ["Soft skills", "Attitude", "Technical skills", "Tools &amp; systems"]:
        assert heading in page
    assert escape(playbook.role.responsibilities[0].title) in page
    assert "30 minutes" in page
    assert escape(playbook.assessment.notice) in page
    for section in playbook.assessment.sections:
        assert f'id="section-{section.id}"' in page
    for item in playbook.assessment.items:
        assert f'id="item-{item.id}"' in page
        assert escape(item.answer_key) in page
        assert escape(item.grading) in page
        assert escape(item.rationale) in page
        assert escape(item.audit_note) in page
        for accepted in item.examples.accept:
            assert f'<code class="answer">{escape(accepted)}</code>' in page
    assert (
        escape("Fabricating data: blatantly unethical (dishonesty) and an immediate disqualifier.")
        in page
    )
    assert "critical red flag</span>" in page
    for question in playbook.interview.questions:
        assert f'id="question-{question.id}"' in page
        assert escape(question.strong_answer) in page
        assert escape(question.weak_answer) in page
        for flag in question.red_flags:
            assert escape(flag.text) in page
    assert "<td>strong yes</td>" in page
    assert '<th scope="row">Strong pass</th><td>80%</td>' in page
    assert "<dd>40%</dd>" in page  # the written test's weight
    assert "<dd>75%</dd>" in page  # hire from a combined 75%
    assert f'<code class="hash">{playbook.hash}</code>' in page
    assert f'href="{SEED_YAML}"' in page


@pytest.mark.usefixtures("builtins")
def test_the_pandas_snippet_is_shown_as_code(interviewer_client: Client) -> None:
    page = interviewer_client.get(SEED_PAGE).content.decode()

    assert (
        "<pre><code>import pandas as pd\n\ndf = pd.DataFrame({&#x27;a&#x27;: [1, 2, 3, 4],\n"
    ) in page


@pytest.mark.usefixtures("builtins")
def test_the_yaml_download_is_the_source_exactly_as_published(auditor_client: Client) -> None:
    response = auditor_client.get(SEED_YAML)

    assert response.content.decode("utf-8") == seed_yaml()
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="data-scientist-mid-1.0.0.yaml"'
    )


# --- uploading -----------------------------------------------------------------------------------


def test_uploading_a_file_publishes_it_and_shows_the_new_version(
    recruiter: User, recruiter_client: Client
) -> None:
    response = recruiter_client.post(UPLOAD, {"file": _yaml_file(seed_yaml())})

    assert response.status_code == 302
    assert response["Location"] == SEED_PAGE
    assert _messages(response) == [
        "Published Mid-Level Data Scientist / ML Engineer Hiring Guide, version 1.0.0."
    ]
    published = PlaybookVersion.objects.get()
    assert (published.source, published.published_by) == (seed_yaml(), recruiter)
    assert published_events() == [
        (
            f"staff:{recruiter.pk}",
            {"id": SEED_ID, "version": "1.0.0", "hash": load_builtin(SEED_ID).hash},
        )
    ]


def test_pasting_the_yaml_publishes_it(administrator_client: Client) -> None:
    response = administrator_client.post(UPLOAD, {"pasted": seed_as_version("1.2.0")})

    assert response.status_code == 302
    assert response["Location"] == reverse("playbooks:version", args=[SEED_ID, "1.2.0"])
    assert PlaybookVersion.objects.get().source == seed_as_version("1.2.0")


@pytest.mark.usefixtures("builtins")
def test_uploading_an_identical_playbook_says_nothing_changed(recruiter_client: Client) -> None:
    response = recruiter_client.post(UPLOAD, {"file": _yaml_file(seed_yaml())})

    assert response["Location"] == SEED_PAGE
    assert _messages(response) == [
        "data-scientist-mid 1.0.0 is already published with exactly this content; nothing changed."
    ]
    assert PlaybookVersion.objects.count() == 2
    assert len(published_events()) == 2  # the two built-ins only


@pytest.mark.usefixtures("builtins")
def test_uploading_different_content_under_a_published_version_is_refused(
    recruiter_client: Client,
) -> None:
    changed = seed_yaml().replace("time_limit_minutes: 30", "time_limit_minutes: 45", 1)

    response = recruiter_client.post(UPLOAD, {"file": _yaml_file(changed)})

    assert response.status_code == 400
    assert (
        "data-scientist-mid 1.0.0 is already published with different content; raise the version"
    ) in response.content.decode()
    assert PlaybookVersion.objects.count() == 2


def test_pasted_text_with_errors_lists_each_problem_with_its_line_and_field(
    recruiter_client: Client,
) -> None:
    broken = seed_yaml().replace("key: 70", "key: seventy", 1)

    response = recruiter_client.post(UPLOAD, {"pasted": broken})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Not published: 1 problem in pasted text" in page
    assert (
        '<p class="problem">line 287, column 12 - assessment.items[1].key: '
        "expected a number, got &quot;seventy&quot;</p>"
    ) in page
    assert '<span class="line-number">286</span>' in page
    assert (
        '<span class="excerpt-line is-problem"><span class="line-number">287</span>'
        '<span class="marker">&gt;</span>      key: seventy</span>'
    ) in page
    assert '<span class="line-number">288</span>' in page
    assert escape(broken) in page  # the pasted text is kept in the form to be fixed
    assert PlaybookVersion.objects.count() == 0
    assert published_events() == []


def test_a_file_with_several_errors_lists_them_all(recruiter_client: Client) -> None:
    broken = (
        seed_yaml()
        .replace("time_limit_minutes: 30", "time_limit_minutes: soon", 1)
        .replace("correct: B", "correct: Z", 1)
    )

    response = recruiter_client.post(UPLOAD, {"file": _yaml_file(broken, "mine.yaml")})

    page = response.content.decode()
    assert "Not published: 2 problems in mine.yaml" in page
    assert page.count('<p class="problem">line ') == 2
    assert "assessment.time_limit_minutes: " in page
    assert "assessment.items[2].correct: " in page


def test_an_invalid_yaml_file_names_the_line(recruiter_client: Client) -> None:
    response = recruiter_client.post(UPLOAD, {"file": _yaml_file("id: [unclosed\n")})

    page = response.content.decode()
    assert '<p class="problem">line 2, column 1 - not valid YAML: ' in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "Choose a playbook file or paste its YAML."),
        ({"pasted": "   \n"}, "Choose a playbook file or paste its YAML."),
        (
            {"file": _yaml_file("id: x"), "pasted": "id: y"},
            "Give a file or paste the text, not both.",
        ),
        (
            {"file": SimpleUploadedFile("latin.yaml", "title: Café".encode("latin-1"))},
            "latin.yaml is not UTF-8 text (byte 11 cannot be read); "
            "save it as UTF-8 and upload it again.",
        ),
    ],
)
def test_the_form_says_what_is_missing_or_wrong(
    recruiter_client: Client, data: dict[str, Any], error: str
) -> None:
    response = recruiter_client.post(UPLOAD, data)

    assert response.status_code == 400
    assert escape(error) in response.content.decode()
    assert PlaybookVersion.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused_with_a_clear_message(
    recruiter_client: Client,
) -> None:
    too_big = "#" * MAX_PLAYBOOK_BYTES + "\n"

    response = recruiter_client.post(UPLOAD, {"file": _yaml_file(too_big)})

    assert (
        "The playbook is 1,048,577 bytes, more than the 1 MB limit (1,048,576 bytes)."
    ) in response.content.decode()
    assert PlaybookVersion.objects.count() == 0


def test_pasted_text_over_the_size_limit_is_refused_with_a_clear_message(
    recruiter_client: Client,
) -> None:
    response = recruiter_client.post(UPLOAD, {"pasted": "é" * (MAX_PLAYBOOK_BYTES // 2 + 1)})

    assert (
        "The playbook is 1,048,578 bytes, more than the 1 MB limit (1,048,576 bytes)."
    ) in response.content.decode()


@pytest.mark.usefixtures("builtins")
def test_a_playbook_that_extends_a_builtin_renders_with_its_own_weights(
    interviewer_client: Client,
) -> None:
    url = reverse("playbooks:version", args=["data-scientist-mid-weighted", "1.0.0"])

    page = interviewer_client.get(url).content.decode()

    assert "Mid-Level Data Scientist / ML Engineer Hiring Guide (weighted sections)" in page
    assert "<dd>10 points</dd>" in page
    assert "weight 3 · 30%" in page


def test_text_from_a_playbook_is_escaped_on_every_page(
    recruiter: User, recruiter_client: Client
) -> None:
    text = seed_yaml().replace(
        "title: Mid-Level Data Scientist / ML Engineer Hiring Guide",
        'title: "<script>alert(1)</script> Guide"',
        1,
    )
    do_publish_playbook(text, "seed.yaml", actor=recruiter)

    for url in [LIBRARY, SEED_PAGE]:
        page = recruiter_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Guide" in page


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        (
            "^(a+)+(?=$)",
            "the regular expression uses what RE2 does not support: invalid perl operator: (?= "
            "(lookahead (?=...) is not supported)",
        ),
        (
            "\\\\b141\\\\b",
            "\\b is a Unicode word boundary in Python&#x27;s re but an ASCII one in RE2",
        ),
        (
            "(.{0,999})(.{0,999})z",
            "the pattern compiles to 17,987 RE2 instructions; at most 150 are allowed",
        ),
    ],
    ids=["a lookahead", "a Unicode boundary", "a program past the bound"],
)
def test_an_upload_with_a_pattern_re2_would_read_otherwise_is_refused_naming_the_rule(
    recruiter_client: Client, pattern: str, message: str
) -> None:
    text = seed_yaml().replace(
        "        contains_number: {value: 141}\n",
        "        all_of:\n          - contains_number: {value: 141}\n"
        f'          - none_of: [{{regex: "{pattern}"}}]\n',
        1,
    )
    response = recruiter_client.post(UPLOAD, {"pasted": text})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Not published: 1 problem in pasted text" in page
    assert "line 380, column 31 - assessment.items[3].rule.all_of[1].none_of[0].regex: " in page
    assert message in page
    assert PlaybookVersion.objects.count() == 0
    assert published_events() == []
