"""deploy/nginx.conf: the README ships the file the benchmarks measure, and it is valid."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "nginx.conf"
# No test here reads the database, but the suite's autouse fixture loads the tuning from it:
# without a test asking for it, pytest-django would set up no test database when these run
# alone.
pytestmark = pytest.mark.django_db


def _layout():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import layout
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return layout


def test_readme_shows_the_measured_configuration():
    readme = (ROOT / "README.md").read_text()
    assert f"```nginx\n{CONF.read_text()}```" in readme


def test_bench_rendering_keeps_the_configuration_and_changes_only_the_local_bits(tmp_path):
    text = _layout().render_nginx_conf(45678, tmp_path, workers=3)
    assert "listen 127.0.0.1:45678" in text
    assert "ssl_certificate" not in text
    assert "/run/circolo" not in text
    assert "/srv/circolo" not in text
    assert [line.strip() for line in text.splitlines() if ".sock;" in line] == [
        f"server unix:{tmp_path}/daphne-{n}.sock;" for n in (1, 2, 3)
    ]
    # What matters for pages and sockets is the same as in the shipped file.
    for directive in (
        "proxy_set_header Upgrade $http_upgrade;",
        "proxy_set_header Connection $connection_upgrade;",
        'proxy_set_header Connection "";',
        "proxy_set_header X-Forwarded-For $remote_addr;",
        "keepalive 64;",
        "least_conn;",
        "proxy_read_timeout 120s;",
    ):
        assert directive in text, directive


@pytest.mark.skipif(
    shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
    reason="nginx is not installed (make bench installs it)",
)
def test_nginx_accepts_the_rendered_configuration(tmp_path):
    layout = _layout()
    conf = tmp_path / "nginx.conf"
    conf.write_text(layout.render_nginx_conf(45678, tmp_path, workers=2))
    result = subprocess.run(
        [layout.nginx_binary(), "-t", "-c", str(conf), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
