"""Input rules: every naughty string either comes out clean or is refused with a
ValidationError, never another exception; limits hold at n and fail at n + 1; a refused
post writes nothing.
"""

from __future__ import annotations

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.text import slugify
from taggit.models import Tag

from core.text import clean_line
from forum import services
from forum.models import (
    ANSWER_MIN_LENGTH,
    BODY_MAX_LENGTH,
    BODY_MIN_LENGTH,
    COMMENT_MAX_LENGTH,
    COMMENT_MIN_LENGTH,
    TAG_MAX_LENGTH,
    TAGS_MAX,
    TITLE_MAX_LENGTH,
    TITLE_MIN_LENGTH,
    Answer,
    Comment,
    Question,
    Revision,
)
from forum.selectors import counter_drift
from forum.validation import (
    TAG_RE,
    clean_answer_body,
    clean_body,
    clean_comment,
    clean_tags,
    clean_title,
)
from tests.naughty import NAUGHTY as BLNS

CONTROLS = {chr(c) for c in range(0x20)} | {"\x7f"}
INVISIBLE = (
    {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}
    | {chr(c) for c in range(0x202A, 0x202F)}  # bidi embeddings and overrides
    | {chr(c) for c in range(0x2066, 0x206A)}  # bidi isolates
)
# A one-line value (title, tag) has neither; a text keeps invisibles, newlines and tabs.
FORBIDDEN_IN_LINE = CONTROLS | INVISIBLE
FORBIDDEN_IN_TEXT = CONTROLS - {"\n", "\t"}
RLO = "\u202e"
ZWSP = "\u200b"


def _outcome(func, value):
    """The cleaned value, or the ValidationError codes; any other exception propagates."""
    try:
        return func(value)
    except ValidationError as exc:
        return ("invalid", sorted({e.code for e in exc.error_list}))


def _no_surrogates(text: str) -> bool:
    return not any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def _assert_clean_line(value: str) -> None:
    assert not set(value) & FORBIDDEN_IN_LINE
    assert value == " ".join(value.split())
    assert unicodedata.is_normalized("NFC", value)
    assert _no_surrogates(value)


def _assert_clean_text(value: str, maximum: int) -> None:
    assert not set(value) & FORBIDDEN_IN_TEXT
    assert "\r" not in value
    assert unicodedata.is_normalized("NFC", value)
    assert _no_surrogates(value)
    assert len(value) <= maximum


@pytest.mark.parametrize("naughty", BLNS, ids=range(len(BLNS)))
def test_naughty_string_is_cleaned_or_refused(naughty):
    title = _outcome(clean_title, naughty)
    if isinstance(title, str):
        _assert_clean_line(title)
        assert TITLE_MIN_LENGTH <= len(title) <= TITLE_MAX_LENGTH
        assert clean_title(title) == title
    for func, maximum in [
        (clean_body, BODY_MAX_LENGTH),
        (clean_answer_body, BODY_MAX_LENGTH),
        (clean_comment, COMMENT_MAX_LENGTH),
    ]:
        body = _outcome(func, naughty)
        if isinstance(body, str):
            _assert_clean_text(body, maximum)
            assert func(body) == body
    tags = _outcome(clean_tags, naughty)
    if isinstance(tags, list):
        assert 1 <= len(tags) <= TAGS_MAX
        assert len(set(tags)) == len(tags)
        for tag in tags:
            _assert_clean_line(tag)
            assert TAG_RE.match(tag)
            assert tag == tag.lower()
            assert len(tag) <= TAG_MAX_LENGTH
            assert slugify(tag, allow_unicode=True) != ""
        assert clean_tags(tags) == tags
    tag_list = _outcome(clean_tags, [naughty])
    assert isinstance(tag_list, list) or tag_list[0] == "invalid"


# Unicode edge cases -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (f"{RLO}Ricarica non arrivata", "Ricarica non arrivata"),
        (f"Ricarica{ZWSP} non{ZWSP} arrivata", "Ricarica non arrivata"),
        ("\ufeffRicarica\u2066 non\u2069 arrivata", "Ricarica non arrivata"),
        ("📱 La SIM non funziona 😢", "📱 La SIM non funziona 😢"),
        ("Perche\u0301 la SIM e\u0300 bloccata?", "Perché la SIM è bloccata?"),
        ("Ricarica\n\tnon\r\narrivata\x00!", "Ricarica non arrivata!"),
        ("Ricarica\u2028non\u00a0arrivata", "Ricarica non arrivata"),
        ("Ricarica \ud800non arrivata", "Ricarica non arrivata"),
        ("كيف أشحن رصيد الهاتف؟", "كيف أشحن رصيد الهاتف؟"),
        ("如何为我的SIM卡充值", "如何为我的SIM卡充值"),
    ],
)
def test_clean_title_normalises_unicode(raw, expected):
    assert clean_title(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        ZWSP * 20,
        f"{RLO}{ZWSP}\u2060\ufeff" * 5,
        "\u00ad" * 12,
        " \t\n " * 10,
        "\x00\x01\x02" * 10,
        "ab" + ZWSP * 30,
    ],
)
def test_invisible_only_title_is_too_short(raw):
    with pytest.raises(ValidationError) as exc:
        clean_title(raw)

    assert exc.value.code == "too_short"


def test_body_keeps_bidi_and_zero_width_characters_but_not_controls():
    body = f"Il numero {RLO}321{ZWSP} non risponde\x00 da ieri.\r\nGrazie"

    assert clean_body(body) == f"Il numero {RLO}321{ZWSP} non risponde da ieri.\nGrazie"


def test_body_with_invisible_padding_is_too_short():
    with pytest.raises(ValidationError) as exc:
        clean_body("ciao" + ZWSP * 100)

    assert exc.value.code == "too_short"


def test_lone_surrogates_are_dropped_from_every_text():
    assert clean_body("Ricarica \udc00non arrivata, aiuto!") == "Ricarica non arrivata, aiuto!"
    assert clean_comment("Grazie \ud83d!") == "Grazie !"
    assert clean_tags(["sim\udfff"]) == ["sim"]
    assert clean_line("\ud800") == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["Fatturazione Mensile"], ["fatturazione-mensile"]),
        ("Fatturazione Mensile", ["fatturazione", "mensile"]),
        ("sim, Rete Mobile ,  ", ["sim", "rete-mobile"]),
        ("sim ricarica  SIM", ["sim", "ricarica"]),
        (["C++", "c#", "net-core", "4G"], ["c++", "c#", "net-core", "4g"]),
        ([f"{RLO}sim{ZWSP}", "citta\u0300"], ["sim", "città"]),
        (["città", "Ελληνικά", "日本語"], ["città", "ελληνικά", "日本語"]),
        (["a_b", "x.y", "a-b"], ["a_b", "x.y", "a-b"]),
    ],
)
def test_clean_tags_normalises(raw, expected):
    assert clean_tags(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ([], "tags_missing"),
        ("", "tags_missing"),
        (" ,, ", "tags_missing"),
        ([ZWSP, RLO], "tags_missing"),
        (["_"], "tag_invalid"),
        (["__"], "tag_invalid"),
        (["_."], "tag_invalid"),
        (["-sim"], "tag_invalid"),
        (["+"], "tag_invalid"),
        (["sim!"], "tag_invalid"),
        (["<script>"], "tag_invalid"),
        (["📱"], "tag_invalid"),
        (["sim/ricarica"], "tag_invalid"),
        (None, "invalid"),
        (5, "invalid"),
        ({"sim": 1}, "invalid"),
        ([1, 2], "invalid"),
        ([None], "invalid"),
        ([["sim"]], "invalid"),
    ],
)
def test_clean_tags_refuses(raw, code):
    with pytest.raises(ValidationError) as exc:
        clean_tags(raw)

    assert exc.value.code == code


# Limits at n and n + 1 ----------------------------------------------------------------


def _code(func, value) -> str | None:
    try:
        func(value)
    except ValidationError as exc:
        return exc.code
    return None


@pytest.mark.parametrize(
    ("func", "minimum", "maximum"),
    [
        (clean_title, TITLE_MIN_LENGTH, TITLE_MAX_LENGTH),
        (clean_body, BODY_MIN_LENGTH, BODY_MAX_LENGTH),
        (clean_answer_body, ANSWER_MIN_LENGTH, BODY_MAX_LENGTH),
        (clean_comment, COMMENT_MIN_LENGTH, COMMENT_MAX_LENGTH),
    ],
)
def test_length_limits_at_n_and_n_plus_one(func, minimum, maximum):
    assert _code(func, "x" * (minimum - 1)) == "too_short"
    assert _code(func, "x" * minimum) is None
    assert _code(func, "x" * maximum) is None
    assert _code(func, "x" * (maximum + 1)) == "too_long"
    # Limits count characters, not bytes: 4-byte emoji and 2-code-point accents alike.
    assert _code(func, "📱" * maximum) is None
    assert _code(func, "📱" * (maximum + 1)) == "too_long"
    assert _code(func, "e\u0301" * maximum) is None


def test_title_limit_counts_after_whitespace_is_collapsed():
    assert clean_title("  " + "x " * 75 + "  ") == ("x " * 75).strip()


def test_tag_count_and_length_limits():
    five = ["sim", "rete", "ricarica", "fattura", "roaming"]
    assert clean_tags(five) == five
    assert _code(clean_tags, [*five, "esim"]) == "too_many_tags"
    assert clean_tags([*five, "SIM"]) == five  # duplicates do not count
    assert clean_tags(["a" * TAG_MAX_LENGTH]) == ["a" * TAG_MAX_LENGTH]
    assert _code(clean_tags, ["a" * (TAG_MAX_LENGTH + 1)]) == "tag_too_long"
    # Spaces become hyphens before the length is measured.
    assert _code(clean_tags, ["a" * 17 + " " + "b" * 18]) == "tag_too_long"


# Through the services -----------------------------------------------------------------


BODY = "La SIM non prende da ieri sera, il telefono dice nessun servizio."


def _rows() -> tuple[int, ...]:
    """Row counts of everything a post writes, in one query (it runs twice per string)."""
    tables = [m._meta.db_table for m in (Question, Answer, Comment, Revision, Tag)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {t})" for t in tables))
        return tuple(cursor.fetchone())


def _attempt(service, **kwargs):
    """(what the service returned, None) or (None, the fields its ValidationError names).

    Inside a savepoint, so on PostgreSQL a failed statement cannot poison the next try.
    """
    try:
        with transaction.atomic():
            return service(**kwargs), None
    except ValidationError as exc:
        return None, list(exc.message_dict)


def _through_service(field: str, service, check_saved, **kwargs) -> dict[str, str]:
    """Each naughty string as `field`: refused naming that field with nothing written, or
    saved as `check_saved` expects. Returns {string: what went wrong}."""
    problems: dict[str, str] = {}
    for naughty in BLNS:
        before = _rows()
        try:
            saved, error = _attempt(service, **{**kwargs, field: naughty})
        except Exception as exc:  # noqa: BLE001 - any other exception is the failure
            problems[naughty] = repr(exc)
            continue
        if saved is None:
            if (error, _rows()) != ([field], before):
                problems[naughty] = f"refused as {error}, rows {before} -> {_rows()}"
        elif mismatch := check_saved(saved, naughty):
            problems[naughty] = mismatch
    return problems


@pytest.fixture
def _unthrottled(settings):
    """Over 500 posts by one member in a test: lift the posting budget."""
    settings.CIRCOLO_POST_RATE = "100000/m"


@pytest.mark.usefixtures("_unthrottled")
def test_naughty_titles_through_ask_question(customer):
    def check(question, naughty):  # noqa: ANN001, ANN202
        question.refresh_from_db()
        return None if question.title == clean_title(naughty) else question.title

    assert (
        _through_service(
            "title", services.ask_question, check, actor=customer, body=BODY, tags=["sim"]
        )
        == {}
    )
    assert {k: v for k, v in counter_drift().items() if v} == {}


@pytest.mark.usefixtures("_unthrottled")
def test_naughty_answers_through_post_answer(other_customer, question):
    def check(answer, naughty):  # noqa: ANN001, ANN202
        answer.refresh_from_db()
        if answer.body != clean_answer_body(naughty) or "<script" in answer.body_html.lower():
            return answer.body_html
        return None

    assert (
        _through_service(
            "body", services.post_answer, check, actor=other_customer, question=question
        )
        == {}
    )
    assert {k: v for k, v in counter_drift().items() if v} == {}


@pytest.mark.usefixtures("_unthrottled")
def test_naughty_comments_through_post_comment(other_customer, question):
    def check(comment, naughty):  # noqa: ANN001, ANN202
        comment.refresh_from_db()
        return None if comment.body == clean_comment(naughty) else comment.body

    assert (
        _through_service("body", services.post_comment, check, actor=other_customer, post=question)
        == {}
    )
    question.refresh_from_db()
    assert question.comment_count == question.comments.count()


@pytest.mark.usefixtures("_unthrottled")
def test_naughty_tags_through_ask_question(customer):
    def check(question, naughty):  # noqa: ANN001, ANN202
        names = sorted(question.tags.names())
        return None if names == sorted(clean_tags(naughty)) else str(names)

    assert (
        _through_service(
            "tags", services.ask_question, check, actor=customer, title="Naughty tags", body=BODY
        )
        == {}
    )
    assert "" not in set(Tag.objects.values_list("slug", flat=True))


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("title", {"title": "x" * (TITLE_MAX_LENGTH + 1)}),
        ("title", {"title": ZWSP * 30}),
        ("body", {"body": "x" * (BODY_MAX_LENGTH + 1)}),
        ("body", {"body": "x" * (BODY_MIN_LENGTH - 1)}),
        ("tags", {"tags": [f"t{n}" for n in range(TAGS_MAX + 1)]}),
        ("tags", {"tags": ["a" * (TAG_MAX_LENGTH + 1)]}),
        ("tags", {"tags": ["_"]}),
    ],
)
def test_ask_question_over_a_limit_writes_nothing(customer, field, kwargs):
    values = {"title": "Ricarica non arrivata", "body": BODY, "tags": ["sim"], **kwargs}

    with pytest.raises(ValidationError) as exc:
        services.ask_question(actor=customer, **values)

    assert list(exc.value.message_dict) == [field]
    assert _rows() == (0, 0, 0, 0, 0)


def test_ask_question_at_every_limit_is_saved(customer):
    question = services.ask_question(
        actor=customer,
        title="t" * TITLE_MAX_LENGTH,
        body="b" * BODY_MAX_LENGTH,
        tags=["a" * TAG_MAX_LENGTH, *(f"t{n}" for n in range(TAGS_MAX - 1))],
    )

    question.refresh_from_db()
    assert len(question.title) == TITLE_MAX_LENGTH
    assert len(question.body) == BODY_MAX_LENGTH
    assert len(question.tags.names()) == TAGS_MAX


def test_lone_surrogate_through_the_service_is_dropped_not_a_crash(customer):
    question = services.ask_question(
        actor=customer, title="Ricarica \ud800non arrivata", body=BODY + "\udfff", tags=["sim"]
    )

    question.refresh_from_db()
    assert (question.title, question.body) == ("Ricarica non arrivata", BODY)
