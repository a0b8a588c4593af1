"""Files in and out, with every fault a message rather than a traceback.

Reads: read_text() names what went wrong (missing, a directory, a
dangling symlink, unreadable, not UTF-8 with the line of the first bad
byte, a byte-order mark) as the caller's EvaluateError subclass.
Writes are atomic: a reader (or an interrupted run) sees the old file
or the new one, never half of either; os_error_text() says why one
failed (read-only filesystem, disk full, a path under a file, ...).
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from .errors import EvaluateError

BOM = "\ufeff"
_WRITE_FAULTS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.EROFS: "the filesystem is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "a path component is a file, not a directory",
    errno.EISDIR: "it is a directory",
    errno.EEXIST: "it already exists",
    errno.ENOENT: "no such file or directory",
    errno.ENAMETOOLONG: "the name is too long",
}


def os_error_text(exc: OSError) -> str:
    """Why a file operation failed, in a user's words."""
    return _WRITE_FAULTS.get(exc.errno, exc.strerror or str(exc))


def _decode_error(path: Path, data: bytes, exc: UnicodeDecodeError,
                  what: str, error: type[EvaluateError]) -> EvaluateError:
    line = data.count(b"\n", 0, exc.start) + 1
    return error(f"{what} is not UTF-8 text (byte 0x{data[exc.start]:02x} "
                 f"at offset {exc.start})", path=path, line=line,
                 hint="save it as UTF-8")


def read_text(path: Path, what: str,
              error: type[EvaluateError] = EvaluateError) -> str:
    """The file's text; any fault is `error` naming the file and fix."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if path.is_symlink():
            raise error(f"{what} is a dangling symbolic link (to "
                        f"{os.readlink(path)})", path=path,
                        hint="point the link at an existing file") from None
        raise error(f"no such {what} file", path=path) from None
    except IsADirectoryError:
        raise error(f"{what} is a directory, not a file", path=path,
                    hint="give the file itself") from None
    except (OSError, ValueError) as exc:   # ValueError: NUL in the name
        reason = os_error_text(exc) if isinstance(exc, OSError) else str(exc)
        raise error(f"cannot read the {what}: {reason}", path=path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _decode_error(path, data, exc, what, error) from None
    if text.startswith(BOM):
        raise error(f"{what} starts with a UTF-8 byte-order mark (BOM, "
                    "EF BB BF)", path=path, line=1,
                    hint="save it as UTF-8 without a BOM")
    return text


def _temp_with(path: Path, text: str, mode: int) -> str:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def write_new(path: Path, text: str, mode: int = 0o644) -> None:
    """Create path atomically; FileExistsError if it exists (link(2),
    unlike rename(2), refuses to replace)."""
    tmp = _temp_with(path, text, mode)
    try:
        os.link(tmp, path)
    finally:
        os.unlink(tmp)


def replace(path: Path, text: str, mode: int | None = None) -> None:
    """Write path atomically, replacing it if it exists (keeping its
    permission bits unless mode is given)."""
    if mode is None:
        mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    tmp = _temp_with(path, text, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
