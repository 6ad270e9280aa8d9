"""The playbook library: published, immutable, content-hashed playbook versions and their pages."""
