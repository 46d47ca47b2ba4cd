"""The border posts traders of the Great Lakes use most. An administrator edits
the list afterwards (Members → Border posts)."""

from django.db import migrations

# name, country of the post, country on the other side, town
BORDER_POSTS = [
    ("Ruzizi I / Rusizi I", "CD", "RW", "Bukavu / Rusizi (Kamembe)"),
    ("Ruzizi II / Rusizi II", "CD", "RW", "Bukavu / Rusizi (Bugarama road)"),
    ("Petite Barrière (Goma / Gisenyi)", "CD", "RW", "Goma / Rubavu (Gisenyi)"),
    ("Grande Barrière (Goma / Rubavu)", "CD", "RW", "Goma / Rubavu"),
    ("Kavimvira / Gatumba", "CD", "BI", "Uvira"),
    ("Kamanyola / Bugarama", "CD", "RW", "Kamanyola / Bugarama"),
    ("Gatumba", "BI", "CD", "Gatumba"),
    ("Akanyaru", "RW", "BI", "Akanyaru-Haut (Nyaruguru)"),
    ("Kanyaru Haut", "BI", "RW", "Kayanza"),
    ("Ruhwa", "BI", "RW", "Cibitoke / Bugarama"),
    ("Nemba / Gasenyi", "RW", "BI", "Bugesera / Kirundo"),
    ("Bunagana", "CD", "UG", "Rutshuru"),
    ("Kasindi / Mpondwe", "CD", "UG", "Beni"),
]


def seed(apps, schema_editor):
    BorderPost = apps.get_model("members", "BorderPost")
    for name, country, other, town in BORDER_POSTS:
        BorderPost.objects.get_or_create(
            name=name, defaults={"country": country, "other_country": other, "town": town}
        )


def unseed(apps, schema_editor):
    BorderPost = apps.get_model("members", "BorderPost")
    BorderPost.objects.filter(name__in=[b[0] for b in BORDER_POSTS], traders=None).delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
