"""Writing a file a person named: a link is kept, a pipe is written to, never replaced.

`analyze --output`, `export-polis --output` and the backups renamed a temporary file over
whatever the path was: a device node, a named pipe, a symbolic link (`/dev/stdout`). Everything
here lives under tmp_path: these tests never write to anything under /dev.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest

from track2.output_file import NotARegularFile, write_output_file


def _text(text: str) -> Callable[[BinaryIO], object]:
    return lambda out: out.write(text.encode())


def _read_fifo(fifo: Path) -> tuple[threading.Thread, dict[str, bytes]]:
    """A reader of ``fifo`` on a thread (opening a pipe waits for its writer)."""
    received: dict[str, bytes] = {}

    def read() -> None:
        with fifo.open("rb") as f:
            received["data"] = f.read()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader, received


def test_a_new_file_and_a_regular_file_are_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    write_output_file(target, _text("one"))
    assert target.read_text() == "one"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    write_output_file(target, _text("two"), private=True)
    assert target.read_text() == "two" and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]


def test_a_link_is_followed_and_kept(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "report.txt"
    target.write_text("old")
    link = tmp_path / "report-link"
    link.symlink_to(target)
    write_output_file(link, _text("new"))
    assert link.is_symlink() and target.read_text() == "new"
    dangling = tmp_path / "to-be"
    dangling.symlink_to(tmp_path / "real" / "new.txt")
    write_output_file(dangling, _text("made"))
    assert dangling.is_symlink() and (tmp_path / "real" / "new.txt").read_text() == "made"


def test_a_named_pipe_is_written_to_and_kept(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader, received = _read_fifo(fifo)
    write_output_file(fifo, _text("through the pipe"))
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # not replaced by a regular file
    reader.join(timeout=30)
    assert received["data"] == b"through the pipe"


def test_a_descriptor_name_is_written_through_the_descriptor(tmp_path: Path) -> None:
    # /dev/stdout is a link to /proc/self/fd/1; a link of our own to a descriptor of our own
    # stands for it here. A shell's `>` file: written at the descriptor's offset, not replaced.
    opened = tmp_path / "shell-redirect.txt"
    with opened.open("wb") as redirected:
        redirected.write(b"before\n")
        redirected.flush()
        inode = os.fstat(redirected.fileno()).st_ino
        link = tmp_path / "stdout"
        link.symlink_to(f"/proc/self/fd/{redirected.fileno()}")
        write_output_file(link, _text("report\n"))
        redirected.write(b"after\n")
    assert opened.read_text() == "before\nreport\nafter\n"
    assert link.is_symlink() and opened.stat().st_ino == inode
    read_end, write_end = os.pipe()
    try:
        link.unlink()
        link.symlink_to(f"/proc/self/fd/{write_end}")
        write_output_file(link, _text("piped"))
        assert os.read(read_end, 100) == b"piped"
    finally:
        os.close(read_end)
        os.close(write_end)


def test_without_stream_a_pipe_or_a_descriptor_is_refused_and_left_alone(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(NotARegularFile) as refused:
        write_output_file(fifo, _text("backup"), private=True, stream=False)
    assert refused.value.strerror == "not a regular file (a device or a pipe)"
    assert isinstance(refused.value, OSError) and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    with pytest.raises(NotARegularFile):
        write_output_file(link, _text("backup"), stream=False)
    assert link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe", "stdout"]


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        write_output_file(tmp_path, _text("x"))


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "export.zip"
    target.write_text("the last good export")

    def fails(out: BinaryIO) -> None:
        out.write(b"half of it")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        write_output_file(target, fails, private=True)
    assert target.read_text() == "the last good export"
    assert [p.name for p in tmp_path.iterdir()] == ["export.zip"]
