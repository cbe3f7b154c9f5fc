"""The advocates' lounge: a private category only advocates and staff see (PRODUCT.md)."""

from django.db import migrations

LOUNGE_SLUG = "advocates-lounge"


def create_lounge(apps, schema_editor):
    Category = apps.get_model("forum", "Category")
    if Category.objects.filter(slug=LOUNGE_SLUG).exists():
        return
    if Category.objects.filter(name="Advocates' lounge").exists():
        return
    Category.objects.create(
        name="Advocates' lounge",
        name_it="Sala advocate",
        slug=LOUNGE_SLUG,
        description="Advocates and staff talk shop here; nobody else sees these threads.",
        position=1000,
        is_private=True,
    )


def remove_lounge(apps, schema_editor):
    Category = apps.get_model("forum", "Category")
    Question = apps.get_model("forum", "Question")
    lounge = Category.objects.filter(slug=LOUNGE_SLUG).first()
    if lounge is not None and not Question.objects.filter(category=lounge).exists():
        lounge.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("advocacy", "0005_programme_and_community_moderation"),
        ("forum", "0004_moderation_advocacy_desk_fields"),
    ]

    operations = [migrations.RunPython(create_lounge, remove_lounge)]
