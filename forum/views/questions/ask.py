"""Asking: the form, similar questions while typing the title, and the Markdown preview."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import ratelimit
from core.ratelimit import RateLimited
from core.web import apply_service_errors, refuse
from forum import selectors, services
from forum.forms import QuestionForm
from forum.markdown import render_markdown
from forum.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH

# The preview renders what is typed on every pause: cheap, but not free, so it is capped
# in length and in rate per member.
PREVIEW_MAX_LENGTH = BODY_MAX_LENGTH
PREVIEW_RATE = getattr(settings, "CIRCOLO_PREVIEW_RATE", "120/m")
SIMILAR_LIMIT = 5


def preview_html(text: str) -> tuple[str, bool]:
    """Sanitised HTML for a draft (same renderer as saved posts) and whether it was cut."""
    truncated = len(text) > PREVIEW_MAX_LENGTH
    return render_markdown(text[:PREVIEW_MAX_LENGTH]).html, truncated


def draft_context(request: HttpRequest, *, title: str = "", body: str | None = None) -> dict:
    """Similar questions and (when asked for) the preview, for a re-rendered draft form."""
    context: dict = {"similar": selectors.similar_questions(title=title, user=request.user)}
    if body is not None:
        context["preview"], context["preview_truncated"] = preview_html(body)
    return context


@login_required
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST: "preview" re-renders with the preview, else posts the question."""
    status = 200
    retry_after = None
    if request.method == "GET":
        initial = {"title": request.GET.get("title", "")[:TITLE_MAX_LENGTH]}
        form = QuestionForm(initial=initial, user=request.user)
        context = {"similar": []}
    else:
        form = QuestionForm(request.POST, user=request.user)
        title = request.POST.get("title", "")[:TITLE_MAX_LENGTH]
        if "preview" in request.POST:
            context = draft_context(request, title=title, body=request.POST.get("body", ""))
        else:
            if form.is_valid():
                data = form.cleaned_data
                try:
                    question = services.ask_question(
                        actor=request.user,
                        title=data["title"],
                        body=data["body"],
                        tags=data["tags"],
                        category=data["category"],
                    )
                except RateLimited as exc:
                    form.add_error(None, str(exc))
                    status, retry_after = 429, exc.retry_after
                except ValidationError as exc:
                    apply_service_errors(form, exc)
                else:
                    messages.success(request, _("Your question is posted."))
                    return redirect(question)
            context = draft_context(request, title=title)
    context.update({"form": form, "nav": "questions"})
    response = render(request, "forum/ask.html", context, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@require_GET
def similar(request: HttpRequest) -> HttpResponse:
    """Questions that may already answer a draft title (htmx, while the asker types)."""
    title = request.GET.get("title", "")[:TITLE_MAX_LENGTH]
    questions = selectors.similar_questions(title=title, user=request.user, limit=SIMILAR_LIMIT)
    return render(request, "forum/_similar.html", {"similar": questions})


@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The draft `body` rendered by the server's Markdown renderer, as a fragment."""
    if not request.user.is_authenticated:
        return refuse(request, _("Log in to preview your text."), status=403)
    ratelimit.hit(f"preview:{request.user.pk}", PREVIEW_RATE)
    html, truncated = preview_html(request.POST.get("body", ""))
    context = {"preview": html, "preview_truncated": truncated}
    return render(request, "forum/_preview.html", context)
