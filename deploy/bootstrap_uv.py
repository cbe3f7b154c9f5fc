"""Fetch uv from PyPI into a folder, for machines that have Python but not uv.

    python3 deploy/bootstrap_uv.py VERSION TARGET    # writes TARGET/bin/uv

The Makefile runs it when `uv` is not on the PATH. It asks PyPI's JSON API for the project,
downloads the release's one wheel built for this machine, checks its SHA-256 against PyPI's and
unpacks only the `uv` executable: half a second where `pip install uv` takes three, most
of them pip starting up and resolving. It exits 2 when PyPI has no wheel for this platform
(the Makefile then falls back to pip) and 1 with a message on any other failure.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import sys
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import urljoin

INDEX = os.environ.get("UV_BOOTSTRAP_INDEX", "https://pypi.org/pypi/")


def platform_markers() -> tuple[str, ...] | None:
    """Substrings that name this machine's wheel, or None when we don't know it."""
    machine = platform.machine().lower()
    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)
    if sys.platform.startswith("linux"):
        libc = "manylinux" if platform.libc_ver()[0] == "glibc" else "musllinux"
        return (libc, f"_{machine}.")
    if sys.platform == "darwin":
        return ("macosx", "_arm64." if machine == "aarch64" else f"_{machine}.")
    return None


def pick_wheel(files: list[dict], markers: tuple[str, ...]) -> dict | None:
    for file in files:
        name = file["filename"]
        if name.endswith(".whl") and all(marker in name for marker in markers):
            return file
    return None


def main(version: str, target: Path) -> int:
    markers = platform_markers()
    project_url = urljoin(INDEX, "uv/json")  # every release: mirrors may lack uv/VERSION/json
    with urllib.request.urlopen(project_url, timeout=60) as reply:
        files = json.load(reply)["releases"].get(version, [])
    wheel = pick_wheel(files, markers) if markers else None
    if wheel is None:
        print(f"PyPI has no uv {version} wheel for this platform", file=sys.stderr)
        return 2
    with urllib.request.urlopen(urljoin(project_url, wheel["url"]), timeout=120) as reply:
        data = reply.read()
    if hashlib.sha256(data).hexdigest() != wheel["digests"]["sha256"]:
        print(f"{wheel['filename']}: SHA-256 does not match PyPI's", file=sys.stderr)
        return 1
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        member = next(n for n in archive.namelist() if n.endswith(".data/scripts/uv"))
        binary = archive.read(member)
    bin_dir = target / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    partial = bin_dir / "uv.partial"
    partial.write_bytes(binary)
    partial.chmod(0o755)
    partial.replace(bin_dir / "uv")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    try:
        sys.exit(main(sys.argv[1], Path(sys.argv[2])))
    except (OSError, ValueError, KeyError, StopIteration, zipfile.BadZipFile) as exc:
        sys.exit(f"Could not fetch uv {sys.argv[1]} from PyPI: {exc}")
