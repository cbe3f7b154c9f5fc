"""The badges, privileges and leaderboard pages."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum import services
from gamification.models import BadgeAward
from tests.factories import AnswerFactory, QuestionFactory
from tests.gamification.support import member

NOW = dt.datetime(2025, 3, 5, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def html(response) -> str:  # noqa: ANN001
    assert response.status_code == 200
    return response.content.decode()


# Badges ------------------------------------------------------------------------------------


def test_badges_page_lists_every_badge_by_tier_with_holders(client, db):
    asker = member(1, username="asker")
    services.ask_question(
        actor=asker, title="Why does my SIM say no service?", body="x" * 30, tags=["sim"]
    )

    page = html(client.get("/badges/"))

    assert (
        page.index('id="tier-gold"')
        < page.index('id="tier-silver"')
        < page.index('id="tier-bronze"')
    )
    assert page.count('class="card badge-card') == 17
    assert "Ask your first question." in page
    assert "Write an answer that reaches a score of 25." in page  # the threshold, filled in
    assert "1 member holds it" in page
    assert 'aria-current="page">Badges</a>' in page


def test_badges_page_marks_what_the_member_holds(client, db):
    asker = member(1, username="asker")
    services.ask_question(
        actor=asker, title="Why does my SIM say no service?", body="x" * 30, tags=["sim"]
    )
    client.force_login(asker)

    page = html(client.get("/badges/"))

    held = page[page.index('id="badge-curious"') :]
    assert "you have it" in held[: held.index("</li>")]
    assert page.count("you have it") == 1


def test_a_switched_off_badge_is_not_shown(client, tune):
    tune(badge="guru", enabled=False)

    page = html(client.get("/badges/"))

    assert 'id="badge-guru"' not in page
    assert page.count('class="card badge-card') == 16


# Privileges --------------------------------------------------------------------------------


def test_privileges_page_for_a_visitor_shows_the_table_only(client, db):
    page = html(client.get("/privileges/"))

    assert "<td>Vote up</td>" in page
    assert '<td class="number">2000</td>' in page
    assert "Unlocked" not in page
    assert "to see which privileges you hold" in page


def test_privileges_page_shows_held_and_what_is_next(client, db):
    client.force_login(member(130, username="mid"))

    page = html(client.get("/privileges/"))

    assert "You have <strong>130</strong> reputation: your rank is <strong>Member</strong>." in page
    assert "Next: at 500 reputation you can review first posts of new members (370 to go)." in page
    assert page.count("Unlocked") == 4
    assert page.count("Locked") == 3
    assert '<tr class="held" aria-current="true"><td class="number">50</td><td>Member</td>' in page


def test_staff_hold_every_privilege(client, staff):
    client.force_login(staff)

    page = html(client.get("/privileges/"))

    assert "As staff you hold every privilege" in page
    assert page.count("Unlocked") == 7


# Leaderboard -------------------------------------------------------------------------------


def _earn(author, points: int, tags=("sim",)) -> None:  # noqa: ANN001
    """`points` / 10 upvotes from staff (who need no reputation and are never ranked)."""
    answer = AnswerFactory(author=author, question=QuestionFactory(tags=list(tags)))
    for i in range(points // 10):
        voter = member(1, username=f"s{author.pk}-{i}", is_staff=True)
        services.cast_vote(actor=voter, post=answer, value=1)


def test_leaderboard_ranks_the_week_and_shows_rank_next_to_names(client, db):
    ann, bea = member(1, username="ann"), member(1, username="bea")
    _earn(ann, 20)
    _earn(bea, 30)

    page = html(client.get("/leaderboard/"))

    assert page.index("/u/bea/") < page.index("/u/ann/")
    assert "30 points" in page
    assert '<span class="rank">Newcomer</span>' in page
    assert 'aria-current="page">This week</a>' in page
    assert "sofia" not in page


def test_member_outside_the_top_sees_their_own_position(client, db, settings):
    members = [member(1, username=f"m{i}") for i in range(3)]
    for i, m in enumerate(members):
        _earn(m, 10 * (3 - i))
    client.force_login(members[2])

    response = client.get("/leaderboard/")

    page = html(response)
    assert "You are <strong>#3</strong> with 10 points." in page
    assert page.count('class="me') == 1


def test_member_without_points_is_told_how_to_get_on_the_board(client, db):
    client.force_login(member(1, username="quiet"))

    page = html(client.get("/leaderboard/?period=month"))

    assert "You have no points in this period yet" in page
    assert 'aria-current="page">This month</a>' in page


def test_per_tag_board_and_unknown_tag(client, db):
    ann, bea = member(1, username="ann"), member(1, username="bea")
    _earn(ann, 20, tags=["roaming"])
    _earn(bea, 10, tags=["sim"])

    page = html(client.get("/leaderboard/?tag=roaming"))
    assert "/u/ann/" in page
    assert "/u/bea/" not in page
    assert '<option value="roaming" selected>' in page

    page = html(client.get("/leaderboard/?tag=nope"))
    assert "There is no such tag; showing all tags." in page
    assert "/u/ann/" in page
    assert "/u/bea/" in page


@pytest.mark.parametrize(
    "query",
    [
        "?period=forever",
        "?period=",
        "?tag=%3Cscript%3Ealert(1)%3C/script%3E",
        "?period[]=x",
        "?tag=" + "a" * 500,
    ],
)
def test_bad_leaderboard_input_falls_back_to_the_weekly_board(client, db, query):
    page = html(client.get("/leaderboard/" + query))

    assert 'aria-current="page">This week</a>' in page
    assert "<script>alert(1)" not in page


def test_leaderboard_query_count_does_not_grow_with_the_board(client, db):
    def queries() -> int:
        client.get("/leaderboard/")  # warm the tuning cache
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/leaderboard/").status_code == 200
        return len(ctx)

    _earn(member(1, username="first"), 10)
    few = queries()
    for i in range(8):
        _earn(member(1, username=f"more{i}"), 10)

    assert queries() == few


def test_badge_page_holder_counts_follow_awards(client, db):
    BadgeAward.objects.create(member=member(1, username="x"), badge="guru", tier="gold")

    page = html(client.get("/badges/"))

    guru = page[page.index('id="badge-guru"') :]
    assert "1 member holds it" in guru[: guru.index("</li>")]


# Profile -------------------------------------------------------------------------------------


def test_profile_shows_rank_badges_graph_and_recent_points(client, db):
    ann = member(60, username="ann")
    question = QuestionFactory(title="How do I enable roaming abroad?")
    answer = AnswerFactory(question=question, author=ann)
    voter = member(1, username="boss", is_staff=True)
    services.cast_vote(actor=voter, post=answer, value=1)
    services.cast_vote(actor=voter, post=answer, value=0)
    services.cast_vote(actor=voter, post=answer, value=1)

    page = html(client.get("/u/ann/"))

    assert "<strong>Member</strong>" in page
    assert "Contributor at 200 reputation" in page
    assert "Reputation over the last 90 days: from 1 to 70." in page  # joined today
    assert 'href="/badges/#badge-supporter"' not in page  # the staff voter's, not ann's
    assert "+10</span>\n            answer upvoted on" in page
    assert "How do I enable roaming abroad?</a>" in page
    assert "(undone)" in page
    assert "No badges yet." in page


def test_profile_lists_badges_by_tier(client, db):
    ann = member(1, username="ann")
    services.ask_question(
        actor=ann, title="Why does my SIM say no service?", body="x" * 30, tags=["sim"]
    )

    page = html(client.get("/u/ann/"))

    assert '<a class="badge badge-bronze" href="/badges/#badge-curious">Curious</a>' in page
    assert "0 gold, 0 silver, 1 bronze" in page


def test_profile_hides_the_title_of_a_deleted_question_in_the_points(client, db):
    ann = member(1, username="ann")
    question = QuestionFactory(title="A question that will go away")
    answer = AnswerFactory(question=question, author=ann)
    services.cast_vote(actor=member(1, username="boss", is_staff=True), post=answer, value=1)
    services.delete_question(actor=question.author, question=question)

    page = html(client.get("/u/ann/"))

    assert "A question that will go away" not in page


def test_profile_names_an_opening_balance(client, db):
    from gamification.services.balances import record_opening_balances
    from tests.factories import UserFactory

    ann = UserFactory(username="ann", reputation=1)
    User = type(ann)
    User.objects.filter(pk=ann.pk).update(reputation=40)  # as a bulk loader does
    record_opening_balances([(ann.pk, 40)])

    page = html(client.get("/u/ann/"))

    assert "+39</span>\n            reputation brought over" in page
