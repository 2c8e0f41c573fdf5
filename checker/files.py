"""Writing files so that no reader ever sees half of one: reports (a Prometheus textfile
collector reads them while we write), snapshots' manifests, generated specs."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one step, so no reader ever sees half a file.

    The data goes to a hidden temporary file in the same directory (same file system, so
    `os.replace` is atomic; its `.tmp` suffix keeps node_exporter, which reads only `*.prom`,
    away from it), is flushed to disk, takes over the mode of the file it replaces (or the
    umask's default for a new one, readable by node_exporter), then is renamed over `path`.
    On any failure the temporary file is removed and `path` is left as it was.
    """
    temp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    descriptor = os.open(temp, flags, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        _copy_mode(path, temp)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _copy_mode(source: Path, target: Path) -> None:
    """Give `target` the permission bits of `source`, when `source` exists."""
    try:
        mode = stat.S_IMODE(source.stat().st_mode)
    except FileNotFoundError:
        return
    os.chmod(target, mode)
