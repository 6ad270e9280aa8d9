from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "hireproof.web"
    label = "web"
    verbose_name = "Site"
