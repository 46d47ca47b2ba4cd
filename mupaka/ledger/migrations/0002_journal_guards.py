"""Triggers that keep the journal append-only and balanced (see mupaka/ledger/db_guards.py),
and the single LedgerState row that serialises postings."""

from django.db import migrations


def forwards(apps, schema_editor):
    from mupaka.ledger import db_guards

    db_guards.install(schema_editor.connection)
    LedgerState = apps.get_model("ledger", "LedgerState")
    LedgerState.objects.get_or_create(id=1)


def backwards(apps, schema_editor):
    from mupaka.ledger import db_guards

    db_guards.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
