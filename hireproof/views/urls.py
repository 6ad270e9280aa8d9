"""Every URL of the web pages, by namespace (each namespace's paths live under one prefix); the
site's root URLconf (``hireproof.urls``) adds the API's under ``/api/v1/``.

Staff pages are in ``hireproof.views.staff``, the candidate's in ``hireproof.views.candidate``.
Each view is a staff, candidate or public view (``hireproof.views.decorators``); the test of
the permission table walks this list.
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path, register_converter

from hireproof.views import health, reports
from hireproof.views.candidate import attempt
from hireproof.views.decorators import public_view
from hireproof.views.staff import (
    accounts,
    api_keys,
    audit,
    background,
    candidate_page,
    candidates,
    decisions,
    hiring_file,
    home,
    integrations,
    interviews,
    openings,
    playbooks,
    webhooks,
)

Patterns = list[URLPattern | URLResolver]


class IdConverter:
    """``<id:name>``: a row id, 1 to 19 ASCII digits no larger than the database's largest
    id (a signed 64-bit integer). Anything else matches no pattern, so the address answers 404
    before any view or query sees it (Django's ``int`` takes any number of digits, and a
    20-digit number overflows the database's integer in a query)."""

    regex = "[0-9]{1,19}"
    LARGEST = 2**63 - 1

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > self.LARGEST:
            raise ValueError(f"{value} is past the largest id")  # Django: no match, 404
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

# Every number in a path is an ``<id:...>`` (``IdConverter``). A candidate is always named
# with their opening, an assignment by its own id (the access funnel checks whose it is).
CANDIDATE = "openings/<id:opening_id>/candidates/<id:candidate_id>/"
OPENING_CANDIDATE = "<id:opening_id>/candidates/<id:candidate_id>/"

accounts_urls: Patterns = [
    path("sign-in/", public_view(accounts.SignInView.as_view()), name="sign_in"),
    path("sign-out/", public_view(accounts.SignOutView.as_view()), name="sign_out"),
    path(
        "password/reset/",
        public_view(accounts.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        public_view(
            auth_views.PasswordResetDoneView.as_view(
                template_name="registration/password_reset_done.html"
            )
        ),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        public_view(accounts.ResetPasswordView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "password/set/<uidb64>/<token>/",
        public_view(accounts.SetPasswordView.as_view()),
        name="set_password",
    ),
    path("staff/", accounts.staff_list, name="staff_list"),
    path("staff/invite/", accounts.staff_invite, name="staff_invite"),
    path("staff/<id:member_id>/resend/", accounts.staff_resend, name="staff_resend"),
    path("staff/<id:member_id>/deactivate/", accounts.staff_deactivate, name="staff_deactivate"),
    path("staff/<id:member_id>/reactivate/", accounts.staff_reactivate, name="staff_reactivate"),
    path("staff/<id:member_id>/role/", accounts.staff_change_role, name="staff_role"),
    path("api-keys/", api_keys.api_keys, name="api_keys"),
    path("api-keys/<id:key_id>/revoke/", api_keys.api_key_revoke, name="api_key_revoke"),
]

playbooks_urls: Patterns = [
    path("", playbooks.library, name="list"),
    path("upload/", playbooks.upload, name="upload"),
    path("<slug:playbook_id>/<str:version>/", playbooks.version_detail, name="version"),
    path("<slug:playbook_id>/<str:version>/yaml/", playbooks.version_yaml, name="version_yaml"),
]

openings_urls: Patterns = [
    path("", openings.opening_list, name="list"),
    path("new/", openings.opening_create, name="create"),
    path("<id:opening_id>/", openings.pipeline, name="pipeline"),
    path("<id:opening_id>/edit/", openings.opening_edit, name="edit"),
    path("<id:opening_id>/close/", openings.opening_close, name="close"),
    path("<id:opening_id>/reopen/", openings.opening_reopen, name="reopen"),
    path("<id:opening_id>/candidates/add/", candidates.candidate_add, name="candidate_add"),
    path(
        "<id:opening_id>/candidates/import/",
        candidates.candidate_import,
        name="candidate_import",
    ),
    path("<id:opening_id>/invite-all/", candidates.invite_all, name="invite_all"),
    path("<id:opening_id>/invite-selected/", candidates.invite_selected, name="invite_selected"),
    path("<id:opening_id>/export.csv", openings.export_selection, name="export"),
    path("<id:opening_id>/results.csv", openings.export_results, name="results"),
    path(OPENING_CANDIDATE + "invite/", candidates.candidate_invite, name="invite"),
    path(OPENING_CANDIDATE + "resend/", candidates.invitation_resend, name="resend"),
    path(OPENING_CANDIDATE + "extra-time/", candidates.invitation_extra_time, name="extra_time"),
    path(OPENING_CANDIDATE + "revoke/", candidates.invitation_revoke, name="revoke"),
    path(OPENING_CANDIDATE + "erase/", candidates.candidate_erase, name="erase"),
]

reviews_urls: Patterns = [
    path(CANDIDATE, candidate_page.candidate_detail, name="candidate"),
    path(CANDIDATE + "receipt.json", candidate_page.receipt, name="receipt"),
    path(
        CANDIDATE + "flags/<str:item_id>/acknowledge/",
        candidate_page.acknowledge_flag,
        name="acknowledge",
    ),
]

interviews_urls: Patterns = [
    path("", interviews.my_interviews, name="mine"),
    path(CANDIDATE, interviews.candidate_interviews, name="candidate"),
    path("openings/<id:opening_id>/emails/", interviews.email_templates, name="emails"),
    path("assignments/<id:assignment_id>/", interviews.kit, name="kit"),
    path("assignments/<id:assignment_id>/amend/", interviews.amend, name="amend"),
    path("assignments/<id:assignment_id>/cancel/", interviews.cancel, name="cancel"),
]

decisions_urls: Patterns = [
    path(CANDIDATE, decisions.candidate_decision, name="candidate"),
    path(CANDIDATE + "decide/", decisions.record_decision, name="decide"),
    path(CANDIDATE + "file/", hiring_file.hiring_file_page, name="file"),
    path(CANDIDATE + "file.pdf", hiring_file.hiring_file_pdf, name="file_pdf"),
    path(CANDIDATE + "file/pdf/", hiring_file.hiring_file_pdf_panel, name="file_pdf_panel"),
    path(
        CANDIDATE + "file/pdf/prepare/",
        hiring_file.hiring_file_pdf_prepare,
        name="file_pdf_prepare",
    ),
    path(CANDIDATE + "file.json", hiring_file.hiring_file_json, name="file_json"),
    path(
        CANDIDATE + "decisions/<id:decision_id>/receipt.json",
        hiring_file.decision_receipt,
        name="receipt",
    ),
    path("openings/<id:opening_id>/notice/", decisions.notice_settings, name="notice_settings"),
]

audit_urls: Patterns = [
    path("", audit.home, name="home"),
    path("export/", audit.export, name="export"),
    path("checkpoint/", audit.checkpoint, name="checkpoint"),
]

webhooks_urls: Patterns = [
    path("", webhooks.endpoints, name="endpoints"),
    path("<id:endpoint_id>/", webhooks.endpoint, name="endpoint"),
    path("<id:endpoint_id>/pause/", webhooks.pause, name="pause"),
    path("<id:endpoint_id>/resume/", webhooks.resume, name="resume"),
    path("<id:endpoint_id>/rotate/", webhooks.rotate, name="rotate"),
    path("<id:endpoint_id>/delete/", webhooks.delete, name="delete"),
    path(
        "<id:endpoint_id>/deliveries/<id:delivery_id>/replay/",
        webhooks.replay,
        name="replay",
    ),
]

integrations_settings_urls: Patterns = [
    path("", integrations.integrations, name="list"),
    path("<slug:ats>/", integrations.integration, name="ats"),
    path("<slug:ats>/rotate/", integrations.rotate, name="rotate"),
    path("<slug:ats>/switch-off/", integrations.switch_off, name="switch_off"),
    path("<slug:ats>/switch-on/", integrations.switch_on, name="switch_on"),
    path("<slug:ats>/test/", integrations.send_test, name="send_test"),
]

background_urls: Patterns = [
    path("", background.work, name="work"),
    path("<id:problem_id>/retry/", background.retry, name="retry"),
]

# The candidate's pages, all under their personal link ``a/<token>/``.
assessments_urls: Patterns = [
    path("a/<str:token>/", attempt.start, name="start"),
    path("a/<str:token>/questions/", attempt.questions, name="questions"),
    path("a/<str:token>/answers/<str:item_id>/", attempt.save_answer, name="save"),
    path("a/<str:token>/time/", attempt.time_left, name="time_left"),
    path("a/<str:token>/signals/", attempt.integrity_signal, name="signal"),
    path("a/<str:token>/submit/", attempt.submit, name="submit"),
    path("a/<str:token>/done/", attempt.done, name="done"),
    path("a/<str:token>/receipt.json", attempt.receipt, name="receipt"),
    path("healthz", health.health, name="health"),
    path("readyz", health.ready, name="ready"),
]

# The read-only report an ATS links to: the signed token is the credential.
reports_urls: Patterns = [path("<str:token>/", reports.order_report, name="order")]

web_urls: Patterns = [path("", home.home, name="home")]

urlpatterns: Patterns = [
    path("accounts/", include((accounts_urls, "accounts"))),
    path("playbooks/", include((playbooks_urls, "playbooks"))),
    path("openings/", include((openings_urls, "openings"))),
    path("reviews/", include((reviews_urls, "reviews"))),
    path("interviews/", include((interviews_urls, "interviews"))),
    path("decisions/", include((decisions_urls, "decisions"))),
    path("audit/", include((audit_urls, "audit"))),
    path("background/", include((background_urls, "background"))),
    path("webhooks/", include((webhooks_urls, "webhooks"))),
    path(
        "settings/integrations/",
        include((integrations_settings_urls, "integrations_settings")),
    ),
    path("reports/", include((reports_urls, "reports"))),
    path("", include((assessments_urls, "assessments"))),
    path("", include((web_urls, "web"))),
]
