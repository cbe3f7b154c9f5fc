"""The browsing pages: question list tabs and filters, category and tag pages, the tag
directory, search, error pages and the query budget of the list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.views import defaults

from forum.models import Question
from forum.search import update_search_vector
from live.backlog import RedisBacklog, get_backlog
from tests.factories import AnswerFactory, CategoryFactory, QuestionFactory, UserFactory
from tests.naughty import NAUGHTY_SAMPLE

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [q.title for q in response.context["page_obj"].object_list]


def ago(minutes: int):
    return timezone.now() - timedelta(minutes=minutes)


def make(title: str, **kwargs) -> Question:
    kwargs.setdefault("created_at", ago(0))
    kwargs.setdefault("last_activity_at", kwargs["created_at"])
    return QuestionFactory(title=title, **kwargs)


def accept(question: Question) -> Question:
    answer = AnswerFactory(question=question)
    Question.objects.filter(pk=question.pk).update(accepted_answer=answer)
    return question


# --- The tabs ---------------------------------------------------------------------


def test_newest_tab_lists_live_questions_newest_first(client):
    # given three questions, one of them deleted
    make("Oldest question here", created_at=ago(30))
    make("Newest question here", created_at=ago(1))
    make("Deleted question here", created_at=ago(2), deleted_at=ago(1))
    make("Middle question here", created_at=ago(10))

    # when
    response = client.get("/")

    # then
    assert response.status_code == 200
    assert titles(response) == [
        "Newest question here",
        "Middle question here",
        "Oldest question here",
    ]
    assert response.context["current_tab"].key == "newest"


def test_active_tab_orders_by_last_activity(client):
    make("Asked long ago, answered now", created_at=ago(60), last_activity_at=ago(1))
    make("Asked recently, quiet since", created_at=ago(5), last_activity_at=ago(5))
    make("Asked and active a while ago", created_at=ago(50), last_activity_at=ago(20))

    response = client.get("/?sort=active")

    assert titles(response) == [
        "Asked long ago, answered now",
        "Asked recently, quiet since",
        "Asked and active a while ago",
    ]


def test_unanswered_tab_shows_open_questions_without_answers(client):
    make("No answers yet, older", created_at=ago(20))
    make("No answers yet, newer", created_at=ago(2))
    AnswerFactory(question=make("Has an answer already", created_at=ago(1)))
    make("Closed without answers", created_at=ago(3), closed_at=ago(1))

    response = client.get("/?sort=unanswered")

    assert titles(response) == ["No answers yet, newer", "No answers yet, older"]


def test_unsolved_tab_excludes_accepted_and_closed_questions(client):
    AnswerFactory(question=make("Answered but not solved", created_at=ago(4)))
    make("Not answered at all", created_at=ago(3))
    accept(make("Solved by an accepted answer", created_at=ago(2)))
    make("Closed as off topic", created_at=ago(1), closed_at=ago(1))

    response = client.get("/?sort=unsolved")

    assert titles(response) == ["Not answered at all", "Answered but not solved"]


def test_top_tab_orders_by_score_then_newest(client):
    make("Score five", score=5, created_at=ago(30))
    make("Score minus two", score=-2, created_at=ago(1))
    make("Score five but newer", score=5, created_at=ago(5))
    make("Score one", score=1, created_at=ago(2))

    response = client.get("/?sort=top")

    assert titles(response) == [
        "Score five but newer",
        "Score five",
        "Score one",
        "Score minus two",
    ]


def test_unknown_sort_falls_back_to_newest(client):
    make("First by age", created_at=ago(9))
    make("Second by age", created_at=ago(1))

    response = client.get("/?sort=%3Cscript%3E")

    assert response.status_code == 200
    assert response.context["current_tab"].key == "newest"
    assert titles(response) == ["Second by age", "First by age"]


def test_tabs_mark_the_current_one_and_keep_the_tag_filter(client):
    make("Tagged roaming question", tags=["roaming"])

    html = client.get("/?tag=roaming&sort=top").content.decode()

    assert '<a href="?tag=roaming&amp;sort=top" aria-current="page">Top</a>' in html
    assert '<a href="?tag=roaming&amp;sort=newest">Newest</a>' in html
    assert 'aria-label="Pagination"' not in html  # one page only: no page links


# --- Filters, category and tag pages ------------------------------------------------


def test_tag_filter_lists_only_questions_with_that_tag(client):
    make("About roaming abroad", tags=["roaming", "sim"], created_at=ago(2))
    make("About invoices only", tags=["fattura"], created_at=ago(1))
    make("Roaming again, newer", tags=["roaming"], created_at=ago(0))

    response = client.get("/?tag=roaming")

    assert titles(response) == ["Roaming again, newer", "About roaming abroad"]
    html = response.content.decode()
    assert "Remove tag filter" in html
    assert '<a href="?">Remove tag filter</a>' in html


def test_category_filter_on_the_list_and_unknown_category_is_404(client):
    billing = CategoryFactory(name="Billing", slug="billing")
    make("A billing question here", category=billing)
    make("A question without category")

    assert titles(client.get("/?category=billing")) == ["A billing question here"]
    assert client.get("/?category=nope").status_code == 404


def test_category_page_shows_its_questions_name_and_description(client):
    network = CategoryFactory(
        name="Network", name_it="Rete", slug="network", description="Coverage and signal."
    )
    make("No signal in Milan centre", category=network)
    make("A question in another category", category=CategoryFactory(slug="other"))

    response = client.get("/categories/network/")

    assert response.status_code == 200
    assert titles(response) == ["No signal in Milan centre"]
    html = response.content.decode()
    assert "<h1>Network</h1>" in html
    assert '<p class="page-description">Coverage and signal.</p>' in html
    assert "<title>Network · Circolo</title>" in html


def test_category_page_uses_the_italian_name_in_italian(client):
    CategoryFactory(name="Network", name_it="Rete", slug="network")

    html = client.get("/categories/network/", HTTP_ACCEPT_LANGUAGE="it").content.decode()

    assert "<h1>Rete</h1>" in html


def test_category_page_tabs_filter_within_the_category(client):
    network = CategoryFactory(slug="network")
    AnswerFactory(question=make("Network answered", category=network))
    make("Network unanswered", category=network)
    make("Elsewhere unanswered")

    response = client.get("/categories/network/?sort=unanswered")

    assert titles(response) == ["Network unanswered"]


def test_unknown_category_and_tag_pages_are_404(client):
    assert client.get("/categories/nothing-here/").status_code == 404
    assert client.get("/tags/nothing-here/").status_code == 404


def test_tag_page_lists_tagged_questions_under_a_heading(client):
    make("eSIM activation fails", tags=["esim"], created_at=ago(3))
    make("eSIM on a new phone", tags=["esim", "iphone"], created_at=ago(1))
    make("Physical SIM question", tags=["sim"])

    response = client.get("/tags/esim/")

    assert titles(response) == ["eSIM on a new phone", "eSIM activation fails"]
    html = response.content.decode()
    assert 'Questions tagged <span class="tag tag-large">esim</span>' in html
    assert response.context["nav"] == "tags"


def test_tag_page_with_only_deleted_questions_is_empty_not_404(client):
    make("Deleted tagged question", tags=["gone"], deleted_at=ago(0))

    response = client.get("/tags/gone/")

    assert response.status_code == 200
    assert titles(response) == []
    assert "No questions here yet." in response.content.decode()


# --- Rows ------------------------------------------------------------------------------


def test_question_row_shows_stats_tags_category_author_and_time(client):
    asker = UserFactory(username="giulia", display_name="Giulia", reputation=321)
    question = make(
        "My bill doubled this month",
        author=asker,
        category=CategoryFactory(name="Billing", slug="billing"),
        tags=["bolletta"],
        score=7,
        view_count=42,
        body="The **invoice** says 40 &amp; I expected 20.",
        body_html="<p>The <strong>invoice</strong> says 40 &amp; I expected 20.</p>",
    )
    AnswerFactory(question=question)
    accept(question)

    html = client.get("/").content.decode()

    assert "7 votes" in html
    assert '<span class="stat-answers solved"' in html
    assert "2 answers" in html
    assert "42 views" in html
    assert f'<a href="/q/{question.pk}/">My bill doubled this month</a>' in html
    assert '<p class="excerpt">The invoice says 40 &amp; I expected 20.</p>' in html
    assert '<a class="tag" href="/tags/bolletta/" rel="tag">bolletta</a>' in html
    assert '<a class="category-pill" href="/categories/billing/">Billing</a>' in html
    assert '<a class="user-link" href="/u/giulia/">' in html
    assert '<span class="reputation" title="reputation">321</span>' in html
    assert f'<time datetime="{timezone.localtime(question.created_at).isoformat()}"' in html


def test_excerpt_reads_lists_as_sentences_and_is_cut_at_200_characters(client):
    make(
        "A question with a list",
        body_html="<p>I tried:</p><ul><li>restarting</li><li>waiting a day.</li></ul><p>Help?</p>",
    )
    make("A very long question", body_html="<p>" + "word " * 100 + "</p>")

    html = client.get("/").content.decode()

    assert '<p class="excerpt">I tried: restarting, waiting a day. Help?</p>' in html
    assert '<p class="excerpt">' + "word " * 39 + "word…</p>" in html


def test_answered_but_unsolved_row_is_marked_answered(client):
    AnswerFactory(question=make("Answered not solved"))

    html = client.get("/").content.decode()

    assert '<span class="stat-answers answered">1 answer</span>' in html


def test_list_escapes_question_titles(client):
    make("<script>alert(1)</script> in my title")

    html = client.get("/").content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; in my title" in html


def test_sidebar_lists_categories_with_live_counts_and_popular_tags(client):
    billing = CategoryFactory(name="Billing", slug="billing", position=1)
    CategoryFactory(name="Devices", slug="devices", position=2)
    make("Billing one is here", category=billing, tags=["fattura"])
    make("Billing two is here", category=billing, tags=["fattura", "sim"])
    make("Billing deleted here", category=billing, deleted_at=ago(0), tags=["sim"])

    response = client.get("/")

    assert [(c.name, c.n) for c in response.context["categories"]] == [
        ("Billing", 2),
        ("Devices", 0),
    ]
    assert [(t["name"], t["n"]) for t in response.context["popular_tags"]] == [
        ("fattura", 2),
        ("sim", 2),
    ]


# --- Pagination --------------------------------------------------------------------


def test_pagination_twenty_per_page_with_links_that_keep_the_sort(client):
    for n in range(45):
        make(f"Numbered question {n:02d}", created_at=ago(100 - n))

    first = client.get("/?sort=newest")
    third = client.get("/?sort=newest&page=3")

    assert titles(first) == [f"Numbered question {n:02d}" for n in range(44, 24, -1)]
    assert titles(third) == [f"Numbered question {n:02d}" for n in range(4, -1, -1)]
    html = first.content.decode()
    assert '<span aria-current="page"><span class="visually-hidden">Page </span>1</span>' in html
    assert '<a href="?sort=newest&amp;page=2" rel="next">Next</a>' in html
    assert '<a href="?sort=newest&amp;page=3">' in html
    third_html = third.content.decode()
    assert '<a href="?sort=newest&amp;page=2" rel="prev">Previous</a>' in third_html
    assert 'rel="next"' not in third_html


def test_pagination_link_to_page_one_drops_the_page_parameter(client):
    for n in range(25):
        make(f"Paged question {n:02d}")

    html = client.get("/?page=2&sort=top").content.decode()

    assert '<a href="?sort=top" rel="prev">Previous</a>' in html


@pytest.mark.parametrize(("page", "expected"), [("abc", 1), ("0", 2), ("99", 2), ("-1", 2)])
def test_bad_page_numbers_give_a_real_page(client, page, expected):
    for n in range(25):
        make(f"Paged question {n:02d}")

    response = client.get(f"/?page={page}")

    assert response.status_code == 200
    assert response.context["page_obj"].number == expected


# --- Query budget ---------------------------------------------------------------------


def _count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_question_list_queries_do_not_grow_with_the_questions_shown(client, customer_client):
    # given a page with two questions, then a full page of twenty with more tags and
    # categories and different authors
    for n in range(2):
        make(f"Early question {n}", tags=["sim"])
    few_anonymous = _count_queries(client, "/")
    few_member = _count_queries(customer_client, "/")
    few_filtered = _count_queries(client, "/?sort=unsolved&tag=sim")
    for n in range(30):
        make(
            f"Later question {n}",
            tags=["sim", f"tag{n}", "roaming"],
            category=CategoryFactory(slug=f"cat-{n % 4}"),
        )

    # then the number of queries is the same
    assert _count_queries(client, "/") == few_anonymous
    assert _count_queries(customer_client, "/") == few_member
    assert _count_queries(client, "/?sort=unsolved&tag=sim") == few_filtered
    # count, page, tags, sidebar categories, popular tags (+ the filter's tag name), and
    # the live feed's last event id when the backlog is in the database (no Redis)
    live = 0 if isinstance(get_backlog(), RedisBacklog) else 1
    assert few_anonymous == 5 + live
    assert few_filtered == 6 + live


# --- The tag directory ---------------------------------------------------------------


def test_tag_list_counts_live_questions_and_orders_by_use(client):
    make("One about sim cards", tags=["sim", "esim"])
    make("Two about sim cards", tags=["sim"])
    make("Three about roaming", tags=["roaming", "esim"])
    make("Deleted about roaming", tags=["roaming", "ghost"], deleted_at=ago(0))

    response = client.get("/tags/")

    assert [(t.name, t.n) for t in response.context["page_obj"].object_list] == [
        ("esim", 2),
        ("sim", 2),
        ("roaming", 1),
    ]
    html = response.content.decode()
    assert "3 tags" in html
    assert '<a class="tag" href="/tags/esim/" rel="tag">esim</a>' in html


def test_tag_list_filters_by_name(client):
    make("Tags for filtering", tags=["sim", "esim", "roaming"])

    response = client.get("/tags/?q=SIM")

    assert [t.name for t in response.context["page_obj"].object_list] == ["esim", "sim"]
    assert 'value="SIM"' in response.content.decode()


def test_tag_list_filter_without_match_says_so(client):
    make("Tags for filtering", tags=["sim"])

    html = client.get("/tags/?q=%3Cb%3Ezzz").content.decode()

    assert "No tag matches “&lt;b&gt;zzz”." in html


def test_tag_list_is_paginated(client):
    for n in range(65):
        make(f"Question with tag {n:02d}", tags=[f"t{n:02d}"])

    first = client.get("/tags/")
    second = client.get("/tags/?page=2")

    assert len(first.context["page_obj"].object_list) == 60
    assert [t.name for t in second.context["page_obj"].object_list] == [
        "t60",
        "t61",
        "t62",
        "t63",
        "t64",
    ]


# --- Search ------------------------------------------------------------------------


def test_search_highlights_hits_and_counts_results(client):
    make("Roaming charges in Switzerland", body="Since Monday I pay roaming in Zurich.")
    make("Invoice for March is wrong", body="The invoice shows 40 euro, not 20.")
    update_search_vector()

    response = client.get("/search/?q=roaming")

    assert titles(response) == ["Roaming charges in Switzerland"]
    html = response.content.decode()
    assert "<mark>Roaming</mark> charges in Switzerland" in html
    assert "<mark>roaming</mark>" in html  # in the excerpt
    assert "1 result for “roaming”" in html
    # the header search box keeps the query
    assert 'id="site-search" type="search" name="q" value="roaming"' in html


def test_search_escapes_titles_and_bodies(client):
    make(
        "<script>alert(1)</script> roaming",
        body="<img src=x onerror=alert(2)> roaming body text here",
    )
    update_search_vector()

    html = client.get("/search/?q=roaming").content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>roaming</mark>" in html


def test_search_query_is_escaped_in_the_page(client):
    html = client.get("/search/?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E").content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "0 results for “&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;”" in html


def test_search_without_results_offers_to_ask(client):
    make("Something about invoices")
    update_search_vector()

    html = client.get("/search/?q=zanzibar").content.decode()

    assert "0 results for “zanzibar”" in html
    assert '<a class="button primary" href="/ask/?title=zanzibar">' in html


def test_search_with_empty_query_shows_a_prompt(client):
    make("A tagged question here", tags=["esim"])

    response = client.get("/search/?q=++")

    assert response.status_code == 200
    assert response.context["page_obj"] is None
    html = response.content.decode()
    assert "Type a few words from your question" in html
    assert '<a class="tag" href="/tags/esim/">esim</a>' in html


def test_search_hides_deleted_questions(client):
    make("Roaming question alive")
    make("Roaming question deleted", deleted_at=ago(0))
    update_search_vector()

    assert titles(client.get("/search/?q=roaming")) == ["Roaming question alive"]


def test_search_results_are_paginated(client):
    for n in range(23):
        make(f"Roaming question number {n:02d}", created_at=ago(100 - n))
    update_search_vector()

    first = client.get("/search/?q=roaming")
    second = client.get("/search/?q=roaming&page=2")

    assert len(titles(first)) == 20
    assert len(titles(second)) == 3
    assert '<a href="?q=roaming&amp;page=2" rel="next">Next</a>' in first.content.decode()
    assert "<mark>Roaming</mark>" in second.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "x" * 10_000,
        "roaming\x00",
        "\x00",
        "'; DROP TABLE forum_question; --",
        "!!! & | <-> :* ( ) \\",
        "roaming -",
        '"unterminated',
        "\u202eevil",
        "😀" * 300,
    ],
)
def test_search_never_fails_on_odd_queries(client, query):
    make("Roaming question alive")
    update_search_vector()

    response = client.get("/search/", {"q": query})

    assert response.status_code == 200


def test_search_survives_the_big_list_of_naughty_strings(client):
    make("Roaming question alive")
    update_search_vector()
    statuses = {s: client.get("/search/", {"q": s}).status_code for s in NAUGHTY_SAMPLE}

    assert {s: code for s, code in statuses.items() if code != 200} == {}


# --- Error pages -----------------------------------------------------------------------


def test_unknown_url_renders_the_404_page(client):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert '<a class="brand" href="/">Circolo</a>' in html
    assert 'action="/search/"' in html


def test_403_page_shows_the_reason():
    request = RequestFactory().get("/q/1/edit/")

    response = defaults.permission_denied(request, PermissionDenied("Only the author can edit."))

    assert response.status_code == 403
    html = response.content.decode()
    assert '<p class="banner warn">Only the author can edit.</p>' in html
    assert "You cannot do that" in html


def test_500_page_renders_without_context_or_queries(django_assert_num_queries):
    request = RequestFactory().get("/")

    with django_assert_num_queries(0):
        response = defaults.server_error(request)

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert '<link rel="stylesheet" href="/static/css/circolo.css">' in html


# --- Italian ---------------------------------------------------------------------------


def test_every_browsing_page_renders_in_italian(client):
    category = CategoryFactory(name="Network", name_it="Rete", slug="network")
    question = make("Roaming question alive", category=category, tags=["roaming"])
    AnswerFactory(question=question)
    update_search_vector()
    urls = [
        "/",
        "/?sort=active",
        "/?sort=unanswered",
        "/?sort=unsolved",
        "/?sort=top",
        "/categories/network/",
        "/tags/",
        "/tags/roaming/",
        "/search/",
        "/search/?q=roaming",
        "/search/?q=zzzz",
    ]

    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="it")
        assert response.status_code == 200, url
        assert '<html lang="it">' in response.content.decode(), url
    missing = client.get("/nowhere/", HTTP_ACCEPT_LANGUAGE="it")
    assert missing.status_code == 404
    assert '<html lang="it">' in missing.content.decode()


@pytest.mark.parametrize(
    ("score", "language", "text"),
    [
        (-1, "en", "-1 vote<"),
        (1, "en", "1 vote<"),
        (-2, "en", "-2 votes<"),
        (0, "en", "0 votes<"),
        (-1, "it", "-1 voto<"),
        (-3, "it", "-3 voti<"),
    ],
)
def test_vote_counts_take_the_plural_of_their_size(client, score, language, text):
    # "-1 votes" read wrongly (issue 15): the sign does not make one vote many
    QuestionFactory(score=score)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert text in html
