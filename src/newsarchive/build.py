"""The build, top to bottom: config -> load -> render into a temporary folder -> swap into place.

Read this function and you know the program. A failed build leaves the previous site intact:
everything is written into a staging folder beside the output folder and moved only at the end.

With a cache folder (by default `.cache/newsarchive/` for the configured output), a build whose
inputs are all unchanged does nothing at all, and any other build keeps every file of the previous
site whose inputs did not change, renders only the rest into the staging folder and then moves
those few files into the site (see cache.py, render.Writer, _commit). Without a trusted previous
site, the whole site is rendered into the staging folder, which replaces the output folder with
two renames. Either way the result is byte for byte what a clean build writes.
"""

from __future__ import annotations

import gc
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field, fields
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .archive import Archive, article_names
from .cache import (FORMAT, Cache, FileStat, Parsed, PinnedDigests, RecordRef, SiteState, State, digest_bytes,
                    hash_file, key_of, pack_stat, stat_of)
from .config import SiteConfig
from .problems import InputError, Problems

if TYPE_CHECKING:
    from .archive import Filing
    from .records import Record
    from .render import Previous

CACHE_DIR = ".cache/newsarchive"
# The libraries whose work reaches the records or the pages, by module name.
_LIBRARIES = ("jinja2", "markdown", "nh3", "yaml", "markupsafe", "slugify", "vi_textmatch", "orjson")
PACKAGE = Path(__file__).resolve().parent


@dataclass
class BuildReport:
    output_dir: Path
    pages: int = 0
    articles: int = 0
    problems: Problems = field(default_factory=Problems)
    rendered: int = 0  # files written this time (the rest were linked from the previous site)
    reused: int = 0
    unchanged: bool = False  # nothing changed since the last build: the site was left as it was
    rejected: bool = False  # the caller's `accept` refused the result: nothing was moved into the site
    notice: str = ""  # why the cache was not used, when it was not

    def failed(self, strict: bool) -> bool:
        return bool(self.problems.errors) or (strict and bool(self.problems.warnings))


def build(config: SiteConfig, output_dir: Path | None = None, cache_dir: Path | None = None,
          workers: int | None = None, accept: Callable[[BuildReport], bool] | None = None) -> BuildReport:
    """Build the site. The cache is used for the configured output folder, or when `cache_dir` is given.

    `accept`, when given, sees the report of a build that has rendered everything but not yet
    touched the site, and may refuse it: `serve` keeps the last good site when an edit brings new errors.
    """
    output = (output_dir or config.path("output_dir")).resolve()
    report = BuildReport(output)
    templates = config.path("templates_dir")
    if not templates.is_dir():
        raise InputError(templates, "the templates folder does not exist. Copy templates/ from the newsarchive "
                                    "repository beside site.yaml, or set templates_dir in site.yaml.")
    if cache_dir is None and output_dir is None:
        cache_dir = config.root / CACHE_DIR
    output.parent.mkdir(parents=True, exist_ok=True)
    _recover(output)
    # A build killed before it cleans up leaves its scratch folder where the next build finds it (_recover).
    global _STORE
    cache = _STORE = Cache(cache_dir.resolve() if cache_dir is not None else None,
                           scratch=(output.parent, f".{output.name}-building-{os.getpid()}-records-"), read_state=False)
    try:
        return _build(config, report, cache, output, workers, accept)
    finally:
        _STORE = None
        cache.close()


def _build(config: SiteConfig, report: BuildReport, cache: Cache, output: Path, workers: int | None,
           accept: Callable[[BuildReport], bool] | None) -> BuildReport:
    # Reading the cache state and the articles makes long-lived objects by the hundred thousand,
    # none in a cycle: the cyclic collector, run again and again over all of them, would double
    # the time it takes.
    gc.disable()
    indexer = pool = None
    try:
        # Listed once: every step of the build sees the same files, and listing and sorting the
        # folder took 7 ms each time at 10,000 articles.
        names = article_names(config.path("articles_dir")) if config.path("articles_dir").is_dir() else []
        cache.names_digest = digest_bytes("\0".join(names).encode())
        workers = workers or _default_workers()
        if cache.names_digest_before() not in (None, cache.names_digest):
            # Article files came or went: the search index will be made anew (see _indexer), in a
            # process forked before the last build's state is read.
            _large_blocks_apart()
            indexer = _indexer(cache, workers, len(names))
        cache.read_state()
        cache.fingerprint = _fingerprint(config, output, cache)
        report.notice = cache.notice
        state = cache.trusted
        if state is not None and _nothing_changed(state, config, output, cache, names):
            _end(indexer)  # forked on a names file that the state does not bear out
            report.pages, report.articles, report.unchanged = state.pages, state.articles, True
            report.problems.items.extend(state.problems)
            return report
        files_come_and_gone = state is not None and _articles_come_and_gone(state, config, names)
        if state is not None:
            state.inputs = {}  # compared; the digests themselves stay in the cache's files

        # Imported only now: a build with nothing to do never pays for Markdown, Jinja and YAML.
        from .load import load_archive

        _large_blocks_apart()
        previous = _previous_site(cache, output)  # its files are checked meanwhile (OutputCheck)
        if previous is not None and previous.search is not None and not files_come_and_gone:
            _end(indexer)  # the last build's index is updated in this process after all
            indexer = None
        elif indexer is None:
            indexer = _indexer(cache, workers, len(names))
        known: dict[Any, Any] = {}  # values that many filings repeat, kept once (see _shared)
        pool = _parse(config, cache, workers, names, previous, known)
        archive = load_archive(config, report.problems, reader=_cached_reader(cache, known), names=names)
    except BaseException:
        _end(indexer, pool)
        raise
    finally:
        gc.enable()
    gc.freeze()  # nor need later collections walk the archive, which lives as long as the build
    try:
        return _render(config, report, cache, archive, names, output, workers, accept, previous, indexer, pool)
    finally:
        gc.unfreeze()  # so that a long-running `serve` frees this archive once the next one replaces it
        _end(indexer, pool)


# glibc's mallopt parameter, and the size from which a block gets a mapping of its own
_M_MMAP_THRESHOLD = -3
LARGE_BLOCK = 1 << 20


def _large_blocks_apart() -> None:
    """Have glibc give every block of LARGE_BLOCK bytes or more a mapping of its own, returned to
    the system when the block is freed; the processes forked from now on inherit it. By default
    glibc raises that threshold to the largest block freed so far (up to 32 MB): once the pickled
    search sources (27 MB at 100,000 articles) were freed, the growing buffers and tables under
    that size were taken from the heap, whose holes it then kept. At 100,000 articles that was
    23 MiB of the main process while it renders the listings, and 41 at its end. Other C libraries
    are left as they are."""
    try:
        library = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (AttributeError, ValueError, OSError):  # not a GNU system
        return
    if library.startswith("glibc"):
        import ctypes

        ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK)


def _end(*pools: Any) -> None:
    for pool in pools:
        if pool is not None:
            pool.terminate()


def _indexer(cache: Cache, workers: int, articles: int) -> Any:
    """A process to make the search index anew in, for a build that will not update the last
    build's: forked now, while this process is small. Forked later, it would fill the holes the
    archive leaves in this process's memory with its own objects, copying every page it wrote to.
    It also comes to hold more of the pages this process had when it was forked, as this one goes
    on changing them: adding one article to 100,000 peaked at 630 MiB in all when it was forked
    after the last build's site was read, 605 after its state was read, and 536 before that.

    The last build's index is updated in this process, but when article files came or went: their
    documents' ids shift, and the update would make the whole index again (search.update_index)
    here, before the listings. Made in that process, it is made while this one renders them:
    adding one article to 10,000 went from 2.7 to 2.35 s on tmpfs and from 4.4 to 3.5 s on a disk
    slow to create files, and to 100,000 from 49 s and 893 MiB to 30 s and 536 MiB."""
    import multiprocessing  # here: a build with nothing to do does without it

    from .render import PARALLEL_MIN, index_pool

    if workers < 2 or articles < PARALLEL_MIN or "fork" not in multiprocessing.get_all_start_methods():
        return None
    cache.packs()  # made now, so that the process knows where records are
    return index_pool()


def _workers(cache: Cache, workers: int, articles: int) -> Any:
    """Processes to parse articles and render their pages in, when there are many: forked now,
    while this process is small. Their tasks carry what they need by value; forked once the
    archive is loaded, they would share its memory pages with this process, and each page this
    process then changes would be copied."""
    import multiprocessing

    from .render import PARALLEL_MIN

    if workers < 2 or articles < PARALLEL_MIN or "fork" not in multiprocessing.get_all_start_methods():
        return None
    cache.packs()  # made now, so that the workers know where records are
    return multiprocessing.get_context("fork").Pool(workers)


def _render(config: SiteConfig, report: BuildReport, cache: Cache, archive: Archive, names: list[str], output: Path,
            workers: int, accept: Callable[[BuildReport], bool] | None, previous: Previous | None,
            indexer: Any, pool: Any) -> BuildReport:
    """Render the loaded archive (from the article files `names`) beside the output folder, move it
    in, and save the cache state."""
    from .render import SiteRenderer

    report.articles = len(archive.articles)
    report.notice = cache.notice  # reading what the last build wrote may have found it damaged
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}-building-{os.getpid()}-", dir=output.parent))
    try:
        cache.flush()  # the records parsed here, for the worker processes to read
        renderer = SiteRenderer(archive, config, staging, report.problems, previous,
                                digest_file=_digest_with(cache), workers=workers,
                                compiled_templates=cache.folder / "templates" if cache.folder else None,
                                indexer=indexer, article_pool=pool)
        renderer.start_search_index()  # first, as the longest task; it reads records, no input file
        # Taken before rendering: a file edited from now on makes the next build differ, never agree wrongly.
        inputs = _inputs(config, cache, [a.file for a in archive.articles] + _source_candidates(archive, config), names)
        names.clear()  # 100,000 strings at 100,000 articles, for the rest of the build
        report.pages = renderer.render()
        if accept is not None and not accept(report):
            shutil.rmtree(staging, ignore_errors=True)
            report.rejected = True
            return report  # and no new cache state: the site is still the one the last state describes
        if previous is None:
            _replace(staging, output)
        else:
            _commit(staging, output, sorted(previous.outputs.keys() - renderer.writer.outputs.keys()))
            previous.drop()
    except BaseException:
        if not (staging / COMMIT_JOURNAL).exists():  # a commit under way is finished by the next build
            shutil.rmtree(staging, ignore_errors=True)
        raise
    report.reused = renderer.writer.reused
    report.rendered = len(renderer.writer.outputs) - report.reused
    if cache.folder is not None:
        relative = {p.rpartition("/")[0] for p in renderer.writer.outputs}  # a few: not a path made per file
        folders = {f"{output}/{folder}".rstrip("/") for folder in relative}
        cache.write(State(inputs=inputs, folders={f: stat_of(f) for f in sorted(folders)}, output_dir=str(output),
                          pages=report.pages, articles=report.articles, problems=list(report.problems.items)),
                    SiteState(outputs=renderer.writer.outputs, fragments=renderer.fragments,
                              search=renderer.search_state, templates=renderer.referenced))
    return report


COMMIT_JOURNAL = ".newsarchive-commit"  # in a staging folder: its files are being moved into the site


def _recover(output: Path) -> None:
    """Tidy what a killed build left beside the output folder.

    A build killed while moving its files into the site (its staging folder holds the commit
    journal) is finished: the rest of its files are moved and the files it removes are removed, so
    the site is the new one and never stays a mix of two builds. A build killed between the two
    renames of `_replace` left the previous site retired and no output: it is put back. Staging and
    retired folders of builds that are no longer running, and retired sites whose deleting process
    is gone (see _delete_apart), are removed (their names carry the process id; one without is
    from no running process).
    """
    leftovers = sorted(output.parent.glob(f".{output.name}-building-*")) + \
        sorted(output.parent.glob(f".{output.name}-trash-*")) + sorted(output.parent.glob(f".{output.name}-old-*"))
    dead = [folder for folder in leftovers if not _running(folder.name.rsplit(f"{output.name}-", 1)[-1])]
    for folder in dead:
        if (folder / COMMIT_JOURNAL).exists() and output.is_dir():
            _roll_forward(folder, output)
    retired = [folder for folder in dead if folder.name.startswith(f".{output.name}-old-")]
    if not output.exists() and retired:
        os.rename(retired[-1], output)
        dead.remove(retired[-1])
    for folder in dead:
        shutil.rmtree(folder, ignore_errors=True)


def _commit(staging: Path, output: Path, removed: list[str]) -> None:
    """Move the files rendered into `staging` over the site's, then remove the site's `removed` files.

    The journal (the list of files to remove) is written first, atomically: from then on the commit
    is finished by whoever gets to it, this build or, if it is killed, the next one (`_recover`).
    Readers of the site see each file either old or new, for the milliseconds the moves take.
    """
    temporary = staging / f"{COMMIT_JOURNAL}.tmp"
    temporary.write_text("".join(f"{path}\n" for path in removed), encoding="utf-8")
    os.replace(temporary, staging / COMMIT_JOURNAL)
    _roll_forward(staging, output)


def _roll_forward(staging: Path, output: Path) -> None:
    """Carry out a commit from its journal; safe to repeat after an interruption at any point."""
    journal = staging / COMMIT_JOURNAL
    removed = [line for line in journal.read_text("utf-8").split("\n") if line]
    for parent, subfolders, files in os.walk(staging):
        subfolders.sort()
        relative = os.path.relpath(parent, staging)
        target = output if relative == "." else output / relative
        target.mkdir(parents=True, exist_ok=True)
        for name in sorted(files):
            if relative != "." or not name.startswith(COMMIT_JOURNAL):
                os.replace(os.path.join(parent, name), target / name)
    for path in removed:
        (output / path).unlink(missing_ok=True)
    for folder in sorted({str(output / p).rpartition("/")[0] for p in removed}, key=len, reverse=True):
        while folder != str(output) and os.path.isdir(folder) and not os.listdir(folder):
            os.rmdir(folder)  # a district or year with no page left
            folder = folder.rpartition("/")[0]
    shutil.rmtree(staging)


def _running(suffix: str) -> bool:
    """Whether the process named in "building-<pid>-…", "trash-<pid>" or "old-<pid>" still runs."""
    parts = suffix.split("-")
    if len(parts) < 2 or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return False  # this process builds one site at a time: anything of ours is left over
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def _replace(new: Path, old: Path) -> None:
    """Put `new` where `old` is with two renames, so readers see either the old or the new site.
    The old site is then deleted by a process of its own (see _delete_apart)."""
    os.chmod(new, 0o755)  # mkdtemp makes it 0700; a static host must be able to read it
    if old.exists():
        retired = old.with_name(f".{old.name}-old-{os.getpid()}")
        os.rename(old, retired)
        os.rename(new, old)
        _delete_apart(retired)
    else:
        os.rename(new, old)


# What the process that deletes a retired site runs (see _delete_apart).
_DELETER = """
import os, shutil, sys
retired = sys.argv[1]
trash = f"{retired.rsplit('-old-', 1)[0]}-trash-{os.getpid()}"
try:
    os.rename(retired, trash)
except OSError:
    sys.exit()  # a build removed it first (see _recover)
shutil.rmtree(trash, ignore_errors=True)
"""


_DELETERS: list[Any] = []  # the processes _delete_apart started (a long-running `serve` may start several)


def _delete_apart(retired: Path) -> None:
    """Delete a retired site ("…-old-<pid>") in a detached process, which the build does not wait
    for: removing the 25,000 files of a 10,000-article site took 0.3 to 1.2 s of a full rebuild's
    5 to 6 s on ext4. The process first renames the folder "…-trash-<its pid>", so that a build
    starting meanwhile leaves it to that process (see _recover); when it cannot be started, the
    folder is deleted here."""
    import subprocess  # here: only a full rebuild over an existing site needs it

    _DELETERS[:] = [process for process in _DELETERS if process.poll() is None]  # the ended ones reaped
    try:
        _DELETERS.append(subprocess.Popen([sys.executable, "-c", _DELETER, str(retired)], stdin=subprocess.DEVNULL,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          start_new_session=True))
    except OSError:
        shutil.rmtree(retired, ignore_errors=True)


def _default_workers() -> int:
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 4))


# --- what the cache is trusted with ------------------------------------------------------------

def _fingerprint(config: SiteConfig, output: Path, cache: Cache) -> str:
    """Everything that changes every page at once: cache format, code, libraries, site.yaml, output."""
    code = []
    for folder, subfolders, files in os.walk(PACKAGE):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        code.extend((name, cache.digest(os.path.join(folder, name))) for name in sorted(files))
    options = [(f.name, getattr(config, f.name)) for f in fields(config) if f.name != "root"]
    return key_of(FORMAT, sys.version, _library_files(), code, options, str(config.root.resolve()), str(output))


def _library_files() -> list[tuple[str, str, int, int]]:
    """Each library's main file with its size and time: installing another version writes it anew.
    Found without importing the library, nor importlib.metadata, whose import took 28 ms of a no-op
    build's 200 (for the versions the libraries' metadata names)."""
    found = []
    for name in _LIBRARIES:
        spec = find_spec(name)
        origin = spec.origin if spec is not None and spec.origin else ""
        try:
            stat = os.stat(origin)
        except OSError:  # not installed, or not from a file
            found.append((name, origin, -1, -1))
        else:
            found.append((name, origin, stat.st_size, stat.st_mtime_ns))
    return found


def _digest_with(cache: Cache):
    def digest(path: str) -> str:
        found = cache.digest(path)
        if found is None:
            raise FileNotFoundError(path)
        return found

    return digest


def _cached_reader(cache: Cache, known: dict[Any, Any]):
    """The reader of load_archive: a file whose bytes were parsed before is not parsed again (its
    filing and problems are replayed), and its full record is read from its pack only if a page
    needs it (see StoredRecord)."""

    from .archive import AtHand
    from .load import parsed, read_record

    def read(path: str, display: str, problems: Problems) -> tuple[Filing, Callable[[], Record]] | None:
        digest = cache.digest(path)
        if digest is None:
            return parsed(path, display, problems)
        # The root is in the fingerprint, so the path fixes `display` too.
        found = cache.parsed(path, digest)
        if found is None:
            own = Problems()
            record = read_record(path, display, own)
            filing = _filing(record)
            if cache.unchanged_since_hashed(path):  # else what was parsed may not be what was hashed
                cache.keep(path, _shared(Parsed(digest, filing, tuple(own.items), _kept(cache, path, record)), known))
            problems.items.extend(own.items)
            return None if filing is None else (filing, AtHand(record))  # type: ignore[arg-type]
        problems.items.extend(found.problems)
        if found.filing is None:
            return None
        return found.filing, StoredRecord(path, found.record)

    return read


def _kept(cache: Cache, path: str, record: Record | None) -> RecordRef | None:
    """Where a record just parsed is kept for the next build (None: nowhere)."""
    if cache.folder is None or record is None or not cache.unchanged_since_hashed(path):
        return None
    return cache.add_record(record)


_STORE: Cache | None = None  # the cache of the build under way, which StoredRecords read from


@dataclass(slots=True)
class StoredRecord:
    """Article.read for a file the cache knows: its record read from its pack, or the file parsed
    again when the pack lost it. Plain data, so that an article task hands it to a worker process
    by value: a worker that reached into the main process's objects for it would copy the memory
    pages they lie in, and at 100,000 articles those pages are most of the archive."""

    path: str  # of the article file
    ref: RecordRef | None

    def __call__(self) -> Record:
        from .load import read_record

        assert _STORE is not None
        record = _STORE.record(self.ref) if self.ref is not None else None
        if record is None:  # not kept, or lost with a damaged pack: parsed again (its problems were told)
            path = self.path
            record = read_record(path, path, Problems())
            ref = _kept(_STORE, path, record)
            digest = _STORE.digest(path) if ref is not None else None
            found = _STORE.parsed(path, digest) if digest is not None else None
            if found is not None:
                _STORE.keep(path, found._replace(record=ref))
                self.ref = ref
        return record  # type: ignore[return-value]


def _filing(record: Record | None) -> Filing | None:
    from .archive import Filing

    return None if record is None else Filing.of(record)


PARSE_CHUNK = 200  # article files per task when parsing in worker processes
# an article file for a worker to parse: path, how messages show it, its digest (None: the worker hashes the file)
ToParse = tuple[str, str, str | None]
SourceDigest = tuple[str, FileStat | None, str | None]  # a raw source's path, stat and digest


def _parse(config: SiteConfig, cache: Cache, workers: int, names: list[str], previous: Previous | None,
           known: dict[Any, Any]) -> Any:
    """Parse the article files the cache does not know, in worker processes when there are many;
    returns the workers (None: this process renders alone), which go on to render the pages.

    A build without a previous site renders every page: its workers are forked first, while this
    process is small. One with it renders what changed, few pages after an edit: it has workers
    only for many files to parse, and later (see SiteRenderer) for many pages.
    """
    pool = _workers(cache, workers, len(names)) if previous is None else None
    todo = _to_parse(config, cache, names)
    if previous is not None:
        pool = _workers(cache, workers, len(todo))
    try:
        _parse_in_parallel(cache, pool, todo, known, str(config.root.resolve()))
    except BaseException:
        _end(pool)
        raise
    return pool


def _to_parse(config: SiteConfig, cache: Cache, names: list[str]) -> list[ToParse]:
    """The article files the cache does not know (all of them in a first build)."""
    from .load import article_displays

    articles = config.path("articles_dir")

    todo: list[ToParse] = []
    display_of: Callable[[str], str] | None = None  # made when first needed: an edit parses one file
    for name in names:
        path = sys.intern(f"{articles}/{name}")  # the cache keeps it: one string with the archive's (see load)
        if cache.unknown(path):  # a new file (all of them in a first build): hashed by the worker
            digest = None
        else:
            digest = cache.digest(path)
            if digest is None or cache.parsed(path, digest) is not None:
                continue  # gone since it was listed (load_archive says so), or parsed before
        display_of = display_of or article_displays(articles, config.root.resolve())
        todo.append((path, display_of(name), digest))
    return todo


def _parse_in_parallel(cache: Cache, pool: Any, todo: list[ToParse], known: dict[Any, Any], root: str) -> None:
    """Parse the files in the worker processes, so load_archive finds every file already in the
    cache. Each task writes the records it parses into a pack of its own and sends back their
    filings, problems and places in the pack, and the digests of their raw sources."""
    if pool is None or len(todo) < PARSE_CHUNK:
        return
    packs = cache.packs()
    chunks = [(packs, root, todo[start:start + PARSE_CHUNK]) for start in range(0, len(todo), PARSE_CHUNK)]
    for (_, _, files), parsed in zip(chunks, pool.imap(_parse_chunk, chunks)):  # in the order of the chunks
        for (path, _, digest), (hashed, entry, source) in zip(files, parsed):
            if hashed is not None:
                cache.learn(path, *hashed)
            # Kept only if what was parsed is what was hashed: the bytes a worker hashed itself, or
            # a file that still has the stat it was hashed with here.
            if entry is not None and (digest is None or cache.unchanged_since_hashed(path)):
                cache.keep(path, _shared(entry, known))
            if source is not None:
                cache.learn(*source)


def _parse_chunk(chunk: tuple[Path, str, list[ToParse]]) -> list[tuple[tuple[FileStat | None, str | None] | None,
                                                                      Parsed | None, SourceDigest | None]]:
    """Parse some files into a pack in `packs`, hashing those the main process has no digest of:
    for each file, (stat, digest) when hashed here, what parsing gave (None: the file could not be
    read), and the digest of its raw source (see _source_digest)."""
    from .cache import Pack
    from .load import read_record

    packs, root, files = chunk
    out = []
    pack = Pack(packs)
    real_folders: dict[str, str] = {}
    try:
        for path, display, digest in files:
            hashed = content = None
            if digest is None:
                hashed, content = _hash_and_read(path)
                digest = hashed[1]
            if digest is None:
                out.append((hashed, None, None))
                continue
            problems = Problems()
            record = read_record(path, display, problems, content)
            kept = None if record is None else pack.add(record)
            source = None if record is None else _source_digest(root, record.source, real_folders)
            out.append((hashed, Parsed(digest, _filing(record), tuple(problems.items), kept), source))
    finally:
        pack.close()
    return out


def _source_digest(root: str, source: str, real_folders: dict[str, str]) -> SourceDigest | None:
    """The path, stat and digest of an article's raw source, when it is a file in the project.

    Every build pins each source's digest before its pages are rendered (see _inputs), and a full
    build has none from before: hashed one after the other by the main process, 10,000 sources
    kept both workers waiting for 0.4 s. The path is the one load gives the source (links resolved).
    `real_folders`: each folder's real path, found once for the sources it holds (os.path.realpath
    looks at every folder on the way, five system calls a file in the bench's corpus).
    """
    joined = f"{root}/{source}"
    folder, _, name = joined.rpartition("/")
    if name in ("", ".", "..") or os.path.islink(joined):
        path = os.path.realpath(joined)
    else:  # a file (or nothing) under its folder's real path
        real = real_folders.get(folder)
        if real is None:
            real = real_folders[folder] = os.path.realpath(folder)
        path = f"{real}/{name}"
    if not path.startswith(f"{root}/"):
        return None  # outside the project: load says so, and nothing reads it
    return (path, *hash_file(path))  # (path, None, None) when absent, as the main process would find


def _hash_and_read(path: str) -> tuple[tuple[FileStat | None, str | None], tuple[int, bytes | None] | None]:
    """A file's stat and digest, as hash_file gives them, and its size and bytes for read_record
    (None: unreadable, which read_record then says): the file is read once for both."""
    from .load import read_bytes_and_stat

    try:
        stat, size, data = read_bytes_and_stat(path)
    except OSError:
        return hash_file(path), None
    if stat is None or data is None:  # too big for an article, which read_record says; hashed all the same
        return hash_file(path), (size, data)
    return (pack_stat(stat), digest_bytes(data)), (size, data)


def _shared(parsed: Parsed, known: dict[Any, Any]) -> Parsed:
    """An entry whose repeated values are the ones `known` keeps (see Filing.shared). The filings
    files keep the sharing: pickle writes an object met twice once."""
    digest, filing, problems, record = parsed
    return parsed if filing is None else Parsed(digest, filing.shared(known), problems, record)


def _listed(config: SiteConfig, names: list[str]) -> list[str]:
    """The input files found by listing folders: articles (`names`, listed already), templates, static files."""
    articles = str(config.path("articles_dir"))
    found = [f"{articles}/{name}" for name in names]
    for folder in (config.path("templates_dir"), config.path("static_dir")):
        for parent, subfolders, files in os.walk(folder):
            subfolders.sort()
            found.extend(os.path.join(parent, name) for name in sorted(files))
    return found


def _source_candidates(archive: Archive, config: SiteConfig) -> list[str]:
    """The raw source each record names (present or not: one appearing changes its article page)."""
    root = config.root.resolve()
    return sorted({a.source_file or str((root / a.filing.source).resolve()) for a in archive.articles})


def _inputs(config: SiteConfig, cache: Cache, read: list[str], names: list[str]) -> PinnedDigests:
    # Sorted, so that the next build's check (_nothing_changed) stats them a folder at a time: in
    # no order, a build with nothing to do took a tenth longer at 10,000 articles.
    return PinnedDigests(cache, sorted(set(read) | set(_listed(config, names))))  # the archive's strings kept


def _articles_come_and_gone(state: State, config: SiteConfig, names: list[str]) -> bool:
    """Whether the article files listed now (`names`) are others than the last build read."""
    folder = f"{config.path('articles_dir')}/"
    before = {path for path in state.inputs if path.startswith(folder) and path.endswith(".md")}
    return before != {f"{folder}{name}" for name in names}


def _nothing_changed(state: State, config: SiteConfig, output: Path, cache: Cache, names: list[str]) -> bool:
    """True when every input has the bytes it had and the site's folders are as the last build left them.

    Folders, not files: a file added, removed or renamed in the site changes its folder; a file
    rewritten in place by hand is noticed by the next build that has something to do.
    """
    if state.output_dir != str(output):
        return False
    listed = _listed(config, names)
    if len(listed) > len(state.inputs) or not set(listed) <= state.inputs.keys():
        return False  # a new article, template or static file
    if any(cache.digest(p) != digest for p, digest in state.inputs.items()):
        return False
    return all(stat_of(folder) == stat for folder, stat in state.folders.items())


def _previous_site(cache: Cache, output: Path) -> Previous | None:
    """The site the last build left, when it is still as it was left: every folder with the stat it
    had (a file added, removed or renamed by hand changes its folder's). Otherwise nothing in it is
    trusted and the whole site is rendered again."""
    from .render import Previous

    state = cache.trusted
    if state is None or state.output_dir != str(output) or str(output) not in state.folders or \
            any(stat_of(folder) != stat for folder, stat in state.folders.items()):
        return None
    site = cache.site()
    if site is None:
        return None
    return Previous(output, site.outputs, site.fragments, site.search, site.templates,
                    cache.check_outputs(output, site.outputs))
