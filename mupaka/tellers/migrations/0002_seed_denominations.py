"""Seed the notes and coins counted at closing (editable data, not code).

Sources: the banks' issues as publicly reported. Uncertain entries carry "à vérifier"
in their note: the administrator checks them against what actually circulates.
"""

from django.db import migrations

# currency → [(face value in major units, kind, note)]
TABLE = {
    "USD": [(v, "note", "") for v in (100, 50, 20, 10, 5, 2, 1)],
    "CDF": [(v, "note", "") for v in (20000, 10000, 5000, 1000, 500, 200, 100, 50)],
    "RWF": [(v, "note", "") for v in (5000, 2000, 1000, 500)]
    + [(v, "coin", "") for v in (100, 50, 20, 10)],
    "BIF": [
        (10000, "note", ""),
        (5000, "note", ""),
        (2000, "note", ""),
        (1000, "note", ""),
        (500, "note", ""),
        (100, "note", "Ancienne série encore en circulation (à vérifier)"),
        (50, "coin", "Pièce (à vérifier) ; le billet de 50 n'a plus cours depuis 2015"),
        (20, "note", "Billet retiré en 2015 selon la BRB (à vérifier)"),
        (10, "coin", "Pièce (à vérifier) ; le billet de 10 n'a plus cours depuis 2015"),
    ],
}
MINOR = {"USD": 100, "CDF": 100, "RWF": 1, "BIF": 1}


def seed(apps, schema_editor):
    Denomination = apps.get_model("tellers", "Denomination")
    for currency, rows in TABLE.items():
        for value, kind, note in rows:
            Denomination.objects.get_or_create(
                currency=currency,
                value_minor=value * MINOR[currency],
                defaults={"kind": kind, "note": note, "is_active": True},
            )


def unseed(apps, schema_editor):
    apps.get_model("tellers", "Denomination").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("tellers", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
