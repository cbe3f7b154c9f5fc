"""Full-text search over questions.

PostgreSQL: a stored tsvector built with both the English and the Italian configuration
(the community writes in both, often mixing them), weighted title A / body B, behind a
GIN index; queries use websearch syntax in both configurations, are ranked by ts_rank
on a capped candidate set, and highlighted with ts_headline on the returned page only.
SQLite (development): the same websearch syntax on LIKE (every word or "phrase" must
appear in the title or body, -word excludes, OR offers alternatives), no stemming, ranked
by title matches then recency, highlighted in Python.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.text import clean_line
from forum.models import Question

CONFIGS = ("english", "italian")
MAX_QUERY_LENGTH = 200
# ts_headline marks matches with these; clean_text strips both from every stored text, so
# once the fragment is escaped they can only stand for a match (a "<mark>" a member typed
# stays text).
START_SEL, STOP_SEL = "\x02", "\x03"
BODY_HEADLINE = {"max_words": 35, "min_words": 15, "max_fragments": 2}
# PostgreSQL ranks only the newest matches: ranking all 30k questions that mention "sim"
# costs ~300 ms, the newest 200 under 20 ms (bench/p6_search.py). A broad term's older
# matches are found by adding words, as on Discourse.
MAX_CANDIDATES = 200


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _vector() -> SearchVector:
    vector = None
    for config in CONFIGS:
        part = SearchVector("title", weight="A", config=config) + SearchVector(
            "body", weight="B", config=config
        )
        vector = part if vector is None else vector + part
    return vector


def update_search_vector(question_ids: Iterable[int] | None = None) -> int:
    """Recompute the stored vector (all questions when ids is None). No-op on SQLite."""
    if not is_postgres():
        return 0
    qs = Question.objects.all()
    if question_ids is not None:
        qs = qs.filter(pk__in=list(question_ids))
    return qs.update(search_vector=_vector())


def _query(text: str) -> SearchQuery:
    query = None
    for config in CONFIGS:
        part = SearchQuery(text, config=config, search_type="websearch")
        query = part if query is None else query | part
    return query


def terms(text: str) -> list[str]:
    return [t for t in re.findall(r"\w+", text.lower()) if len(t) > 1][:10]


def _clean_query(text: str) -> str:
    """One line, no control characters (PostgreSQL refuses NUL), capped."""
    return clean_line(text)[:MAX_QUERY_LENGTH]


# A "phrase" (closing quote optional) or a word, either one possibly negated with "-".
_WEBSEARCH_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def _websearch_like(text: str) -> tuple[Q, Q, list[str]] | None:
    """websearch syntax as LIKE conditions: (match, all in the title, words to highlight).

    Clauses are ANDed; "OR" between two clauses accepts either; a clause is a word (split
    into its \\w+ parts, all required) or a "phrase" (found as typed); "-" excludes.
    """
    clauses: list[tuple[Q, Q]] = []
    positive: list[str] = []
    join_next = False
    for match in _WEBSEARCH_TOKEN.finditer(text):
        negated, phrase, word = match.groups()
        if word is not None and word.lower() == "or":
            join_next = bool(clauses)
            continue
        if word is not None:
            negated = word.startswith("-")
            needles = terms(word)
        else:
            needles = [" ".join(phrase.lower().split())] if terms(phrase) else []
        if not needles:
            continue
        where, in_title = Q(), Q()
        for needle in needles:
            where &= Q(title__icontains=needle) | Q(body__icontains=needle)
            in_title &= Q(title__icontains=needle)
        if negated:
            where, in_title = ~where, Q()  # an exclusion says nothing about the title
        else:
            positive.extend(needles)
        if join_next and not negated:
            last_where, last_title = clauses.pop()
            where, in_title = last_where | where, last_title | in_title
        join_next = False
        clauses.append((where, in_title))
    if not clauses:
        return None
    condition, title_hits = Q(), Q()
    for where, in_title in clauses:
        condition &= where
        title_hits &= in_title
    return condition, title_hits, positive[:10]


def search_questions(qs: QuerySet[Question], text: str) -> QuerySet[Question]:
    """Filter and order `qs` by relevance to `text` (annotates `rank`)."""
    text = _clean_query(text)
    if not text:
        return qs.none()
    if is_postgres():
        query = _query(text)
        # The candidates are found once, here (one query: the GIN index, then the newest
        # matches by date), and handed on as ids: the page's count and the page itself then
        # probe the primary key for at most MAX_CANDIDATES rows instead of each running the
        # full-text match again (the search page did it twice; bench P6).
        candidates = list(
            qs.filter(search_vector=query)
            .order_by("-created_at")
            .values_list("pk", flat=True)[:MAX_CANDIDATES]
        )
        return (
            qs.filter(pk__in=candidates)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .defer("search_vector")  # ranked in SQL; never shown, kilobytes a row
            .order_by("-rank", "-created_at")
        )
    parsed = _websearch_like(text)
    if parsed is None:
        return qs.none()
    condition, title_hits, _words = parsed
    rank = (
        Case(When(title_hits, then=Value(1)), default=Value(0), output_field=IntegerField())
        if title_hits
        else Value(0, output_field=IntegerField())  # exclusions only: nothing to rank by
    )
    return qs.filter(condition).annotate(rank=rank).order_by("-rank", "-created_at")


def _headline(expression: str, query: SearchQuery, **options) -> SearchHeadline:
    """ts_headline in both configurations, so English and Italian stems are both marked:
    the English pass picks the fragments, the Italian pass marks within them."""
    marks = {"start_sel": START_SEL, "stop_sel": STOP_SEL}
    inner = SearchHeadline(expression, query, config=CONFIGS[0], **marks, **options)
    return SearchHeadline(inner, query, config=CONFIGS[1], **marks, highlight_all=True)


def highlight(questions: list[Question], text: str) -> None:
    """Set `title_highlighted` and `snippet` (safe HTML) on each question of a page."""
    if not questions:
        return
    text = _clean_query(text)
    if is_postgres() and text:
        query = _query(text)
        rows = (
            Question.objects.filter(pk__in=[q.pk for q in questions])
            .annotate(
                hl_title=_headline("title", query, highlight_all=True),
                hl_body=_headline("body", query, **BODY_HEADLINE),
            )
            .values_list("pk", "hl_title", "hl_body")
        )
        found = {pk: (t, b) for pk, t, b in rows}
        for question in questions:
            t, b = found.get(question.pk, (question.title, question.body[:200]))
            question.title_highlighted = _safe_marks(t)
            question.snippet = _safe_marks(b)
        return
    parsed = _websearch_like(text)
    words = parsed[2] if parsed else []
    for question in questions:
        question.title_highlighted = _mark_terms(question.title, words)
        question.snippet = _mark_terms(_excerpt(question.body, words), words)


def _safe_marks(fragment: str) -> SafeString:
    """ts_headline returns raw text with the match markers: escape it all, then turn the
    markers (doubled where both passes matched) into <mark> elements."""
    escaped = escape(fragment)
    escaped = re.sub(f"{START_SEL}+", "<mark>", escaped)
    return mark_safe(re.sub(f"{STOP_SEL}+", "</mark>", escaped))


def _excerpt(body: str, words: list[str], width: int = 220) -> str:
    lower = body.lower()
    positions = [lower.find(w) for w in words if lower.find(w) >= 0]
    start = max(min(positions) - 60, 0) if positions else 0
    excerpt = body[start : start + width]
    return ("…" if start else "") + excerpt + ("…" if start + width < len(body) else "")


def _mark_terms(text: str, words: list[str]) -> SafeString:
    """Mark the words in the raw text and escape every piece (marking after escaping
    would find "amp" inside "&amp;")."""
    if not words:
        return escape(text)
    longest_first = sorted(set(words), key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(w) for w in longest_first), re.IGNORECASE)
    pieces: list[str] = []
    end = 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[end : match.start()]))
        pieces.append(f"<mark>{escape(match.group(0))}</mark>")
        end = match.end()
    pieces.append(escape(text[end:]))
    return mark_safe("".join(pieces))
