"""Full-text search over questions.

PostgreSQL: a stored tsvector built with both the English and the Italian configuration
(the community writes in both, often mixing them), weighted title A / body B, behind a
GIN index; queries use websearch syntax in both configurations, are ranked by ts_rank
on a capped candidate set, and highlighted with ts_headline on the returned page only.
SQLite (development): every term must appear in the title or body (LIKE), ranked by
title matches then recency, highlighted in Python.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from forum.models import Question

CONFIGS = ("english", "italian")
MAX_QUERY_LENGTH = 200
HIGHLIGHT_OPTIONS = "StartSel=<mark>, StopSel=</mark>, MaxWords=35, MinWords=15, MaxFragments=2"


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


def search_questions(qs: QuerySet[Question], text: str) -> QuerySet[Question]:
    """Filter and order `qs` by relevance to `text` (annotates `rank`)."""
    text = text.strip()[:MAX_QUERY_LENGTH]
    if not text:
        return qs.none()
    if is_postgres():
        query = _query(text)
        return (
            qs.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-created_at")
        )
    words = terms(text)
    if not words:
        return qs.none()
    condition = Q()
    title_hits = Q()
    for word in words:
        condition &= Q(title__icontains=word) | Q(body__icontains=word)
        title_hits &= Q(title__icontains=word)
    return (
        qs.filter(condition)
        .annotate(
            rank=Case(
                When(title_hits, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("-rank", "-created_at")
    )


def highlight(questions: list[Question], text: str) -> None:
    """Set `title_highlighted` and `snippet` (safe HTML) on each question of a page."""
    if not questions:
        return
    if is_postgres():
        query = _query(text[:MAX_QUERY_LENGTH])
        rows = (
            Question.objects.filter(pk__in=[q.pk for q in questions])
            .annotate(
                hl_title=SearchHeadline(
                    "title",
                    query,
                    config="simple",
                    start_sel="<mark>",
                    stop_sel="</mark>",
                    highlight_all=True,
                ),
                hl_body=SearchHeadline("body", query, config="simple", options=HIGHLIGHT_OPTIONS),
            )
            .values_list("pk", "hl_title", "hl_body")
        )
        found = {pk: (t, b) for pk, t, b in rows}
        for question in questions:
            t, b = found.get(question.pk, (question.title, question.body[:200]))
            question.title_highlighted = _safe_marks(t)
            question.snippet = _safe_marks(b)
        return
    words = terms(text)
    for question in questions:
        question.title_highlighted = _mark_terms(question.title, words)
        question.snippet = _mark_terms(_excerpt(question.body, words), words)


def _safe_marks(fragment: str) -> SafeString:
    """ts_headline returns raw text with <mark> inserted: escape all, then restore marks."""
    escaped = escape(fragment)
    return mark_safe(escaped.replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>"))


def _excerpt(body: str, words: list[str], width: int = 220) -> str:
    lower = body.lower()
    positions = [lower.find(w) for w in words if lower.find(w) >= 0]
    start = max(min(positions) - 60, 0) if positions else 0
    excerpt = body[start : start + width]
    return ("…" if start else "") + excerpt + ("…" if start + width < len(body) else "")


def _mark_terms(text: str, words: list[str]) -> SafeString:
    escaped = escape(text)
    if not words:
        return mark_safe(escaped)
    pattern = re.compile("|".join(re.escape(escape(w)) for w in words), re.IGNORECASE)
    return mark_safe(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped))
