"""Accounts pages: sign-in and out, password reset, set-password links, staff management."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from hireproof.accounts.actions import (
    StaffChangeRefused,
    do_change_staff_role,
    do_count_password_reset_request,
    do_deactivate_staff,
    do_invite_staff,
    do_reactivate_staff,
    do_resend_staff_invitation,
    do_set_staff_password,
    do_sign_in,
)
from hireproof.accounts.emails import invitation_about
from hireproof.accounts.models import User
from hireproof.accounts.roles import Permission, Role
from hireproof.accounts.sessions import forget_session
from hireproof.hiring.access import access_site, access_staff_member
from hireproof.platform.mail import latest_emails
from hireproof.views.decorators import staff_view
from hireproof.views.staff.forms.accounts import (
    ChangeRoleForm,
    InviteStaffForm,
    SignInForm,
    client_ip_of,
)
from hireproof.views.staff.http import (
    CONFLICT,
    REFUSED,
    acting_user,
    base_url,
    form_status,
    refused,
    report_email,
)


class SignInView(auth_views.LoginView):
    """Email and password; a successful sign-in is logged and clears the failure count."""

    form_class = SignInForm
    template_name = "registration/sign_in.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        do_sign_in(self.request, user, client_ip=client_ip_of(self.request))
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        return refused(super().form_invalid(form))


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only) and say so on the sign-in page."""

    next_page = "accounts:sign_in"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        forget_session(request)
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You have signed out.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link; the page reads the same whether or not the address is known, and
    whether or not the throttle held the email back (``accounts.throttle``)."""

    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        allowed = do_count_password_reset_request(
            email=form.cleaned_data["email"], client_ip=client_ip_of(self.request)
        )
        if not allowed:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)

    def form_invalid(self, form: PasswordResetForm) -> HttpResponse:
        return refused(super().form_invalid(form))


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """Choose a password from a one-time link (an invitation or a reset)."""

    template_name = "registration/set_password.html"
    success_url = reverse_lazy("accounts:sign_in")
    purpose = "set"

    def get_user(self, uidb64: str) -> User | None:
        user = super().get_user(uidb64)
        # A deactivated account's old links must not work either.
        return user if user is not None and user.is_active else None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "purpose": self.purpose}

    def form_valid(self, form: SetPasswordForm[User]) -> HttpResponse:
        do_set_staff_password(user=form.user, password=form.cleaned_data["new_password1"])
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, "Your password is set. Sign in with it now.")
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form: SetPasswordForm[User]) -> HttpResponse:
        return refused(super().form_invalid(form))


class ResetPasswordView(SetPasswordView):
    """The same page, worded for a password reset."""

    purpose = "reset"


@staff_view
def staff_list(request: HttpRequest) -> HttpResponse:
    """Every staff member with their role and state, and the actions an administrator has."""
    access_site(request.user, Permission.MANAGE_STAFF)
    return _staff_list_page(request)


def _staff_list_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    members = list(User.objects.order_by("-is_active", "full_name", "email"))
    # Each member with the newest email of their invitation (the list says if it failed).
    emails = latest_emails(invitation_about(member.pk) for member in members)
    rows = [(member, emails.get(invitation_about(member.pk))) for member in members]
    context = {"members": members, "rows": rows, "roles": Role.choices}
    return render(request, "accounts/staff_list.html", context, status=status)


def _refused(request: HttpRequest, message: str, status: int = CONFLICT) -> HttpResponse:
    """The staff list again, saying why the change was refused, answering ``status`` (409: the
    change conflicts with the staff list as it is; 400: the request itself was wrong)."""
    messages.error(request, message)
    return _staff_list_page(request, status=status)


@staff_view
def staff_invite(request: HttpRequest) -> HttpResponse:
    """Invite someone: they get an email with a link to choose their password."""
    admin = access_site(request.user, Permission.MANAGE_STAFF)
    form = InviteStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = do_invite_staff(
            actor=admin,
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            role=Role(form.cleaned_data["role"]),
            base_url=base_url(request),
        )
        report_email(
            request,
            invitation_about(member.pk),
            sent=f"Invitation sent to {member.email}.",
            waiting=f"Invitation to {member.email} saved: the email is on its way.",
        )
        return redirect("accounts:staff_list")
    return render(
        request, "accounts/staff_invite.html", {"form": form}, status=form_status(request)
    )


@require_POST
@staff_view
def staff_resend(request: HttpRequest, member_id: int) -> HttpResponse:
    """Send a fresh set-password link to someone who has not set a password yet."""
    member = access_staff_member(request.user, member_id, Permission.MANAGE_STAFF)
    try:
        do_resend_staff_invitation(
            actor=acting_user(request), member=member, base_url=base_url(request)
        )
    except StaffChangeRefused as refusal:
        return _refused(request, str(refusal))
    report_email(
        request,
        invitation_about(member.pk),
        sent=f"A new invitation was sent to {member.email}.",
        waiting=f"A new invitation to {member.email} is on its way.",
    )
    return redirect("accounts:staff_list")


@require_POST
@staff_view
def staff_change_role(request: HttpRequest, member_id: int) -> HttpResponse:
    """Give a staff member another role; the site keeps at least one active administrator."""
    member = access_staff_member(request.user, member_id, Permission.MANAGE_STAFF)
    form = ChangeRoleForm(request.POST)
    if not form.is_valid():
        choices = ", ".join(Role.values)
        return _refused(request, f"Choose the role: one of {choices}.", REFUSED)
    role = Role(form.cleaned_data["role"])
    try:
        do_change_staff_role(actor=acting_user(request), member=member, role=role)
    except StaffChangeRefused as refusal:
        return _refused(request, str(refusal))
    messages.success(request, f"{member.full_name} is now {role.label.lower()}.")
    return redirect("accounts:staff_list")


@require_POST
@staff_view
def staff_deactivate(request: HttpRequest, member_id: int) -> HttpResponse:
    """Deactivate a staff member: no more sign-ins, their sessions end now."""
    member = access_staff_member(request.user, member_id, Permission.MANAGE_STAFF)
    try:
        do_deactivate_staff(actor=acting_user(request), member=member)
    except StaffChangeRefused as refusal:
        return _refused(request, str(refusal))
    messages.success(request, f"{member.full_name} is deactivated and signed out.")
    return redirect("accounts:staff_list")


@require_POST
@staff_view
def staff_reactivate(request: HttpRequest, member_id: int) -> HttpResponse:
    """Let a deactivated staff member sign in again."""
    member = access_staff_member(request.user, member_id, Permission.MANAGE_STAFF)
    do_reactivate_staff(actor=acting_user(request), member=member)
    messages.success(request, f"{member.full_name} can sign in again.")
    return redirect("accounts:staff_list")
