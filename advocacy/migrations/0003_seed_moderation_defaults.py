"""Seed the moderation settings singleton and a few canned reasons, so the community
manager finds them in the admin (and can edit or switch them off)."""

from django.db import migrations

CANNED = [
    # title, text, Italian text, use
    (
        "Spam",
        "Advertising or spam: removed from view.",
        "Pubblicità o spam: nascosto alla vista.",
        "hide",
    ),
    (
        "Rude",
        "Rude or abusive towards other members.",
        "Scortese o offensivo verso altri membri.",
        "any",
    ),
    (
        "Personal data",
        "Contains personal data (phone number, address, IBAN).",
        "Contiene dati personali (numero di telefono, indirizzo, IBAN).",
        "hide",
    ),
    (
        "Off topic",
        "Not about our products or services.",
        "Non riguarda i nostri prodotti o servizi.",
        "close",
    ),
    (
        "Flag not needed",
        "Checked: the post follows the community guidelines.",
        "Verificato: il messaggio rispetta le linee guida della community.",
        "flag",
    ),
    (
        "Repeated abuse",
        "Repeated breaches of the community guidelines after warnings.",
        "Violazioni ripetute delle linee guida della community dopo gli avvisi.",
        "suspend",
    ),
]


def seed(apps, schema_editor):
    ModerationSettings = apps.get_model("advocacy", "ModerationSettings")
    CannedReason = apps.get_model("advocacy", "CannedReason")
    ModerationSettings.objects.get_or_create(pk=1)
    if not CannedReason.objects.exists():
        for position, (title, text, text_it, use) in enumerate(CANNED):
            CannedReason.objects.create(
                title=title, text=text, text_it=text_it, use=use, position=position
            )


class Migration(migrations.Migration):
    dependencies = [("advocacy", "0002_flags_queue_canned_reasons")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
