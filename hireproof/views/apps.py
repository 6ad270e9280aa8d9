"""The web surfaces as a Django app: their templates, static files and template filters."""

from django.apps import AppConfig


class ViewsConfig(AppConfig):
    name = "hireproof.views"
    label = "views"
    verbose_name = "Web pages"
