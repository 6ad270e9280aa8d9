"""Make the witnesses' cosignatures and the superseded checkpoints append-only too."""

from django.db import migrations

from hireproof.audit import triggers


def install(apps, schema_editor):
    triggers.install(schema_editor, triggers.LATER_TABLES)


def remove(apps, schema_editor):
    triggers.remove(schema_editor, triggers.LATER_TABLES)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_superseded_checkpoint")]

    operations = [migrations.RunPython(install, remove)]
