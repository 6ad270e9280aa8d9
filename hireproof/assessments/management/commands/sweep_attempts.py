"""``django-admin sweep_attempts``: auto-submit every attempt left open past its deadline.

The server's sweeper thread does this every 30 seconds; run this from cron or by hand when the
server is down, e.g. ``DJANGO_SETTINGS_MODULE=hireproof.settings django-admin sweep_attempts``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from hireproof.assessments.actions import do_auto_submit_overdue


class Command(BaseCommand):
    help = "Submit, with what was saved, every attempt left open past its deadline."

    def handle(self, *args: Any, **options: Any) -> None:
        submitted = do_auto_submit_overdue()
        self.stdout.write(f"auto-submitted {len(submitted)} attempt(s) past their deadline")
