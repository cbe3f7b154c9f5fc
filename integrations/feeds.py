"""Atom 1.0 feeds: newest questions, per tag, per category, and a question's answers.

Feeds are public documents: everything is read as an anonymous visitor would see it
(`forum.permissions.visible_*` with `AnonymousUser`), so the advocates' lounge, hidden
and deleted posts never appear, whoever asks. Conditional GET: each feed has an ETag
(the ids and edit times of the entries it would list, and the language) and a
Last-Modified (the newest of those times), computed in one query before the feed is
built, so a reader polling an unchanged feed gets a 304 without the feed being rendered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import condition
from taggit.models import Tag

from forum import permissions
from forum.models import Answer, Category, Question

FEED_ITEMS = 30

ANONYMOUS = AnonymousUser()


def public_questions() -> QuerySet[Question]:
    """Questions anyone may read: no lounge, nothing hidden or deleted."""
    return permissions.visible_questions(
        Question.objects.filter(deleted_at__isnull=True), ANONYMOUS
    )


def public_answers(question: Question) -> QuerySet[Answer]:
    return permissions.visible_answers(question.answers.all(), ANONYMOUS)


def public_category(slug: str) -> Category:
    return get_object_or_404(
        permissions.visible_categories(Category.objects.all(), ANONYMOUS), slug=slug
    )


def public_tag(name: str) -> Tag:
    """The tag by slug or name; 404 when no public question carries it (so the name of
    a tag used only in the lounge does not leak)."""
    tag = Tag.objects.filter(slug=name).first() or Tag.objects.filter(name__iexact=name).first()
    if tag is None or not public_questions().filter(tags=tag).exists():
        raise Http404("No such tag.")
    return tag


def public_question(pk: int) -> Question:
    return get_object_or_404(public_questions().select_related("author"), pk=pk)


class _AtomFeed(Feed):
    """Shared parts. Subclasses define `entries(obj)`: the entries' queryset, newest
    first and unsliced, so the conditional-GET state reads the same rows as the feed."""

    feed_type = Atom1Feed

    def entries(self, obj) -> QuerySet:
        raise NotImplementedError

    def items(self, obj):
        return self.entries(obj).select_related("author")[:FEED_ITEMS]

    def item_title(self, item) -> str:
        # Atom titles are text: Django's default escapes them, which would show "&amp;".
        return str(item)

    def item_link(self, item) -> str:
        return item.get_absolute_url()

    def item_description(self, item) -> str:
        return item.body_html  # rendered and sanitised on save (forum.markdown)

    def item_author_name(self, item) -> str:
        return item.author.name

    def item_author_link(self, item) -> str:
        return item.author.get_absolute_url()

    def item_pubdate(self, item) -> datetime:
        return item.created_at

    def item_updateddate(self, item) -> datetime:
        return item.edited_at or item.created_at

    def author_name(self) -> str:
        return "Circolo"

    # Conditional GET -----------------------------------------------------------------

    def state(self, request: HttpRequest, **kwargs) -> tuple[str, datetime | None]:
        """(ETag, Last-Modified) of what the feed would list now; one query (plus the
        object's lookup, which 404s exactly as the feed would)."""
        cached = getattr(request, "_feed_state", None)
        if cached is not None:
            return cached
        obj = self.get_object(request, **kwargs)
        rows = list(
            self.entries(obj)
            .annotate(changed=Coalesce("edited_at", "created_at"))
            .values_list("pk", "changed")[:FEED_ITEMS]
        )
        digest = hashlib.sha256(
            repr((type(self).__name__, get_language(), request.path, rows)).encode()
        ).hexdigest()[:32]
        last_modified = max((changed for _pk, changed in rows), default=None)
        request._feed_state = (digest, last_modified)
        return request._feed_state


def conditional(feed: _AtomFeed) -> Callable[..., HttpResponse]:
    """The feed as a view answering If-None-Match / If-Modified-Since with a 304."""
    view = condition(
        etag_func=lambda request, **kwargs: feed.state(request, **kwargs)[0],
        last_modified_func=lambda request, **kwargs: feed.state(request, **kwargs)[1],
    )(feed)
    return view


class NewestQuestionsFeed(_AtomFeed):
    def title(self) -> str:
        return _("Circolo: newest questions")

    def link(self) -> str:
        return reverse("forum:question_list")

    def subtitle(self) -> str:
        return _("The newest questions of the community.")

    def feed_url(self) -> str:
        return reverse("feeds:questions")

    def entries(self, obj) -> QuerySet[Question]:
        return public_questions().order_by("-created_at", "-pk")


class TagFeed(_AtomFeed):
    def get_object(self, request: HttpRequest, name: str) -> Tag:
        return public_tag(name)

    def title(self, obj: Tag) -> str:
        return _("Circolo: questions tagged %(tag)s") % {"tag": obj.name}

    def link(self, obj: Tag) -> str:
        return reverse("forum:tag", kwargs={"slug": obj.slug})

    def feed_url(self, obj: Tag) -> str:
        return reverse("feeds:tag", kwargs={"name": obj.slug})

    def entries(self, obj: Tag) -> QuerySet[Question]:
        return public_questions().filter(tags=obj).order_by("-created_at", "-pk")


class CategoryFeed(_AtomFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Category:
        return public_category(slug)

    def title(self, obj: Category) -> str:
        return _("Circolo: questions in %(category)s") % {"category": obj.name}

    def link(self, obj: Category) -> str:
        return obj.get_absolute_url()

    def feed_url(self, obj: Category) -> str:
        return reverse("feeds:category", kwargs={"slug": obj.slug})

    def entries(self, obj: Category) -> QuerySet[Question]:
        return public_questions().filter(category=obj).order_by("-created_at", "-pk")


class QuestionAnswersFeed(_AtomFeed):
    """A thread's answers, newest first."""

    def get_object(self, request: HttpRequest, pk: int) -> Question:
        return public_question(pk)

    def title(self, obj: Question) -> str:
        return _("Circolo: answers to “%(title)s”") % {"title": obj.title}

    def link(self, obj: Question) -> str:
        return obj.get_absolute_url()

    def feed_url(self, obj: Question) -> str:
        return reverse("feeds:question", kwargs={"pk": obj.pk})

    def entries(self, obj: Question) -> QuerySet[Answer]:
        return public_answers(obj).order_by("-created_at", "-pk")

    def item_title(self, item: Answer) -> str:
        return _("Answer by %(name)s") % {"name": item.author.name}

    def item_link(self, item: Answer) -> str:
        return f"{item.question.get_absolute_url()}#answer-{item.pk}"

    def items(self, obj: Question):
        return self.entries(obj).select_related("author", "question")[:FEED_ITEMS]
