"""A one-line progress bar on stderr: cases done, rate, time remaining, failures."""
from __future__ import annotations

import sys
import time


def _clock(seconds: float) -> str:
    if seconds != seconds or seconds == float("inf"):
        return "--:--"
    m, s = divmod(int(seconds + 0.5), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class Progress:
    """``update(done, failed)`` redraws at most every ``interval`` s; silent when disabled
    (``--quiet``) or when stderr is not a terminal."""

    def __init__(self, total: int, already: int = 0, enabled: bool | None = None,
                 stream=None, interval: float = 0.2, width: int = 28):
        self.stream = stream or sys.stderr
        self.enabled = (self.stream.isatty() if enabled is None else enabled) and total > 0
        self.total, self.already = total, already
        self.interval, self.width = interval, width
        self.start = time.monotonic()
        self.last = 0.0

    def update(self, done: int, failed: int, force: bool = False) -> None:
        """``done`` counts every finished case of this run (failed ones included)."""
        now = time.monotonic()
        if not self.enabled or (not force and now - self.last < self.interval):
            return
        self.last = now
        count = self.already + done
        elapsed = now - self.start
        rate = done / elapsed if elapsed > 0 else 0.0
        left = (self.total - count) / rate if rate > 0 else float("inf")
        filled = int(self.width * count / self.total)
        bar = "#" * filled + "." * (self.width - filled)
        fails = f", {failed} failed" if failed else ""
        self.stream.write(f"\r[{bar}] {count}/{self.total} {100 * count / self.total:3.0f}% "
                          f"{rate:,.1f} cases/s, {_clock(left)} left{fails}   ")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
