"""The bundled playbooks (``<id>.yaml``) and example answer sheets (``examples/*.json``)."""
