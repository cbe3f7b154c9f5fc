"""Django's synchronous part of each request, on a fixed set of threads per process.

Under ASGI Django runs a request's synchronous middleware and view in a thread made for
that request (asgiref's ThreadSensitiveContext, then the thread is joined). Whatever the
code keeps per thread is therefore lost after every request: the database connection
(opened again each time), the cache's Redis connection pool, the thread snapshots
forum.views.questions.thread_snapshot keeps unpickled. And under load one thread per
waiting request (32 at 32 connections) take turns with the interpreter lock, the event
loop among them, so every page waits on all the others.

`ViewThreadsHandler` gives each request one of `threads` long-lived threads instead (the
least busy one, at the time it arrives): a request's synchronous calls still all run in
one thread, one request at a time per thread, and what a thread keeps stays warm for the
next request. A request waiting for its thread waits on the event loop, not in a thread.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler


class _Lane:
    def __init__(self, number: int) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"view-{number}")
        self.requests = 0  # given to this thread and not finished


class ViewThreadsHandler(ASGIHandler):
    def __init__(self, threads: int) -> None:
        super().__init__()
        self.lanes = [_Lane(n) for n in range(1, threads + 1)]

    def load_middleware(self, is_async: bool = False) -> None:
        """The middleware and the view as one synchronous chain, as under WSGI, entered
        once per request: Django's asynchronous chain ends in an asynchronous view caller,
        so a synchronous middleware (ours, WhiteNoise's) left the thread for the event
        loop and the view came back to it, two more crossings a request."""
        super().load_middleware(is_async=False)
        if is_async:
            self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] != "http":
            return await super().__call__(scope, receive, send)  # Django refuses it
        lane = min(self.lanes, key=lambda lane: lane.requests)
        lane.requests += 1
        try:
            async with ThreadSensitiveContext(executor=lane.executor):
                await self.handle(scope, receive, send)
        finally:
            lane.requests -= 1


def get_asgi_application() -> ASGIHandler:
    """Django's ASGI application, on CIRCOLO_VIEW_THREADS threads (0: Django's own, a
    thread per request)."""
    django.setup(set_prefix=False)
    threads = settings.CIRCOLO_VIEW_THREADS
    return ViewThreadsHandler(threads) if threads > 0 else ASGIHandler()
