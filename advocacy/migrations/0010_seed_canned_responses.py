"""Default canned responses for the desk (the manager edits them in the admin).
Placeholders: {customer}, {agent}, {question}."""

from django.db import migrations

DEFAULTS = [
    (
        "Thanks, we are on it",
        "en",
        "Hi {customer}, this is {agent} from the support team. Thanks for your patience: "
        "we are looking into “{question}” and will update this thread as soon as we know more.",
    ),
    (
        "Need more details",
        "en",
        "Hi {customer}, {agent} here from support. To look into this we need a little more "
        "detail: when did it start, and what exactly do you see? Please never post account "
        "numbers, passwords or PINs here; we will contact you privately if we need them.",
    ),
    (
        "Solved",
        "en",
        "Hi {customer}, {agent} from support here. We have fixed the problem you described "
        "in “{question}”. If anything still looks wrong, reply below and we will pick it up "
        "again.",
    ),
    (
        "Ci stiamo lavorando",
        "it",
        "Ciao {customer}, sono {agent} del team di assistenza. Grazie per la pazienza: "
        "stiamo verificando “{question}” e aggiorneremo questa discussione appena possibile.",
    ),
    (
        "Servono più dettagli",
        "it",
        "Ciao {customer}, sono {agent} dell'assistenza. Per verificare ci servono qualche "
        "dettaglio in più: da quando succede e cosa vedi esattamente? Non scrivere mai qui "
        "numeri di conto, password o PIN: se servono ti contatteremo in privato.",
    ),
    (
        "Risolto",
        "it",
        "Ciao {customer}, sono {agent} dell'assistenza. Abbiamo risolto il problema descritto "
        "in “{question}”. Se qualcosa non va ancora, rispondi qui sotto e lo riprendiamo.",
    ),
]


def seed(apps, schema_editor):
    CannedResponse = apps.get_model("advocacy", "CannedResponse")
    if CannedResponse.objects.exists():
        return
    CannedResponse.objects.bulk_create(
        CannedResponse(title=title, language=language, body=body, position=index)
        for index, (title, language, body) in enumerate(DEFAULTS)
    )


def unseed(apps, schema_editor):
    CannedResponse = apps.get_model("advocacy", "CannedResponse")
    CannedResponse.objects.filter(title__in=[title for title, _l, _b in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("advocacy", "0009_flag_on_comment_of_answer")]

    operations = [migrations.RunPython(seed, unseed)]
