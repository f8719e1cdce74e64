"""A small progress bar for training loops (no dependency): redraws in place on a terminal,
prints a line every tenth of the way otherwise (so CI logs stay readable)."""
from __future__ import annotations

import sys
import time
from typing import Iterable, Iterator, Optional, TextIO


class Progress:
    def __init__(self, iterable: Iterable, total: Optional[int] = None, desc: str = "",
                 file: TextIO = sys.stderr, width: int = 30) -> None:
        self.iterable = iterable
        self.total = total if total is not None else len(iterable)  # type: ignore[arg-type]
        self.desc, self.file, self.width = desc, file, width
        self.postfix = ""
        self._tty = file.isatty()

    def set_postfix(self, text: str) -> None:
        self.postfix = text

    def _line(self, n: int, start: float) -> str:
        frac = n / self.total if self.total else 1.0
        filled = int(self.width * frac)
        elapsed = time.perf_counter() - start
        rate = n / elapsed if elapsed > 0 else 0.0
        return (f"{self.desc} [{'#' * filled}{'.' * (self.width - filled)}] {n}/{self.total} "
                f"{rate:.1f} it/s {self.postfix}")

    def __iter__(self) -> Iterator:
        start = last = time.perf_counter()
        step = max(self.total // 10, 1)
        n = 0
        for item in self.iterable:
            yield item
            n += 1
            now = time.perf_counter()
            if self._tty and (now - last > 0.2 or n == self.total):
                self.file.write("\r" + self._line(n, start))
                self.file.flush()
                last = now
            elif not self._tty and (n % step == 0 or n == self.total):
                self.file.write(self._line(n, start) + "\n")
                self.file.flush()
        if self._tty:
            self.file.write("\n")
