"""The Big List of Naughty Strings (MIT, see tests/data/blns.LICENSE), vendored so the
suite runs from a clean clone.

`NAUGHTY` is the whole list: the validators and services take every string. The HTTP
layers (HTML views, REST API) add transport concerns on top of the same services, so
they take `NAUGHTY_SAMPLE`, a fixed every-third slice (XSS payloads included), which
keeps those loops to seconds; the Markdown tests put every payload through the renderer.
"""

from __future__ import annotations

import json
from pathlib import Path

NAUGHTY: list[str] = json.loads((Path(__file__).parent / "data" / "blns.json").read_text())

NAUGHTY_SAMPLE: list[str] = NAUGHTY[::3]
