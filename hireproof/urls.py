"""Every URL of the site: the web pages (``hireproof.views.urls``), the REST API under
``/api/v1/`` (``hireproof.api.urls``) and the endpoints ATSs call under ``/integrations/``
(``hireproof.integrations.urls``). The composition root ``ROOT_URLCONF`` names: it sits
outside the layers, like ``settings.py``, so the two surfaces never import each other."""

from __future__ import annotations

from django.urls import include, path

from hireproof.api.urls import api_patterns
from hireproof.integrations.urls import integration_patterns
from hireproof.views.urls import Patterns
from hireproof.views.urls import urlpatterns as web_patterns

urlpatterns: Patterns = [
    path("api/v1/", include((api_patterns(), "api"))),
    path("integrations/", include((integration_patterns(), "integrations"))),
    *web_patterns,
]
