"""Asking and the question page: ask, answer, comment, vote, accept, edit. The page's
moderation buttons (close, reopen, lock, delete) are advocacy's: `advocacy.moderation.thread`.

URL names (app "forum"): ask, similar, preview, question_detail, post_answer,
question_fragment, answer_fragment, question_comments, answer_comments (GET partials for
live updates), comment_question, comment_answer, vote_question, vote_answer, accept_answer,
unaccept_answer, edit_question, edit_answer, question_revisions, answer_revisions.
"""

from django.urls import path

from forum.views.questions import ask, detail, edit

Q = {"kind": "question"}
A = {"kind": "answer"}

urlpatterns = [
    path("ask/", ask.ask, name="ask"),
    path("ask/similar/", ask.similar, name="similar"),
    path("preview/", ask.preview, name="preview"),
    path("q/<int:pk>/", detail.question_detail, name="question_detail"),
    path("q/<int:pk>/answer/", detail.post_answer, name="post_answer"),
    path("q/<int:pk>/fragment/", detail.question_fragment, name="question_fragment"),
    path("a/<int:pk>/fragment/", detail.answer_fragment, name="answer_fragment"),
    path("q/<int:pk>/comments/", detail.comments_fragment, Q, name="question_comments"),
    path("a/<int:pk>/comments/", detail.comments_fragment, A, name="answer_comments"),
    path("q/<int:pk>/comment/", detail.post_comment, Q, name="comment_question"),
    path("a/<int:pk>/comment/", detail.post_comment, A, name="comment_answer"),
    path("q/<int:pk>/vote/", detail.vote, Q, name="vote_question"),
    path("a/<int:pk>/vote/", detail.vote, A, name="vote_answer"),
    path("a/<int:pk>/accept/", detail.accept, {"accepted": True}, name="accept_answer"),
    path("a/<int:pk>/unaccept/", detail.accept, {"accepted": False}, name="unaccept_answer"),
    path("q/<int:pk>/edit/", edit.edit_question, name="edit_question"),
    path("a/<int:pk>/edit/", edit.edit_answer, name="edit_answer"),
    path("q/<int:pk>/revisions/", edit.revisions, Q, name="question_revisions"),
    path("a/<int:pk>/revisions/", edit.revisions, A, name="answer_revisions"),
]
