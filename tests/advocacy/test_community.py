"""Community self-moderation: close and reopen votes by members with the close privilege
(three close, tunable; moderators at once) and edit suggestions from members below the
"edit any post" privilege, reviewed by members who hold it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from advocacy.models import AuditEntry, CloseVote, CommunityRules, EditSuggestion
from advocacy.services import community as services
from forum.models import CloseReason, Notification, Question, Revision
from tests.advocacy.programme_support import snapshot
from tests.advocacy.support import published
from tests.factories import AnswerFactory, QuestionFactory, UserFactory
from tests.naughty import NAUGHTY_SAMPLE

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "customer",
    "other_customer",
    "helper",
    "closer",
    "advocate",
    "revoked_advocate",
    "staff",
    "manager",
]


@pytest.fixture
def closer(db):
    """A member with the close privilege (2000) and no moderation role."""
    return UserFactory(username="closer", reputation=2000)


@pytest.fixture
def voters(db):
    return [UserFactory(username=f"voter{i}", reputation=2000) for i in range(4)]


@pytest.fixture
def actor(request):
    if request.param == "anonymous":
        return AnonymousUser()
    return request.getfixturevalue(request.param)


def vote(member, question, kind="close", reason=CloseReason.OFF_TOPIC, **kwargs):  # noqa: ANN001, ANN201
    return services.cast_close_vote(
        actor=member, question=question, kind=kind, reason=reason, **kwargs
    )


# Close and reopen votes ---------------------------------------------------------------------


def test_two_votes_leave_the_question_open_and_the_third_closes_it(
    voters, question, django_capture_on_commit_callbacks
):
    vote(voters[0], question, reason=CloseReason.NEEDS_DETAILS, note="Which phone?")
    vote(voters[1], question)
    assert Question.objects.get(pk=question.pk).closed_at is None
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        third = vote(voters[2], question, reason=CloseReason.NEEDS_DETAILS)
    question.refresh_from_db()
    assert question.is_closed
    assert question.close_reason == CloseReason.NEEDS_DETAILS  # the reason most voters gave
    assert question.closed_by == voters[2]
    assert third.settled_at is not None
    assert not CloseVote.objects.filter(settled_at__isnull=True).exists()
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["question.close_vote"] * 3 + ["question.closed_by_votes"]
    closed = AuditEntry.objects.get(action="question.closed_by_votes")
    assert closed.after["voters"] == [v.pk for v in voters[:3]]
    assert ("feed", "question.updated") in [(s, t) for s, t, _d in published(callbacks)]
    assert (f"question.{question.pk}", "question.closed") in [
        (s, t) for s, t, _d in published(callbacks)
    ]


def test_voting_twice_counts_once(voters, question):
    vote(voters[0], question)
    with pytest.raises(ValidationError, match="already voted"):
        vote(voters[0], question)
    assert CloseVote.objects.count() == 1


def test_the_number_of_votes_is_tunable(voters, question):
    CommunityRules(close_votes_needed=2, reopen_votes_needed=1).save()
    vote(voters[0], question)
    vote(voters[1], question)
    assert Question.objects.get(pk=question.pk).is_closed
    services.cast_close_vote(actor=voters[3], question=question, kind="reopen", note="Fixed")
    assert not Question.objects.get(pk=question.pk).is_closed


def test_three_reopen_votes_reopen_and_old_close_votes_do_not_count_again(voters, question):
    for member in voters[:3]:
        vote(member, question)
    for member in voters[:2]:
        services.cast_close_vote(actor=member, question=question, kind="reopen")
    assert Question.objects.get(pk=question.pk).is_closed
    services.cast_close_vote(actor=voters[2], question=question, kind="reopen")
    assert not Question.objects.get(pk=question.pk).is_closed
    # A new round: one close vote does not close it (the first round's votes are settled).
    vote(voters[0], question)
    assert not Question.objects.get(pk=question.pk).is_closed


def test_a_duplicate_closes_against_the_original_most_voters_named(voters, question):
    first = QuestionFactory(title="The original about eSIM")
    second = QuestionFactory(title="Another candidate original")
    vote(voters[0], question, reason=CloseReason.DUPLICATE, duplicate_of=second)
    vote(voters[1], question, reason=CloseReason.DUPLICATE, duplicate_of=first)
    vote(voters[2], question, reason=CloseReason.DUPLICATE, duplicate_of=first)
    question.refresh_from_db()
    assert (question.close_reason, question.duplicate_of) == (CloseReason.DUPLICATE, first)


def test_a_moderator_vote_closes_at_once(advocate, question):
    vote(advocate, question)
    assert Question.objects.get(pk=question.pk).is_closed


@pytest.mark.parametrize(
    ("kind", "reason", "field"),
    [("close", "", "reason"), ("close", "bogus", "reason"), ("shut", "", "kind")],
)
def test_bad_votes_are_refused(closer, question, kind, reason, field):
    with pytest.raises(ValidationError) as caught:
        services.cast_close_vote(actor=closer, question=question, kind=kind, reason=reason)
    assert field in caught.value.message_dict
    assert not CloseVote.objects.exists()


def test_reopening_an_open_question_is_refused(closer, question):
    with pytest.raises(ValidationError):
        services.cast_close_vote(actor=closer, question=question, kind="reopen")
    assert not CloseVote.objects.exists()


VOTERS = {"closer", "revoked_advocate", "advocate", "staff", "manager"}
MODERATORS = {"advocate", "staff", "manager"}


@pytest.mark.parametrize("actor", ROLES, indirect=True)
def test_who_may_vote_to_close(actor, request, question, django_capture_on_commit_callbacks):
    role = request.node.callspec.params["actor"]
    if role == "customer":  # the asker owns `question`; someone else's for the matrix
        question = QuestionFactory(title="Someone else's question")
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        if role in VOTERS:
            vote(actor, question)
        else:
            with pytest.raises(PermissionDenied):
                vote(actor, question)
    if role in VOTERS:
        assert CloseVote.objects.count() == 1
        assert Question.objects.get(pk=question.pk).is_closed is (role in MODERATORS)
    else:
        assert snapshot() == before
        assert published(callbacks) == []


def test_suspended_members_cannot_vote(suspended_member, question):
    suspended_member.reputation = 3000
    suspended_member.save(update_fields=["reputation"])
    with pytest.raises(PermissionDenied):
        vote(suspended_member, question)


def test_members_with_the_privilege_vote_and_no_longer_close_at_once(closer, question):
    client = Client()
    client.force_login(closer)
    page = client.get(question.get_absolute_url()).content.decode()
    assert f'href="/q/{question.pk}/close-vote/"' in page
    assert f'href="/q/{question.pk}/close/"' not in page
    assert client.post(f"/q/{question.pk}/close/", {"reason": "off_topic"}).status_code == 403
    response = client.post(f"/q/{question.pk}/close-vote/", {"reason": "off_topic", "note": "x"})
    assert response.status_code == 302
    assert CloseVote.objects.get().voter == closer
    assert not Question.objects.get(pk=question.pk).is_closed
    assert "1 vote of 3 so far." in client.get(f"/q/{question.pk}/close-vote/").content.decode()


def test_the_vote_page_refuses_members_without_the_privilege(customer_client, helper, question):
    other = QuestionFactory(author=helper)
    assert customer_client.get(f"/q/{other.pk}/close-vote/").status_code == 403
    assert (
        customer_client.post(f"/q/{other.pk}/close-vote/", {"reason": "off_topic"}).status_code
        == 403
    )
    assert not CloseVote.objects.exists()


def test_the_vote_page_needs_csrf(closer, question):
    client = Client(enforce_csrf_checks=True)
    client.force_login(closer)
    assert client.post(f"/q/{question.pk}/close-vote/", {"reason": "off_topic"}).status_code == 403
    assert not CloseVote.objects.exists()


# Edit suggestions -------------------------------------------------------------------------


@pytest.fixture
def helpers_question(helper):
    return QuestionFactory(author=helper, title="Helper's question about APN", tags=["apn"])


def suggest(member, post, **changes):  # noqa: ANN001, ANN201
    if isinstance(post, Question):
        fields = {
            "title": post.title,
            "body": post.body,
            "tags": list(post.tags.names()),
            "category": post.category,
        }
        fields.update(changes)
        return services.suggest_edit(actor=member, post=post, **fields)
    return services.suggest_edit(actor=member, post=post, body=changes["body"])


NEW_BODY = "The APN is internet.example; set it under Mobile networks, then restart."


def test_a_suggestion_waits_for_review_and_changes_nothing_yet(customer, helpers_question):
    before = Question.objects.get(pk=helpers_question.pk).body
    suggestion = suggest(customer, helpers_question, body=NEW_BODY, summary="clearer steps")
    assert suggestion.status == EditSuggestion.Status.PENDING
    assert Question.objects.get(pk=helpers_question.pk).body == before
    assert suggestion.base_revision == helpers_question.revisions.count()


def test_approving_applies_the_edit_credited_to_the_suggester(
    customer, other_customer, advocate, helpers_question, django_capture_on_commit_callbacks
):
    suggestion = suggest(other_customer, helpers_question, body=NEW_BODY, summary="clearer")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.approve_suggestion(actor=advocate, suggestion=suggestion)
    helpers_question.refresh_from_db()
    assert helpers_question.body == NEW_BODY
    revision = Revision.objects.filter(question=helpers_question).order_by("-number").first()
    assert (revision.author, revision.summary) == (other_customer, "clearer")
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.reviewer) == ("approved", advocate)
    entry = AuditEntry.objects.get(action="suggestion.approve")
    assert entry.after["author"] == other_customer.pk
    notification = Notification.objects.get(recipient=other_customer)
    assert notification.kind == Notification.Kind.MODERATION
    assert notification.question == helpers_question
    streams = {(s, t) for s, t, _d in published(callbacks)}
    assert (f"user.{other_customer.pk}", "notification.created") in streams
    assert (f"question.{helpers_question.pk}", "question.updated") in streams


def test_answers_take_suggestions_too(customer, helper, question):
    answer = AnswerFactory(question=question, author=UserFactory(username="writer"))
    suggestion = suggest(customer, answer, body="A clearer answer body with all the steps.")
    services.approve_suggestion(actor=helper, suggestion=suggestion)
    answer.refresh_from_db()
    assert answer.body == "A clearer answer body with all the steps."
    assert answer.revisions.order_by("-number").first().author == customer


def test_rejecting_needs_a_reason_and_tells_the_suggester(customer, helper, helpers_question):
    suggestion = suggest(customer, helpers_question, body=NEW_BODY)
    advocate = UserFactory(username="rev", reputation=1500)
    with pytest.raises(ValidationError):
        services.reject_suggestion(actor=advocate, suggestion=suggestion, reason="")
    services.reject_suggestion(actor=advocate, suggestion=suggestion, reason="Changes the meaning")
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.review_reason) == ("rejected", "Changes the meaning")
    assert Question.objects.get(pk=helpers_question.pk).body != NEW_BODY
    notification = Notification.objects.get(recipient=customer)
    assert notification.data["params"]["reason"] == "Changes the meaning"
    assert AuditEntry.objects.filter(action="suggestion.reject").count() == 1


def test_a_reviewed_suggestion_cannot_be_reviewed_again(
    customer, helper, advocate, helpers_question
):
    suggestion = suggest(customer, helpers_question, body=NEW_BODY)
    services.approve_suggestion(actor=advocate, suggestion=suggestion)
    with pytest.raises(ValidationError, match="already been reviewed"):
        services.reject_suggestion(actor=advocate, suggestion=suggestion, reason="too late now")
    assert AuditEntry.objects.filter(action__startswith="suggestion.").count() == 1


def test_one_pending_suggestion_per_post(customer, other_customer, helpers_question):
    suggest(customer, helpers_question, body=NEW_BODY)
    with pytest.raises(ValidationError, match="already has an edit waiting"):
        suggest(other_customer, helpers_question, body=NEW_BODY + " Also reboot.")
    assert EditSuggestion.objects.count() == 1


def test_a_suggestion_must_change_something(customer, helpers_question):
    with pytest.raises(ValidationError, match="changes nothing"):
        suggest(customer, helpers_question)
    assert not EditSuggestion.objects.exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("anonymous", False),
        ("customer", True),
        ("other_customer", True),
        ("newcomer", True),
        ("helper", False),  # holds the edit privilege: edits directly
        ("advocate", False),  # moderator: edits directly
        ("staff", False),
        ("suspended_member", False),
    ],
)
def test_who_suggests_instead_of_editing(role, allowed, request):
    member = AnonymousUser() if role == "anonymous" else request.getfixturevalue(role)
    post = QuestionFactory(author=UserFactory(username="owner"), tags=["apn"])
    before = snapshot()
    if allowed:
        suggest(member, post, body=NEW_BODY)
        assert EditSuggestion.objects.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            suggest(member, post, body=NEW_BODY)
        assert snapshot() == before


def test_the_author_edits_directly_rather_than_suggesting(customer, question):
    with pytest.raises(PermissionDenied, match="directly"):
        suggest(customer, question, body=NEW_BODY)


REVIEWERS = {"helper", "closer", "advocate", "revoked_advocate", "staff", "manager"}


@pytest.mark.parametrize("actor", ROLES, indirect=True)
def test_who_reviews(actor, request, newcomer, django_capture_on_commit_callbacks):
    role = request.node.callspec.params["actor"]
    post = QuestionFactory(author=UserFactory(username="owner"), tags=["apn"])
    suggestion = suggest(newcomer, post, body=NEW_BODY)
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        if role in REVIEWERS:
            services.reject_suggestion(actor=actor, suggestion=suggestion, reason="Not needed")
        else:
            with pytest.raises(PermissionDenied):
                services.approve_suggestion(actor=actor, suggestion=suggestion)
            with pytest.raises(PermissionDenied):
                services.reject_suggestion(actor=actor, suggestion=suggestion, reason="Not needed")
    if role in REVIEWERS:
        assert EditSuggestion.objects.get().status == "rejected"
    else:
        assert snapshot() == before
        assert published(callbacks) == []


def test_nobody_reviews_their_own_suggestion(helper, customer, helpers_question):
    suggestion = suggest(customer, helpers_question, body=NEW_BODY)
    with pytest.raises(PermissionDenied):
        services.approve_suggestion(actor=customer, suggestion=suggestion)
    assert EditSuggestion.objects.get().status == "pending"


def test_the_suggest_and_review_pages(customer_client, helper_client, helpers_question, customer):
    page = customer_client.get(helpers_question.get_absolute_url()).content.decode()
    assert f'href="/q/{helpers_question.pk}/suggest-edit/"' in page
    response = customer_client.post(
        f"/q/{helpers_question.pk}/suggest-edit/",
        {
            "title": helpers_question.title,
            "body": NEW_BODY,
            "tags": "apn",
            "category": "",
            "summary": "steps",
        },
    )
    assert response.status_code == 302
    suggestion = EditSuggestion.objects.get()
    assert customer_client.get("/suggestions/").status_code == 403  # below the privilege
    assert "Helper" in customer_client.get("/suggestions/mine/").content.decode()
    queue = helper_client.get("/suggestions/").content.decode()
    assert f'id="suggestion-{suggestion.pk}"' in queue
    assert "<ins>" in queue  # shown as a diff
    assert helper_client.post(f"/suggestions/{suggestion.pk}/approve/").status_code == 302
    assert Question.objects.get(pk=helpers_question.pk).body == NEW_BODY


def test_review_endpoints_refuse_members_below_the_privilege(
    customer, other_client, helpers_question
):
    suggestion = suggest(customer, helpers_question, body=NEW_BODY)
    assert other_client.post(f"/suggestions/{suggestion.pk}/approve/").status_code == 403
    assert (
        other_client.post(
            f"/suggestions/{suggestion.pk}/reject/", {"reason": "nope nope"}
        ).status_code
        == 403
    )
    assert EditSuggestion.objects.get().status == "pending"
    assert other_client.post("/suggestions/999999/approve/").status_code == 404


# Naughty strings and XSS --------------------------------------------------------------------


@pytest.mark.parametrize("text", NAUGHTY_SAMPLE)
def test_naughty_rejection_reasons_and_vote_notes(text, customer, helper, helpers_question, voters):
    suggestion = suggest(customer, helpers_question, body=NEW_BODY)
    try:
        services.reject_suggestion(actor=helper, suggestion=suggestion, reason=text)
    except ValidationError:
        assert EditSuggestion.objects.get().status == "pending"
    else:
        stored = EditSuggestion.objects.get().review_reason
        assert "\x00" not in stored
        client = Client()
        client.force_login(customer)
        html = client.get("/suggestions/mine/").content.decode()
        html += client.get("/notifications/").content.decode()
        if "<" in stored:
            assert stored not in html  # escaped wherever it shows
    try:
        vote(voters[0], helpers_question, note=text)
    except ValidationError:
        assert not CloseVote.objects.exists()
    else:
        assert "\x00" not in CloseVote.objects.get().note


def test_a_script_in_a_suggestion_is_escaped_in_the_review_queue(
    customer, helper_client, helpers_question
):
    body = 'Try this: <script>alert("x")</script> <img src=x onerror=alert(1)> and reboot.'
    suggest(customer, helpers_question, body=body, title="<b>Title</b> with markup inside")
    html = helper_client.get("/suggestions/").content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_votes_from_before_a_moderators_close_and_reopen_do_not_count_again(
    voters, staff, question
):
    from advocacy.services import moderation

    vote(voters[0], question)
    vote(voters[1], question)
    moderation.close_question(actor=staff, question=question, reason=CloseReason.OFF_TOPIC)
    moderation.reopen_question(actor=staff, question=question)
    vote(voters[2], question)  # a new round: one vote, not three
    assert not Question.objects.get(pk=question.pk).is_closed
    assert CloseVote.objects.filter(settled_at__isnull=True).count() == 1
