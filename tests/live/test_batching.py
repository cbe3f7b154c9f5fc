"""live.batching: a burst of the same read, or of writes, costs one per round trip."""

from __future__ import annotations

import asyncio

import pytest

from live.batching import CombinedReads, CombinedWrites, SharedReads

pytestmark = pytest.mark.django_db  # the live layer's autouse fixtures clean up in the database


class Store:
    """A value that changes, read with a delay the test controls."""

    def __init__(self) -> None:
        self.value = 0
        self.reads: list[int] = []  # the value each read saw
        self.gates: list[asyncio.Event] = []

    async def read(self) -> int:
        gate = asyncio.Event()
        self.gates.append(gate)
        seen = self.value
        self.reads.append(seen)
        await gate.wait()
        return seen

    async def began(self, n: int) -> None:
        while len(self.reads) < n:
            await asyncio.sleep(0)

    async def open_gate(self, n: int) -> None:
        while len(self.gates) <= n:
            await asyncio.sleep(0)
        self.gates[n].set()


async def test_a_lone_caller_reads_at_once():
    store, shared = Store(), SharedReads()
    answer = asyncio.ensure_future(shared.read("k", store.read))
    await store.open_gate(0)
    assert await answer == 0
    assert store.reads == [0]


async def test_callers_during_a_read_share_the_next_one_which_sees_what_they_saw():
    store, shared = Store(), SharedReads()
    first = asyncio.ensure_future(shared.read("k", store.read))
    await store.began(1)
    store.value = 1  # published after it began: a later caller must see it
    later = [asyncio.ensure_future(shared.read("k", store.read)) for _ in range(50)]
    other_key = asyncio.ensure_future(shared.read("other", store.read))
    await store.open_gate(0)
    assert await first == 0
    await store.open_gate(1)
    await store.open_gate(2)
    assert await asyncio.gather(*later) == [1] * 50
    assert await other_key == 1
    assert sorted(store.reads) == [0, 1, 1]  # three reads for 52 callers, two keys


async def test_a_caller_that_goes_away_does_not_cancel_the_others_read():
    store, shared = Store(), SharedReads()
    first = asyncio.ensure_future(shared.read("k", store.read))
    await store.began(1)
    leaving = asyncio.ensure_future(shared.read("k", store.read))
    staying = asyncio.ensure_future(shared.read("k", store.read))
    await asyncio.sleep(0)
    leaving.cancel()
    await store.open_gate(0)
    await store.open_gate(1)
    assert (await first, await staying) == (0, 0)
    with pytest.raises(asyncio.CancelledError):
        await leaving


async def test_a_failed_read_fails_its_callers_and_the_next_caller_reads_again():
    shared, calls = SharedReads(), []

    async def failing() -> int:
        calls.append(1)
        await asyncio.sleep(0)
        raise ConnectionError("redis went away")

    first = asyncio.ensure_future(shared.read("k", failing))
    while not calls:
        await asyncio.sleep(0)
    later = [asyncio.ensure_future(shared.read("k", failing)) for _ in range(2)]
    results = await asyncio.gather(first, *later, return_exceptions=True)
    assert [type(r) for r in results] == [ConnectionError] * 3
    assert len(calls) == 2  # the first caller's read, and the one the others shared

    async def working() -> int:
        return 7

    assert await shared.read("k", working) == 7


async def test_callers_before_a_read_begins_share_it():
    shared, reads = SharedReads(), []

    async def read() -> int:
        reads.append(1)
        await asyncio.sleep(0)
        return len(reads)

    # Asked in one turn of the loop: one read, made after they all asked.
    assert await asyncio.gather(*(shared.read("k", read) for _ in range(5))) == [1] * 5


async def test_writes_added_before_a_write_begins_go_in_it():
    written: list[list[int]] = []

    async def write(items: list[int]) -> None:
        written.append(list(items))
        await asyncio.sleep(0)

    writes = CombinedWrites(write)
    await asyncio.gather(*(writes.add(n) for n in range(5)))
    await writes.add(5)
    assert written == [[0, 1, 2, 3, 4], [5]]


async def test_keys_asked_before_a_lookup_begins_go_in_it():
    calls: list[tuple[str, list[int]]] = []

    async def read(group: str, keys: list[int]) -> dict[int, int]:
        calls.append((group, list(keys)))
        await asyncio.sleep(0)
        return {key: key * 10 for key in keys}

    reads = CombinedReads(read, fresh=True)
    answers = await asyncio.gather(
        *(reads.get("anonymous", n) for n in (1, 2, 1, 3)), reads.get("member 5", 1)
    )
    assert answers == [10, 20, 10, 30, 10]
    assert calls == [("anonymous", [1, 2, 3]), ("member 5", [1])]


async def test_writes_added_during_a_write_go_together_in_the_next():
    written: list[list[int]] = []
    gates: list[asyncio.Event] = []

    async def write(items: list[int]) -> None:
        written.append(items)
        gate = asyncio.Event()
        gates.append(gate)
        await gate.wait()

    writes = CombinedWrites(write)
    first = asyncio.ensure_future(writes.add(0))
    while not written:
        await asyncio.sleep(0)
    others = [asyncio.ensure_future(writes.add(n)) for n in range(1, 40)]
    await asyncio.sleep(0)
    assert not any(o.done() for o in others)
    gates[0].set()
    await first
    while len(gates) < 2:
        await asyncio.sleep(0)
    assert not any(o.done() for o in others)  # each returns once its own item is written
    gates[1].set()
    await asyncio.gather(*others)
    assert written == [[0], list(range(1, 40))]


async def test_a_failed_write_fails_the_adds_it_held():
    async def write(items: list[int]) -> None:
        await asyncio.sleep(0)
        raise ConnectionError("redis went away")

    writes = CombinedWrites(write)
    results = await asyncio.gather(*(writes.add(n) for n in range(3)), return_exceptions=True)
    assert [type(r) for r in results] == [ConnectionError] * 3


async def test_a_failed_lookup_fails_its_keys_callers_and_the_next_lookup_asks_again():
    calls: list[list[int]] = []

    async def read(group: str, keys: list[int]) -> dict[int, int]:
        calls.append(keys)
        await asyncio.sleep(0)
        if len(calls) == 1:
            raise ConnectionError("database went away")
        return {key: key * 10 for key in keys}

    reads = CombinedReads(read)
    first = asyncio.ensure_future(reads.get("anonymous", 1))
    await asyncio.sleep(0)
    later = [asyncio.ensure_future(reads.get("anonymous", n)) for n in (1, 2, 3)]
    results = await asyncio.gather(first, *later, return_exceptions=True)
    assert [type(r) for r in results[:2]] == [ConnectionError] * 2  # key 1 was in flight
    assert results[2:] == [20, 30]
    assert calls == [[1], [2, 3]]
    assert await reads.get("anonymous", 1) == 10  # nothing kept: asked again
