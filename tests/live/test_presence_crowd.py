"""Presence on a crowded question: the coalescing window grows with the audience, so a
stream watched by 1,000 sockets does not get 4,000 presence frames a second."""

from __future__ import annotations

import time

import pytest

from live.presence import Presence, get_presence
from tests.live.sockets import next_presence, subscribe

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_window_grows_with_the_audience_up_to_the_cap(settings):
    settings.LIVE_PRESENCE_DELAY = 0.25
    settings.LIVE_PRESENCE_RATE = 400
    settings.LIVE_PRESENCE_MAX_DELAY = 5.0
    presence = Presence()
    # an unknown stream and a small audience: the plain delay
    assert presence.window("question.1") == 0.25
    presence.audience["question.1"] = 100
    assert presence.window("question.1") == 0.25
    # 1,000 viewers: 1,000 / 400 frames/s
    presence.audience["question.1"] = 1000
    assert presence.window("question.1") == 2.5
    # never beyond the cap
    presence.audience["question.1"] = 100_000
    assert presence.window("question.1") == 5.0


async def test_a_crowded_stream_coalesces_longer_and_newcomers_get_the_recent_count(
    connect, question, settings
):
    # given a stream that counts as crowded from 5 viewers on (5 viewers / 2.5 per s = 2 s)
    settings.LIVE_PRESENCE_RATE = 2.5
    settings.LIVE_PRESENCE_MAX_DELAY = 2.0
    stream = f"question.{question.pk}"
    first = await connect()
    await subscribe(first, stream)
    for _ in range(4):
        await subscribe(await connect(), stream)
    # and no broadcast is scheduled any more (one set off by a join while the 5 was being
    # read would go out at its own, shorter window): wait for its frame
    presence = get_presence()
    while (await next_presence(first))["viewers"] != 5 or stream in presence.pending:
        pass

    # when a sixth viewer arrives
    newcomer = await connect()
    joined = time.monotonic()
    assert (await subscribe(newcomer, stream))["type"] == "subscribed"

    # then it is told the count read within the window at once, and the exact one later
    assert (await next_presence(newcomer))["viewers"] == 5
    assert (await next_presence(newcomer))["viewers"] == 6
    # and the viewers already there hear of it a whole crowded window (2 s, not the plain
    # 0.25 s) after the arrival: a loaded box can only make it later
    while (await next_presence(first))["viewers"] != 6:
        pass
    assert time.monotonic() - joined >= 1.9
