"""What the site imports is installed by `make run` (the main dependencies), not only by
`make test`: a package that arrives with the test tools alone (urllib3 did, through
requests) works in the suite and fails in production."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db  # the suite's autouse fixtures read the tuning

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# The project's own packages: those the import layers cover, and the settings.
APPS = [*PYPROJECT["tool"]["importlinter"]["root_packages"], "config"]


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;(]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _installed_by_main_dependencies() -> set[str]:
    """The distributions `uv sync` installs without extras: the main dependencies and
    what they require (with the extras they ask for), recursively."""
    project = PYPROJECT["project"]
    todo = [
        (_name(r), set(re.findall(r"\[([^\]]+)\]", r)[0].split(",")) if "[" in r else set())
        for r in project["dependencies"]
    ]
    seen: set[str] = set()
    while todo:
        name, extras = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for requirement in metadata.requires(name) or []:
            marker = requirement.partition(";")[2]
            wanted = re.findall(r'extra\s*==\s*"([^"]+)"', marker)
            if wanted and not set(wanted) & {e.strip() for e in extras}:
                continue
            if not wanted and marker and not _applies(marker):
                continue
            todo.append((_name(requirement), set()))
    return seen


def _applies(marker: str) -> bool:
    from packaging.markers import Marker

    return Marker(marker).evaluate()


def _imported_top_level_modules() -> set[str]:
    modules = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    modules |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - set(APPS) - {"__future__"}


def test_every_package_the_site_imports_comes_with_the_main_dependencies():
    installed = _installed_by_main_dependencies()
    providers = metadata.packages_distributions()
    missing = {
        module: providers.get(module)
        for module in _imported_top_level_modules()
        if not {d.lower().replace("_", "-") for d in providers.get(module, [])} & installed
    }
    assert missing == {}, "add these to [project] dependencies in pyproject.toml, then `make lock`"
