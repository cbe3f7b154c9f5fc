"""Bad input never gets a 500 and never half-writes: empty, limits, wrong JSON types,
malformed bodies, naughty strings, unknown ids, throttling and conflicts."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.db import IntegrityError

from forum import services
from forum.models import Answer, Comment, Question
from tests.factories import CategoryFactory
from tests.naughty import NAUGHTY_SAMPLE

ASK_URL = "/api/v1/questions/"
GOOD = {
    "title": "How do I move my number to a new SIM?",
    "body": "My old SIM is damaged. Can I keep the number?",
    "tags": ["sim"],
}
EXPECTED_TEXT = "Expected text (a JSON string)."


def _counts() -> tuple[int, int, int]:
    return Question.objects.count(), Answer.objects.count(), Comment.objects.count()


@pytest.fixture
def generous_throttles(settings):
    """Posting budgets high enough for the loops below."""
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "post": "100000/min"},
    }
    settings.CIRCOLO_POST_RATE = "100000/m"


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        pytest.param(
            {"title": None, "body": None, "tags": None},
            {
                "title": ["This field may not be null."],
                "body": ["This field may not be null."],
                "tags": ["This field may not be null."],
            },
            id="nulls",
        ),
        pytest.param(
            {"title": "", "body": "", "tags": []},
            {
                "title": ["The title must be at least 10 characters long."],
                "body": ["The text must be at least 20 characters long."],
                "tags": ["Add at least one tag."],
            },
            id="empty",
        ),
        pytest.param(
            {"title": "\u200b" * 20, "body": " \n" * 30},
            {
                "title": ["The title must be at least 10 characters long."],
                "body": ["The text must be at least 20 characters long."],
            },
            id="invisible-and-blank",
        ),
        pytest.param(
            {"title": "x" * 151},
            {"title": ["The title must be at most 150 characters long (it has 151)."]},
            id="title-limit+1",
        ),
        pytest.param(
            {"body": "x" * 30_001},
            {"body": ["The text must be at most 30000 characters long (it has 30001)."]},
            id="body-limit+1",
        ),
        pytest.param(
            {"title": 1234567890, "body": ["a list", "of text"], "tags": "sim " * 125},
            {
                "title": [EXPECTED_TEXT],
                "body": [EXPECTED_TEXT],
                "tags": ['Expected a list of items but got type "str".'],
            },
            id="wrong-types",
        ),
        pytest.param(
            {"body": {"markdown": "hello"}, "title": True},
            {"title": [EXPECTED_TEXT], "body": [EXPECTED_TEXT]},
            id="objects-and-booleans",
        ),
        pytest.param(
            {"tags": ["sim", 4, None]},
            {"tags": [f"Item 2: {EXPECTED_TEXT}", "Item 3: This field may not be null."]},
            id="tag-types",
        ),
        pytest.param(
            {"tags": ["a", "b", "c", "d", "e", "f"]},
            {"tags": ["Use at most 5 tags (you gave 6)."]},
            id="six-tags",
        ),
        pytest.param(
            {"tags": ["t" * 36]},
            {"tags": ["The tag “tttttttttttttttttttt…” is longer than 35 characters."]},
            id="tag-limit+1",
        ),
        pytest.param(
            {"tags": ["<script>"]},
            {"tags": ["The tag “<script>” may only contain letters, digits and + # . -"]},
            id="tag-syntax",
        ),
        pytest.param(
            {"category": "nope"},
            {"category": ["No category has the slug “nope”."]},
            id="unknown-category",
        ),
        pytest.param(
            {"category": 7},
            {"category": ["A category is given by its slug (text)."]},
            id="category-type",
        ),
    ],
)
def test_asking_with_bad_input_is_400_and_writes_nothing(customer_api, change, errors):
    response = customer_api.post(ASK_URL, {**GOOD, **change}, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert _counts() == (0, 0, 0)


def test_missing_fields_are_named(customer_api):
    response = customer_api.post(ASK_URL, {}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "title": ["This field is required."],
        "body": ["This field is required."],
        "tags": ["This field is required."],
    }


def test_limits_are_inclusive(customer_api):
    CategoryFactory(slug="billing")
    longest = {
        "title": "x" * 150,
        "body": "y" * 30_000,
        "tags": ["t" * 35, "a", "b", "c", "d"],
        "category": "billing",
    }
    shortest = {"title": "x" * 10, "body": "y" * 20, "tags": ["t"]}

    assert customer_api.post(ASK_URL, longest, format="json").status_code == 201
    assert customer_api.post(ASK_URL, shortest, format="json").status_code == 201


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        ("[1, 2]", {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
        ('"a string"', {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}),
        ("null", {"non_field_errors": ["No data provided"]}),
        (
            "",
            {
                "title": ["This field is required."],
                "body": ["This field is required."],
                "tags": ["This field is required."],
            },
        ),
    ],
)
def test_a_body_that_is_not_an_object_is_400(customer_api, raw, errors):
    response = customer_api.post(ASK_URL, raw, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == errors


@pytest.mark.parametrize(
    "raw", ['{"title": "unterminated', '{"value": NaN}', '{"value": Infinity}', "\xff\xfe{}"]
)
def test_malformed_json_is_400(customer_api, question, raw):
    response = customer_api.post(
        f"/api/v1/questions/{question.pk}/comments/",
        raw.encode("latin-1"),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"detail"}
    assert response.json()["detail"].startswith("The body is not valid JSON")


def test_a_form_post_is_415(customer_api):
    response = customer_api.post(
        ASK_URL, "title=Hello&body=World&tags=sim", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 415
    assert response.json() == {
        "detail": 'Unsupported media type "application/x-www-form-urlencoded" in request.',
        "code": "unsupported_media_type",
    }


def test_a_body_over_the_upload_limit_is_413(customer_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = customer_api.post(ASK_URL, {**GOOD, "body": "x" * 1000}, format="json")

    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is too large.", "code": "too_large"}
    assert _counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("body", "status", "errors"),
    [
        ("x" * 9, 400, {"body": ["The text must be at least 10 characters long."]}),
        ("x" * 10, 201, None),
        ("x" * 30_000, 201, None),
        (
            "x" * 30_001,
            400,
            {"body": ["The text must be at most 30000 characters long (it has 30001)."]},
        ),
        (["x" * 20], 400, {"body": [EXPECTED_TEXT]}),
        (20, 400, {"body": [EXPECTED_TEXT]}),
    ],
)
def test_answer_body_limits_and_types(other_api, question, body, status, errors):
    response = other_api.post(
        f"/api/v1/questions/{question.pk}/answers/", {"body": body}, format="json"
    )

    assert response.status_code == status
    if errors is not None:
        assert response.json() == errors
    assert Answer.objects.count() == (1 if status == 201 else 0)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "questions/{id}/"),
        ("patch", "questions/{id}/"),
        ("delete", "questions/{id}/"),
        ("post", "questions/{id}/answers/"),
        ("post", "questions/{id}/vote/"),
        ("post", "questions/{id}/comments/"),
        ("get", "answers/{id}/"),
        ("patch", "answers/{id}/"),
        ("delete", "answers/{id}/"),
        ("post", "answers/{id}/vote/"),
        ("post", "answers/{id}/accept/"),
        ("delete", "answers/{id}/accept/"),
        ("post", "answers/{id}/comments/"),
        ("get", "users/{id}/"),
    ],
)
@pytest.mark.parametrize("unknown", [0, 31337, 2**63 - 1, 2**63, 10**30])
def test_unknown_ids_are_404_everywhere(staff_api, db, method, path, unknown):
    payload = {"body": "Long enough text for anything.", "value": 1, "title": "A fine title here"}

    response = getattr(staff_api, method)(
        "/api/v1/" + path.format(id=unknown), payload, format="json"
    )

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "segment", ["a%0Ab", "%0A", "a%0Db", "%00", "%E2%80%A8", "hide%0A/1"], ids=repr
)
def test_paths_with_control_characters_are_json_404(staff_api, db, segment):
    """A path with a line break where no endpoint matched got the HTML 404 page: the
    catch-all's `.*` stopped at the line break. schemathesis found it."""
    response = staff_api.post(f"/api/v1/moderation/{segment}/1/hide/", {}, format="json")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


# Naughty strings ------------------------------------------------------------------------


class _ActiveContent(HTMLParser):
    """Collects what could run in a browser: script/style/iframe elements, on* handlers,
    javascript: and data: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "iframe", "object", "embed"):
            self.found.append(tag)
        for name, value in attrs:
            url = "".join((value or "").split()).lower()
            if name.startswith("on") or url.startswith(("javascript:", "data:", "vbscript:")):
                self.found.append(f"{tag} {name}={value}")


def _inert(html: str) -> bool:
    parser = _ActiveContent()
    parser.feed(html)
    parser.close()
    return not parser.found


@pytest.mark.usefixtures("generous_throttles")
def test_naughty_strings_as_titles_and_bodies(customer_api):
    failures = []
    for text in NAUGHTY_SAMPLE:
        payload = {
            "title": f"Naughty: {text}"[:150],
            "body": f"Body with a naughty string: {text}",
            "tags": ["naughty"],
        }
        before = _counts()
        response = customer_api.post(ASK_URL, payload, format="json")
        if response.status_code == 201:
            body = response.json()
            stored = Question.objects.get(pk=body["id"])
            if (body["title"], body["body"]) != (stored.title, stored.body) or not _inert(
                body["body_html"]
            ):
                failures.append((text, "round trip", body))
        elif response.status_code == 400:
            if not set(response.json()) <= {"title", "body"} or _counts() != before:
                failures.append((text, 400, response.json()))
        else:
            failures.append((text, response.status_code, response.content[:200]))

    assert failures == []
    assert Question.objects.count() > len(NAUGHTY_SAMPLE) * 0.9


@pytest.mark.usefixtures("generous_throttles")
def test_naughty_strings_as_answers_and_comments(other_api, question):
    failures = []
    for text in NAUGHTY_SAMPLE:
        for path, key in (
            (f"questions/{question.pk}/answers/", "answer"),
            (f"questions/{question.pk}/comments/", "comment"),
        ):
            before = _counts()
            response = other_api.post(
                f"/api/v1/{path}", {"body": f"{text} (naughty {key})"}, format="json"
            )
            if response.status_code == 201:
                if not _inert(response.json()["body_html"]):
                    failures.append((text, key, response.json()["body_html"]))
            elif (
                response.status_code != 400
                or set(response.json()) != {"body"}
                or _counts() != before
            ):
                failures.append((text, key, response.status_code, response.content[:200]))

    assert failures == []


@pytest.mark.usefixtures("generous_throttles")
def test_naughty_strings_as_list_parameters(api, question):
    failures = []
    for text in NAUGHTY_SAMPLE:
        for param in ("q", "tag", "category", "status", "ordering", "page"):
            response = api.get(ASK_URL, {param: text})
            if response.status_code not in (200, 400, 404):
                failures.append((param, text, response.status_code))

    assert failures == []


# Throttling and conflicts ---------------------------------------------------------------


def _rates(settings, **rates: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


def test_posting_is_throttled_with_retry_after(customer_api, settings):
    _rates(settings, post="2/min")
    statuses = [
        customer_api.post(
            ASK_URL, {**GOOD, "title": f"{GOOD['title']} {n}"}, format="json"
        ).status_code
        for n in range(3)
    ]

    assert statuses == [201, 201, 429]
    assert Question.objects.count() == 2


def test_throttled_response_shape(customer_api, settings):
    _rates(settings, post="1/min")
    customer_api.post(ASK_URL, GOOD, format="json")

    response = customer_api.post(ASK_URL, GOOD, format="json")

    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 1 <= wait <= 60
    assert response.json() == {
        "detail": f"Request was throttled. Expected available in {wait} seconds."
        if wait != 1
        else "Request was throttled. Expected available in 1 second.",
        "code": "throttled",
    }


def test_reading_does_not_spend_the_posting_budget(customer_api, settings):
    _rates(settings, post="1/min")
    for _ in range(3):
        assert customer_api.get(ASK_URL).status_code == 200

    assert customer_api.post(ASK_URL, GOOD, format="json").status_code == 201


def test_votes_have_their_own_budget(other_api, question, settings):
    _rates(settings, vote="2/min", post="1/min")
    url = f"/api/v1/questions/{question.pk}/vote/"

    statuses = [other_api.post(url, {"value": v}, format="json").status_code for v in (1, 0, 1)]

    assert statuses == [200, 200, 429]
    question.refresh_from_db()
    assert question.score == 0


@pytest.mark.usefixtures("fresh_rate_window")
def test_the_services_posting_limit_is_429_with_retry_after(customer_api, settings):
    settings.CIRCOLO_POST_RATE = "1/m"
    customer_api.post(ASK_URL, GOOD, format="json")

    response = customer_api.post(
        ASK_URL, {**GOOD, "title": "Another question, same minute"}, format="json"
    )

    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 1 <= wait <= 60
    assert response.json() == {
        "detail": f"You are doing that too often. Try again in {wait} seconds.",
        "code": "throttled",
    }
    assert Question.objects.count() == 1


def test_a_lost_race_on_a_unique_constraint_is_409(customer_api, monkeypatch):
    def lose_race(**kwargs):  # noqa: ANN003, ANN202
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(services, "ask_question", lose_race)

    response = customer_api.post(ASK_URL, GOOD, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "This conflicts with a change made at the same moment. Please retry.",
        "code": "conflict",
    }
