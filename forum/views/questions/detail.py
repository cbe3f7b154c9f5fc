"""The question page and what people do on it: answer, comment, vote, accept.

Every action is a plain POST form that redirects back to the post's anchor; with htmx the
same endpoint returns the partial it changed (vote box, comments, answer) instead.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.ratelimit import RateLimited
from core.web import apply_service_errors, login_redirect, refusal, refuse
from forum import permissions, selectors, services
from forum.forms import AnswerForm, CommentForm, VoteForm
from forum.models import Answer, Question, Vote
from forum.posts import post_type, thread_of
from forum.related import related_questions
from forum.templatetags.forum_posts import post_state
from forum.views import member_frame
from forum.views.questions import thread_cache, thread_snapshot
from forum.views.questions._helpers import anchor_url, get_post
from live.backlog import last_id


def _viewer_key(request: HttpRequest) -> str:
    """Who is looking, for counting views once: member, else session, else address."""
    if request.user.is_authenticated:
        return f"u{request.user.pk}"
    if request.session.session_key:
        return f"s{request.session.session_key}"
    return f"a{request.META.get('REMOTE_ADDR', '')}"


def _answer_refusal(user, question: Question) -> str:  # noqa: ANN001
    """Why the viewer cannot answer ('' when they can)."""
    try:
        permissions.check_answer_question(user, question)
    except PermissionDenied as exc:
        return str(exc)
    return ""


def render_thread(
    request: HttpRequest,
    question: Question,
    *,
    answer_form: AnswerForm | None = None,
    comment_form: CommentForm | None = None,
    comment_target: str = "",
    status: int = 200,
    live_since: int | None = None,
    csrf_token: str = "",
    snapshot: thread_snapshot.Snapshot | None = None,
    member: member_frame.Slot | None = None,
) -> HttpResponse:
    """The whole question page; bound forms keep what was typed after an error.

    A fixed number of queries whatever the number of answers (see the query budget test).
    `live_since`: the question stream's last event id, read before the page's data (the
    page's socket subscribes from it, static/js/live.js); read here when not given.
    Answers whose HTML this viewer would see exactly as someone before them come from
    the cache (thread_cache), with this request's CSRF token. `snapshot`: the thread's
    shared rows (thread_snapshot), when `question` came from it; they include the related
    questions (one query otherwise). `member`: the member's slot (member_frame.py), when
    what their page shows around its shared body is to be kept for the event loop.
    """
    if live_since is None:
        live_since = last_id(f"question.{question.pk}")
    keys = None
    if snapshot is not None:
        thread = thread_snapshot.viewer_thread(snapshot, request.user)
        keys = thread_snapshot.AnswerKeys(snapshot, request.user, thread.my_votes)
        related = snapshot.related
    else:
        thread = selectors.question_thread(question=question, user=request.user)
        selectors.attach_last_editors(question=question, answers=thread.answers)
        related = related_questions(question)
    skip = comment_target if comment_form is not None else ""
    refusal = _answer_refusal(request.user, question)
    body = None
    if keys is not None and answer_form is None and comment_form is None and status == 200:
        body = thread_snapshot.body_material(
            keys, thread, refusal=refusal, live_since=live_since, path=request.get_full_path()
        )
    fragments, thread_body = thread_cache.answer_fragments(
        thread.answers, question, request.user, thread.my_votes, skip=skip, key=keys, body=body
    )
    context = {
        # One token for the whole page, so stored HTML can swap it (thread_cache).
        "csrf_token": csrf_token or get_token(request),
        "answer_fragments": fragments,
        "shared_body": thread_body,
        "question": question,
        "thread": thread,
        "answers": thread.answers,
        "my_votes": thread.my_votes,
        "answer_form": answer_form or AnswerForm(),
        "answer_refusal": refusal,
        "comment_form": comment_form,
        "comment_target": comment_target,
        "nav": "questions",
        "live_since": live_since,
        "related": related,
    }
    response = render(request, "forum/question_detail.html", context, status=status)
    if member is not None and thread_body is not None:
        member_frame.keep_thread(request, member, snapshot, live_since, thread_body[0])
    return response


def _concrete_user(request: HttpRequest) -> None:
    """Put the member (or AnonymousUser) itself on the request instead of the lazy object
    AuthenticationMiddleware set: the page asks it about a thousand times (roles,
    privileges, permissions for every answer), each through the lazy object's proxy."""
    user = request.user
    _ = user.is_authenticated  # loads the session's member when it is still lazy
    request.user = getattr(user, "_wrapped", user)


@require_GET
def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _concrete_user(request)
    live_since = last_id(f"question.{pk}")  # before anything the page shows is read
    member = member_frame.slot(request)  # a member's keys, likewise
    key = thread_cache.page_key(request, pk, live_since)
    if key and (hit := thread_cache.cached_page(request, key)):
        # Anonymous readers share the page rendered since the last published change.
        response, author_id = hit
        seen = Question(pk=pk, author_id=author_id)  # all that counting a view reads
        services.record_view(question=seen, viewer=request.user, viewer_key=_viewer_key(request))
        return response
    # Members (and anonymous readers the page cache does not serve) get the thread's
    # shared rows and their own overlay (thread_snapshot); 404 when they may not see it.
    snapshot = thread_snapshot.load(pk, live_since, again=thread_cache.rendering_again(request))
    if snapshot is not None:
        question = snapshot.question
        if not permissions.can_see_question(request.user, question):
            raise Http404
    else:
        question = selectors.get_question(pk=pk, user=request.user)
    counted = services.record_view(
        question=question, viewer=request.user, viewer_key=_viewer_key(request)
    )
    if counted and snapshot is not None:
        thread_snapshot.count_view(snapshot, live_since)
    token = get_token(request)
    response = render_thread(
        request,
        question,
        live_since=live_since,
        csrf_token=token,
        snapshot=snapshot,
        member=member,
    )
    if key:
        nonce = str(getattr(request, "csp_nonce", ""))
        thread_cache.store_page(key, response, token=token, question=question, nonce=nonce)
    return response


@require_GET
def question_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """The page around the answers (title line, banners, the question post, facts, answer
    box) as the viewer sees it (`_thread_live.html`), for live pages to swap in on
    `question.updated`, `question.closed` and acceptance changes: a few queries instead of
    the whole page."""
    question = selectors.get_question(pk=pk, user=request.user)
    comments = permissions.visible_comments(question.comments.all(), request.user)
    selectors.attach_last_editors(question=question, answers=[])
    context = {
        "question": question,
        "thread": {"comments": list(comments.select_related("author"))},
        "my_votes": _current_vote(request, question),
        "answer_form": AnswerForm(),
        "answer_refusal": _answer_refusal(request.user, question),
    }
    return render(request, "forum/_thread_live.html", context)


def _answer_fragment(request: HttpRequest, answer: Answer, **extra) -> str:  # noqa: ANN003
    """One answer as `_answer.html`, with its comments, last editor and the viewer's vote."""
    answer.visible_comment_list = list(
        permissions.visible_comments(answer.comments.all(), request.user).select_related("author")
    )
    selectors.attach_last_editors(question=answer.question, answers=[answer])
    context = {
        "answer": answer,
        "question": answer.question,
        "my_votes": _current_vote(request, answer),
        **extra,
    }
    return render_to_string("forum/_answer.html", context, request)


@require_GET
def answer_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """One answer as the viewer sees it (`_answer.html`), for inserting it live.

    The live layer publishes one small event per stream; each page then fetches the
    answer rendered for its own viewer (permissions, vote state, CSRF token).
    """
    answer = selectors.get_answer(pk=pk, user=request.user)
    return HttpResponse(_answer_fragment(request, answer))


@require_GET
def comments_fragment(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """A post's comments block (`_comments.html`) as the viewer sees it, for live updates."""
    post = get_post(request, kind, pk)
    return render(request, "forum/_comments.html", _comments_context(request, post))


# Answers --------------------------------------------------------------------------------


@require_POST
def post_answer(request: HttpRequest, pk: int) -> HttpResponse:
    question = selectors.get_question(pk=pk, user=request.user)
    if not request.user.is_authenticated:
        return login_redirect(request, question.get_absolute_url())
    form = AnswerForm(request.POST)
    fragment = {"fragment": "forum/_answer_form.html", "context": {"question": question}}
    if form.is_valid():
        try:
            answer = services.post_answer(
                actor=request.user, question=question, body=form.cleaned_data["body"]
            )
        except (PermissionDenied, RateLimited) as exc:
            fragment["context"]["answer_form"] = form
            return refusal(request, exc, **fragment)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if not request.htmx:
                return redirect(anchor_url(answer))
            question.refresh_from_db(fields=["answer_count"])
            context = {"question": question, "answer_form": AnswerForm(), "posted": answer}
            # The fresh form replaces the old; the answer, the new count and the sidebar's
            # facts (count, status) go out of band.
            out_of_band = {"question": question, "oob": True}
            return HttpResponse(
                render_to_string("forum/_answer_form.html", context, request)
                + '<div hx-swap-oob="beforeend:#answer-list">'
                + _answer_fragment(request, answer)
                + "</div>"
                + render_to_string("forum/_answers_heading.html", out_of_band, request)
                + render_to_string("forum/_thread_facts.html", out_of_band, request)
            )
    if request.htmx:
        context = {"question": question, "answer_form": form}
        return render(request, "forum/_answer_form.html", context)
    return render_thread(request, question, answer_form=form)


@require_POST
def accept(request: HttpRequest, pk: int, accepted: bool) -> HttpResponse:
    """Accept (or, with accepted=False, unaccept) an answer; only the asker or moderators."""
    answer = selectors.get_answer(pk=pk, user=request.user)
    if not request.user.is_authenticated:
        return login_redirect(request, anchor_url(answer))
    previous = answer.question.accepted_answer_id
    action = services.accept_answer if accepted else services.unaccept_answer
    question = action(actor=request.user, answer=answer)
    if not request.htmx:
        return redirect(anchor_url(answer))
    answer.question = question
    html = _answer_fragment(request, answer)
    if previous and previous != answer.pk and question.accepted_answer_id == answer.pk:
        # The answer that lost its mark is re-rendered too, out of band.
        old = Answer.objects.select_related("author").get(pk=previous)
        old.question = question
        html += _answer_fragment(request, old, oob="outerHTML")
    return HttpResponse(html)


# Comments -------------------------------------------------------------------------------


def _comments_context(
    request: HttpRequest, post: Question | Answer, form: CommentForm | None = None
) -> dict:
    kind = "question" if isinstance(post, Question) else "answer"
    comments = permissions.visible_comments(post.comments.all(), request.user)
    return {
        "post": post,
        "kind": kind,
        "question": thread_of(post),
        "comments": list(comments.select_related("author")),
        "state": post_state(post, request.user),
        "comment_form": form,
        "comment_target": f"{kind}-{post.pk}" if form is not None else "",
    }


@require_POST
def post_comment(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    post = get_post(request, kind, pk)
    if not request.user.is_authenticated:
        return login_redirect(request, anchor_url(post))
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.post_comment(
                actor=request.user, post=post, body=form.cleaned_data["body"]
            )
        except (PermissionDenied, RateLimited) as exc:
            context = _comments_context(request, post, form)
            return refusal(request, exc, fragment="forum/_comments.html", context=context)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if request.htmx:
                return render(request, "forum/_comments.html", _comments_context(request, post))
            question = thread_of(post)
            return redirect(f"{question.get_absolute_url()}#comment-{comment.pk}")
    if request.htmx:
        return render(request, "forum/_comments.html", _comments_context(request, post, form))
    return render_thread(
        request, thread_of(post), comment_form=form, comment_target=f"{kind}-{post.pk}"
    )


# Votes ----------------------------------------------------------------------------------


@require_POST
def vote(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Up (1), down (-1) or withdraw (0); the vote box sends 0 when pressed again."""
    post = get_post(request, kind, pk)
    if not request.user.is_authenticated:
        return login_redirect(request, anchor_url(post))
    form = VoteForm(request.POST)
    if not form.is_valid():
        return refuse(request, _("A vote is 1 (up), -1 (down) or 0 (withdraw)."), status=400)
    box = {"post": post, "question": thread_of(post)}
    try:
        score, mine = services.cast_vote(
            actor=request.user, post=post, value=form.cleaned_data["value"]
        )
    except (PermissionDenied, RateLimited) as exc:
        box["state"] = post_state(post, request.user, _current_vote(request, post))
        return refusal(request, exc, fragment="forum/_vote_box.html", context=box)
    if not request.htmx:
        return redirect(anchor_url(post))
    post.score = score
    box["state"] = post_state(post, request.user, {(post_type(post), post.pk): mine})
    return render(request, "forum/_vote_box.html", box)


def _current_vote(request: HttpRequest, post: Question | Answer) -> dict:
    """The viewer's vote on one post, keyed like selectors.Thread.my_votes."""
    if not request.user.is_authenticated:
        return {}
    kind = post_type(post)
    value = (
        Vote.objects.filter(voter=request.user, **{kind: post})
        .values_list("value", flat=True)
        .first()
    )
    return {(kind, post.pk): value} if value else {}
