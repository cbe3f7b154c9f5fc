"""The live layer in real browsers: pages served by a real daphne (pytest-django's
live_server is a WSGI thread server and cannot serve WebSockets), two or three people on
the same question, the lists, the bell, and a server restart in the middle.

daphne runs as a subprocess on the test database (a file on SQLite, see conftest.py) and,
with REDIS_URL, on this test run's Redis database. Everything that must reach the sockets
goes through that server (browser forms, or the REST API with a token); writes the test
makes itself only reach them through the backlog, which is what catch-up is about.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from playwright.sync_api import Page, expect
from rest_framework.authtoken.models import Token

from forum import services
from forum.models import Answer, Question
from tests.factories import AnswerFactory, QuestionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[2]
DAPHNE = str(Path(sys.executable).with_name("daphne"))
RECONNECT_TIMEOUT = 40_000  # back-off 1, 2, 4, 8 s (with jitter) while daphne restarts


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Daphne:
    """One daphne process on a fixed port, which can be stopped and started again."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / "daphne.log"
        self.process: subprocess.Popen | None = None
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
        }
        env.update(
            DJANGO_SETTINGS_MODULE="tests.browser.daphne_settings",
            DATABASE_URL=database_url(),
            REDIS_URL=settings.REDIS_URL or "",
        )
        self.env = env

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [DAPHNE, "-b", "127.0.0.1", "-p", str(self.port), "config.asgi:application"],
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=1)
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"daphne did not start:\n{self.log.read_text()}")
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@pytest.fixture
def site(transactional_db, tmp_path):
    server = Daphne(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def open_page(browser, site):
    """`open_page(member=None)`: a page in a fresh browser context, logged in as `member`
    (a session made here, in the shared database) or anonymous."""
    contexts = []

    def make(member=None, *, viewport=None, locale="en-GB") -> Page:  # noqa: ANN001
        context = browser.new_context(
            base_url=site.url, locale=locale, viewport=viewport or {"width": 1200, "height": 800}
        )
        context.set_default_timeout(15_000)
        if member is not None:
            client = Client()
            client.force_login(member)
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                        "url": site.url,
                    }
                ]
            )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    errors: list[str] = []
    yield make
    for context in contexts:
        context.close()
    assert errors == [], "JavaScript errors on the pages"


@pytest.fixture
def shots(screenshots_dir):
    def shoot(page: Page, name: str) -> None:
        if screenshots_dir:
            page.screenshot(path=f"{screenshots_dir}/{name}.png", full_page=False)

    return shoot


def api(site: Daphne, member, method: str, path: str, body: dict | None = None) -> dict:  # noqa: ANN001
    """Call the REST API of the daphne under test as `member` (token authentication)."""
    token, _created = Token.objects.get_or_create(user=member)
    request = urllib.request.Request(
        f"{site.url}/api/v1/{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", "Authorization": f"Token {token.key}"},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status in (200, 201)
        return json.loads(response.read())


def visit(page: Page, url: str) -> None:
    """Open `url` and wait until its socket is subscribed to everything the page follows;
    mark the document so that a reload would be noticed."""
    page.goto(url)
    page.wait_for_function(
        """() => window.circoloLive && window.circoloLive.socket()
               && window.circoloLive.socket().readyState === 1
               && Object.values(window.circoloLive.streams).every(s => !s.waiting)"""
    )
    page.evaluate("window.__sameDocument = true")


def not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__sameDocument === true")


def in_thread(service, **kwargs):  # noqa: ANN001, ANN003, ANN201
    """Call a service from a thread of its own: Playwright's event loop lives in this one,
    and publishing after commit goes through async_to_sync."""

    def call():  # noqa: ANN202
        try:
            return service(**kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def member(username: str, name: str, **fields) -> object:  # noqa: ANN003
    return UserFactory(username=username, display_name=name, **fields)


def test_two_readers_see_answers_presence_votes_acceptance_and_comments_arrive(
    site, open_page, shots
):
    anna = member("anna", "Anna Rossi")
    bruno = member("bruno", "Bruno Bianchi")
    carla = member("carla", "Carla Verdi", reputation=1500)
    question = QuestionFactory(
        author=anna,
        title="My eSIM stopped working after the update",
        body="Since this morning's update the phone says *No SIM*. Restarting did not help.",
        tags=["esim"],
    )
    earlier = AnswerFactory(
        question=question, author=carla, body="Check that the eSIM profile is still enabled."
    )
    in_thread(services.accept_answer, actor=anna, answer=earlier)
    url = question.get_absolute_url()

    # given Anna (the asker) and Bruno on the question page
    asker = open_page(anna)
    visit(asker, url)
    expect(asker.locator(".bell .bell-count")).to_be_hidden()
    reader = open_page(bruno)
    visit(reader, url)

    # then each sees the other: two viewing
    expect(asker.locator("#live-presence")).to_have_text("2 viewing")
    expect(reader.locator("#live-presence")).to_have_text("2 viewing")

    # when Bruno types an answer, Anna sees him writing (he does not see himself)
    reader.locator("#answer-form textarea[name=body]").press_sequentially(
        "Go to Settings, Mobile network, and turn the eSIM off and on.", delay=15
    )
    expect(asker.locator("#live-presence")).to_have_text(
        "2 viewing · Bruno Bianchi is writing an answer"
    )
    expect(reader.locator("#live-presence")).to_have_text("2 viewing")
    shots(asker, "01-presence-writing")

    # and Carla, writing an answer of her own at the bottom of the page
    writer = open_page(carla, viewport={"width": 1200, "height": 500})
    visit(writer, url)
    writer_box = writer.locator("#answer-form textarea[name=body]")
    writer_box.scroll_into_view_if_needed()
    writer_box.click()
    writer_box.press_sequentially("Also", delay=10)
    expect(asker.locator("#live-presence")).to_contain_text("3 viewing")
    scrolled_to = writer.evaluate("window.scrollY")
    assert scrolled_to > 0

    # when Bruno posts his answer
    reader.locator("#answer-form button[type=submit]").click()
    expect(reader.locator(".answer-post")).to_have_count(2)
    posted = Answer.objects.get(question=question, author=bruno)
    at = f"#answer-{posted.pk}"

    # then it appears on Anna's page without a reload, counted in the heading
    expect(asker.locator(at)).to_contain_text("turn the eSIM off and on")
    expect(asker.locator("#answers-heading")).to_have_text("2 answers")
    expect(asker.locator("#fact-answers")).to_have_text("2")
    not_reloaded(asker)
    # Bruno's own page holds it once (htmx response and socket event both bring it), and
    # no notice offers it to him again
    expect(reader.locator(at)).to_have_count(1)
    expect(reader.locator("#live-new-answers")).to_be_hidden()
    # and Anna's bell counts the notification
    expect(asker.locator(".bell .bell-count")).to_have_text("1")
    expect(asker.locator(".bell")).to_contain_text("Notifications: 1 unread")
    expect(asker.locator(".toast").first).to_contain_text(
        "Bruno Bianchi answered your question “My eSIM stopped working after the update”"
    )
    shots(asker, "02-answer-arrived-bell")

    # while Carla, typing below the answers, is not moved: a notice waits at the heading
    notice = writer.locator("#live-new-answers")
    expect(notice).to_have_text("1 new answer, show it")
    expect(writer.locator(at)).to_have_count(0)
    assert writer.evaluate("window.scrollY") == scrolled_to
    assert writer.evaluate("document.activeElement.name") == "body"
    shots(writer, "03-new-answer-notice")
    notice.click()
    expect(writer.locator(at)).to_be_in_viewport()
    expect(notice).to_be_hidden()
    expect(writer_box).to_have_value("Also")

    # when Carla votes Bruno's answer up (through the API)
    api(site, carla, "POST", f"answers/{posted.pk}/vote/", {"value": 1})

    # then both pages show the new score
    expect(asker.locator(f"{at} .score")).to_have_text(re.compile(r"^1\b"))
    expect(reader.locator(f"{at} .score")).to_have_text(re.compile(r"^1\b"))

    # when Anna accepts Bruno's answer instead of Carla's
    expect(reader.locator(f"#answer-{earlier.pk} .accepted-mark")).to_be_visible()
    asker.locator(f"{at} .accept-button").click()

    # then the mark moves on Bruno's page too
    expect(reader.locator(f"{at} .accepted-mark")).to_be_visible()
    expect(reader.locator(f"#answer-{earlier.pk} .accepted-mark")).to_have_count(0)
    expect(reader.locator(f"#answer-{earlier.pk}")).not_to_have_class(re.compile(r"\baccepted\b"))
    expect(reader.locator("#thread-banners")).to_contain_text("Solved.")
    not_reloaded(reader)
    shots(reader, "04-accepted-moved")

    # when Carla comments on the question and edits its tags' neighbour, the title
    api(site, carla, "POST", f"questions/{question.pk}/comments/", {"body": "Which phone?"})
    expect(asker.locator(f"#comments-question-{question.pk}")).to_contain_text("Which phone?")
    expect(reader.locator(f"#comments-question-{question.pk}")).to_contain_text("Which phone?")

    # and Anna edits her question's title
    api(
        site,
        anna,
        "PATCH",
        f"questions/{question.pk}/",
        {"title": "My eSIM stopped after the update (Pixel 8)"},
    )
    expect(reader.locator("#question-title")).to_have_text(
        "My eSIM stopped after the update (Pixel 8)"
    )
    not_reloaded(reader)

    # and presence drops when Carla leaves
    writer.context.close()
    expect(asker.locator("#live-presence")).to_have_text("2 viewing")


def test_lists_show_new_questions_they_would_list(site, open_page, shots):
    anna = member("anna", "Anna Rossi")
    bruno = member("bruno", "Bruno Bianchi")
    QuestionFactory(author=anna, title="Roaming in Albania", tags=["roaming"])

    # given Bruno on the newest questions and on the roaming tag page
    newest = open_page(bruno)
    visit(newest, "/")
    roaming = open_page(bruno)
    visit(roaming, "/tags/roaming/")
    notice = newest.locator("#live-new-questions")
    expect(notice).to_be_hidden()

    # when Anna asks a question tagged esim
    asked = api(
        site,
        anna,
        "POST",
        "questions/",
        {
            "title": "How do I move my eSIM to a new phone?",
            "body": "I bought a new phone and want to keep my number on the eSIM.",
            "tags": ["esim"],
        },
    )

    # then the newest list offers it, without moving the list
    expect(notice).to_have_text("1 new question, show it")
    expect(newest.locator(".question-row")).to_have_count(1)
    not_reloaded(newest)
    shots(newest, "05-new-question-bar")
    # and the roaming page, which would not list it, says nothing
    roaming.wait_for_timeout(500)
    expect(roaming.locator("#live-new-questions")).to_be_hidden()

    # when Bruno asks for them, the list reloads in place with it on top
    notice.click()
    expect(newest.locator(".question-row").first).to_contain_text(
        "How do I move my eSIM to a new phone?"
    )
    expect(newest.locator("#live-new-questions")).to_be_hidden()
    assert Question.objects.filter(pk=asked["id"]).exists()

    # and a second question counts from the reloaded list, not from the first page load
    api(
        site,
        anna,
        "POST",
        "questions/",
        {
            "title": "Is there a fee for a replacement eSIM?",
            "body": "Asking before I ask the shop.",
            "tags": ["esim"],
        },
    )
    expect(newest.locator("#live-new-questions")).to_have_text("1 new question, show it")


def test_a_page_catches_up_after_the_server_restarts(site, open_page, shots):
    anna = member("anna", "Anna Rossi")
    bruno = member("bruno", "Bruno Bianchi")
    question = QuestionFactory(author=anna, title="Top-up did not arrive", tags=["ricarica"])

    # given Anna on her question, connected
    page = open_page(anna)
    visit(page, question.get_absolute_url())
    status = page.locator("[data-live-status]")
    expect(status).to_have_text("")

    # when the server goes away, the page says so, over the page (nothing moves)
    title_at = page.locator("h1").bounding_box()["y"]
    site.stop()
    expect(status).to_have_text("Reconnecting…")
    expect(status).to_be_visible()
    assert page.locator("h1").bounding_box()["y"] == title_at
    shots(page, "06-reconnecting")

    # and while it is away Bruno answers (written straight to the shared backlog)
    answer = in_thread(
        services.post_answer,
        actor=bruno,
        question=question,
        body="It can take up to 15 minutes; check the SMS.",
    )

    # when the server is back, the page reconnects, catches up and the status goes away
    site.start()
    expect(page.locator(f"#answer-{answer.pk}")).to_contain_text(
        "up to 15 minutes", timeout=RECONNECT_TIMEOUT
    )
    expect(status).to_have_text("")
    expect(status).to_be_hidden()
    expect(page.locator(".bell .bell-count")).to_have_text("1")
    # and the sidebar knows the question has its first answer
    expect(page.locator(".thread-facts")).to_contain_text("Answered")
    not_reloaded(page)
    shots(page, "07-caught-up")


def test_a_closed_socket_reconnects_and_catches_up(site, open_page):
    anna = member("anna", "Anna Rossi")
    carla = member("carla", "Carla Verdi", reputation=1500)
    question = QuestionFactory(author=anna, title="Voicemail in Italian", tags=["voicemail"])
    page = open_page(anna)
    visit(page, question.get_absolute_url())

    # when the connection drops (as on a flaky mobile network) and a vote lands meanwhile
    page.evaluate("window.circoloLive.socket().close()")
    expect(page.locator("[data-live-status]")).to_have_text("Reconnecting…")
    api(site, carla, "POST", f"questions/{question.pk}/vote/", {"value": 1})

    # then the page reconnects by itself and shows it
    expect(page.locator("#question .score")).to_have_text(re.compile(r"^1\b"))
    expect(page.locator("[data-live-status]")).to_have_text("")


def test_the_bell_leads_to_notifications_that_count_as_read_once_seen(site, open_page, shots):
    anna = member("anna", "Anna Rossi")
    bruno = member("bruno", "Bruno Bianchi")
    question = QuestionFactory(author=anna, title="PUK code after three wrong PINs")

    # given Anna with the list in one tab and her question in another
    home = open_page(anna)
    visit(home, "/")
    other_tab = home.context.new_page()
    visit(other_tab, question.get_absolute_url())

    # when Bruno answers, both bells count it
    api(site, bruno, "POST", f"questions/{question.pk}/answers/", {"body": "Call 119 for the PUK."})
    expect(home.locator(".bell .bell-count")).to_have_text("1")
    expect(other_tab.locator(".bell .bell-count")).to_have_text("1")

    # when she opens the bell, the notification is there, highlighted as new
    home.locator(".bell").click()
    item = home.locator(".notification").first
    expect(item).to_have_class(re.compile(r"\bunread\b"))
    expect(item).to_contain_text(
        "Bruno Bianchi answered your question “PUK code after three wrong PINs”"
    )
    shots(home, "08-notifications")

    # and, seen, it no longer counts: in this tab and in the other one
    expect(home.locator(".bell .bell-count")).to_be_hidden()
    expect(other_tab.locator(".bell .bell-count")).to_be_hidden()
    expect(home.get_by_role("button", name="Mark all as read")).to_be_hidden()
    not_reloaded(other_tab)

    # and the link takes her to the answer
    item.get_by_role("link").click()
    answer = Answer.objects.get(question=question)
    expect(home).to_have_url(re.compile(rf"/q/{question.pk}/#answer-{answer.pk}$"))


def test_frames_lost_on_the_way_are_fetched_again_from_the_backlog(site, open_page):
    anna = member("anna", "Anna Rossi")
    carla = member("carla", "Carla Verdi", reputation=1500)
    question = QuestionFactory(author=anna, title="Hotspot stops after ten minutes")
    page = open_page(anna)
    visit(page, question.get_absolute_url())

    # given a page whose socket loses a frame (as when a slow reader's channel overflows)
    page.evaluate(
        """() => {
            const socket = window.circoloLive.socket();
            const deliver = socket.onmessage;
            socket.onmessage = () => {};
            window.__deliverAgain = () => { socket.onmessage = deliver; };
        }"""
    )
    api(site, carla, "POST", f"questions/{question.pk}/vote/", {"value": 1})
    page.wait_for_timeout(500)
    page.evaluate("window.__deliverAgain()")
    expect(page.locator("#question .score")).to_have_text(re.compile(r"^0\b"))

    # when the next frame arrives with a gap before it
    api(site, carla, "POST", f"questions/{question.pk}/comments/", {"body": "Which phone?"})

    # then the page asks for what it missed and shows both, in order
    expect(page.locator(f"#comments-question-{question.pk}")).to_contain_text("Which phone?")
    expect(page.locator("#question .score")).to_have_text(re.compile(r"^1\b"))
    not_reloaded(page)


def test_the_live_messages_speak_the_readers_language(site, open_page, shots):
    anna = member("anna", "Anna Rossi")
    bruno = member("bruno", "Bruno Bianchi")
    question = QuestionFactory(author=anna, title="Come cambio offerta?")

    # given Anna reading in Italian and Bruno in English on the same question
    asker = open_page(anna, locale="it-IT")
    visit(asker, question.get_absolute_url())
    reader = open_page(bruno)
    visit(reader, question.get_absolute_url())

    # when Bruno writes an answer, Anna reads about it in Italian, with the right plural
    reader.locator("#answer-form textarea[name=body]").press_sequentially(
        "Dall'app: Offerte, poi Cambia offerta.", delay=15
    )
    expect(asker.locator("#live-presence")).to_have_text(
        "2 stanno guardando · Bruno Bianchi sta scrivendo una risposta"
    )
    shots(asker, "09-presence-italian")

    # and when he posts it, her heading counts it in Italian
    reader.locator("#answer-form button[type=submit]").click()
    expect(asker.locator("#answers-heading")).to_have_text("1 risposta")


def test_accepting_moves_the_answer_to_the_top_without_moving_the_reader(site, open_page, shots):
    anna = member("anna", "Anna Rossi")
    bruno = member("bruno", "Bruno Bianchi")
    staff = member("sofia", "Sofia (Support)", is_staff=True)
    question = QuestionFactory(author=anna, title="Roaming does not start abroad", tags=["roaming"])
    filler = "Check the roaming switch under Settings, Mobile network, Roaming. " * 12
    official = AnswerFactory(question=question, author=staff, body="Official: " + filler)
    Answer.objects.filter(pk=official.pk).update(is_official=True)
    high = AnswerFactory(question=question, author=member("carla", "Carla"), body="High " + filler)
    middle = AnswerFactory(question=question, author=member("dario", "Dario"), body="Mid " + filler)
    low = AnswerFactory(question=question, author=member("elena", "Elena"), body="Low " + filler)
    Answer.objects.filter(pk=high.pk).update(score=5)
    Answer.objects.filter(pk=middle.pk).update(score=2)
    # Functions, not bare expressions: Playwright evals those, which the CSP forbids.
    order = "() => Array.from(document.querySelectorAll('#answer-list > .answer-post'), n => n.id)"

    # given Bruno reading the middle answer, which sits at the top of his window
    reader = open_page(bruno, viewport={"width": 1000, "height": 600})
    visit(reader, question.get_absolute_url())
    ids = [f"answer-{a.pk}" for a in (official, high, middle, low)]
    assert reader.evaluate(order) == ids
    reader.evaluate(f"document.getElementById('answer-{middle.pk}').scrollIntoView()")
    reader.evaluate("window.scrollBy(0, -40)")
    where = f"() => Math.round(document.getElementById('answer-{middle.pk}').getBoundingClientRect().top)"
    before = reader.evaluate(where)
    assert reader.evaluate("window.scrollY") > 0

    # when Anna accepts the lowest answer
    api(site, anna, "POST", f"answers/{low.pk}/accept/", {})

    # then it moves up, under the pinned official answer, as after a reload...
    expect(reader.locator(f"#answer-{low.pk} .accepted-mark")).to_be_visible()
    reader.wait_for_function(f"() => ({order})()[1] === 'answer-{low.pk}'")
    assert reader.evaluate(order) == [ids[0], ids[3], ids[1], ids[2]]
    # ...and what Bruno was reading stays where it was on his screen
    assert abs(reader.evaluate(where) - before) <= 1
    expect(reader.locator("#thread-banners")).to_contain_text("Solved.")
    not_reloaded(reader)
    shots(reader, "05-accepted-moved-up")

    # when Anna takes the mark back, the answer returns to its place by score
    api(site, anna, "DELETE", f"answers/{low.pk}/accept/")
    reader.wait_for_function(f"() => ({order})()[3] === 'answer-{low.pk}'")
    assert reader.evaluate(order) == ids
    assert abs(reader.evaluate(where) - before) <= 1
    expect(reader.locator("#thread-banners")).not_to_contain_text("Solved.")

    # and a new official answer is pinned with the other one, not added at the end (written
    # here, it reaches the page through the backlog: the socket drops and catches up)
    reader.evaluate("window.circoloLive.socket().close()")

    def post_official() -> None:
        from django.db import transaction

        with transaction.atomic():
            answer = services.post_answer(actor=staff, question=question, body="Official too.")
            Answer.objects.filter(pk=answer.pk).update(is_official=True)

    in_thread(post_official)
    newest = Answer.objects.get(question=question, body="Official too.")
    reader.wait_for_function(f"{order}.length === 5")
    assert reader.evaluate(order)[:2] == [ids[0], f"answer-{newest.pk}"]
    assert abs(reader.evaluate(where) - before) <= 1
    not_reloaded(reader)


def test_closing_updates_the_question_from_its_fragment(site, open_page):
    anna = member("anna", "Anna Rossi")
    advocate = member("dario", "Dario", is_advocate=True, reputation=6000)
    question = QuestionFactory(author=anna, title="Which plan has unlimited calls?")
    reader = open_page(member("bruno", "Bruno Bianchi"))
    visit(reader, question.get_absolute_url())
    fetched = []
    reader.on("request", lambda request: fetched.append(request.url))
    expect(reader.locator("#answer-form textarea")).to_be_visible()

    # (written here, the event reaches the page through the backlog: the socket drops and
    # catches up)
    reader.evaluate("window.circoloLive.socket().close()")
    in_thread(
        services.close_question, actor=advocate, question=question, reason="off_topic", note=""
    )

    expect(reader.locator("#thread-banners")).to_contain_text("Closed:")
    expect(reader.locator("#answer-form textarea")).to_have_count(0)
    expect(reader.locator(".thread-facts")).to_contain_text("Closed")
    not_reloaded(reader)
    # one small fragment, not the whole page again
    assert [url for url in fetched if "/q/" in url] == [f"{site.url}/q/{question.pk}/fragment/"]
