"""USD coins: rare at the region's counters, but a repayment of USD 45.50 leaves
50 cents in the till, which the closing count must be able to count."""

from django.db import migrations

COINS = [50, 25, 10, 5, 1]  # cents


def seed(apps, schema_editor):
    Denomination = apps.get_model("tellers", "Denomination")
    for cents in COINS:
        Denomination.objects.get_or_create(
            currency="USD",
            value_minor=cents,
            defaults={
                "kind": "coin",
                "note": "Pièce peu courante dans la région (à vérifier)",
                "is_active": True,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("tellers", "Denomination").objects.filter(
        currency="USD", value_minor__in=COINS
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("tellers", "0002_seed_denominations")]
    operations = [migrations.RunPython(seed, unseed)]
