"""``hireproof api-key create | list | revoke``: the site's API keys, from the command line.

``create`` prints the key once (only its hash is kept); the owner defaults to the first
administrator (``HIREPROOF_ADMIN_EMAIL``). Creating and revoking are audited as on the settings
page, with ``cli`` as the actor.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from hireproof.cli.django_setup import with_django

# The scopes of ``accounts.roles.Scope`` (a test keeps them equal), named here so that building
# the parser loads no Django.
SCOPES = (
    "read",
    "write",
    "candidates",
    "decisions",
    "audit",
    "greenhouse",
    "ashby",
    "workable",
    "lever",
    "webhooks",
)


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "api-key", help="create, list and revoke API keys"
    )
    actions = parser.add_subparsers(dest="api_key_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a key and print it once")
    create.add_argument("--name", required=True, help="what the key is for")
    create.add_argument(
        "--scope",
        action="append",
        required=True,
        choices=SCOPES,
        help="a scope the key may use (repeat for several)",
    )
    create.add_argument("--owner", help="the staff member it acts as (default: the admin email)")
    create.add_argument("--expires", type=int, metavar="DAYS", help="expire after DAYS days")
    create.set_defaults(handler=create_key)
    listing = actions.add_parser("list", help="list the keys (never the keys themselves)")
    listing.set_defaults(handler=list_keys)
    revoke = actions.add_parser("revoke", help="stop a key from working, for good")
    revoke.add_argument("key_id", type=int, help="the key's id (from `api-key list`)")
    revoke.set_defaults(handler=revoke_key)


@with_django
def create_key(args: argparse.Namespace) -> int:
    """Create a key and print it, once."""
    from hireproof.accounts.actions import ApiKeyRefused, do_create_api_key
    from hireproof.accounts.models import User, normalize_email_address
    from hireproof.cli.serve import DEFAULT_ADMIN_EMAIL

    admin = os.environ.get("HIREPROOF_ADMIN_EMAIL", DEFAULT_ADMIN_EMAIL)
    email = normalize_email_address(args.owner or admin)
    owner = User.objects.filter(email=email).first()
    if owner is None:
        print(f"hireproof: no staff member has the address {email}", file=sys.stderr)
        return 2
    try:
        key, raw = do_create_api_key(
            actor=None,
            name=args.name,
            owner=owner,
            scopes=list(args.scope),
            expires_in_days=args.expires,
        )
    except ApiKeyRefused as refusal:
        print(f"hireproof: {refusal}", file=sys.stderr)
        return 2
    print(raw)
    print(
        f"API key {key.pk} ({key.name}) acts as {owner.email} with scopes {key.scopes}; "
        "this is the only time it is shown.",
        file=sys.stderr,
    )
    return 0


@with_django
def list_keys(args: argparse.Namespace) -> int:
    """One line per key: id, state, owner, scopes, name."""
    from django.utils import timezone

    from hireproof.accounts.models import ApiKey

    now = timezone.now()
    for key in ApiKey.objects.select_related("owner").order_by("pk"):
        if key.revoked_at is not None:
            state = "revoked"
        elif key.expires_at is not None and key.expires_at <= now:
            state = "expired"
        else:
            state = "active"
        used = key.last_used_at.isoformat(timespec="seconds") if key.last_used_at else "never"
        print(
            f"{key.pk}\t{state}\t{key.prefix}...\t{key.owner.email}\t{key.scopes}\t"
            f"last used {used}\t{key.name}"
        )
    return 0


@with_django
def revoke_key(args: argparse.Namespace) -> int:
    """Revoke one key."""
    from hireproof.accounts.actions import do_revoke_api_key
    from hireproof.accounts.models import ApiKey

    key = ApiKey.objects.filter(pk=args.key_id).first()
    if key is None:
        print(f"hireproof: there is no API key {args.key_id}", file=sys.stderr)
        return 2
    do_revoke_api_key(actor=None, key=key)
    print(f"API key {key.pk} ({key.name}) is revoked.")
    return 0
