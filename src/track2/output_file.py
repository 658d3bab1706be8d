"""Writing a file a person named (``--output``, a backup's path): never half a file, and never
a device, a pipe or a link replaced by a regular file.

``analyze --output /dev/full``, run as root, once replaced the system's ``/dev/full`` with a
report: the old writers made a temporary file and renamed it over whatever the path was. Here:

* a new path or an existing regular file is written under a temporary name beside it, synced,
  then renamed over it; a symbolic link is followed first, so the file it points to is replaced
  and the link is kept;
* an open descriptor's name (``/dev/stdout``, ``/dev/fd/N``, ``/proc/self/fd/N``, or a link to
  one) is written through that descriptor, at its offset, as a shell's ``>`` would;
* any other existing file that is not a regular file (a named pipe, a device) is written to
  directly, with no rename;
* ``stream=False`` (a backup, which is read back once written) refuses both of the last two.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = ["NotARegularFile", "is_regular_or_new", "write_output_file"]

_DESCRIPTOR = re.compile(r"/(?:proc/(self|\d+)/fd|dev/fd)/(\d+)")
_MAX_LINKS = 40  # as the kernel's own limit on a chain of symbolic links


class NotARegularFile(OSError):
    """The path names a device, a pipe or a descriptor, and a regular file is needed."""

    def __init__(self, path: Path) -> None:
        super().__init__(errno.EINVAL, "not a regular file (a device or a pipe)", str(path))


def write_output_file(
    path: Path,
    write: Callable[[BinaryIO], object],
    *,
    private: bool = False,
    stream: bool = True,
) -> None:
    """Write ``path`` through ``write(binary file)`` as the module says. A new file's mode is
    0600 when ``private``, else 0666 less the umask. Raises ``OSError`` (``IsADirectoryError``
    for a folder, :class:`NotARegularFile` when ``stream`` is False and the path is not a
    regular file); a temporary file never outlives a failed write."""
    descriptor = _descriptor_of(path)
    try:
        mode = os.stat(path).st_mode  # follows links: what the path writes to
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if descriptor is not None or (mode is not None and not stat.S_ISREG(mode)):
        if not stream:
            raise NotARegularFile(path)
        if descriptor is not None:  # a copy of the descriptor: the same offset, then closed
            with open(os.dup(descriptor), "wb") as out:
                write(out)
        else:
            with open(path, "wb") as out:
                write(out)
        return
    target = Path(os.path.realpath(path))
    fd, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        if not private:  # mkstemp makes the file private; a report is not
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(partial, 0o666 & ~umask)
        os.replace(partial, target)
    finally:
        Path(partial).unlink(missing_ok=True)


def is_regular_or_new(path: Path) -> bool:
    """Whether ``path`` (its links followed) is a regular file or nothing yet: what a file that
    is read back once written (a backup) may be written to. Checked before any work starts."""
    if _descriptor_of(path) is not None:
        return False
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return True


def _descriptor_of(path: Path) -> int | None:
    """The descriptor number ``path`` names through its chain of links (``/dev/stdout`` links to
    ``/proc/self/fd/1``), or None."""
    name = os.path.abspath(path)
    for _ in range(_MAX_LINKS):
        found = _DESCRIPTOR.fullmatch(name)
        if found and found[1] in (None, "self", str(os.getpid())):
            return int(found[2])
        if not os.path.islink(name):
            return None
        name = os.path.normpath(os.path.join(os.path.dirname(name), os.readlink(name)))
    return None
