"""Feedback for a member's achievements (issue 15), on the real server: while Carla reads
the site, her answer is upvoted and then accepted; her header's points follow each
change live, and every achievement shows exactly one toast (a badge arrives twice, as a
notification and as badge.awarded, and still makes one); with at most three toasts, the
acceptance is never the one pushed out."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from forum.models import Notification
from gamification.models import BadgeAward
from gamification.rules import tuning
from tests.browser.test_live import api, member, open_page, site, visit  # noqa: F401 - fixtures
from tests.factories import AnswerFactory, QuestionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BADGES_FETCHED = """(times) => performance.getEntriesByType('resource')
  .filter(entry => new URL(entry.name).pathname === '/badges/').length >= times"""


def test_points_update_live_and_each_achievement_toasts_once(site, open_page):  # noqa: F811
    anna = member("anna", "Anna Rossi", reputation=20)
    bruno = member("bruno", "Bruno Bianchi", reputation=500)
    carla = member("carla", "Carla Verdi", reputation=1)
    question = QuestionFactory(author=anna, title="My eSIM stopped working after the update")
    answer = AnswerFactory(question=question, author=carla, body="Ask for a new QR code.")
    rules = tuning().rules
    page = open_page(carla)
    visit(page, "/")
    points = page.locator("[data-live-points-value]")
    expect(points).to_have_text("1")

    # Bruno upvotes her answer: the header's points go up, with one toast
    api(site, bruno, "POST", f"answers/{answer.pk}/vote/", {"value": 1})
    upvoted = 1 + rules["answer_upvoted"].delta
    expect(points).to_have_text(str(upvoted))
    expect(page.locator(".toast", has_text="reputation point")).to_have_count(1)

    # Anna accepts it: points again, the acceptance, and the badges it earns
    api(site, anna, "POST", f"answers/{answer.pk}/accept/")
    expect(points).to_have_text(str(upvoted + rules["answer_accepted"].delta))
    accepted = page.locator(".toast", has_text="accepted your answer")
    expect(accepted).to_have_count(1)
    awarded = list(BadgeAward.objects.filter(member=carla).values_list("badge", flat=True))
    assert sorted(awarded) == ["problem-solver", "quick-fix"]  # first accepted, within the hour
    expect(page.locator(".bell .bell-count")).to_have_text(
        str(Notification.objects.filter(recipient=carla).count())  # the acceptance, the badges
    )
    # each badge.awarded handled too (it fetches the badges page for the badge's name)
    page.wait_for_function(BADGES_FETCHED, arg=len(awarded))
    for slug in awarded:
        expect(page.locator(f".toast[href$='#badge-{slug}']")).to_have_count(1)
    # at most three toasts, and the acceptance is never the one pushed out
    expect(accepted).to_have_class("toast toast-important")
    assert page.locator(".toast").count() <= 3
