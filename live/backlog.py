"""Per-stream event ids and the bounded history that `since` replays from.

Every event of a stream gets the next id of that stream, and its encoded frame is kept
for catch-up: the last LIVE_BACKLOG_SIZE (500) events, none older than
LIVE_BACKLOG_SECONDS (24 h). A client that reconnects with `since=<last id it saw>`
gets the frames after it; when the ones it needs are gone (trimmed, expired, or `since`
is from before a reset) it gets a `resync` frame instead and reloads what it shows.

Where the backlog lives, and why:

- With REDIS_URL set (production: several daphne processes), in Redis. Ids must be
  unique and increasing per stream across all processes, and a socket reconnecting to
  another process must find the history the first one wrote, so the counter and the
  history are shared. One Lua script does INCR + ZADD + trim, so an id is never visible
  without its frame, and concurrent publishers cannot interleave.
- Without Redis (development, the SQLite test suite), in the database
  (`live.LiveStream` for the counter, `live.LiveEvent` for the frames), not in process
  memory: a restart of the single server process must not reset ids or lose the events a
  reconnecting client asks for. The counter row's lock serialises publishers the same way.

Appending is synchronous (it runs in `transaction.on_commit`, in the request thread);
replaying is async (it runs in the consumer).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache, partial

from channels.db import database_sync_to_async
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from live import redis_clients
from live.batching import SharedReads
from live.conf import live_setting, redis_url

KEY_PREFIX = "circolo:live"
# A stream's counter outlives its history by far, so ids do not restart while clients
# may still hold an old one; if it ever does restart, `since` > last id means resync.
SEQ_TTL_SECONDS = 30 * 24 * 3600


@dataclass
class Replay:
    """What a subscription with `since` receives: frames in id order, or a resync."""

    frames: list[str] = field(default_factory=list)
    last_id: int = 0
    resync: bool = False


def frame_text(event_id: int, tail: str) -> str:
    """The full frame: `tail` is the encoded `{"stream","type","data"}` minus its `{`."""
    return f'{{"id":{event_id},{tail}'


def _check(since: int, last_id: int, ids: list[int]) -> bool:
    """True when the stored frames after `since` are complete (no resync needed)."""
    if since > last_id:
        return False  # the stream was reset, or the client made the id up
    if not ids:
        return since == last_id
    return ids[0] == since + 1


_replays: SharedReads[Replay] = SharedReads()
_last_ids: SharedReads[int] = SharedReads()


class RedisBacklog:
    # KEYS: counter, history. ARGV: frame tail, now (ms), size, history TTL, counter TTL.
    # The history is a sorted set scored by id; members are "<ms>:<frame>" (the id inside
    # the frame makes each member unique).
    APPEND = """
        local id = redis.call('INCR', KEYS[1])
        local frame = '{"id":' .. string.format('%d', id) .. ',' .. ARGV[1]
        redis.call('ZADD', KEYS[2], id, ARGV[2] .. ':' .. frame)
        redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[3]) + 1))
        redis.call('EXPIRE', KEYS[2], ARGV[4])
        redis.call('EXPIRE', KEYS[1], ARGV[5])
        return {id, frame}
    """

    def _keys(self, stream: str) -> tuple[str, str]:
        return f"{KEY_PREFIX}:seq:{stream}", f"{KEY_PREFIX}:log:{stream}"

    def append(self, stream: str, tail: str) -> tuple[int, str]:
        client = redis_clients.sync_client()
        event_id, frame = client.eval(
            self.APPEND,
            2,
            *self._keys(stream),
            tail,
            int(time.time() * 1000),
            live_setting("LIVE_BACKLOG_SIZE"),
            live_setting("LIVE_BACKLOG_SECONDS"),
            SEQ_TTL_SECONDS,
        )
        return int(event_id), frame.decode()

    def last_id(self, stream: str) -> int:
        value = redis_clients.sync_client().get(self._keys(stream)[0])
        return int(value or 0)

    async def replay(self, stream: str, since: int) -> Replay:
        """What a subscription with `since` receives; the sockets asking the same while
        it is read share the next read (live.batching: a reconnect storm asks it of
        every viewer of a thread)."""
        return await _replays.read((stream, since), partial(self._replay, stream, since))

    async def _replay(self, stream: str, since: int) -> Replay:
        seq_key, log_key = self._keys(stream)
        async with redis_clients.async_client().pipeline(transaction=True) as pipe:
            pipe.get(seq_key)
            pipe.zrangebyscore(log_key, f"({since}", "+inf", withscores=True)
            last, entries = await pipe.execute()
        last_id = int(last or 0)
        oldest_ms = (time.time() - live_setting("LIVE_BACKLOG_SECONDS")) * 1000
        ids, frames = [], []
        for member, score in entries:
            stamp, _colon, frame = member.decode().partition(":")
            if int(stamp) >= oldest_ms:
                ids.append(int(score))
                frames.append(frame)
        if not _check(since, last_id, ids):
            return Replay(last_id=last_id, resync=True)
        return Replay(frames=frames, last_id=max([last_id, *ids]))

    async def alast_id(self, stream: str) -> int:
        return await _last_ids.read(stream, partial(self._alast_id, stream))

    async def _alast_id(self, stream: str) -> int:
        value = await redis_clients.async_client().get(self._keys(stream)[0])
        return int(value or 0)


class DatabaseBacklog:
    def append(self, stream: str, tail: str) -> tuple[int, str]:
        from live.models import LiveEvent, LiveStream

        now = timezone.now()
        with transaction.atomic():
            # The UPDATE takes the counter row's lock until commit: publishers to one
            # stream are serialised, so ids are assigned and stored in the same order.
            if not LiveStream.objects.filter(name=stream).update(last_id=F("last_id") + 1):
                try:
                    with transaction.atomic():
                        LiveStream.objects.create(name=stream, last_id=1)
                except IntegrityError:  # another publisher created it first
                    LiveStream.objects.filter(name=stream).update(last_id=F("last_id") + 1)
            event_id = LiveStream.objects.filter(name=stream).values_list("last_id", flat=True)[0]
            frame = frame_text(event_id, tail)
            LiveEvent.objects.create(stream=stream, seq=event_id, frame=frame, created_at=now)
            LiveEvent.objects.filter(
                stream=stream, seq__lte=event_id - live_setting("LIVE_BACKLOG_SIZE")
            ).delete()
            cutoff = now - timedelta(seconds=live_setting("LIVE_BACKLOG_SECONDS"))
            LiveEvent.objects.filter(created_at__lt=cutoff).delete()
        return event_id, frame

    def last_id(self, stream: str) -> int:
        from live.models import LiveStream

        return LiveStream.objects.filter(name=stream).values_list("last_id", flat=True).first() or 0

    def _replay(self, stream: str, since: int) -> Replay:
        from live.models import LiveEvent

        cutoff = timezone.now() - timedelta(seconds=live_setting("LIVE_BACKLOG_SECONDS"))
        with transaction.atomic():
            last_id = self.last_id(stream)
            rows = list(
                LiveEvent.objects.filter(stream=stream, seq__gt=since, created_at__gte=cutoff)
                .order_by("seq")
                .values_list("seq", "frame")
            )
        ids = [seq for seq, _frame in rows]
        if not _check(since, last_id, ids):
            return Replay(last_id=last_id, resync=True)
        return Replay(frames=[frame for _seq, frame in rows], last_id=max([last_id, *ids]))

    async def replay(self, stream: str, since: int) -> Replay:
        return await database_sync_to_async(self._replay)(stream, since)

    async def alast_id(self, stream: str) -> int:
        return await database_sync_to_async(self.last_id)(stream)


@lru_cache(maxsize=2)
def _backlog(use_redis: bool) -> RedisBacklog | DatabaseBacklog:
    return RedisBacklog() if use_redis else DatabaseBacklog()


def get_backlog() -> RedisBacklog | DatabaseBacklog:
    return _backlog(bool(redis_url()))


def last_id(stream: str) -> int:
    """The newest event id of `stream` (0 before the first): pages render it so their
    socket subscribes with `since` and misses nothing between render and connect."""
    return get_backlog().last_id(stream)
