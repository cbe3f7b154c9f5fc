"""Search: websearch syntax, ranking, highlighting and hostile queries on both backends;
English and Italian stemming and the stored vector on PostgreSQL.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from forum import selectors, services
from forum.models import Question
from forum.search import highlight, search_questions
from tests.budget import session_query
from tests.factories import UserFactory
from tests.naughty import NAUGHTY as BLNS
from tests.pg import postgres_only, sqlite_only

FILLER = "Ho provato a riavviare il telefono ma non cambia niente."


@pytest.fixture
def ask(customer):
    """Post a question through the service, so the stored search vector is written."""

    def _ask(title: str, body: str = FILLER, author=None) -> Question:  # noqa: ANN001
        return services.ask_question(actor=author or customer, title=title, body=body, tags=["sim"])

    return _ask


def _search(text: str, user=None) -> list[str]:  # noqa: ANN001
    user = user or UserFactory(username="searcher")
    return [q.title for q in selectors.question_list(user=user, q=text)]


def _highlighted(question: Question, text: str) -> tuple[str, str]:
    page = [question]
    highlight(page, text)
    return str(question.title_highlighted), str(question.snippet)


# Matching -------------------------------------------------------------------------------


def test_every_word_must_appear_in_title_or_body(ask):
    ask("Roaming in Francia non funziona", body="Sono a Parigi e la SIM non prende la rete.")
    ask("Roaming attivo ma niente dati")
    ask("Problema con la SIM nuova")

    assert _search("roaming parigi") == ["Roaming in Francia non funziona"]
    assert sorted(_search("roaming")) == [
        "Roaming attivo ma niente dati",
        "Roaming in Francia non funziona",
    ]
    assert _search("roaming zanzibar") == []


def test_quoted_phrase_matches_words_in_that_order(ask):
    ask("Ricarica automatica non attiva")
    ask("Attiva la ricarica, non automatica")

    assert _search('"ricarica automatica"') == ["Ricarica automatica non attiva"]


def test_minus_excludes_a_word(ask):
    ask("Roaming in Francia non funziona")
    ask("Roaming in Spagna non funziona")

    assert _search("roaming -spagna") == ["Roaming in Francia non funziona"]
    assert _search('roaming -"in spagna"') == ["Roaming in Francia non funziona"]
    assert _search("-spagna") == ["Roaming in Francia non funziona"]


def test_or_accepts_either_word(ask):
    ask("Bolletta troppo alta")
    ask("Addebito sconosciuto sul conto")
    ask("Nessun segnale in casa")

    assert sorted(_search("bolletta OR addebito")) == [
        "Addebito sconosciuto sul conto",
        "Bolletta troppo alta",
    ]
    assert _search("segnale OR zanzibar casa") == ["Nessun segnale in casa"]


def test_title_match_ranks_above_body_match_whatever_the_age(ask):
    ask("Come cambiare piano tariffario", body="Vorrei passare alla offerta con piu giga.")
    ask("Domanda generica sul mio conto", body="Come faccio a passare a un altro tariffario?")

    assert _search("tariffario") == [
        "Come cambiare piano tariffario",
        "Domanda generica sul mio conto",
    ]


def test_deleted_questions_are_not_found(ask, customer, staff):
    ask("Portabilita del numero bloccata")
    gone = ask("Portabilita del numero rifiutata")
    services.delete_question(actor=customer, question=gone)

    assert _search("portabilita") == ["Portabilita del numero bloccata"]
    assert _search("portabilita", user=staff) == ["Portabilita del numero bloccata"]
    assert _search("portabilita", user=customer) == ["Portabilita del numero bloccata"]


def test_blank_and_symbol_only_queries_find_nothing(ask):
    ask("Roaming in Francia non funziona")

    for text in ["", "   ", "\x00", "\u200b", '""', "-", "OR", "!!!", "&|<->:*"]:
        assert list(search_questions(Question.objects.all(), text)) == [], text


def test_search_vector_follows_ask_and_edit(ask, customer):
    question = ask("Segreteria telefonica sempre attiva")
    assert _search("segreteria") == ["Segreteria telefonica sempre attiva"]

    services.edit_question(
        actor=customer,
        question=question,
        title="Casella vocale sempre attiva",
        body="Come si spegne la casella vocale?",
        tags=["sim"],
        category=None,
    )

    assert _search("segreteria") == []
    assert _search("vocale") == ["Casella vocale sempre attiva"]


# Hostile queries ------------------------------------------------------------------------


def test_no_naughty_query_raises(ask):
    ask("Roaming in Francia non funziona")
    ask("<script>alert(1)</script> & quote ' \" OR 1=1 --")
    user = UserFactory(username="searcher")
    failures = {}
    extra = [
        "\x00",
        "\ud800",
        "a" * 5000,
        "'; DROP TABLE forum_question; --",
        "!(&|:*<->)",
        '"' * 9,
    ]
    for text in [*BLNS, *extra]:
        try:
            with transaction.atomic():
                page = list(selectors.question_list(user=user, q=text)[:20])
                highlight(page, text)
                [str(q.title_highlighted) + str(q.snippet) for q in page]
        except Exception as exc:  # noqa: BLE001 - collect them all, then report
            failures[text] = repr(exc)

    assert failures == {}
    assert Question.objects.count() == 2


# Highlighting ---------------------------------------------------------------------------


def test_highlight_escapes_html_and_marks_only_the_terms(ask):
    question = ask(
        "Errore <b>bold</b> & <mark>finto</mark> nel pannello",
        body="Il pannello mostra <script>alert(1)</script> invece del saldo.",
    )

    title, snippet = _highlighted(question, "pannello")

    assert title == (
        "Errore &lt;b&gt;bold&lt;/b&gt; &amp; &lt;mark&gt;finto&lt;/mark&gt; nel "
        "<mark>pannello</mark>"
    )
    assert "<mark>pannello</mark>" in snippet
    assert "<script" not in snippet
    assert snippet.count("<mark>") == snippet.count("</mark>") == 1


def test_a_mark_typed_by_a_member_stays_text(ask):
    question = ask("Come si usa il tag <mark> nel forum?")

    title, _snippet = _highlighted(question, "forum")

    assert title == "Come si usa il tag &lt;mark&gt; nel <mark>forum</mark>?"


def test_highlight_without_a_query_only_escapes(ask):
    question = ask("Errore <b>bold</b> nel pannello")

    title, _snippet = _highlighted(question, "")

    assert title == "Errore &lt;b&gt;bold&lt;/b&gt; nel pannello"


@sqlite_only
def test_fallback_marks_terms_in_the_text_not_in_its_escaping(ask):
    question = ask("Tom & Jerry: amplificatore <rotto>")

    assert (
        _highlighted(question, "amp")[0]
        == "Tom &amp; Jerry: <mark>amp</mark>lificatore &lt;rotto&gt;"
    )
    assert _highlighted(question, "lt gt")[0] == "Tom &amp; Jerry: amplificatore &lt;rotto&gt;"


@sqlite_only
def test_fallback_snippet_starts_near_the_first_match(ask):
    question = ask("Domanda sul saldo", body="x " * 200 + "il credito residuo non torna")

    _title, snippet = _highlighted(question, "credito")

    assert snippet.startswith("…")
    assert "il <mark>credito</mark> residuo non torna" in snippet


@sqlite_only
def test_fallback_does_not_highlight_excluded_words_or_the_or_keyword(ask):
    question = ask("Roaming o dati: cosa fare per la Francia")

    title, _snippet = _highlighted(question, "roaming OR dati -francia")

    assert title == "<mark>Roaming</mark> o <mark>dati</mark>: cosa fare per la Francia"


# PostgreSQL: stemming, headline, query count --------------------------------------------


@postgres_only
@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("charging", "How do I charge my account abroad?"),
        ("charged", "Charging the phone takes forever"),
        ("bills", "Why is my bill so high this month?"),
        ("ricariche", "La ricarica non arriva sul credito"),
        ("ricaricato", "Come ricaricare il credito dall'estero"),
        ("fatturazione", "Le fatture di marzo sono sbagliate"),
        ("bollette", "La bolletta è arrivata doppia"),
    ],
)
def test_english_and_italian_stemming(ask, query, title):
    ask(title)
    ask("Completely unrelated: nessun segnale in montagna")

    assert _search(query) == [title]


@postgres_only
@pytest.mark.parametrize(
    ("query", "title", "expected"),
    [
        (
            "charging",
            "How do I charge my account abroad?",
            "How do I <mark>charge</mark> my account abroad?",
        ),
        (
            "bollette",
            "La bolletta è arrivata doppia",
            "La <mark>bolletta</mark> è arrivata doppia",
        ),
        (
            "ricarica bills",
            "Ricarica and bill in one place",
            "<mark>Ricarica</mark> and <mark>bill</mark> in one place",
        ),
    ],
)
def test_headline_marks_stemmed_matches_in_both_languages(ask, query, title, expected):
    question = ask(title)

    assert _highlighted(question, query)[0] == expected


@postgres_only
def test_highlighting_a_page_is_one_query(ask, django_assert_num_queries):
    page = [ask(f"Roaming question number {n}") for n in range(5)]

    with django_assert_num_queries(1):
        highlight(page, "roaming")

    assert [str(q.title_highlighted) for q in page] == [
        f"<mark>Roaming</mark> question number {n}" for n in range(5)
    ]


@postgres_only
def test_search_uses_the_stored_vector(ask):
    question = ask("Segnale assente in cantina")
    # A row whose vector was never written is invisible to search: proof the stored
    # vector, not an on-the-fly one, is what is queried.
    Question.objects.filter(pk=question.pk).update(search_vector=None)

    assert list(search_questions(Question.objects.all(), "cantina")) == []


@postgres_only
def test_only_the_newest_matches_are_ranked(ask, monkeypatch):
    """Ranking is capped to the newest MAX_CANDIDATES matches (see bench/p6_search.py)."""
    monkeypatch.setattr("forum.search.MAX_CANDIDATES", 2)
    oldest = ask("Roaming in Grecia: la rete dati non parte")
    middle = ask("Roaming in Spagna senza internet")
    newest = ask("Roaming attivo ma niente 4G in Croazia")
    Question.objects.filter(pk=oldest.pk).update(title="Roaming roaming roaming non va")

    found = _search("roaming")

    assert sorted(found) == sorted([middle.title, newest.title])


# Query budget ---------------------------------------------------------------------------


def _search_page_queries(client, text: str) -> list[str]:  # noqa: ANN001
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/search/", {"q": text})
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("signed_in", [False, True])
def test_search_page_runs_a_fixed_number_of_queries(ask, client, customer, signed_in):
    """The search page's queries do not grow with the matches, their tags or authors: on
    PostgreSQL the candidates (one full-text match), the count and the page (by primary
    key), the page's tags and the highlighting; on SQLite the count, the page, the tags."""
    if signed_in:
        client.force_login(customer)
    for n in range(2):
        ask(f"Roaming bloccato numero {n}", author=UserFactory())
    few = _search_page_queries(client, "roaming bloccato")
    for n in range(2, 9):
        ask(f"Roaming bloccato numero {n}", author=UserFactory())
        Question.objects.get(title=f"Roaming bloccato numero {n}").tags.add(f"tag-{n}")
    many = _search_page_queries(client, "roaming bloccato")

    assert len(many) == len(few), "\n".join(many)
    from tests.pg import ON_POSTGRES

    # Anonymous / signed in (the session unless it is cached, the member, their
    # notifications badge).
    budget = {(False, False): 3, (True, False): 6, (False, True): 5, (True, True): 7}
    expected = budget[(signed_in, ON_POSTGRES)] + (session_query() if signed_in else 0)
    assert len(many) == expected, "\n".join(many)

    full_text = [sql for sql in many if "to_tsquery" in sql]
    if ON_POSTGRES:
        # Matched once (the candidates); the page ranks and highlights what it was given.
        assert sum("@@" in sql for sql in full_text) == 1, "\n".join(full_text)
        assert len(full_text) == 3  # candidates, the ranked page, the headlines
    else:
        assert full_text == []
