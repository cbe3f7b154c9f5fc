"""The HTML forms: the same normalisation and messages as the services, exact values."""

from __future__ import annotations

import pytest
from django.utils import translation

from forum import services
from forum.forms import (
    AnswerForm,
    CloseForm,
    CommentForm,
    EditAnswerForm,
    EditQuestionForm,
    QuestionForm,
    VoteForm,
)
from tests.factories import CategoryFactory, QuestionFactory

BODY = "My SIM stopped working after the top-up, the phone says no service."


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English; an earlier request may have left Italian active."""
    with translation.override("en"):
        yield


def test_question_form_normalises_like_the_service(db):
    category = CategoryFactory(name="Network", slug="network")
    form = QuestionForm(
        {
            "title": "  Why   does my SIM\u200b say no service? ",
            "body": "\r\nLine one of the body text\r\nline two\r\n",
            "tags": "SIM  Rete-Mobile sim",
            "category": str(category.pk),
        }
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "title": "Why does my SIM say no service?",
        "body": "Line one of the body text\nline two",
        "tags": ["sim", "rete-mobile"],
        "category": category,
    }


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ("sim", ["sim"]),
        ("sim, ricarica", ["sim", "ricarica"]),
        ("sim ricarica roaming", ["sim", "ricarica", "roaming"]),
        ("Fatturazione Mensile, sim", ["fatturazione-mensile", "sim"]),
        ("a, b, c, d, e", ["a", "b", "c", "d", "e"]),
    ],
)
def test_tags_accept_commas_or_spaces(db, tags, expected):
    form = QuestionForm({"title": "A fine title here", "body": BODY, "tags": tags})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["tags"] == expected


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ("", "This field is required."),
        (" , ,", "Add at least one tag."),
        ("a b c d e f", "Use at most 5 tags (you gave 6)."),
        ("x" * 36, "The tag “xxxxxxxxxxxxxxxxxxxx…” is longer than 35 characters."),
    ],
)
def test_bad_tags_are_reported(db, tags, message):
    form = QuestionForm({"title": "A fine title here", "body": BODY, "tags": tags})

    assert not form.is_valid()
    assert form.errors["tags"] == [message]


def test_question_form_reports_every_field_at_once(db):
    form = QuestionForm({"title": "short", "body": "tiny", "tags": "", "category": "12345"})

    assert not form.is_valid()
    assert form.errors == {
        "title": ["The title must be at least 10 characters long."],
        "body": ["The text must be at least 20 characters long."],
        "tags": ["This field is required."],
        "category": ["Select a valid choice. That choice is not one of the available choices."],
    }


def test_question_form_widgets_carry_limits_and_htmx_hooks(db):
    html = str(QuestionForm()["title"])

    assert 'maxlength="150"' in html
    assert 'hx-get="/ask/similar/"' in html
    assert 'hx-target="next .similar"' in html
    assert 'hx-post="/preview/"' in str(QuestionForm()["body"])
    # inside the htmx answer form the textarea would inherit the form's outerHTML swap
    assert 'hx-swap="innerHTML"' in str(AnswerForm()["body"])
    assert 'maxlength="30000"' in str(QuestionForm()["body"])


def test_categories_are_labelled_in_the_page_language(db):
    CategoryFactory(name="Billing", name_it="Fatturazione", slug="billing")
    CategoryFactory(name="Network", name_it="", slug="network")

    with translation.override("it"):
        labels = [label for _value, label in QuestionForm().fields["category"].choices]

    assert labels == ["No category", "Fatturazione", "Network"]


def test_edit_question_form_starts_from_the_question_and_drops_similar_lookups(db):
    category = CategoryFactory(slug="devices")
    question = QuestionFactory(title="My phone will not charge", category=category)
    question.tags.set(["phone", "battery"])

    initial = EditQuestionForm.initial_for(question)
    form = EditQuestionForm(initial=initial)

    assert initial == {
        "title": "My phone will not charge",
        "body": question.body,
        "tags": "battery, phone",
        "category": category.pk,
    }
    assert "hx-get" not in str(form["title"])
    assert "hx-get" in str(QuestionForm()["title"])  # the class attribute was not touched


def test_edit_summary_is_optional_and_capped(db):
    data = {"title": "A fine title here", "body": BODY, "tags": "sim"}

    assert EditQuestionForm(data).is_valid()
    too_long = EditQuestionForm({**data, "summary": "s" * 201})
    assert too_long.errors["summary"] == [
        "Ensure this value has at most 200 characters (it has 201)."
    ]
    assert EditAnswerForm({"body": "Long enough answer.", "summary": "s" * 200}).is_valid()


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("Restart it", None),
        ("Restart", "The text must be at least 10 characters long."),
        ("x" * 30_000, None),
        ("x" * 30_001, "The text must be at most 30000 characters long (it has 30001)."),
    ],
)
def test_answer_form_limits(body, error):
    form = AnswerForm({"body": body})

    assert form.is_valid() is (error is None)
    if error:
        assert form.errors["body"] == [error]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("Which one?", None),
        ("Why?", "The comment must be at least 5 characters long."),
        ("\u200b\u200b\u200b\u200b\u200b\u200b", "The comment must be at least 5 characters long."),
        ("c" * 600, None),
        ("c" * 601, "The comment must be at most 600 characters long (it has 601)."),
    ],
)
def test_comment_form_limits(body, error):
    form = CommentForm({"body": body})

    assert form.is_valid() is (error is None)
    if error:
        assert form.errors["body"] == [error]


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("-1", -1), ("0", 0)])
def test_vote_form_accepts_up_down_and_withdraw(value, expected):
    form = VoteForm({"value": value})

    assert form.is_valid()
    assert form.cleaned_data["value"] == expected


@pytest.mark.parametrize("value", ["2", "-2", "", "up", "1.0", "true"])
def test_vote_form_refuses_anything_else(value):
    assert not VoteForm({"value": value}).is_valid()


@pytest.mark.parametrize(
    "raw",
    [
        "{pk}",
        "#{pk}",
        " {pk} ",
        "/q/{pk}/",
        "https://circolo.example/q/{pk}/",
        "https://circolo.example/q/{pk}/how-do-i?x=1#answer-3",
        "http://localhost:8000/q/{pk}",
    ],
)
def test_close_form_reads_a_duplicate_by_number_or_address(db, raw):
    original = QuestionFactory()

    form = CloseForm({"reason": "duplicate", "duplicate_of": raw.format(pk=original.pk)})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["duplicate_of"] == original


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Say which question this one duplicates."),
        ("the other one", "Give the question's number or paste its address."),
        ("https://circolo.example/u/anna/", "Give the question's number or paste its address."),
        ("99999", "There is no question number 99999."),
        ("9" * 40, "Give the question's number or paste its address."),
    ],
)
def test_close_form_explains_a_bad_duplicate(db, raw, message):
    form = CloseForm({"reason": "duplicate", "duplicate_of": raw})

    assert not form.is_valid()
    assert form.errors["duplicate_of"] == [message]


def test_close_form_refuses_a_deleted_duplicate(db, staff):
    gone = QuestionFactory()
    services.delete_question(actor=staff, question=gone)

    form = CloseForm({"reason": "duplicate", "duplicate_of": str(gone.pk)})

    assert form.errors["duplicate_of"] == [f"There is no question number {gone.pk}."]


def test_close_form_ignores_the_duplicate_for_other_reasons(db):
    original = QuestionFactory()

    form = CloseForm({"reason": "off_topic", "duplicate_of": str(original.pk), "note": "n"})

    assert form.is_valid()
    assert form.cleaned_data == {"reason": "off_topic", "duplicate_of": None, "note": "n"}


def test_close_form_requires_a_known_reason(db):
    form = CloseForm({"reason": "because"})

    assert form.errors["reason"] == [
        "Select a valid choice. because is not one of the available choices."
    ]
