"""factory-boy factories. Posts are built through plain ORM here only to set up state;
tests of behaviour go through the services."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from forum.markdown import render_markdown
from forum.models import Answer, Category, Comment, Question, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n:04d}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("demo-password")
    # Members of some standing: votes from accounts younger than a day give no points
    # (gamification.fairplay); a test about a brand-new account sets date_joined itself.
    # A fixed date, so tests that travel in time still find the member established.
    date_joined = dt.datetime(2020, 1, 6, 9, 0, tzinfo=dt.UTC)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):  # noqa: N805
        """Give the member a verified primary e-mail (allauth), as after sign-up."""
        if create and extracted is not False:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )

    @factory.post_generation
    def ledger(obj, create, extracted, **kwargs):  # noqa: N805
        """Back a `reputation=N` with an adjustment row in the points ledger, so the cached
        reputation equals the ledger (`recompute_reputation --check`) as in real life."""
        if not create:
            return
        from django.db.models import Sum

        from gamification.leaderboards import bump
        from gamification.models import PointEvent

        missing = obj.reputation - 1 - (obj.point_events.aggregate(s=Sum("points"))["s"] or 0)
        if missing:
            event = PointEvent.objects.create(
                recipient=obj,
                rule="adjustment",
                delta=missing,
                points=missing,
                day=timezone.localdate(),
                note="test fixture",
            )
            bump([event])  # and the leaderboard counters, as the services would


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question
        skip_postgeneration_save = True

    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"How do I top up my SIM card, case {n}?")
    body = "I tried the app but the payment page keeps spinning. What else can I do?"
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body).html)
    category = None

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.tags.set(extracted if extracted is not None else ["sim"])


class AnswerFactory(factory.django.DjangoModelFactory):
    """Keeps the question's answer_count right, as the service would."""

    class Meta:
        model = Answer

    question = factory.SubFactory(QuestionFactory)
    author = factory.SubFactory(UserFactory)
    body = "Restart the phone, then open the app and try the payment again."
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body).html)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        answer = super()._create(model_class, *args, **kwargs)
        Question.objects.filter(pk=answer.question_id).update(
            answer_count=Answer.objects.filter(
                question_id=answer.question_id, deleted_at__isnull=True
            ).count()
        )
        answer.question.refresh_from_db(fields=["answer_count"])
        return answer


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    question = factory.SubFactory(QuestionFactory)
    answer = None
    author = factory.SubFactory(UserFactory)
    body = "Which phone model is it?"
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body).html)
