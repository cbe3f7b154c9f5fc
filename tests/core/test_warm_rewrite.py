"""tests/warm_rewrite.py fills pytest's cache of rewritten test modules ahead of pytest:
what it writes must be what pytest itself would write and read back, under this
project's pytest configuration."""

import shutil
from pathlib import Path

import pytest
from _pytest.assertion.rewrite import PYC_TAIL, _read_pyc, _rewrite_test

from tests import warm_rewrite

pytestmark = pytest.mark.django_db  # the suite's autouse fixtures read the tuning


def test_writes_what_pytest_would_and_only_once(tmp_path, request):
    source = tmp_path / "test_sample.py"
    shutil.copy(Path(warm_rewrite.__file__).parent / "core" / "test_bootstrap_uv.py", source)

    assert warm_rewrite.warm(source) is True
    assert warm_rewrite.warm(source) is False  # already cached

    pyc = tmp_path / "__pycache__" / f"test_sample{PYC_TAIL}"
    cached = _read_pyc(source, pyc)
    _hash, by_pytest = _rewrite_test(source, request.config)  # with this run's ini options
    assert cached == by_pytest  # code objects compare by bytecode, constants and names


def test_a_changed_source_is_rewritten_again(tmp_path):
    source = tmp_path / "test_sample.py"
    source.write_text("def test_one():\n    assert 1 == 1\n")
    assert warm_rewrite.warm(source) is True
    source.write_text("def test_one():\n    assert 2 == 2\n")
    assert warm_rewrite.warm(source) is True
