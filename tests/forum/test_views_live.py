"""What the pages give static/js/live.js: each stream's last event id, read before the
page's data, and the filters a list applies (the browser side is tests/browser/test_live.py)."""

from __future__ import annotations

import re

import pytest

from forum import selectors, services
from forum.live.backlog import last_id
from forum.views import lists
from forum.views.questions import detail
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
