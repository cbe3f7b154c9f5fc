"""Browsing pages: the question list (with its tabs), category and tag pages, the tag
directory and search. Read-only: they parse the query string, fetch through
`forum.selectors` and render.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from taggit.models import Tag

from core.text import clean_line
from forum import permissions, selectors
from forum.follows.services import is_following
from forum.models import Category, Question, User
from forum.search import MAX_QUERY_LENGTH, highlight
from forum.tag_info import suggest_tags
from forum.views import list_cache, member_frame
from live.backlog import last_id

QUESTIONS_PER_PAGE = 20
TAGS_PER_PAGE = 60
SIDEBAR_TAGS = 20


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    ordering: str
    status: str = ""


# The list's tabs, in display order; the first is the default.
TABS = (
    Tab("newest", _("Newest"), "newest"),
    Tab("active", _("Active"), "active"),
    Tab("unanswered", _("Unanswered"), "newest", "unanswered"),
    Tab("unsolved", _("Unsolved"), "newest", "unsolved"),
    Tab("top", _("Top"), "votes"),
)
TABS_BY_KEY = {tab.key: tab for tab in TABS}


class QuestionListForm(forms.Form):
    """The list's query string. Anything unexpected falls back to the defaults."""

    sort = forms.ChoiceField(choices=[(tab.key, tab.label) for tab in TABS], required=False)
    tag = forms.CharField(max_length=100, required=False)
    category = forms.SlugField(max_length=60, required=False)


class SearchForm(forms.Form):
    q = forms.CharField(required=False)

    def clean_q(self) -> str:
        # Never an error for a query: control characters (NUL breaks PostgreSQL) and
        # invisible ones go, and an overlong query is cut rather than refused.
        return clean_line(self.cleaned_data["q"])[:MAX_QUERY_LENGTH]


class TagFilterForm(forms.Form):
    q = forms.CharField(required=False)

    def clean_q(self) -> str:
        return clean_line(self.cleaned_data["q"])[:100]


def _paginate(request: HttpRequest, items: QuerySet, per_page: int) -> Page:
    """The requested page; a missing, malformed or out-of-range number gives a real page."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _sidebar(user: User) -> dict:
    # Counted as the viewer's list would show them: no hidden posts, no lounge for members.
    live = Q(questions__deleted_at__isnull=True, questions__hidden_at__isnull=True)
    categories = permissions.visible_categories(Category.objects.all(), user)
    return {
        # Meta.ordering does not apply to an aggregate: ordered here, as the model says.
        "categories": list(
            categories.annotate(n=Count("questions", filter=live)).order_by("position", "name")
        ),
        "popular_tags": selectors.popular_tags(limit=SIDEBAR_TAGS),
    }


def _list_page(
    request: HttpRequest,
    *,
    heading: str,
    description: str = "",
    tag: Tag | None = None,
    category: Category | None = None,
    nav: str = "questions",
    tag_filter_allowed: bool = True,
) -> HttpResponse:
    # The `feed` stream's last event id, before the list is read: the page's socket
    # subscribes from it and counts what arrives as "N new questions" (static/js/live.js).
    live_since = last_id("feed")
    # Anonymous readers share the page rendered since the last published change (its key
    # read before anything the page shows: list_cache.page_key).
    key = list_cache.page_key(request, live_since, TABS_BY_KEY)
    if key and (hit := list_cache.cached_page(request, key)):
        return hit
    # Members share the body of the same list (list_cache.member_body_key): on a hit
    # the page is only its header and footer around the stored body.
    target = category or tag
    following = target is not None and is_following(request.user, target)
    body_key = list_cache.member_body_key(request, live_since, TABS_BY_KEY, following=following)
    page = {
        "heading": heading,
        "description": description,
        "tag": tag,
        "category": category,
        "nav": nav,
        "following": following,
    }
    # A member whose frame is missing gets it stored for the event loop (member_frame.py).
    slot = member_frame.slot(request) if body_key else None
    if body_key and (body := cache.get(body_key)) is not None:
        context = {**page, "shared_body": (body_key, body, None)}
        response = render(request, "forum/question_list.html", context)
        if slot:
            member_frame.keep_frame(request, slot, nav)
        return response
    form = QuestionListForm(request.GET)
    params = form.cleaned_data if form.is_valid() else {}
    tab = TABS_BY_KEY.get(params.get("sort") or "", TABS[0])
    tag_slug = tag.slug if tag is not None else ""
    filter_tag = None
    if tag is None and tag_filter_allowed and params.get("tag"):
        tag_slug = params["tag"]
        filter_tag = Tag.objects.filter(slug=tag_slug).first()
    filter_category = None
    if category is None and params.get("category"):
        category = filter_category = get_object_or_404(
            permissions.visible_categories(Category.objects.all(), request.user),
            slug=params["category"],
        )
        page["following"] = is_following(request.user, category)  # its follow button
    questions = selectors.question_list(
        user=request.user,
        ordering=tab.ordering,
        status=tab.status,
        tag=tag_slug,
        category=category,
    )
    page_obj = list_cache.paginate(request, questions, QUESTIONS_PER_PAGE, live_since)
    page_obj.object_list = list(page_obj.object_list)  # read once: keys, then rows
    context = {
        **page,
        "page_obj": page_obj,
        "tabs": TABS,
        "current_tab": tab,
        "category": category,
        "filter_tag": filter_tag,
        "filter_tag_slug": tag_slug if tag is None else "",
        "filter_category": filter_category,
        "live_since": live_since,
        "shared_body": (body_key, None, list_cache.list_page_seconds()) if body_key else None,
        "row_fragments": list_cache.row_fragments(page_obj.object_list),
        **list_cache.sidebar(request.user, live_since, _sidebar),
    }
    token = ""
    if key:  # one token for the whole page, so the stored copy can swap in each reader's
        token = context["csrf_token"] = get_token(request)
    response = render(request, "forum/question_list.html", context)
    if key:
        nonce = str(getattr(request, "csp_nonce", ""))
        list_cache.store_page(key, response, token=token, nonce=nonce)
    if body_key and member_frame.enabled():  # stored beside the body just rendered
        member_frame.store_shared(body_key, context)
    if slot:
        member_frame.keep_frame(request, slot, nav)
    return response


def question_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, heading=_("Questions"))


def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A category's questions; the lounge (a private category) is 404 to non-moderators."""
    category = get_object_or_404(
        permissions.visible_categories(Category.objects.all(), request.user), slug=slug
    )
    return _list_page(
        request,
        heading="",  # the template shows the category's name in the page's language
        description=category.display_description,
        category=category,
    )


def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A tag's questions; a tag carried only by questions the viewer may not see (the
    lounge's, hidden ones) is 404, so its name does not leak."""
    tag = get_object_or_404(Tag, slug=slug)
    tagged = Question.objects.filter(tags=tag, deleted_at__isnull=True)
    # Asked in this order, a tag the reader may see (nearly every page) costs one query.
    if not permissions.visible_questions(tagged, request.user).exists() and tagged.exists():
        raise Http404("No such tag.")
    return _list_page(request, heading="", tag=tag, nav="tags")


def tag_list(request: HttpRequest) -> HttpResponse:
    """Every tag in use, most used first, with the number of live questions carrying it."""
    form = TagFilterForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    live_count = (
        permissions.visible_questions(
            Question.objects.filter(tags=OuterRef("pk"), deleted_at__isnull=True), request.user
        )
        .order_by()
        .values("tags")
        .annotate(n=Count("pk"))
        .values("n")
    )
    tags = Tag.objects.annotate(n=Subquery(live_count, output_field=IntegerField())).filter(n__gt=0)
    if q:
        tags = tags.filter(name__icontains=q)
    page_obj = _paginate(request, tags.order_by("-n", "name"), TAGS_PER_PAGE)
    return render(
        request,
        "forum/tag_list.html",
        {"page_obj": page_obj, "q": q, "nav": "tags"},
    )


@require_GET
def tag_suggestions(request: HttpRequest) -> HttpResponse:
    """The tags matching what is being typed in a tags field (`q`: the word under the
    cursor), as listbox options with their description and question count, for
    static/js/tags.js. One query (pinned by tests/forum/test_tag_suggestions.py)."""
    text = clean_line(request.GET.get("q", ""))
    tags = suggest_tags(text=text, user=request.user)
    return render(request, "forum/_tag_suggestions.html", {"tags": tags})


def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    page_obj = None
    if q:
        page_obj = _paginate(
            request, selectors.question_list(user=request.user, q=q), QUESTIONS_PER_PAGE
        )
        # Materialise the page once so the highlighted attributes survive rendering.
        page_obj.object_list = list(page_obj.object_list)
        highlight(page_obj.object_list, q)
    context = {
        "page_obj": page_obj,
        "search_query": q,
        "nav": "questions",
        "popular_tags": selectors.popular_tags(limit=SIDEBAR_TAGS) if not q else [],
    }
    return render(request, "forum/search.html", context)


urlpatterns = [
    path("", question_list, name="question_list"),
    path("categories/<slug:slug>/", category_detail, name="category"),
    path("tags/", tag_list, name="tag_list"),
    path("tag-suggestions/", tag_suggestions, name="tag_suggestions"),
    path("tags/<str:slug>/", tag_detail, name="tag"),
    path("search/", search, name="search"),
]
