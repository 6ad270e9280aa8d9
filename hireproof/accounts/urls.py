"""Accounts URLs, mounted under ``/accounts/``."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign_out"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.ResetPasswordView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/set/<uidb64>/<token>/", views.SetPasswordView.as_view(), name="set_password"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/invite/", views.staff_invite, name="staff_invite"),
    path("staff/<int:member_id>/resend/", views.staff_resend, name="staff_resend"),
    path("staff/<int:member_id>/deactivate/", views.staff_deactivate, name="staff_deactivate"),
    path("staff/<int:member_id>/reactivate/", views.staff_reactivate, name="staff_reactivate"),
]
