"""Install the triggers that refuse UPDATE and DELETE on the log tables (SQLite, PostgreSQL)."""

from django.db import migrations

from hireproof.audit import triggers


def install(apps, schema_editor):
    triggers.install(schema_editor)


def remove(apps, schema_editor):
    triggers.remove(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
