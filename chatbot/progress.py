"""A progress bar for long loads: on stderr, only on a terminal, only once a load has taken a while."""

from __future__ import annotations

import sys
import time
from typing import TextIO

DELAY = 2.0  # seconds a load runs before its bar appears: a quick load shows nothing
WIDTH = 30


class Progress:
    """Counts work done out of ``total`` and draws ``label [#####     ]  42%`` on one stderr line.

    Nothing is drawn before ``delay`` seconds have passed since ``started`` (default: now), nor ever when
    ``stream`` is not a terminal or ``enabled`` is False. ``close()`` clears the line.
    """

    def __init__(self, total: int, label: str, *, stream: TextIO | None = None, enabled: bool | None = None,
                 delay: float = DELAY, started: float | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = enabled
        self.total = max(total, 1)
        self.label = label
        self.done = 0
        self.start = time.monotonic() if started is None else started  # a time.monotonic() value
        self.delay = delay
        self.drawn = False

    def __call__(self, n: int) -> None:
        """``n`` more units of work are done."""
        self.done = min(self.done + n, self.total)
        if self.enabled and time.monotonic() - self.start >= self.delay:
            filled = WIDTH * self.done // self.total
            bar = "#" * filled + " " * (WIDTH - filled)
            self.stream.write(f"\r{self.label} [{bar}] {100 * self.done // self.total:3d}%")
            self.stream.flush()
            self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * (len(self.label) + WIDTH + 8) + "\r")
            self.stream.flush()
            self.drawn = False
