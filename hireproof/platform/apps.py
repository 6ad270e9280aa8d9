"""The platform as a Django app: it brings the base templates, the error pages and the site's
static files (stylesheet, favicon, vendored htmx)."""

from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "hireproof.platform"
    label = "platform"
    verbose_name = "Platform"
