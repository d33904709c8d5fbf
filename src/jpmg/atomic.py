"""Writing an output file so that it is either wholly the new content or still the old one, never half-written.

Every command that writes a file (``jpmg dump``, ``jpmg synth``) goes through :func:`atomic_output`: the content goes
to a temporary file beside the target, which is flushed, synced and renamed over the target only when everything was
written. A failure at any point (a full disk, an interrupted run, an error of the caller) leaves the target as it was
and no temporary file behind.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


class OutputError(OSError):
    """An output path that cannot be written: the message names it and says why."""


@contextmanager
def atomic_output(target: Path, *, text: bool = False) -> Iterator[IO]:
    """A file handle whose content replaces ``target`` when the ``with`` block ends without an error.

    ``text`` opens it for UTF-8 text with ``\\n`` line ends, otherwise for bytes. A symlink is followed (the file it
    points at is replaced, the link kept). A target that is not a regular file (a device such as ``/dev/stdout``, a
    named pipe) is written to directly: renaming over it would replace the device itself. A folder, or a folder that
    does not exist, is refused with :class:`OutputError`.
    """
    target = Path(target)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    if target.is_dir():
        raise OutputError(errno.EISDIR, "is a folder: give a file name", str(target))
    if target.exists() and not stat.S_ISREG(target.stat().st_mode):
        with _open(target, text) as stream:  # a device or a pipe: nothing to rename, nothing to keep
            yield stream
        return
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(errno.ENOENT, "the folder to write into does not exist: create it first", str(folder))
    descriptor, name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with _open(descriptor, text) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(name, 0o666 & ~umask)  # mkstemp makes the file private; give it the mode a new file would get
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)  # also when closing failed (the last buffered write on a full disk)
        raise


def write_atomically(data: bytes, target: Path) -> None:
    """Write ``data`` to ``target`` through :func:`atomic_output`."""
    with atomic_output(target) as handle:
        handle.write(data)


def _open(file: Path | int, text: bool) -> IO:
    if text:
        return open(file, "w", encoding="utf-8", newline="\n", buffering=1 << 20)
    return open(file, "wb")
