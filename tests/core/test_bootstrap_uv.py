"""deploy/bootstrap_uv.py: fetching uv from a package index without pip (the Makefile's
first step on a machine without uv), against a local index laid out like PyPI's JSON API."""

import hashlib
import importlib.util
import io
import json
import os
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db  # the suite's autouse fixtures read the tuning

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "bootstrap_uv.py"
spec = importlib.util.spec_from_file_location("bootstrap_uv", SCRIPT)
bootstrap_uv = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bootstrap_uv)

LINUX_X86 = ("manylinux", "_x86_64.")
NAMES = [
    "uv-1.2.3-py3-none-macosx_11_0_arm64.whl",
    "uv-1.2.3-py3-none-musllinux_1_1_x86_64.whl",
    "uv-1.2.3-py3-none-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
    "uv-1.2.3-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    "uv-1.2.3.tar.gz",
]


def test_picks_the_wheel_built_for_the_machine():
    files = [{"filename": name} for name in NAMES]
    assert bootstrap_uv.pick_wheel(files, LINUX_X86)["filename"] == NAMES[3]
    assert bootstrap_uv.pick_wheel(files, ("musllinux", "_x86_64."))["filename"] == NAMES[1]
    assert bootstrap_uv.pick_wheel(files, ("manylinux", "_riscv64.")) is None


def _index(tmp_path: Path, *, digest: str | None = None) -> None:
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as wheel:
        wheel.writestr("uv-1.2.3.data/scripts/uv", b"#!/bin/sh\necho uv 1.2.3\n")
        wheel.writestr("uv-1.2.3.data/scripts/uvx", b"not this one")
    data = payload.getvalue()
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / NAMES[3]).write_bytes(data)
    files = [
        {
            "filename": NAMES[3],
            "url": f"../files/{NAMES[3]}",
            "digests": {"sha256": digest or hashlib.sha256(data).hexdigest()},
        }
    ]
    (tmp_path / "uv").mkdir()
    (tmp_path / "uv" / "json").write_text(json.dumps({"releases": {"1.2.3": files, "1.0.0": []}}))


@pytest.fixture
def index(tmp_path, monkeypatch):
    monkeypatch.setattr(bootstrap_uv, "INDEX", tmp_path.as_uri() + "/")
    monkeypatch.setattr(bootstrap_uv, "platform_markers", lambda: LINUX_X86)
    return tmp_path


def test_unpacks_only_the_uv_executable(index):
    _index(index)
    assert bootstrap_uv.main("1.2.3", index / "out") == 0
    binary = index / "out" / "bin" / "uv"
    assert binary.read_bytes() == b"#!/bin/sh\necho uv 1.2.3\n"
    assert os.access(binary, os.X_OK)
    assert sorted(p.name for p in (index / "out" / "bin").iterdir()) == ["uv"]


def test_refuses_a_download_whose_digest_differs(index):
    _index(index, digest="0" * 64)
    assert bootstrap_uv.main("1.2.3", index / "out") == 1
    assert not (index / "out").exists()


def test_no_wheel_for_the_platform_or_release_asks_for_pip(index, monkeypatch):
    _index(index)
    assert bootstrap_uv.main("1.0.0", index / "out") == 2
    assert bootstrap_uv.main("9.9.9", index / "out") == 2
    monkeypatch.setattr(bootstrap_uv, "platform_markers", lambda: None)
    assert bootstrap_uv.main("1.2.3", index / "out") == 2
