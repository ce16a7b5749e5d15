"""Progress bars for long work on a terminal (tqdm), silent everywhere else.

A run of a few thousand items parses in seconds and needs no bar; a million-item run or a whole
suite takes minutes, and a bar says it is alive. Only a terminal gets one: a log file, a pipe or
a notebook's captured stderr stays clean. tqdm is imported on the first update, so ``--help`` and
small runs never pay for it.
"""

from __future__ import annotations

import sys
from typing import Any

#: below this many steps no bar is drawn
MINIMUM = 2000


class Progress:
    """``progress(done)`` callbacks (items parsed so far) drawn as one tqdm bar on ``stream``."""

    def __init__(self, total: int, label: str, stream: Any = None, *, minimum: int = MINIMUM) -> None:
        self.stream = stream or sys.stderr
        self.total, self.label = total, label
        self.enabled = total >= minimum and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.done = 0
        self._bar: Any = None

    def __call__(self, done: int) -> None:
        if not self.enabled or done <= self.done:
            return
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=self.total, desc=self.label, file=self.stream, unit="item", leave=False,
                             mininterval=0.2, dynamic_ncols=True)
        self._bar.update(done - self.done)
        self.done = done
        if done >= self.total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
