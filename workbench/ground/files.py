"""Writing files so that nothing is half-written and nothing is written through a planted link."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` in one step: into a fresh temporary file of our own in the
    same folder (created exclusively, so a name or link planted beforehand is never followed),
    then renamed over ``path``. A reader sees the old file or the new one, never a part."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def safe_file_name(name: str, fallback: str) -> str:
    """``name`` as a file or folder name that stays in its folder: letters, digits, ``-``, ``_``
    and ``.`` kept, anything else (a separator, a space, markup) made ``_``, no leading or trailing
    dot; ``fallback`` when nothing is left."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip(".")
    return cleaned or fallback
