"""Rewrite the test modules' asserts ahead of pytest, on every core, into pytest's own cache.

    python -m tests.warm_rewrite

pytest rewrites the `assert` statements of every test module and conftest when it imports
them, and keeps the result in `__pycache__` (`*.cpython-311-pytest-<version>.pyc`, keyed
by the source's hash). On a fresh clone nothing is cached, and each pytest-xdist worker
rewrites all 150 modules itself, at the same time as the other: about 4 s of CPU each
before the first test. `make test` runs this in the background while pytest starts, so
the workers find the cache filled. It writes the same files pytest would (same code, same
atomic rename), skips those already cached, and changes nothing else; pytest still checks
each file's hash, so a stale or missing entry only costs the rewrite it would have done.
The rewritten code depends on one ini option, `enable_assertion_pass_hook`, which this
project leaves off, as this script does (pytest's own default).
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from _pytest.assertion.rewrite import (
    PYC_TAIL,
    _read_pyc,
    _rewrite_test,
    _write_pyc,
    get_cache_dir,
    try_makedirs,
)

TESTS = Path(__file__).resolve().parent


class _Quiet:
    @staticmethod
    def trace(_message: str) -> None:
        pass


def warm(source: Path) -> bool:
    """Rewrite one module into pytest's cache; False when it was already there."""
    pyc = get_cache_dir(source) / (source.name[:-3] + PYC_TAIL)
    if _read_pyc(source, pyc) is not None or not try_makedirs(pyc.parent):
        return False
    source_hash, code = _rewrite_test(source, None)
    return _write_pyc(_Quiet, code, source_hash, pyc)


def main() -> int:
    modules = sorted({*TESTS.rglob("test_*.py"), *TESTS.rglob("conftest.py")})
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return sum(pool.map(warm, modules, chunksize=8))


if __name__ == "__main__":
    print(f"{main()} test modules rewritten")
