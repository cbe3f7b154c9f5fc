"""What the pages give static/js/live.js: each stream's last event id, read before the
page's data, and the filters a list applies (the browser side is tests/browser/test_live.py)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from forum import selectors, services
from forum.views import lists
from forum.views.questions import detail
from live import jsi18n
from live.backlog import last_id
from tests.factories import CategoryFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db


def attribute(html: str, element_id_or_class: str, name: str) -> str:
    tag = re.search(rf"<[^>]*{element_id_or_class}[^>]*>", html, re.S).group(0)
    return re.search(rf'{name}="([^"]*)"', tag).group(1)


def test_the_question_page_subscribes_from_its_streams_last_id(
    question, other_customer, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.post_answer(actor=other_customer, question=question, body="Dial *123# to top up.")
        services.cast_vote(actor=other_customer, post=question, value=1)
    stream = f"question.{question.pk}"

    html = client.get(question.get_absolute_url()).content.decode()

    assert last_id(stream) == 2
    assert f'data-live-stream="{stream}" data-live-since="2"' in html
    assert 'data-live-answer-url="/a/0/fragment/"' in html
    assert 'data-live-question-comments-url="/q/0/comments/"' in html
    assert 'data-live-answer-comments-url="/a/0/comments/"' in html


def test_the_question_page_reads_the_last_id_before_its_data(question, client, monkeypatch):
    calls = []
    real_last_id, real_get_question = detail.last_id, selectors.get_question
    monkeypatch.setattr(
        detail, "last_id", lambda stream: calls.append(stream) or real_last_id(stream)
    )
    monkeypatch.setattr(
        selectors,
        "get_question",
        lambda **kwargs: calls.append("get_question") or real_get_question(**kwargs),
    )

    client.get(question.get_absolute_url())

    assert calls == [f"question.{question.pk}", "get_question"]


def test_the_list_reads_the_feeds_last_id_before_the_list(client, monkeypatch):
    calls = []
    real_last_id, real_list = lists.last_id, selectors.question_list
    monkeypatch.setattr(
        lists, "last_id", lambda stream: calls.append(stream) or real_last_id(stream)
    )
    monkeypatch.setattr(
        selectors,
        "question_list",
        lambda **kwargs: calls.append("question_list") or real_list(**kwargs),
    )

    client.get("/")

    assert calls == ["feed", "question_list"]


def test_the_list_says_which_new_questions_it_would_show(
    customer, client, django_capture_on_commit_callbacks
):
    network = CategoryFactory(slug="network")
    with django_capture_on_commit_callbacks(execute=True):
        services.ask_question(
            actor=customer,
            title="Roaming data does not work in Albania",
            body="The phone shows full bars but no data connection at all, since Monday.",
            tags=["Roaming"],
            category=network,
        )

    newest = client.get("/").content.decode()
    filtered = client.get("/?sort=unanswered&tag=roaming").content.decode()
    category = client.get("/categories/network/").content.decode()

    assert attribute(newest, 'id="question-results"', "data-live-stream") == "feed"
    assert attribute(newest, 'id="question-results"', "data-live-since") == "1"
    assert attribute(newest, 'id="question-results"', "data-live-tab") == "newest"
    assert attribute(newest, 'id="question-results"', "data-live-tag") == ""
    assert attribute(filtered, 'id="question-results"', "data-live-tab") == "unanswered"
    assert attribute(filtered, 'id="question-results"', "data-live-tag") == "roaming"
    assert attribute(category, 'id="question-results"', "data-live-category") == "network"
    notice = '<a class="button small live-notice" id="live-new-questions" href="{}" hidden>'
    assert notice.format("/") in newest
    # it leads to the first page of the same list
    assert notice.format("/?sort=unanswered&amp;tag=roaming") in filtered
    assert notice.format("/") in client.get("/?page=2").content.decode()


def test_without_javascript_the_live_parts_show_nothing(question, client):
    html = client.get(question.get_absolute_url()).content.decode()

    assert '<p class="presence muted small" id="live-presence"></p>' in html
    assert (
        '<button type="button" class="button small live-notice" id="live-new-answers" hidden>'
        "</button>" in html
    )
    assert '<p class="live-status" role="status" data-live-status></p>' in html


def test_a_tag_page_names_its_tag_for_the_live_filter(client):
    QuestionFactory(title="Which APN for MMS?", tags=["mms"], author=UserFactory())

    html = client.get("/tags/mms/").content.decode()

    assert attribute(html, 'id="question-results"', "data-live-tag") == "mms"


# The question's parts, for live updates (forum:question_fragment) ------------------------


def fragment(client, question):  # noqa: ANN001, ANN201
    return client.get(f"/q/{question.pk}/fragment/")


def test_the_question_fragment_holds_every_part_live_js_swaps(question, other_client):
    response = fragment(other_client, question)

    html = response.content.decode()
    assert response.status_code == 200
    for part in (
        'class="thread-head"',
        'id="thread-banners"',
        'id="question"',
        'class="card thread-facts"',
        'id="answer-form"',
    ):
        assert html.count(part) == 1, part
    assert "<html" not in html
    assert 'id="id_body"' in html


def test_the_question_fragment_shows_closing_and_the_refusal_to_answer(
    question, advocate, other_client
):
    services.close_question(actor=advocate, question=question, reason="off_topic", note="")

    html = fragment(other_client, question).content.decode()

    assert "Closed:" in html
    assert 'class="banner warn"' in html
    assert 'id="id_body"' not in html  # the answer box says why instead
    assert 'class="banner warn">' in html.split('id="answer-form"')[1]


def test_the_question_fragment_is_as_the_viewer_sees_it(question, customer_client, other_client):
    mine = fragment(customer_client, question).content.decode()
    theirs = fragment(other_client, question).content.decode()

    assert f"/q/{question.pk}/edit/" in mine
    assert f"/q/{question.pk}/edit/" not in theirs


def test_the_question_fragment_escapes_what_members_wrote(customer, client):
    question = QuestionFactory(author=customer, title='<img src=x onerror="alert(1)">')

    html = fragment(client, question).content.decode()

    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_the_question_fragment_of_a_question_one_may_not_see_is_404(
    question, advocate, client, customer_client
):
    services.delete_question(actor=advocate, question=question)
    lounge = QuestionFactory(category=CategoryFactory(is_private=True))

    assert fragment(client, question).status_code == 404
    assert fragment(customer_client, question).status_code == 200  # its author still sees it
    assert fragment(customer_client, lounge).status_code == 404
    assert client.get("/q/999999/fragment/").status_code == 404


def test_the_question_fragment_reads_a_fixed_handful_of_rows(
    question, customer, other_client, django_assert_max_num_queries
):
    for n in range(5):
        services.post_comment(actor=UserFactory(reputation=100), post=question, body=f"Note {n}")
    fragment(other_client, question)

    with django_assert_max_num_queries(8):
        assert fragment(other_client, question).status_code == 200


def test_the_question_page_names_its_fragment_url(question, client):
    html = client.get(question.get_absolute_url()).content.decode()

    assert 'data-live-question-url="/q/0/fragment/"' in html


# The JavaScript catalogue (live.jsi18n) --------------------------------------------


def test_pages_load_the_catalogue_at_its_versioned_url_in_their_language(question, client):
    version = jsi18n.catalogue_version()
    english = client.get(question.get_absolute_url()).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "it"
    italian = client.get(question.get_absolute_url()).content.decode()

    assert f'<script src="/jsi18n/?v={version}&amp;lang=en" defer>' in english
    assert f'<script src="/jsi18n/?v={version}&amp;lang=it" defer>' in italian


def test_the_versioned_catalogue_is_built_once_and_kept_for_a_year(client, monkeypatch):
    url = jsi18n.catalogue_url("it")
    built = []
    real = jsi18n.JavaScriptCatalog.as_view

    def counting_view(**kwargs):  # noqa: ANN003, ANN202
        view = real(**kwargs)
        return lambda request: built.append(1) or view(request)

    monkeypatch.setattr(jsi18n.JavaScriptCatalog, "as_view", counting_view)

    first, second = client.get(url), client.get(url)

    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert "Riconnessione" in first.content.decode()  # "Reconnecting…" in Italian
    assert first["Content-Type"] == "text/javascript; charset=utf-8"
    assert first["Cache-Control"] == "public, max-age=31536000, immutable"
    assert built == [1]


def test_the_catalogue_answers_a_matching_etag_with_304(client):
    url = jsi18n.catalogue_url("en")
    etag = client.get(url)["ETag"]

    response = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""


def test_the_plain_catalogue_follows_the_readers_language_and_is_revalidated(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "it"

    response = client.get("/jsi18n/")

    assert response.status_code == 200
    assert "Riconnessione" in response.content.decode()
    assert response["Cache-Control"] == "no-cache"
    assert "Cookie" in response["Vary"]


@pytest.mark.parametrize("lang", ["xx", "", "<script>", "it" * 100])
def test_an_unknown_language_gets_the_readers_one_and_is_not_kept(client, lang):
    response = client.get("/jsi18n/", {"v": jsi18n.catalogue_version(), "lang": lang})

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    assert response["ETag"].endswith('-en"')


def test_the_catalogue_refuses_writes(client):
    assert client.post("/jsi18n/").status_code == 405
