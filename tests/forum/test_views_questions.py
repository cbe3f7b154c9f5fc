"""The ask and question pages: every action for each role, with and without htmx.

Allowed paths assert the exact rows written; denied paths assert the status AND that
nothing changed. Voting and commenting on other people's posts are reputation privileges,
so those tests act as `helper` (reputation 1500).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forum import services
from forum.models import Answer, CloseReason, Comment, Question, Revision, Vote
from forum.search import update_search_vector
from forum.views.questions.edit import inline_diff
from tests.factories import (
    AnswerFactory,
    CategoryFactory,
    CommentFactory,
    QuestionFactory,
)
from tests.naughty import NAUGHTY_SAMPLE

HTMX = {"HTTP_HX_REQUEST": "true"}
BODY = "My SIM stopped working after the top-up, the phone says no service."
ANSWER = "Restart the phone and re-insert the SIM card."
XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
]


# The thread page's moderation buttons are advocacy's pages (advocacy.moderation.thread).
MODERATION_PAGES = {
    "close_question",
    "reopen_question",
    "lock_question",
    "unlock_question",
    "delete_question",
    "delete_answer",
    "delete_comment",
}


def url(name: str, *args: object) -> str:
    app = "moderation" if name in MODERATION_PAGES else "forum"
    return reverse(f"{app}:{name}", args=args)


def login_url(next_url: str) -> str:
    query = QueryDict(mutable=True)
    query["next"] = next_url
    return f"{reverse('account_login')}?{query.urlencode(safe='/')}"


def snapshot() -> tuple:
    """Everything the question views can change, to prove a refused request changed nothing."""
    return (
        list(Question.objects.order_by("pk").values()),
        list(Answer.objects.order_by("pk").values()),
        list(Comment.objects.order_by("pk").values()),
        list(Vote.objects.order_by("pk").values()),
        list(Revision.objects.order_by("pk").values()),
    )


@pytest.fixture
def answer(question, other_customer):
    """An answer by `other_customer` to `question`."""
    return AnswerFactory(question=question, author=other_customer, body=ANSWER)


# Ask ------------------------------------------------------------------------------------


def test_ask_page_sends_anonymous_visitors_to_log_in(db, client):
    response = client.get(url("ask"))

    assert response.status_code == 302
    assert response["Location"] == login_url("/ask/")


def test_ask_post_by_anonymous_creates_nothing(db, client):
    response = client.post(url("ask"), {"title": "A perfectly fine title", "body": BODY})

    assert response.status_code == 302
    assert Question.objects.count() == 0


def test_ask_page_wires_similar_questions_and_live_preview(customer_client):
    response = customer_client.get(url("ask"), {"title": "SIM not working"})

    assert response.status_code == 200
    html = response.content.decode()
    assert f'hx-get="{url("similar")}"' in html
    assert 'hx-trigger="input changed delay:400ms"' in html
    assert f'hx-post="{url("preview")}"' in html
    assert 'name="preview" value="1" class="button" formnovalidate' in html
    assert response.context["form"]["title"].value() == "SIM not working"


def test_ask_posts_the_question_and_redirects_to_it(customer, customer_client):
    category = CategoryFactory(name="Network", slug="network")

    response = customer_client.post(
        url("ask"),
        {
            "title": "  Why does my SIM say   no service?  ",
            "body": "**Bold** text that is long enough.",
            "tags": "SIM, Rete Mobile",
            "category": category.pk,
        },
    )

    question = Question.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/q/{question.pk}/"
    assert (question.author, question.title, question.category) == (
        customer,
        "Why does my SIM say no service?",
        category,
    )
    assert question.body_html == "<p><strong>Bold</strong> text that is long enough.</p>\n"
    assert sorted(question.tags.names()) == ["rete-mobile", "sim"]
    assert list(Revision.objects.values_list("question_id", "number")) == [(question.pk, 1)]


def test_ask_with_bad_input_shows_every_error_and_keeps_what_was_typed(customer_client):
    typed = {"title": "short", "body": "tiny", "tags": "a b c d e f", "category": "999"}

    response = customer_client.post(url("ask"), typed)

    assert response.status_code == 200
    form = response.context["form"]
    assert sorted(form.errors) == ["body", "category", "tags", "title"]
    assert form.errors["tags"] == ["Use at most 5 tags (you gave 6)."]
    assert {name: form[name].value() for name in typed} == typed
    assert Question.objects.count() == 0


def test_ask_with_empty_form_reports_required_fields(customer_client):
    response = customer_client.post(url("ask"), {})

    assert response.status_code == 200
    assert sorted(response.context["form"].errors) == ["body", "tags", "title"]
    assert Question.objects.count() == 0


@pytest.mark.parametrize(("length", "created"), [(150, True), (151, False)])
def test_ask_title_length_limit(customer_client, length, created):
    title = "Why " + "x" * (length - 4)

    response = customer_client.post(url("ask"), {"title": title, "body": BODY, "tags": "sim"})

    assert Question.objects.filter(title=title).exists() is created
    if not created:
        assert response.context["form"].errors["title"] == [
            "The title must be at most 150 characters long (it has 151)."
        ]


def test_ask_preview_button_rerenders_with_preview_and_similar_and_posts_nothing(
    customer_client, question
):
    update_search_vector()  # the factory bypasses the service that keeps it (PostgreSQL)
    typed = {"title": "How do I top up", "body": "Use *this*", "tags": "", "preview": "1"}

    response = customer_client.post(url("ask"), typed)

    assert response.status_code == 200
    assert response.context["preview"] == "<p>Use <em>this</em></p>\n"
    assert response.context["similar"] == [question]
    assert response.context["form"]["body"].value() == "Use *this*"
    assert "<p>Use <em>this</em></p>" in response.content.decode()
    assert Question.objects.count() == 1


@pytest.mark.usefixtures("fresh_rate_window")
def test_ask_rate_limited_answers_429_with_retry_after_and_keeps_input(customer_client, settings):
    settings.CIRCOLO_POST_RATE = "1/m"
    data = {"title": "Why does my SIM say no service?", "body": BODY, "tags": "sim"}
    customer_client.post(url("ask"), data)

    response = customer_client.post(url("ask"), {**data, "title": "And a second question?"})

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.context["form"]["title"].value() == "And a second question?"
    assert "too often" in response.context["form"].non_field_errors()[0]
    assert Question.objects.count() == 1


def test_similar_lists_matching_questions(client, question):
    QuestionFactory(
        title="Roaming charges in Spain look wrong", body="Spain roaming fees seem too high."
    )
    update_search_vector()

    response = client.get(url("similar"), {"title": "how do I top up"}, **HTMX)

    assert response.status_code == 200
    assert response.context["similar"] == [question]
    assert "Maybe your question already has an answer" in response.content.decode()
    assert f'href="/q/{question.pk}/"' in response.content.decode()


def test_similar_with_a_short_title_is_empty(client, question):
    response = client.get(url("similar"), {"title": "ho"})

    assert response.status_code == 200
    assert response.content.decode().strip() == ""


def test_preview_renders_markdown_with_the_server_renderer(customer_client):
    response = customer_client.post(url("preview"), {"body": "# Hi\n\n`code`"}, **HTMX)

    assert response.status_code == 200
    assert response.context["preview"] == "<h1>Hi</h1>\n<p><code>code</code></p>\n"


@pytest.mark.parametrize("payload", XSS)
def test_preview_never_returns_active_content(customer_client, payload):
    response = customer_client.post(url("preview"), {"body": payload}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<script" not in html
    assert "onerror" not in html.replace("onerror=alert(1)&gt;", "")
    assert "<img" not in html
    assert 'href="javascript' not in html


def test_preview_is_capped_in_length(customer_client):
    response = customer_client.post(url("preview"), {"body": "a" * 30_001}, **HTMX)

    assert response.context["preview"] == f"<p>{'a' * 30_000}</p>\n"
    assert response.context["preview_truncated"] is True


def test_preview_refuses_anonymous_visitors(client):
    response = client.post(url("preview"), {"body": "hello"}, **HTMX)

    assert response.status_code == 403
    assert response.content.decode() == (
        '<p class="inline-alert" role="alert">Log in to preview your text.</p>'
    )


@pytest.mark.usefixtures("fresh_rate_window")
def test_preview_is_rate_limited(customer_client, monkeypatch):
    monkeypatch.setattr("forum.views.questions.ask.PREVIEW_RATE", "2/m")
    for _ in range(2):
        assert customer_client.post(url("preview"), {"body": "x"}, **HTMX).status_code == 200

    response = customer_client.post(url("preview"), {"body": "x"}, **HTMX)

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60


# Question page ----------------------------------------------------------------------------


def test_question_page_shows_thread_accepted_first_then_by_score(client, question, helper):
    low = AnswerFactory(question=question, body="The low scored answer here.", score=1)
    high = AnswerFactory(question=question, body="The high scored answer here.", score=5)
    accepted = AnswerFactory(question=question, author=helper, body="The accepted one.")
    Question.objects.filter(pk=question.pk).update(accepted_answer=accepted)
    CommentFactory(question=question, body="Which phone model is it?")

    response = client.get(url("question_detail", question.pk))

    assert response.status_code == 200
    assert [a.pk for a in response.context["answers"]] == [accepted.pk, high.pk, low.pk]
    html = response.content.decode()
    assert f'<h1 id="question-title">{question.title}</h1>' in html
    assert "Which phone model is it?" in html
    assert 'aria-label="Accepted answer"' in html
    assert f'href="#answer-{accepted.pk}"' in html
    assert "to answer this question." in html  # the login prompt, not the form
    assert 'name="body"' not in html.split('id="answer-form"')[1]


def test_question_page_counts_views_once_per_viewer_and_never_the_author(
    client, customer_client, other_client, question
):
    client.get(url("question_detail", question.pk))
    client.get(url("question_detail", question.pk))
    other_client.get(url("question_detail", question.pk))
    customer_client.get(url("question_detail", question.pk))

    question.refresh_from_db()
    assert question.view_count == 2


def test_question_page_of_unknown_question_is_404(db, client):
    assert client.get(url("question_detail", 999)).status_code == 404


def test_deleted_question_is_visible_to_author_and_staff_only(
    client, customer_client, other_client, staff_client, customer, question
):
    services.delete_question(actor=customer, question=question)

    assert client.get(url("question_detail", question.pk)).status_code == 404
    assert other_client.get(url("question_detail", question.pk)).status_code == 404
    for viewer in (customer_client, staff_client):
        response = viewer.get(url("question_detail", question.pk))
        assert response.status_code == 200
        assert "This question was deleted" in response.content.decode()


def test_closed_duplicate_shows_reason_and_link_and_no_answer_form(helper_client, staff, question):
    original = QuestionFactory(title="The original question about top ups")
    services.close_question(
        actor=staff,
        question=question,
        reason=CloseReason.DUPLICATE,
        duplicate_of=original,
        note="Asked before",
    )

    response = helper_client.get(url("question_detail", question.pk))

    html = response.content.decode()
    assert "Closed: Duplicate" in html
    assert f'<a href="/q/{original.pk}/">The original question about top ups</a>' in html
    assert "Asked before" in html
    assert response.context["answer_refusal"] == (
        "This question is closed and no longer accepts answers."
    )
    assert f'action="/q/{question.pk}/answer/"' not in html


def test_locked_question_shows_banner(client, staff, question):
    services.set_question_lock(actor=staff, question=question, locked=True)

    response = client.get(url("question_detail", question.pk))

    assert "no new answers, comments, votes or edits" in response.content.decode()


def test_action_links_follow_permissions(
    client, customer_client, other_client, staff_client, question
):
    def links(c: Client) -> set[str]:
        html = c.get(url("question_detail", question.pk)).content.decode()
        names = ["edit_question", "delete_question", "close_question", "lock_question"]
        return {name for name in names if f'href="{url(name, question.pk)}"' in html}

    assert links(client) == set()
    assert links(other_client) == set()
    assert links(customer_client) == {"edit_question", "delete_question"}
    assert links(staff_client) == {
        "edit_question",
        "delete_question",
        "close_question",
        "lock_question",
    }


def test_vote_box_shows_my_vote_as_pressed(helper, helper_client, question):
    services.cast_vote(actor=helper, post=question, value=1)

    response = helper_client.get(url("question_detail", question.pk))

    box = response.content.decode().split(f'id="vote-question-{question.pk}"')[1]
    box = box.split("</form>")[0]
    assert 'name="value" value="0" class="vote-button vote-up" aria-pressed="true"' in box
    assert 'name="value" value="-1" class="vote-button vote-down" aria-pressed="false"' in box


def test_edited_post_links_to_its_revisions_with_the_editor(client, customer, staff, question):
    services.edit_question(
        actor=staff,
        question=question,
        title=question.title,
        body=BODY,
        tags=["sim"],
        category=None,
        summary="typo",
    )

    html = client.get(url("question_detail", question.pk)).content.decode()

    assert f'href="{url("question_revisions", question.pk)}">edited now by Sofia (Support)' in html


# Votes ------------------------------------------------------------------------------------


def test_vote_up_then_press_again_to_withdraw(helper, helper_client, question):
    response = helper_client.post(url("vote_question", question.pk), {"value": "1"})

    assert response.status_code == 302
    assert response["Location"] == f"/q/{question.pk}/#question"
    assert list(Vote.objects.values_list("voter", "question", "value")) == [
        (helper.pk, question.pk, 1)
    ]
    assert Question.objects.get().score == 1

    helper_client.post(url("vote_question", question.pk), {"value": "0"})

    assert Vote.objects.count() == 0
    assert Question.objects.get().score == 0


def test_htmx_vote_returns_the_updated_vote_box(helper, helper_client, answer):
    response = helper_client.post(url("vote_answer", answer.pk), {"value": "-1"}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count(f'id="vote-answer-{answer.pk}"') == 1
    assert '<span class="score" title="Score">-1<' in html
    assert 'value="0" class="vote-button vote-down" aria-pressed="true"' in html
    assert list(Vote.objects.values_list("answer", "value")) == [(answer.pk, -1)]


def test_voting_on_own_post_is_refused_and_changes_nothing(customer_client, question):
    before = snapshot()

    page = customer_client.post(url("vote_question", question.pk), {"value": "1"})
    fragment = customer_client.post(url("vote_question", question.pk), {"value": "1"}, **HTMX)

    assert page.status_code == 403
    assert "You cannot vote on your own post." in page.content.decode()
    assert fragment.status_code == 403
    assert fragment["X-Circolo-Swap"] == "1"
    assert '<p class="inline-alert" role="alert">You cannot vote on your own post.</p>' in (
        fragment.content.decode()
    )
    assert snapshot() == before


def test_anonymous_vote_goes_to_login_and_changes_nothing(client, question):
    before = snapshot()

    page = client.post(url("vote_question", question.pk), {"value": "1"})
    fragment = client.post(url("vote_question", question.pk), {"value": "1"}, **HTMX)

    assert page.status_code == 302
    assert page["Location"] == login_url(f"/q/{question.pk}/#question")
    assert fragment["HX-Redirect"] == login_url(f"/q/{question.pk}/#question")
    assert snapshot() == before


@pytest.mark.parametrize("value", ["2", "", "up", "1.0"])
def test_vote_with_bad_value_is_400_and_changes_nothing(helper_client, question, value):
    before = snapshot()

    response = helper_client.post(url("vote_question", question.pk), {"value": value})

    assert response.status_code == 400
    assert snapshot() == before


def test_vote_on_deleted_answer_is_404_for_others(helper_client, other_customer, question):
    gone = AnswerFactory(question=question, author=other_customer)
    services.delete_answer(actor=other_customer, answer=gone)
    before = snapshot()

    response = helper_client.post(url("vote_answer", gone.pk), {"value": "1"})

    assert response.status_code == 404
    assert snapshot() == before


def test_vote_requires_post(helper_client, question):
    assert helper_client.get(url("vote_question", question.pk)).status_code == 405


# Accept -----------------------------------------------------------------------------------


def test_asker_accepts_an_answer(customer_client, question, answer):
    response = customer_client.post(url("accept_answer", answer.pk))

    assert response.status_code == 302
    assert response["Location"] == f"/q/{question.pk}/#answer-{answer.pk}"
    assert Question.objects.get().accepted_answer_id == answer.pk


def test_htmx_accept_rerenders_the_answer_and_the_one_it_replaced(customer_client, question):
    first = AnswerFactory(question=question, body="The first answer given.")
    second = AnswerFactory(question=question, body="The second answer given.")
    customer_client.post(url("accept_answer", first.pk))

    response = customer_client.post(url("accept_answer", second.pk), **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert f'class="post answer-post accepted" id="answer-{second.pk}">' in html
    assert f'class="post answer-post" id="answer-{first.pk}" hx-swap-oob="outerHTML">' in html
    assert Question.objects.get().accepted_answer_id == second.pk


def test_asker_unaccepts(customer, customer_client, question, answer):
    services.accept_answer(actor=customer, answer=answer)

    response = customer_client.post(url("unaccept_answer", answer.pk))

    assert response.status_code == 302
    assert Question.objects.get().accepted_answer_id is None


def test_others_cannot_accept(client, helper_client, other_client, answer):
    before = snapshot()

    assert other_client.post(url("accept_answer", answer.pk)).status_code == 403
    assert helper_client.post(url("accept_answer", answer.pk), **HTMX).status_code == 403
    assert client.post(url("accept_answer", answer.pk)).status_code == 302
    assert snapshot() == before


def test_accept_button_only_for_the_asker(customer_client, helper_client, question, answer):
    accept = f'action="{url("accept_answer", answer.pk)}"'

    assert accept in customer_client.get(url("question_detail", question.pk)).content.decode()
    assert accept not in helper_client.get(url("question_detail", question.pk)).content.decode()


# Answers ----------------------------------------------------------------------------------


def test_post_answer_redirects_to_its_anchor(helper, helper_client, question):
    response = helper_client.post(url("post_answer", question.pk), {"body": ANSWER})

    answer = Answer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/q/{question.pk}/#answer-{answer.pk}"
    assert (answer.author, answer.body, answer.question) == (helper, ANSWER, question)
    assert Question.objects.get().answer_count == 1


def test_htmx_post_answer_returns_fresh_form_and_appends_the_answer(helper_client, question):
    response = helper_client.post(url("post_answer", question.pk), {"body": ANSWER}, **HTMX)

    answer = Answer.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('\n<section id="answer-form"')
    assert '<div hx-swap-oob="beforeend:#answer-list">' in html
    assert f'id="answer-{answer.pk}"' in html
    assert '<h2 id="answers-heading" hx-swap-oob="true">1 answer</h2>' in html
    facts = html[
        html.index('<div class="card thread-facts" hx-swap-oob="outerHTML:.thread-facts">') :
    ]
    assert '<dd id="fact-answers">1</dd>' in facts
    assert "<dd>Answered</dd>" in facts
    assert f"{ANSWER}</textarea>" not in html


def test_invalid_answer_keeps_the_text_with_and_without_htmx(helper_client, question):
    page = helper_client.post(url("post_answer", question.pk), {"body": "too short"})
    fragment = helper_client.post(url("post_answer", question.pk), {"body": "too short"}, **HTMX)

    assert page.status_code == 200
    assert page.context["answer_form"].errors["body"] == [
        "The text must be at least 10 characters long."
    ]
    assert "too short</textarea>" in page.content.decode()
    assert fragment.status_code == 200
    assert "too short</textarea>" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    assert Answer.objects.count() == 0


def test_answer_on_closed_question_is_refused(helper_client, staff, question):
    services.close_question(actor=staff, question=question, reason=CloseReason.OFF_TOPIC)
    before = snapshot()

    page = helper_client.post(url("post_answer", question.pk), {"body": ANSWER})
    fragment = helper_client.post(url("post_answer", question.pk), {"body": ANSWER}, **HTMX)

    assert page.status_code == 403
    assert "This question is closed and no longer accepts answers." in page.content.decode()
    assert fragment.status_code == 403
    assert f"{ANSWER}</textarea>" in fragment.content.decode()  # kept for copying
    assert snapshot() == before


def test_anonymous_answer_goes_to_login(client, question):
    response = client.post(url("post_answer", question.pk), {"body": ANSWER})

    assert response["Location"] == login_url(f"/q/{question.pk}/")
    assert Answer.objects.count() == 0


@pytest.mark.usefixtures("fresh_rate_window")
def test_answer_rate_limited_is_429_with_retry_after(helper_client, question, settings):
    settings.CIRCOLO_POST_RATE = "1/m"
    helper_client.post(url("post_answer", question.pk), {"body": ANSWER})

    response = helper_client.post(url("post_answer", question.pk), {"body": ANSWER + "!"})

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert Answer.objects.count() == 1


# Comments ---------------------------------------------------------------------------------


def test_comment_on_own_question(customer, customer_client, question):
    response = customer_client.post(
        url("comment_question", question.pk), {"body": "It is a Pixel 7."}
    )

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/q/{question.pk}/#comment-{comment.pk}"
    assert (comment.author, comment.question, comment.body) == (
        customer,
        question,
        "It is a Pixel 7.",
    )
    assert Question.objects.get().comment_count == 1


def test_htmx_comment_on_answer_returns_the_comments_block(helper_client, answer):
    response = helper_client.post(
        url("comment_answer", answer.pk), {"body": "Did that work for you?"}, **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count(f'id="comments-answer-{answer.pk}"') == 1
    assert "<p>Did that work for you?</p>" in html
    assert '<details class="comment-add">' in html  # closed again, empty form
    assert list(Comment.objects.values_list("answer", "body")) == [
        (answer.pk, "Did that work for you?")
    ]


def test_invalid_comment_keeps_text_and_opens_the_form(helper_client, question):
    page = helper_client.post(url("comment_question", question.pk), {"body": "hm"})
    fragment = helper_client.post(url("comment_question", question.pk), {"body": "hm"}, **HTMX)

    for response in (page, fragment):
        html = response.content.decode()
        assert response.status_code == 200
        assert '<details class="comment-add" open>' in html
        assert ">hm</textarea>" in html
        assert "The comment must be at least 5 characters long." in html
    assert Comment.objects.count() == 0


def test_comment_on_locked_question_is_refused(helper_client, staff, question):
    services.set_question_lock(actor=staff, question=question, locked=True)
    before = snapshot()

    page = helper_client.post(url("comment_question", question.pk), {"body": "Any news?"})
    fragment = helper_client.post(
        url("comment_question", question.pk), {"body": "Any news?"}, **HTMX
    )

    assert page.status_code == 403
    assert "This question is locked." in page.content.decode()
    assert fragment.status_code == 403
    assert fragment["X-Circolo-Swap"] == "1"
    assert "This question is locked." in fragment.content.decode()
    assert snapshot() == before


def test_anonymous_comment_goes_to_login(client, question):
    response = client.post(url("comment_question", question.pk), {"body": "Any news?"}, **HTMX)

    assert response["HX-Redirect"] == login_url(f"/q/{question.pk}/#question")
    assert Comment.objects.count() == 0


# Editing and revisions ----------------------------------------------------------------------


def test_edit_question_form_is_prefilled(customer_client, question):
    response = customer_client.get(url("edit_question", question.pk))

    form = response.context["form"]
    assert response.status_code == 200
    assert (form["title"].value(), form["body"].value(), form["tags"].value()) == (
        question.title,
        question.body,
        "ricarica, sim",
    )
    assert "hx-get" not in str(form["title"])


def test_author_edits_question_with_summary(customer, customer_client, question):
    response = customer_client.post(
        url("edit_question", question.pk),
        {
            "title": "How do I top up my SIM from abroad?",
            "body": BODY,
            "tags": "sim roaming",
            "summary": "clearer title",
        },
    )

    question.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == f"/q/{question.pk}/#question"
    assert (question.title, question.body) == ("How do I top up my SIM from abroad?", BODY)
    assert sorted(question.tags.names()) == ["roaming", "sim"]
    revision = Revision.objects.get()
    assert (revision.number, revision.author, revision.summary) == (1, customer, "clearer title")


def test_staff_edits_any_answer(staff, staff_client, answer):
    response = staff_client.post(
        url("edit_answer", answer.pk), {"body": ANSWER + " Then wait.", "summary": "more"}
    )

    answer.refresh_from_db()
    assert response.status_code == 302
    assert answer.body == ANSWER + " Then wait."
    assert list(Revision.objects.values_list("number", "author", "summary")) == [
        (1, staff.pk, "more")
    ]


def test_others_cannot_edit(client, other_client, customer_client, question, answer):
    before = snapshot()

    assert other_client.get(url("edit_question", question.pk)).status_code == 403
    response = other_client.post(
        url("edit_question", question.pk),
        {"title": "Hijacked title here", "body": BODY, "tags": "sim"},
    )
    assert response.status_code == 403
    assert "reputation to edit other people" in response.content.decode()
    assert (
        customer_client.post(url("edit_answer", answer.pk), {"body": "x" * 20}).status_code == 403
    )
    assert client.get(url("edit_answer", answer.pk))["Location"] == login_url(
        f"/a/{answer.pk}/edit/"
    )
    assert snapshot() == before


def test_invalid_edit_keeps_input(customer_client, question):
    response = customer_client.post(
        url("edit_question", question.pk),
        {"title": "", "body": "new body text that is long", "tags": "sim", "summary": "s"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["title"] == ["This field is required."]
    assert response.context["form"]["body"].value() == "new body text that is long"
    assert Question.objects.get().body == question.body


def test_edit_answer_preview(other_client, answer):
    response = other_client.post(
        url("edit_answer", answer.pk), {"body": "**new**", "summary": "", "preview": "1"}
    )

    assert response.context["preview"] == "<p><strong>new</strong></p>\n"
    assert Answer.objects.get().body == ANSWER


def test_revisions_page_shows_each_revision_with_an_inline_diff(client, customer, helper, question):
    services.edit_question(
        actor=customer, question=question, title=question.title, body="First <b> text here.",
        tags=["sim"], category=None,
    )  # fmt: skip
    services.edit_question(
        actor=customer, question=question, title=question.title, body="Second <b> text here.",
        tags=["sim", "roaming"], category=None, summary="more detail",
    )  # fmt: skip

    response = client.get(url("question_revisions", question.pk))

    html = response.content.decode()
    revisions = response.context["revisions"]
    assert [r.revision.number for r in revisions] == [2, 1]
    assert str(revisions[0].body) == "<del>First</del><ins>Second</ins> &lt;b&gt; text here."
    assert str(revisions[0].tags) == "sim<ins> roaming</ins>"
    assert "“more detail”" in html
    assert "<b>" not in html


def test_revisions_of_deleted_question_are_hidden_from_others(client, customer, question):
    services.delete_question(actor=customer, question=question)

    assert client.get(url("question_revisions", question.pk)).status_code == 404


def test_inline_diff_escapes_and_marks_words():
    assert inline_diff("a <x> b\nsame\n", "a <y> b\nsame\nnew\n") == (
        "a &lt;<del>x</del><ins>y</ins>&gt; b\nsame\n<ins>new\n</ins>"
    )


# Close, reopen, lock, delete -------------------------------------------------------------------


def test_staff_closes_as_duplicate_by_url(staff, staff_client, question):
    original = QuestionFactory()

    response = staff_client.post(
        url("close_question", question.pk),
        {"reason": "duplicate", "duplicate_of": f"https://circolo.example/q/{original.pk}/x"},
    )

    question.refresh_from_db()
    assert response.status_code == 302
    assert (question.close_reason, question.duplicate_of, question.closed_by) == (
        "duplicate",
        original,
        staff,
    )


def test_close_duplicate_without_target_is_a_form_error(staff_client, question):
    response = staff_client.post(url("close_question", question.pk), {"reason": "duplicate"})

    assert response.status_code == 200
    assert response.context["form"].errors["duplicate_of"] == [
        "Say which question this one duplicates."
    ]
    assert Question.objects.get().closed_at is None


def test_close_duplicate_of_itself_shows_the_service_error(staff_client, question):
    response = staff_client.post(
        url("close_question", question.pk),
        {"reason": "duplicate", "duplicate_of": str(question.pk)},
    )

    assert response.context["form"].errors["duplicate_of"] == [
        "A question cannot duplicate itself."
    ]
    assert Question.objects.get().closed_at is None


def test_members_cannot_close_reopen_or_lock(client, customer_client, staff, question):
    before = snapshot()

    assert customer_client.get(url("close_question", question.pk)).status_code == 403
    assert (
        customer_client.post(url("close_question", question.pk), {"reason": "other"}).status_code
        == 403
    )
    assert customer_client.post(url("lock_question", question.pk)).status_code == 403
    assert client.post(url("lock_question", question.pk)).status_code == 302
    assert snapshot() == before
    services.close_question(actor=staff, question=question, reason=CloseReason.OTHER)
    before = snapshot()
    assert customer_client.post(url("reopen_question", question.pk)).status_code == 403
    assert snapshot() == before


def test_staff_reopens_after_confirming(staff_client, staff, question):
    services.close_question(actor=staff, question=question, reason=CloseReason.OTHER)

    confirm = staff_client.get(url("reopen_question", question.pk))
    assert confirm.status_code == 200
    assert Question.objects.get().closed_at is not None
    response = staff_client.post(url("reopen_question", question.pk))

    assert response["Location"] == f"/q/{question.pk}/#question"
    assert Question.objects.get().closed_at is None


def test_staff_locks_and_unlocks(staff_client, question):
    staff_client.post(url("lock_question", question.pk))
    assert Question.objects.get().locked_at is not None

    staff_client.post(url("unlock_question", question.pk))
    assert Question.objects.get().locked_at is None


def test_author_deletes_question_after_confirming(customer_client, question):
    confirm = customer_client.get(url("delete_question", question.pk))
    assert confirm.status_code == 200
    assert "Delete this question?" in confirm.content.decode()
    assert Question.objects.get().deleted_at is None

    response = customer_client.post(url("delete_question", question.pk))

    assert response["Location"] == f"/q/{question.pk}/#question"
    assert Question.objects.get().deleted_at is not None


def test_author_deletes_answer(other_client, question, answer):
    other_client.post(url("delete_answer", answer.pk))

    assert Answer.objects.get().deleted_at is not None
    assert Question.objects.get().answer_count == 0


def test_others_cannot_delete(client, other_client, helper_client, question, answer):
    comment = CommentFactory(question=question, author=question.author)
    before = snapshot()

    assert other_client.get(url("delete_question", question.pk)).status_code == 403
    assert other_client.post(url("delete_question", question.pk)).status_code == 403
    assert helper_client.post(url("delete_answer", answer.pk)).status_code == 403
    assert helper_client.post(url("delete_comment", comment.pk)).status_code == 403
    assert client.post(url("delete_comment", comment.pk)).status_code == 302
    assert snapshot() == before


def test_author_deletes_comment(customer_client, customer, question):
    comment = services.post_comment(actor=customer, post=question, body="A comment of mine.")

    response = customer_client.post(url("delete_comment", comment.pk))

    assert response["Location"] == f"/q/{question.pk}/#comments-question-{question.pk}"
    assert Comment.objects.get().deleted_at is not None
    assert Question.objects.get().comment_count == 0


# Security ------------------------------------------------------------------------------------


def test_csrf_is_enforced_on_every_action(helper, customer, question, answer):
    comment = CommentFactory(question=question, author=helper)
    posts = [
        (url("ask"), {"title": "A perfectly fine title", "body": BODY, "tags": "sim"}),
        (url("preview"), {"body": "x"}),
        (url("post_answer", question.pk), {"body": ANSWER}),
        (url("comment_question", question.pk), {"body": "A fine comment"}),
        (url("comment_answer", answer.pk), {"body": "A fine comment"}),
        (url("vote_question", question.pk), {"value": "1"}),
        (url("vote_answer", answer.pk), {"value": "1"}),
        (url("accept_answer", answer.pk), {}),
        (url("edit_answer", answer.pk), {"body": ANSWER + " more", "summary": ""}),
        (url("delete_answer", answer.pk), {}),
        (url("delete_comment", comment.pk), {}),
    ]
    before = snapshot()
    for user in (helper, customer):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        for path, data in posts:
            assert client.post(path, data).status_code == 403, path
            assert client.post(path, data, **HTMX).status_code == 403, path
    assert snapshot() == before


@pytest.mark.parametrize("payload", XSS)
def test_xss_payloads_are_inert_on_the_question_page(customer, helper, client, payload):
    question = services.ask_question(
        actor=customer, title=f"Title {payload}", body=f"Body {payload}", tags=["sim"]
    )
    answer = services.post_answer(actor=helper, question=question, body=f"Answer {payload}")
    services.post_comment(actor=helper, post=answer, body=f"Comment {payload}")

    html = client.get(url("question_detail", question.pk)).content.decode()

    body = html.split('<main id="main"')[1]
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert 'href="javascript:' not in html
    assert "onerror=alert(1)>" not in body
    assert body.count("Title ") >= 1


@pytest.mark.parametrize("payload", XSS)
def test_xss_payloads_are_escaped_in_the_ask_form_and_similar_list(
    customer_client, question, payload
):
    form = customer_client.post(url("ask"), {"title": payload, "body": payload, "preview": "1"})
    similar = customer_client.get(url("similar"), {"title": f"top up {payload}"})

    for html in (form.content.decode(), similar.content.decode()):
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert 'href="javascript:' not in html


def test_naughty_strings_through_ask_never_500_and_keep_input(customer_client, settings):
    settings.CIRCOLO_POST_RATE = "100000/m"
    for naughty in NAUGHTY_SAMPLE:
        title = f"Naughty {naughty}"[:150]
        response = customer_client.post(
            url("ask"), {"title": title, "body": f"Body text: {naughty}", "tags": "sim"}
        )
        assert response.status_code in (200, 302), naughty
        if response.status_code == 200:
            assert response.context["form"]["title"].value() == title.replace("\x00", "")


def test_naughty_strings_through_comments_never_500(helper_client, question, settings):
    settings.CIRCOLO_POST_RATE = "100000/m"
    for naughty in NAUGHTY_SAMPLE:
        body = f"Note {naughty}"[:600]
        response = helper_client.post(url("comment_question", question.pk), {"body": body})
        assert response.status_code in (200, 302), naughty
        if response.status_code == 200:
            assert response.context["comment_form"]["body"].value() == body
    page = helper_client.get(url("question_detail", question.pk))
    assert page.status_code == 200
    assert len(page.context["thread"].comments) == Comment.objects.count() > 150
    # The htmx path re-renders the post's whole comment list: a fresh post keeps it short.
    answer = AnswerFactory(question=question)
    for naughty in NAUGHTY_SAMPLE[::3]:
        response = helper_client.post(
            url("comment_answer", answer.pk), {"body": f"Note {naughty}"}, **HTMX
        )
        assert response.status_code == 200, naughty


# Query budget --------------------------------------------------------------------------------


def _thread_with(answers: int, voter) -> Question:  # noqa: ANN001
    question = QuestionFactory(tags=["sim", "roaming"])
    CommentFactory(question=question)
    for _ in range(answers):
        answer = AnswerFactory(question=question)
        CommentFactory(question=None, answer=answer)
        CommentFactory(question=None, answer=answer)
        Vote.objects.create(voter=voter, answer=answer, value=1)
    Vote.objects.create(voter=voter, question=question, value=1)
    return question


def _count_queries(c: Client, question: Question) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = c.get(url("question_detail", question.pk))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["anonymous", "helper"])
def test_question_page_query_count_does_not_grow_with_answers(who, helper, client):
    small, large, warmup = (
        _thread_with(5, helper),
        _thread_with(30, helper),
        _thread_with(1, helper),
    )
    if who == "helper":
        client.force_login(helper)
    _count_queries(client, warmup)  # caches (privilege thresholds) filled

    queries_small = _count_queries(client, small)
    queries_large = _count_queries(client, large)

    assert queries_small == queries_large
    # + the member's follow state; + the related questions (forum/related.py: one query
    # here, where snapshots are off; none on a warm page, test_related.py).
    assert queries_small <= (14 if who == "helper" else 12)


# Fragments for live inserts ------------------------------------------------------------------


def test_answer_fragment_is_rendered_for_the_viewer(customer_client, helper_client, answer):
    asker = customer_client.get(url("answer_fragment", answer.pk)).content.decode()
    helper = helper_client.get(url("answer_fragment", answer.pk)).content.decode()

    assert asker.strip().startswith(f'<div class="post answer-post" id="answer-{answer.pk}">')
    assert f'action="{url("accept_answer", answer.pk)}"' in asker
    assert f'action="{url("accept_answer", answer.pk)}"' not in helper
    assert "<html" not in asker


def test_answer_fragment_hides_deleted_answers_from_others(client, other_customer, answer):
    services.delete_answer(actor=other_customer, answer=answer)

    assert client.get(url("answer_fragment", answer.pk)).status_code == 404


def test_comments_fragment_lists_the_posts_comments(client, question, answer):
    CommentFactory(question=None, answer=answer, body="Only on the answer.")
    CommentFactory(question=question, body="Only on the question.")

    html = client.get(url("answer_comments", answer.pk)).content.decode()

    assert f'id="comments-answer-{answer.pk}"' in html
    assert "Only on the answer." in html
    assert "Only on the question." not in html
    assert (
        "Only on the question."
        in client.get(url("question_comments", question.pk)).content.decode()
    )
