"""A moderator deleting another member's post is a moderation act: audited, whether it
happens on the thread page or through the API; an author deleting their own post is not."""

from __future__ import annotations

import pytest

from advocacy.models import AuditEntry
from tests.factories import AnswerFactory, CommentFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def test_a_moderator_deleting_an_answer_on_the_thread_page_is_audited(
    advocate, advocate_client, customer
):
    answer = AnswerFactory(author=customer, body="Buy followers at example.com, cheap and fast.")

    response = advocate_client.post(f"/a/{answer.pk}/delete/")

    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.is_deleted
    [entry] = AuditEntry.objects.all()
    assert (entry.actor_id, entry.action, entry.target_id) == (
        advocate.pk,
        "post.delete",
        answer.pk,
    )
    assert (entry.before, entry.after) == ({"deleted": False}, {"deleted": True})


def test_a_moderator_deleting_a_comment_is_audited(staff_client, staff, customer):
    comment = CommentFactory(question=QuestionFactory(), author=customer)

    staff_client.post(f"/c/{comment.pk}/delete/")

    comment.refresh_from_db()
    assert comment.deleted_at is not None
    assert AuditEntry.objects.get().action == "post.delete"


def test_a_moderator_deleting_a_question_through_the_api_is_audited(staff, customer):
    from rest_framework.test import APIClient

    question = QuestionFactory(author=customer)
    client = APIClient()
    client.force_authenticate(staff)

    response = client.delete(f"/api/v1/questions/{question.pk}/")

    assert response.status_code == 204
    assert AuditEntry.objects.get().action == "post.delete"


def test_an_author_deleting_their_own_answer_is_not_a_moderation_act(customer_client, customer):
    answer = AnswerFactory(author=customer)

    customer_client.post(f"/a/{answer.pk}/delete/")

    answer.refresh_from_db()
    assert answer.is_deleted
    assert not AuditEntry.objects.exists()


def test_a_refused_delete_changes_nothing_and_audits_nothing(other_client, customer):
    answer = AnswerFactory(author=customer)

    response = other_client.post(f"/a/{answer.pk}/delete/")

    assert response.status_code == 403
    answer.refresh_from_db()
    assert not answer.is_deleted
    assert not AuditEntry.objects.exists()
