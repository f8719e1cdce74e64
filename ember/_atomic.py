"""``atomic_write``: files that are replaced whole or not at all (checkpoints, safetensors)."""
from __future__ import annotations

import contextlib
import os
import tempfile
from typing import BinaryIO, Iterator


@contextlib.contextmanager
def atomic_write(path: str, suffix: str = "") -> Iterator[BinaryIO]:
    """A binary file that replaces ``path`` only once fully written and synced to disk.

    It is a temporary file in the target's folder, renamed over the target on success, so a
    crash at any point leaves either the old file or the new one, never a partial one.
    """
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise RuntimeError(f"Parent directory {folder} does not exist.")
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=suffix, dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
