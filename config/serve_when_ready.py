"""daphne, started early by `make run`: the site is loaded while the demo is seeded.

    python -m config.serve_when_ready FIFO [daphne arguments ...]

Imports the ASGI application (Django set up) and daphne, and runs Django's system checks
(those that need no database; `seed_demo` is run with `--skip-checks`), which import every
URL pattern and view, all on the core the seeding leaves idle. Then it waits for one line on
the named pipe FIFO, written once the database is migrated and seeded, and only then runs
daphne with the remaining arguments: the first page is served without a second start-up
after the seeding. End of file instead of a line (the writer went away) exits without
serving. Nothing here touches the database before the line arrives.
"""

from __future__ import annotations

import contextlib
import importlib
import sys

# Libraries the seeding imports late in its start-up (after Django's own modules), which
# need no settings to import: imported first here, on the idle core, so that on a fresh
# install (uv does not byte-compile) the seeding finds them compiled instead of compiling
# them itself. Only a question of speed: a name missing here costs a few milliseconds.
EARLY_IMPORTS = ("psycopg", "redis", "markdown_it", "phonenumbers", "yaml", "nh3")


def main(argv: list[str]) -> int:
    ready, *daphne_args = argv
    from daphne.cli import CommandLineInterface  # installs Twisted's asyncio reactor first

    for name in EARLY_IMPORTS:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    from django.core.management.base import BaseCommand, SystemCheckError

    import config.asgi  # noqa: F401  (Django set up, the application built)

    try:
        # Warnings are printed; errors stop here, before serving. The URL checks import
        # every view, so daphne's first request finds them loaded.
        BaseCommand().check()
    except SystemCheckError as exc:
        print(exc, file=sys.stderr)
        return 1
    with open(ready) as fifo:
        if not fifo.readline():
            return 1
    CommandLineInterface().run(daphne_args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
