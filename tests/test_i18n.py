"""The Italian catalogue is complete, compiled, and actually used by the pages."""

import ast
import gettext
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from forum.search import update_search_vector
from tests.factories import AnswerFactory, QuestionFactory, UserFactory

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "it" / "LC_MESSAGES"
DOMAINS = ["django", "djangojs"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return f"{self.msgctxt}|{self.msgid}" if self.msgctxt else self.msgid


def parse_po(path: Path) -> list[Entry]:
    """A small .po parser: enough for what makemessages writes (no obsolete entries)."""
    entries: list[Entry] = []
    entry = Entry()
    last: tuple[str, int] | None = None  # which field a continuation line extends

    def flush() -> None:
        nonlocal entry, last
        if last is not None:
            entries.append(entry)
        entry, last = Entry(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#,"):
            if last is not None:
                flush()
            entry.flags |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            if line.startswith("#~"):
                continue
            if last is not None:
                flush()
        elif line.startswith('"'):
            assert last is not None, f"stray string line in {path}: {raw}"
            name, index = last
            value = ast.literal_eval(line)
            if name == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, name, getattr(entry, name) + value)
        else:
            keyword, _, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                entry.msgstr[int(match.group(1))] = value
                last = ("msgstr", int(match.group(1)))
            elif keyword == "msgstr":
                entry.msgstr[0] = value
                last = ("msgstr", 0)
            elif keyword in {"msgctxt", "msgid", "msgid_plural"}:
                setattr(entry, keyword, value)
                last = (keyword, 0)
            else:
                raise AssertionError(f"unexpected line in {path}: {raw}")
    flush()
    return entries


def catalogue(domain: str) -> tuple[Entry, list[Entry]]:
    header, *entries = parse_po(LOCALE_DIR / f"{domain}.po")
    assert header.msgid == ""
    return header, entries


@pytest.mark.parametrize("domain", DOMAINS)
def test_catalogue_header_is_italian(domain):
    header, _ = catalogue(domain)

    metadata = header.msgstr[0]

    assert "Language: it\n" in metadata
    assert "charset=UTF-8" in metadata
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in metadata
    assert "fuzzy" not in header.flags


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_entry_is_translated_and_not_fuzzy(domain):
    _, entries = catalogue(domain)

    untranslated = [
        e.label
        for e in entries
        if len(e.msgstr) != (2 if e.msgid_plural else 1) or not all(e.msgstr.values())
    ]
    fuzzy = [e.label for e in entries if "fuzzy" in e.flags]

    assert len(entries) > 0
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("domain", DOMAINS)
def test_translations_keep_placeholders_and_html_tags(domain):
    _, entries = catalogue(domain)
    mismatches = []

    for e in entries:
        # Italian form 0 is n == 1 (the msgid), form 1 is everything else (msgid_plural).
        sources = {0: e.msgid, 1: e.msgid_plural} if e.msgid_plural else {0: e.msgid}
        for index, source in sources.items():
            translation = e.msgstr.get(index, "")
            for pattern in (PLACEHOLDER, TAG):
                if Counter(pattern.findall(source)) != Counter(pattern.findall(translation)):
                    mismatches.append((e.label, index, translation))

    assert mismatches == []


@pytest.mark.parametrize("domain", DOMAINS)
def test_compiled_catalogue_matches_the_po_file(domain):
    # Reads the committed .mo with the standard library, so no gettext tools are needed.
    _, entries = catalogue(domain)
    with (LOCALE_DIR / f"{domain}.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    expected: dict = {}
    for e in entries:
        key = f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt else e.msgid
        if e.msgid_plural:
            expected.update({(key, i): text for i, text in e.msgstr.items()})
        else:
            expected[key] = e.msgstr[0]

    compiled_entries = {k: v for k, v in compiled.items() if k != ""}

    assert compiled_entries == expected


# --- pages render in Italian ------------------------------------------------------------


def get_italian(client, url: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "it"
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def assert_italian(html: str, present: list[str], absent: list[str]) -> None:
    assert '<html lang="it">' in html
    assert [text for text in present if text not in html] == []
    assert [text for text in absent if text in html] == []


def test_question_list_is_in_italian(client, question):
    html = get_italian(client, reverse("forum:question_list"))

    assert_italian(
        html,
        present=["Fai una domanda", "Nuove", "Senza risposta", "Accedi", "Registrati"],
        absent=["Ask a question", "Newest", "Unanswered", "Log in", "Sign up"],
    )


def test_ask_page_is_in_italian(customer_client):
    html = get_italian(customer_client, reverse("forum:ask"))

    assert_italian(
        html,
        present=["Pubblica la tua domanda", "Titolo", "Consigli", "Esci", "Il tuo profilo"],
        absent=["Post your question", "Tips", "Log out", "Your profile"],
    )


def test_question_page_is_in_italian(customer_client, question, other_customer):
    AnswerFactory(question=question, author=other_customer)

    html = get_italian(customer_client, question.get_absolute_url())

    assert_italian(
        html,
        present=[
            "Informazioni sulla domanda",
            "Accetta questa risposta",
            "Pubblica la tua risposta",
        ],
        absent=["About this question", "Accept this answer", "Post your answer"],
    )


def test_login_and_signup_pages_are_in_italian(client):
    login = get_italian(client, reverse("account_login"))
    signup = get_italian(client, reverse("account_signup"))

    assert_italian(login, present=["Nome utente o e-mail", "Accedi"], absent=["Username or email"])
    assert_italian(signup, present=["Registrati"], absent=["Sign up", "Search questions"])


def test_search_page_is_in_italian(client, db):
    QuestionFactory(title="Roaming dati non funziona in Svizzera", tags=["roaming"])
    update_search_vector()  # the factory bypasses the service that writes it

    html = get_italian(client, reverse("forum:search") + "?q=roaming")

    assert_italian(
        html,
        present=["1 risultato per “roaming”", "Cerca"],
        absent=["result for", "Search questions"],
    )


def test_profile_page_is_in_italian(customer_client, customer):
    html = get_italian(customer_client, reverse("forum:profile", args=[customer.username]))

    assert_italian(
        html,
        present=["Reputazione", "Membro dal", "Modifica profilo"],
        absent=["Member since", "Edit profile", "Reputation"],
    )


def test_member_language_is_used_without_a_cookie(client, db):
    member = UserFactory(username="giulia", locale="it")
    client.force_login(member)

    html = client.get(reverse("forum:question_list")).content.decode()

    assert_italian(html, present=["Fai una domanda"], absent=["Ask a question"])


def test_javascript_catalogue_is_served_in_italian(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "it"

    response = client.get(reverse("javascript-catalog"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Aggiornamenti in tempo reale interrotti" in body
    assert "Nuove domande, mostrale" in body
