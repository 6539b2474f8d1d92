"""Build state kept between builds, so a rebuild does only the work its changes call for.

Everything lives in one folder (`.cache/newsarchive/` under the project root by default); deleting
it costs one full build and nothing else. Each file is a pickle behind a format line and a checksum:
a file that is truncated, corrupt or from another format version is reported and ignored, and a
state made by other code, libraries or configuration (see build._fingerprint) is not trusted.

What the state remembers (`state.pickle`, read by every build):
* `files`: for every input read (articles, raw sources, templates, static files), its size, mtime and
  inode and the BLAKE2 digest of its bytes. A file whose stat is unchanged is not read again, except
  when it was modified so close to the last build that a same-size edit could hide in one mtime tick.
* `inputs`: the digest of every input of the last build, and `folders`, the stat of every folder of
  the site it left, to recognise a build with nothing to do.

Read only by a build with something to do:
* `filings-<x>.pickle`: for each article file, by path, the digest of its bytes, its filing (what
  the archive's listings and taxonomies need of it, see archive.Filing), the problems it has and
  where its record is, so unchanged files are not parsed again; in 16 files by the first digit of
  the digest, so that an edit rewrites two of them.
* record packs (`records-*.pack`): each article's full record, packed on its own (records.packed),
  found by the pack, offset, length and checksum its filing keeps, so that a build reads and unpacks
  only the records of the pages it renders. The worker processes that parse articles write their packs
  themselves: records never pass through the main process.
* `site.pickle`: for every file of the built site, the key of everything it was made from and its
  stat, so an unchanged page is kept instead of rendered and a file changed by hand in the site is
  noticed and rewritten; the pieces of the assembled files; the search index's state; the templates
  each template names (by the digest of its source), so that an edit parses no template.
"""

from __future__ import annotations

import gc
import hashlib
import io
import os
import pickle
import shutil
import sys
import tempfile
import zlib
from collections.abc import Iterator, KeysView, Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from .problems import Problem
from .records import Record, packed, unpacked

FORMAT = b"newsarchive-state-16\n"
STATE_FILE = "state.pickle"
SITE_FILE = "site.pickle"
NAMES_FILE = "article-names"  # the last build's Cache.names_digest
FILINGS_GROUPS = "0123456789abcdef"  # filings-<digit>.pickle, by the first digit of the file's digest
PACK_MERGE = 16  # more packs than this that are small or mostly dead, and they are merged into one
SMALL_PACK = 1 << 18  # bytes: a pack this small (an edit's) is worth merging whatever it holds
RACY_NS = 2_000_000_000  # mtimes this close to the last build's start are re-hashed: one tick may hide an edit
TABLE_CHUNK = 20_000  # entries of a state's table pickled at a time (see Cache._write)


def digest_bytes(data: bytes | memoryview) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def checksum(data: bytes | memoryview, running: int = 0) -> int:
    """A cache file's checksum: a CRC-32, not a digest, for it is there to notice a file cut short
    or damaged, which it does as well, five times faster (an edit at 10,000 articles reads 15 MB of
    state and writes 10)."""
    return zlib.crc32(data, running)


class _Checked:
    """A file to write a pickle into that takes the checksum of what goes through."""

    def __init__(self, file: BinaryIO):
        self.file = file
        self.checksum = checksum(b"")

    def write(self, data: bytes) -> int:
        self.checksum = checksum(data, self.checksum)
        return self.file.write(data)


def key_of(*parts: Any) -> str:
    """A digest of plain values (str, int, None, tuples of them): the key of one output file."""
    return digest_bytes(repr(parts).encode("utf-8"))


# Size, mtime_ns and inode in one int: a build keeps one for every input and output file, and a
# tuple of three ints takes three times the memory.
FileStat = int
_WORD = (1 << 64) - 1


def pack_stat(st: os.stat_result) -> FileStat:
    return st.st_size << 128 | (st.st_mtime_ns & _WORD) << 64 | st.st_ino


def size_of(stat: FileStat) -> int:
    return stat >> 128


def mtime_of(stat: FileStat) -> int:
    """The mtime in nanoseconds (one before 1970 reads as far in the future: never trusted as old)."""
    return stat >> 64 & _WORD


def stat_of(path: Path | str) -> FileStat | None:
    try:
        return pack_stat(os.stat(path))
    except OSError:
        return None


def hash_file(path: str, stat: FileStat | None = None) -> tuple[FileStat | None, str | None]:
    """A file's stat, taken before its bytes are read (unless given), and their digest (None, None:
    unreadable)."""
    try:
        if stat is None:
            stat, data = read_file_and_stat(path)
        else:
            data = read_file(path)
        return stat, digest_bytes(data)
    except OSError:
        return None, None


def read_file(path: str) -> bytes:
    return read_file_and_stat(path)[1]


def read_file_and_stat(path: str) -> tuple[FileStat, bytes]:
    """A file's stat, taken on the open file before reading, and its bytes. Read through a file
    descriptor: open()'s buffering costs five more system calls a file, and a build reads tens of
    thousands."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        stat = os.fstat(fd)
        return pack_stat(stat), read_to_end(fd, stat.st_size)
    finally:
        os.close(fd)


def read_to_end(fd: int, size: int) -> bytes:
    """The bytes of an open file, `size` of them when it was last stat'ed: in one read, unless it
    has grown since (or was read short). A regular file reads short only at its end, so a read
    that returns all `size` bytes needs no second one to find the end."""
    chunks = [os.read(fd, size + 1)]
    if len(chunks[0]) == size:
        return chunks[0]
    while chunks[-1]:
        chunks.append(os.read(fd, 1 << 16))
    return b"".join(chunks)


class PackedTable(MutableMapping[str, tuple[Any, ...]]):
    """A table of a site's paths or slugs to small records of ints and digests, each record packed
    into one bytes object: at 100,000 articles a build keeps some 600,000 of them, and as a tuple of
    a hex digest and ints each took 190 bytes, as bytes 60 to 70. A subclass says how to pack."""

    __slots__ = ("packed",)

    def __init__(self, packed: dict[str, bytes] | None = None):
        self.packed: dict[str, bytes] = {} if packed is None else packed

    @staticmethod
    def pack(value: tuple[Any, ...]) -> bytes:
        raise NotImplementedError

    @staticmethod
    def unpack(packed: bytes) -> tuple[Any, ...]:
        raise NotImplementedError

    def __getitem__(self, name: str) -> tuple[Any, ...]:
        return self.unpack(self.packed[name])

    def __setitem__(self, name: str, value: tuple[Any, ...]) -> None:
        self.packed[name] = self.pack(value)

    def __delitem__(self, name: str) -> None:
        del self.packed[name]

    def __contains__(self, name: object) -> bool:
        return name in self.packed

    def __iter__(self) -> Iterator[str]:
        return iter(self.packed)

    def __len__(self) -> int:
        return len(self.packed)

    def keys(self) -> KeysView[str]:  # the dict's own: set operations on it run in C
        return self.packed.keys()

    def clear(self) -> None:
        self.packed.clear()

    def take(self, name: str, other: PackedTable) -> None:
        """Keep another table's record for this name as it is (packed)."""
        self.packed[name] = other.packed[name]

    def __reduce__(self) -> tuple[type, tuple[dict[str, bytes]]]:
        return type(self), (self.packed,)


def _pack_key(key: str) -> bytes:
    """A key packed: a digest (as digest_bytes and key_of make them) as its 16 bytes, behind a 0;
    any other key in UTF-8, behind a 1; "" stays empty."""
    if len(key) == 32:
        try:
            raw = bytes.fromhex(key)
        except ValueError:
            raw = b""
        if len(raw) == 16 and raw.hex() == key:
            return b"\0" + raw
    return b"\1" + key.encode() if key else b""


def _unpack_key(packed: bytes) -> str:
    if not packed:
        return ""
    return packed[1:].hex() if packed[0] == 0 else packed[1:].decode()


class Outputs(PackedTable):
    """Site path -> (key, stat) of each file of a site: the key of what it was made from ("" when it
    is never reused), the stat it had once written."""

    @staticmethod
    def pack(value: tuple[Any, ...]) -> bytes:
        key, stat = value
        return stat.to_bytes(24, "little") + _pack_key(key)

    @staticmethod
    def unpack(packed: bytes) -> tuple[str, FileStat]:
        return _unpack_key(packed[24:]), int.from_bytes(packed[:24], "little")

    def stat(self, path: str) -> FileStat:
        return int.from_bytes(self.packed[path][:24], "little")

    def made_from(self, path: str, key: str) -> bool:
        """Whether the file at `path` was made from `key`: compared packed, as an edit asks it of
        every file of the site."""
        packed = self.packed.get(path)
        return packed is not None and packed[24:] == _pack_key(key)


class Pieces(PackedTable):
    """Article slug -> (key, offset, length) of its piece in a file assembled from one piece per
    article (see render.assemble)."""

    @staticmethod
    def pack(value: tuple[Any, ...]) -> bytes:
        key, offset, length = value
        return offset.to_bytes(8, "little") + length.to_bytes(8, "little") + _pack_key(key)

    @staticmethod
    def unpack(packed: bytes) -> tuple[str, int, int]:
        return _unpack_key(packed[16:]), int.from_bytes(packed[:8], "little"), int.from_bytes(packed[8:16], "little")

    def made_from(self, slug: str, key: str) -> bool:
        """Whether the piece of `slug` was made from `key`: compared packed, as an edit asks it of
        every piece."""
        packed = self.packed.get(slug)
        return packed is not None and packed[16:] == _pack_key(key)

    def place(self, slug: str) -> tuple[int, int]:
        """The offset and length of a piece."""
        packed = self.packed[slug]
        return int.from_bytes(packed[:8], "little"), int.from_bytes(packed[8:16], "little")

    def moved(self, slug: str, other: Pieces, offset: int) -> None:
        """Keep another table's piece for this slug, its bytes now at `offset`."""
        self.packed[slug] = offset.to_bytes(8, "little") + other.packed[slug][8:]


# Where a record is kept: its pack file's name, offset and length, and the checksum of those bytes
# (a CRC-32, as for the cache files: it notices a record damaged or lost as well as a digest, three
# times faster, and a build takes it of every record it writes and reads), packed into one bytes
# object (see record_ref): a build keeps one per article, and as a tuple of a name, two ints and a
# hex digest each took 220 bytes, packed under 100.
RecordRef = bytes


def record_ref(pack: str, offset: int, length: int, check: int) -> RecordRef:
    return offset.to_bytes(8, "little") + length.to_bytes(8, "little") + check.to_bytes(4, "little") + pack.encode()


def read_ref(ref: RecordRef) -> tuple[str, int, int, int]:
    """A record's pack file name, offset, length and checksum."""
    return (ref[20:].decode(), int.from_bytes(ref[:8], "little"), int.from_bytes(ref[8:16], "little"),
            int.from_bytes(ref[16:20], "little"))


class Parsed(NamedTuple):
    """What parsing one article file gave."""

    digest: str  # of the file's bytes that were parsed
    filing: Any  # archive.Filing, None when the file breaks the record contract
    problems: tuple[Problem, ...]
    record: RecordRef | None = None  # where its full record is kept (None: nowhere, parse the file again)


# The buffer of a file written a piece at a time (records, an article's pieces of the data files): a
# record takes 5 KiB, and with the default buffer of 8 KiB nearly every piece was a write of its own.
WRITE_BUFFER = 256 << 10


class Pack:
    """A file of packed records that one process appends to (see RecordRef)."""

    def __init__(self, folder: Path):
        fd, path = tempfile.mkstemp(prefix="records-", suffix=".pack", dir=folder)
        self.name = os.path.basename(path)
        self.file = os.fdopen(fd, "wb", WRITE_BUFFER)
        self.size = 0  # counted here: tell() is a system call

    def add(self, record: Record) -> RecordRef:
        return self.add_packed(packed(record))

    def add_packed(self, data: bytes) -> RecordRef:
        offset = self.size
        self.file.write(data)
        self.size += len(data)
        return record_ref(self.name, offset, len(data), checksum(data))

    def close(self) -> None:
        self.file.close()


class Tabled:
    """A state with big tables, which Cache._write pickles apart from the rest, a chunk at a time."""

    def tables(self) -> list[Mapping[str, Any]]:
        """Read back as dicts (or PackedTables), whatever mappings were written."""
        raise NotImplementedError

    def without_tables(self) -> Tabled:
        """A copy with empty tables, of the same types, in the same places."""
        raise NotImplementedError


@dataclass
class State:
    """What every build reads: enough to tell that nothing changed. Pickled whole, not a Tabled:
    the paths and digests of its two tables are the same strings, which pickle then writes once;
    apart, the file took 70% more, and a build with nothing to do reads it."""

    fingerprint: str = ""  # code, configuration and format; any change discards the outputs
    started_ns: int = 0  # when the build that wrote this state started (for the racy-mtime rule)
    files: dict[str, tuple[FileStat, str]] = field(default_factory=dict)
    inputs: Mapping[str, str | None] = field(default_factory=dict)  # input path -> digest (None: absent)
    folders: dict[str, FileStat | None] = field(default_factory=dict)  # the site's folders, as left
    output_dir: str = ""
    pages: int = 0
    articles: int = 0
    problems: list[Problem] = field(default_factory=list)


@dataclass
class SiteState(Tabled):
    """What the last build wrote, read only by a build that has something to render (in a file of
    its own: at 100,000 articles it is more than half of the state)."""

    started_ns: int = 0  # of the build that wrote it: it belongs with the State of that build only
    outputs: Outputs = field(default_factory=Outputs)
    fragments: dict[str, Pieces] = field(default_factory=dict)  # assembled file -> its pieces
    search: bytes | None = None  # search.IndexState of the site's index, pickled, for the next build's update
    templates: dict[str, list[str]] = field(default_factory=dict)  # a template's source's digest -> what it names

    def tables(self) -> list[Mapping[str, Any]]:
        return [self.outputs, *self.fragments.values()]

    def without_tables(self) -> SiteState:
        return replace(self, outputs=Outputs(), fragments={name: Pieces() for name in self.fragments})


class PinnedDigests(Mapping[str, str | None]):
    """Some files' digests as a build first saw them (see Cache.digest), looked up when asked: what
    the state's `inputs` are saved from. A table of its own took 7 MB at 100,000 articles, kept
    from before the pages are rendered to the end of the build."""

    def __init__(self, cache: Cache, paths: list[str]):
        self.pinned, self.paths = cache.pinned, paths
        for path in paths:
            cache.digest(path)

    def __getitem__(self, path: str) -> str | None:
        return self.pinned[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as the dict it stands for, its items made as pickle writes them."""
        return dict, (), None, None, iter(self.items())


class OutputCheck:
    """Which files of the previous site no longer have the stat recorded when they were written
    (changed or removed by hand): found by a forked child process while this one loads the
    archive. At 10,000 articles that is 45,000 stats, a tenth of a second off an edit's build."""

    def __init__(self, site: Path, outputs: Outputs):
        self.site, self.outputs = str(site), outputs
        self.found: set[str] | None = None
        self.child: tuple[int, int] | None = None  # its process id, the read end of its pipe
        read, write = os.pipe()
        try:
            pid = os.fork()
        except (AttributeError, OSError):  # no fork here: check when asked
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the child: check, report, and leave without running anything of the parent's
            code = 1
            try:
                os.close(read)
                data = memoryview(pickle.dumps(self._changed()))
                while data:
                    data = data[os.write(write, data):]
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self.child = (pid, read)

    def _changed(self) -> list[str]:
        return [path for path in self.outputs if stat_of(f"{self.site}/{path}") != self.outputs.stat(path)]

    def changed(self) -> set[str]:
        """The changed files (waiting for the child the first time; checked here if it failed)."""
        if self.found is None:
            reported = self._reported()
            self.found = set(self._changed() if reported is None else reported)
        return self.found

    def _reported(self) -> list[str] | None:
        if self.child is None:
            return None
        pid, read = self.child
        self.child = None
        with os.fdopen(read, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        try:
            return pickle.loads(data) if status == 0 else None
        except Exception:  # noqa: BLE001 - a report cut short: check here instead
            return None

    def close(self) -> None:
        """Wait for the child, if its answer was never asked for (a build that stopped early)."""
        self._reported()


class Cache:
    """The state folder: read at the start of a build, written at its end.

    The small state (stats, digests, output keys) is one file, enough to tell that nothing changed.
    The filings of all articles (in 16 files) are read by any build with something to do. Full
    records are in packs: a build writes a pack for what it parses (each parse worker its own),
    reads only the records its pages need, and merges packs once there are many small ones.
    """

    def __init__(self, folder: Path | None, scratch: tuple[Path, str] | None = None, read_state: bool = True):
        """`folder` None: a cache for this build only, never written, its packs in a temporary
        folder: made in `scratch` (a folder and a name prefix) when given. `read_state` False: the
        last build's state is read when the caller says so (read_state)."""
        self.folder = folder
        self.scratch = scratch
        self.fingerprint = ""  # set by the build once the code and configuration are known
        self.notice = ""  # why the previous state was not used, for the build report
        self.names_digest = ""  # of the article files' names this build listed, kept for the next
        self.previous: State | None = None
        self.started_ns = _now_ns(folder) if folder else 0
        self.files: dict[str, tuple[FileStat, str]] = {}
        if read_state:
            self.read_state()
        self.pinned: dict[str, str | None] = {}  # digests as first seen in this build, used throughout it
        # By article path: a key of the file's digest and path took 175 bytes an article, and the
        # path is a string the build keeps anyway.
        self.known: dict[str, Parsed] | None = None  # the last build's filings, read when first asked for
        self.used: dict[str, Parsed] = {}  # what this build used: the next state keeps only these
        self.temporary: Path | None = None  # the packs of a cache without a folder
        self.pack: Pack | None = None  # where this process adds the records it parses
        self.open_packs: dict[str, int] = {}  # pack name -> file descriptor to read it
        self.owner = os.getpid()
        self.checks: list[OutputCheck] = []

    def _read(self, name: str, kind: type) -> Any:
        assert self.folder is not None
        path = self.folder / name
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as err:
            self.notice = f"cache file {name} unreadable ({err}); it is rebuilt"
            return None
        header = raw[:len(FORMAT)]
        written, payload = raw[len(FORMAT):len(FORMAT) + 8], memoryview(raw)[len(FORMAT) + 9:]  # no copy
        if header != FORMAT or b"%08x" % checksum(payload) != written:
            self.notice = f"cache file {name} is corrupt or from another version; it is rebuilt"
            return None
        collecting = gc.isenabled()
        gc.disable()  # thousands of small objects in no cycle: the collector would walk them again and again
        try:
            file = io.BytesIO(raw)  # shares raw's bytes
            file.seek(len(FORMAT) + 9)
            unpickler = pickle.Unpickler(file)
            value = unpickler.load()
            if isinstance(value, Tabled):
                for table in value.tables():
                    entries = table.packed if isinstance(table, PackedTable) else table
                    assert isinstance(entries, dict)
                    while (chunk := unpickler.load()) is not None:
                        entries.update(chunk)
        except Exception:  # noqa: BLE001 - any unpickling failure means the same: do not trust it
            value = None
        finally:
            if collecting:
                gc.enable()
        if not isinstance(value, kind):
            self.notice = f"cache file {name} could not be read; it is rebuilt"
            return None
        return value

    def _write(self, name: str, value: Any) -> None:
        """Replace one cache file atomically (write beside, then rename). The pickle streams into
        the file, its checksum taken on its way: at 100,000 articles the site state is 60 MB, and
        holding it, then a copy of it behind its header, came at the build's peak of memory.

        The tables of a Tabled state follow it, each as pickles of TABLE_CHUNK entries and a None:
        a pickle remembers every object it wrote, to write it once, and at 100,000 articles its
        table of the site state's 850,000 objects took 48 MB as it grew."""
        assert self.folder is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f".{name}.{os.getpid()}"
        with open(temporary, "wb") as file:
            file.write(FORMAT + b"0" * 8 + b"\n")  # the checksum's place, filled in once the payload is written
            checked = _Checked(file)
            pickler = pickle.Pickler(checked, protocol=pickle.HIGHEST_PROTOCOL)
            tables = value.tables() if isinstance(value, Tabled) else []
            pickler.dump(value.without_tables() if isinstance(value, Tabled) else value)
            for table in tables:
                entries = iter((table.packed if isinstance(table, PackedTable) else table).items())
                while chunk := dict(islice(entries, TABLE_CHUNK)):
                    pickler.clear_memo()
                    pickler.dump(chunk)
                pickler.dump(None)
            file.seek(len(FORMAT))
            file.write(b"%08x" % checked.checksum)
        os.replace(temporary, self.folder / name)

    def read_state(self) -> None:
        """Read the last build's state: 100 MB at 100,000 articles, which a process forked before
        does without (see build._build)."""
        if self.folder is None:
            return
        self.previous = self._read(STATE_FILE, State)
        if self.previous:
            # Digests carry over whatever the fingerprint: they depend on file bytes only. Their paths
            # interned, as the build's own strings for articles and sources are: one string a path.
            self.files = {sys.intern(path): found for path, found in self.previous.files.items()}
            self.previous.files.clear()  # nothing reads the previous state's afterwards

    def names_digest_before(self) -> str | None:
        """What `names_digest` was at the last build that saved its state (None: not known)."""
        try:
            return (self.folder / NAMES_FILE).read_text("ascii") if self.folder is not None else None
        except (OSError, UnicodeDecodeError):
            return None

    @property
    def trusted(self) -> State | None:
        """The previous state when it was made by this code with this configuration."""
        if self.previous is None or self.previous.fingerprint != self.fingerprint:
            return None
        return self.previous

    def digest(self, path: str) -> str | None:
        """The digest of a file's bytes (None when it does not exist), re-reading it only when needed.

        The first answer in a build is kept for the rest of it, so the state saved at the end says
        what the build used, even if the file is edited while it runs.
        """
        if path not in self.pinned:
            self.pinned[path] = self._digest(path)
        return self.pinned[path]

    def _digest(self, path: str) -> str | None:
        stat = stat_of(path)
        if stat is None:
            self.files.pop(path, None)
            return None
        known = self.files.get(path)
        previous_start = self.previous.started_ns if self.previous else 0
        if known and known[0] == stat and mtime_of(stat) < previous_start - RACY_NS:
            return known[1]
        stat, value = hash_file(path, stat)
        if stat is not None and value is not None:
            self.files[path] = (stat, value)
        return value

    def unknown(self, path: str) -> bool:
        """Whether this build has not hashed a file yet and no earlier build did (a new file, or no
        state): its digest must be read from its bytes, which a parse worker can do (see learn)."""
        return path not in self.pinned and path not in self.files

    def learn(self, path: str, stat: FileStat | None, digest: str | None) -> None:
        """Take a digest hash_file gave in another process as if this one had taken it."""
        if stat is not None and digest is not None:
            self.files[path] = (stat, digest)
        self.pinned.setdefault(path, digest)

    def unchanged_since_hashed(self, path: str) -> bool:
        """Whether a file still has the stat it had when its digest was taken (to cache what was read)."""
        known = self.files.get(path)
        return known is not None and stat_of(path) == known[0]

    def parsed(self, path: str, digest: str) -> Parsed | None:
        """What parsing the file at this path with these bytes gave in this build or the last."""
        found = self.used.get(path)
        if found is None:
            if self.known is None:
                self.known = self._read_filings()
            found = self.known.get(path)
            if found is not None and found.digest == digest:
                self.used[path] = found
        return found if found is not None and found.digest == digest else None

    def _read_filings(self) -> dict[str, Parsed]:
        known: dict[str, Parsed] = {}
        if self.folder is not None and self.trusted is not None:
            for group in FILINGS_GROUPS:
                filings = self._read(f"filings-{group}.pickle", dict) or {}
                # Paths interned: the build asks with interned paths and keeps them, one string each.
                known.update(zip(map(sys.intern, filings), filings.values()))
        return known

    def _write_filings(self, rewrite: bool) -> None:
        """Write the groups of filings that differ from the last build's (all of them with `rewrite`):
        those of the files parsed in this build, and of those that are gone. A filing replayed from
        the last build is the very object read, so a group that differs is found without comparing
        the last build's filings, group by group, with this one's."""
        assert self.folder is not None
        known = self.known or {}
        groups: dict[str, dict[str, Parsed]] = {group: {} for group in FILINGS_GROUPS}
        changed = set(groups) if rewrite else set()
        for path, parsed in self.used.items():
            groups.setdefault(parsed.digest[0], {})[path] = parsed
            before = known.get(path)
            if before is not parsed:  # parsed in this build
                changed.add(parsed.digest[0])
                if before is not None:
                    changed.add(before.digest[0])
        changed.update(known[path].digest[0] for path in known.keys() - self.used.keys())
        for group, filings in sorted(groups.items()):
            if group in changed or not (self.folder / f"filings-{group}.pickle").exists():
                self._write(f"filings-{group}.pickle", filings)

    def keep(self, path: str, parsed: Parsed) -> None:
        self.used[path] = parsed

    def packs(self) -> Path:
        """The folder of the record packs (made on first use for a cache without a folder)."""
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            return self.folder
        if self.temporary is None:
            where, prefix = self.scratch or (None, "newsarchive-records-")
            self.temporary = Path(tempfile.mkdtemp(prefix=prefix, dir=where))
        return self.temporary

    def add_record(self, record: Record) -> RecordRef | None:
        """Keep a record parsed in the process that owns the cache (None elsewhere: a forked worker
        must not append to the pack it inherited, and its cache is not the one saved)."""
        if os.getpid() != self.owner:
            return None
        if self.pack is None:
            self.pack = Pack(self.packs())
        return self.pack.add(record)

    def record(self, ref: RecordRef) -> Record | None:
        """A record kept in a pack; None when the pack no longer holds it as written (the file is parsed again)."""
        data = self._packed(ref)
        if data is None:
            return None
        try:
            return unpacked(data)
        except Exception:  # noqa: BLE001 - a damaged record means the same as a lost one
            return None

    def _packed(self, ref: RecordRef) -> bytes | None:
        """A record's bytes, when its pack still holds them as they were written."""
        name, offset, length, check = read_ref(ref)
        if self.pack is not None and name == self.pack.name and os.getpid() == self.owner:
            self.pack.file.flush()  # (a forked worker's copy of the buffer is the owner's to write: see flush)
        fd = self.open_packs.get(name)
        if fd is None:
            try:
                fd = self.open_packs[name] = os.open(self.packs() / name, os.O_RDONLY)
            except OSError:
                return None
        data = os.pread(fd, length, offset)
        return data if len(data) == length and checksum(data) == check else None

    def flush(self) -> None:
        """Write out the records this process added, before it forks workers that read them."""
        if self.pack is not None:
            self.pack.file.flush()

    def check_outputs(self, site: Path, outputs: Outputs) -> OutputCheck:
        """Start checking the files of the last build's site (see OutputCheck); ended by close()."""
        self.checks.append(OutputCheck(site, outputs))
        return self.checks[-1]

    def close(self) -> None:
        """Close the packs (removed when the cache has no folder) and the output checks."""
        for check in self.checks:
            check.close()
        if self.pack is not None:
            self.pack.close()
            self.pack = None
        for fd in self.open_packs.values():
            os.close(fd)
        self.open_packs = {}
        if self.temporary is not None:
            shutil.rmtree(self.temporary, ignore_errors=True)
            self.temporary = None

    def write(self, state: State, site: SiteState) -> None:
        """Save the state, what the build wrote and the filings; merge the packs when there are many
        small or mostly unused ones, and remove those nothing refers to any more. The state goes
        last: a build killed before it leaves the previous state, which no longer matches the site
        and so makes the next build render everything."""
        if self.folder is None:
            return
        if self.pack is not None:
            self.pack.close()
            self.pack = None
        merged = self._merge_packs()
        self._write_filings(rewrite=merged or self.known is None)
        referenced = {read_ref(parsed.record)[0] for parsed in self.used.values() if parsed.record}
        for stale in sorted(self.folder.glob("records-*")):  # packs of edited or deleted articles, old layouts
            if stale.name not in referenced:
                stale.unlink(missing_ok=True)
        state.fingerprint = self.fingerprint
        state.started_ns = site.started_ns = self.started_ns
        state.files = self.files
        self._write(SITE_FILE, site)
        temporary = self.folder / f".{NAMES_FILE}.{os.getpid()}"
        temporary.write_text(self.names_digest, "ascii")
        os.replace(temporary, self.folder / NAMES_FILE)
        self._write(STATE_FILE, state)

    def _merge_packs(self) -> bool:
        """Copy the records of small or mostly dead packs into one, when there are too many of them
        (each edit adds a pack of one record)."""
        assert self.folder is not None
        live: dict[str, int] = {}
        for parsed in self.used.values():
            if parsed.record:
                name, _, length, _ = read_ref(parsed.record)
                live[name] = live.get(name, 0) + length
        sizes = {name: size_of(stat) for name in live if (stat := stat_of(self.folder / name)) is not None}
        thin = {name for name, size in sizes.items() if size < SMALL_PACK or live[name] * 2 < size}
        if len(thin) <= PACK_MERGE:
            return False
        merged = Pack(self.folder)
        try:
            for path, parsed in self.used.items():
                if parsed.record and read_ref(parsed.record)[0] in thin:
                    data = self._packed(parsed.record)
                    self.used[path] = parsed._replace(record=None if data is None else merged.add_packed(data))
        finally:
            merged.close()
        return True

    def site(self) -> SiteState | None:
        """What the build of the trusted state wrote (None when it is missing or of another build)."""
        state = self.trusted
        if state is None or self.folder is None:
            return None
        found = self._read(SITE_FILE, SiteState)
        return found if found is not None and found.started_ns == state.started_ns else None


def _now_ns(folder: Path) -> int:
    """The file system's idea of now: the mtime a file written at this moment gets."""
    folder.mkdir(parents=True, exist_ok=True)
    probe = folder / f".clock.{os.getpid()}"
    probe.write_bytes(b"")
    try:
        return os.stat(probe).st_mtime_ns
    finally:
        probe.unlink()
