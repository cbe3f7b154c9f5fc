"""The server process's garbage collector, tuned for a long-running ASGI server.

With CPython's defaults, one daphne serving the anonymous question list (`wrk -c32`) ran a
full collection about every 1.3 s, and each took 110 to 140 ms: it walked every object
the process keeps (Django's modules, the models, the URL patterns, the templates, the
caches) and freed almost none. Each one stopped the event loop, so every request in flight
waited for it: p99 150 to 170 ms beside a p50 of 19 ms.

`freeze_after_startup()` moves the objects of the loaded site to the permanent generation
(`gc.freeze()`, as servers that fork their workers do), so a collection walks only what
came after. Frozen objects are still freed by reference counting; only a cycle among them
would never be collected, and the site's modules, classes and patterns live as long as the
process anyway.

Measured on one 2-core box (wrk -c32, interleaved runs): the anonymous list's p99 went from
150-168 ms to 35-44 ms and its rate up 15 %. What looked like its cost to the pages Django
renders (`/healthz` 15-18 % slower) was the URL resolver built at start-up (below), not
the freeze: without it, /healthz runs at 835-900 req/s, faster than with no freeze at all
(695-796), and the anonymous list's p99 is 43-51 ms. Set CIRCOLO_GC_FREEZE=0 to keep
CPython's defaults.

What a full collection finds alive is frozen too (`freeze_survivors`, a collector
callback): the open sockets' objects, the caches. Without it, a thousand sockets joining a
question made each full collection walk them all again, 60-170 ms with the event loop
stopped, five times in 20 s of P2 (bench/p2_delivery.py): the first answer posted after
900 viewers joined reached the last of them in 204-257 ms instead of 80-100. With it, the
same collections took 4-56 ms and that answer 110 ms. A frozen object that becomes
garbage in a reference cycle (a closed socket's protocol and transport refer to each
other) is not collected until it is thawed: every `GC_THAW_SECONDS` (10 minutes) a thread
thaws everything and collects once (`thaw`), one long pause instead of a steady leak.
Until then a closed socket holds about 15 KiB: one daphne's RSS over six rounds of 1,000
sockets opened and closed grew 118 -> 244 MiB with the 600 s default, and stayed at
198 MiB when thawed every 10 s.
"""

from __future__ import annotations

import gc
import threading
import time


def freeze_after_startup() -> int:
    """Load what the first requests would load lazily, collect once, freeze the rest;
    returns how many objects were frozen (0: settings.GC_FREEZE_AFTER_STARTUP is off, as
    in the test suite, whose processes import the site and go on creating objects)."""
    from django.conf import settings
    from django.urls import get_resolver

    if not settings.GC_FREEZE_AFTER_STARTUP:
        return 0

    # Every view module imported (the URL patterns); the reverse() tables are left to the
    # first request that needs them. Built here as well (`_populate()`, until 5 December),
    # they cost the lightest pages a third of their rate: /healthz 549-627 req/s beside
    # 835-896 without, in interleaved runs of one daphne, for a reason not understood yet;
    # the signed-in list, the signed-in question page and search were the same either way.
    get_resolver().url_patterns  # noqa: B018
    gc.collect()
    gc.freeze()
    if freeze_survivors not in gc.callbacks:
        gc.callbacks.append(freeze_survivors)
        thawing = threading.Thread(
            target=_thaw_every, args=(settings.GC_THAW_SECONDS,), name="gc-thaw", daemon=True
        )
        thawing.start()
    return gc.get_freeze_count()


def freeze_survivors(phase: str, info: dict) -> None:
    """After a full collection (a collector callback): what survived it lives on."""
    if phase == "stop" and info["generation"] == 2:
        gc.freeze()


def thaw() -> int:
    """Collect the cyclic garbage among frozen objects; the survivors are frozen again
    (`freeze_survivors`). Returns how many objects were freed."""
    gc.unfreeze()
    return gc.collect()


def _thaw_every(seconds: float) -> None:
    while True:
        time.sleep(seconds)
        thaw()
