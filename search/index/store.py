"""The index directory on disk: generations, the atomic swap, and the reindex lock.

Layout of an index directory (``index/`` by default)::

    index/
      current -> gen-20261126-073000-1234   (a relative symlink: the live index)
      gen-20261126-073000-1234/             (a complete Whoosh index)
      gen-...-previous/                     (kept one swap longer, for searchers still on it)
      .building-5678/                       (a reindex in progress; removed if it fails)
      .lock                                 (held by the reindex that is running)

A reindex builds into ``.building-*``, renames it to ``gen-*`` and then replaces the ``current``
symlink with ``os.replace`` (atomic on POSIX), so a searcher sees either the old index or the new
one, never half of one. Killed at any moment, the previous generation stays live.
"""

from __future__ import annotations

import errno
import fcntl
import json
import mmap
import os
import shutil
import signal
import time
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile

CURRENT = "current"
LOCK = ".lock"
BUILDING_PREFIX = ".building-"
GEN_PREFIX = "gen-"


class IndexMissing(RuntimeError):
    """There is no usable index: the message says how to build one."""


class ReindexRunning(RuntimeError):
    """Another reindex holds the lock on this index directory."""


class NothingIndexed(RuntimeError):
    """A reindex found no article to index while an index is live: it is kept (a mistyped path
    or an empty folder must not replace an archive with nothing)."""


def current_generation(root: Path) -> Path | None:
    """The live generation directory, or None when no index has been built."""
    link = root / CURRENT
    try:
        target = os.readlink(link)
    except OSError:
        return None
    path = root / target
    return path if path.is_dir() else None


class MappedStorage(FileStorage):
    """Whoosh's file storage, reading each file through one memory map per process.

    Whoosh reads a compound segment by copying each of its parts into memory for every searcher
    (300 MB at the first query, 65 MB per server thread on SaudiNewsNet), and a plain file with a
    seek and a read system call for every column value and posting block. Here each file is
    mapped once per process and every searcher (one per thread) reads it through its own
    position (:class:`MapReader`): a read is a slice of the operating system's page cache."""

    _maps: dict[str, mmap.mmap] = {}

    def open_file(self, name, **kwargs):
        path = self._fpath(name)
        data = self._maps.get(path)
        if data is None:
            with open(path, "rb") as handle:
                try:
                    data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
                except ValueError:  # an empty file cannot be mapped
                    return super().open_file(name, **kwargs)
            self._maps[path] = data
        return StructFile(MapReader(data), name=name, **kwargs)

    @classmethod
    def forget(cls, directory: Path) -> None:
        """Drop the maps of the files in `directory` (a generation no longer live)."""
        prefix = str(directory) + os.sep
        for path in [p for p in cls._maps if p.startswith(prefix)]:
            cls._maps.pop(path, None)


class BuildStorage(FileStorage):
    """Whoosh's file storage for writing a build, whose files count their own position.

    Whoosh's posting writer asks its file for the position twice per term; a buffered Python file
    answers each time with a system call (two million for SaudiNewsNet)."""

    def create_file(self, name, **kwargs):
        created = super().create_file(name, **kwargs)
        created.file = _Counted(created.file)
        return created


class _Counted:
    """A file being written, with the position counted instead of asked of the system."""

    def __init__(self, file):
        self._file, self._pos = file, file.tell()

    def write(self, data) -> int:
        written = self._file.write(data)
        self._pos += written
        return written

    def tell(self) -> int:
        return self._pos

    def seek(self, pos: int, whence: int = 0) -> int:
        self._pos = self._file.seek(pos, whence)
        return self._pos

    def __getattr__(self, name):
        return getattr(self._file, name)


class MapReader:
    """A read-only file over a shared memory map, with a position of its own."""

    def __init__(self, data: mmap.mmap):
        self.data, self._pos = data, 0  # readers of whole columns slice `data` themselves

    def read(self, size: int = -1) -> bytes:
        start = self._pos
        end = len(self.data) if size is None or size < 0 else min(start + size, len(self.data))
        self._pos = max(start, end)
        return self.data[start:end]

    def seek(self, pos: int, whence: int = 0) -> int:
        self._pos = pos if whence == 0 else (self._pos + pos if whence == 1 else len(self.data) + pos)
        return self._pos

    def readline(self, size: int = -1) -> bytes:
        end = self.data.find(b"\n", self._pos)
        end = len(self.data) if end < 0 else end + 1
        if size is not None and size >= 0:
            end = min(end, self._pos + size)
        return self.read(end - self._pos)

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        pass  # the map is shared; MappedStorage.forget drops it


def open_current(root: Path):
    """Open the live Whoosh index.

    :raise IndexMissing: no index, or one that Whoosh cannot open (with the hint to reindex).
    """
    gen = current_generation(root)
    if gen is None:
        raise IndexMissing(f"No index at {root}. Build one with: arshif reindex [PATH ...] --index {root}")
    try:
        _verify_files(gen)
        ix = MappedStorage(str(gen), readonly=True).open_index()
        ix.reader().close()  # opens every segment's files: a damaged one fails here, not mid-search
        return ix
    except OtherFormat as exc:
        raise IndexMissing(f"The index at {root} cannot be read: {exc}. "
                           f"Rebuild it with: arshif reindex [PATH ...] --index {root}") from exc
    except Exception as exc:  # whoosh raises several kinds for a damaged index
        raise IndexMissing(
            f"The index at {root} cannot be opened ({type(exc).__name__}: {exc}). "
            f"Rebuild it with: arshif reindex [PATH ...] --index {root}"
        ) from exc


#: Lock files this process holds. Forked children (Whoosh's writer processes) close their copies,
#: so the lock dies with the reindex process even if a child outlives it.
_HELD_LOCKS: set = set()


def _close_locks_in_child() -> None:
    for handle in list(_HELD_LOCKS):
        try:
            handle.close()
        except OSError:
            pass
    _HELD_LOCKS.clear()
    die_with_parent()


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask Linux to send `sig` to this forked process when its parent dies (prctl PDEATHSIG).

    A parent that dies between the fork and the prctl call sends no signal: the child then
    already has another parent, which :data:`_PARENT` (the pid recorded before the fork) shows."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, int(sig))  # PR_SET_PDEATHSIG
    except Exception:  # not Linux: the lock is still released, the child just lingers
        pass
    if _PARENT is not None and os.getppid() != _PARENT:
        os._exit(1)


#: The pid of the process that is forking (set just before each fork).
_PARENT: int | None = None


def _before_fork() -> None:
    global _PARENT
    _PARENT = os.getpid()


os.register_at_fork(before=_before_fork,
                    after_in_child=lambda: _close_locks_in_child() if _HELD_LOCKS else None)


@contextmanager
def reindex_lock(root: Path):
    """Hold the reindex lock of `root` for the duration, or raise :class:`ReindexRunning`."""
    root.mkdir(parents=True, exist_ok=True)
    handle = open(root / LOCK, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise ReindexRunning(
                    f"Another reindex is running on {root}; wait for it to finish. Nothing was changed."
                ) from None
            raise
        _HELD_LOCKS.add(handle)
        _remove_stale_builds(root)
        yield
    finally:
        _HELD_LOCKS.discard(handle)
        handle.close()


def new_build_dir(root: Path) -> Path:
    """A fresh directory to build the next generation in."""
    path = root / f"{BUILDING_PREFIX}{os.getpid()}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


#: The index format this version of Arshif writes and reads. Raise it whenever what is stored
#: changes (the schema, the analyzer's output, the term-id encoding, the files beside the index):
#: an index of another format is refused with the hint to run ``arshif reindex``.
FORMAT_VERSION = 3
#: The index format and the size of every file of a generation, written as it is published and
#: checked when it is opened: another format, or a file deleted, cut short or grown, shows at
#: once, not in the middle of a search.
FILE_LIST = "arshif-files.json"
#: The first bytes of Whoosh's postings and term files (a zeroed or overwritten one fails).
_MAGIC = {".pst": b"W3Bl", ".trm": b"HSH3"}


class OtherFormat(ValueError):
    """The index was written by a version of Arshif with another index format."""


def _write_file_list(build_dir: Path) -> None:
    sizes = {p.name: p.stat().st_size for p in build_dir.iterdir()
             if p.is_file() and not p.name.endswith("WRITELOCK") and p.name != FILE_LIST}
    content = {"format": FORMAT_VERSION, "files": sizes}
    (build_dir / FILE_LIST).write_text(json.dumps(content, sort_keys=True), encoding="utf-8")


def index_format(gen: Path) -> int | None:
    """The format of generation `gen` (None: written before formats were recorded, or unreadable)."""
    try:
        content = json.loads((gen / FILE_LIST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    found = content.get("format") if isinstance(content, dict) else None
    return found if isinstance(found, int) else None


def _verify_files(gen: Path) -> None:
    """Raise :class:`OtherFormat` if `gen` has another index format, ValueError if one of its
    files is missing, has another size, or lost its header."""
    found = index_format(gen)
    if found != FORMAT_VERSION:
        raise OtherFormat(f"it was built by another version of Arshif (index format {found or 1}; "
                          f"this version reads format {FORMAT_VERSION})")
    sizes = json.loads((gen / FILE_LIST).read_text(encoding="utf-8"))["files"]
    for name, size in sizes.items():
        path = gen / name
        try:
            actual = path.stat().st_size
        except OSError:
            raise ValueError(f"{name} is missing") from None
        if actual != size:
            raise ValueError(f"{name} has {actual} bytes, not {size}")
        magic = _MAGIC.get(path.suffix)
        if magic is not None:
            with open(path, "rb") as handle:
                if handle.read(len(magic)) != magic:
                    raise ValueError(f"{name} is overwritten")


def publish(root: Path, build_dir: Path) -> Path:
    """Make `build_dir` the live generation, atomically; drop generations older than the previous."""
    _write_file_list(build_dir)
    previous = current_generation(root)
    gen = root / f"{GEN_PREFIX}{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 10**9:09d}-{os.getpid()}"
    os.rename(build_dir, gen)
    _fsync_dir(root)
    tmp_link = root / f".{CURRENT}.tmp"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(gen.name, tmp_link)
    os.replace(tmp_link, root / CURRENT)
    _fsync_dir(root)
    keep = {gen.name, previous.name if previous else None}
    for old in root.glob(f"{GEN_PREFIX}*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    return gen


def discard(build_dir: Path) -> None:
    """Remove a build that did not finish."""
    shutil.rmtree(build_dir, ignore_errors=True)


def _remove_stale_builds(root: Path) -> None:
    """Builds left by a killed reindex (we hold the lock, so nobody else is building)."""
    for stale in root.glob(f"{BUILDING_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
