"""Staff accounts: the user model, roles, sign-in with throttling, invitations, deactivation."""
