"""ingest: seeds/*.txt -> articles/<slug>.md, keeping every hand edit.

The rule (also in the README): ingest remembers, in `articles/.ingest-state.json`, a hash of each
top-level field and of the body as it last extracted them. On re-ingest a field (or the body) whose
current value still has that hash is refreshed from the seed; any other value was edited by a person
and is kept. When the seed changed and the new extraction would change a field someone edited, the
edit is kept and the article is reported as a conflict naming the article and the seed.

An article is found by its `source` key, not by its slug, so editing a title (or renaming the file)
never breaks the seed -> article mapping. An article an editor deleted stays deleted (reported each
run) unless `restore_deleted` is set.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .article_file import (
    FrontMatterError,
    format_article,
    format_parts,
    parse_front_matter,
    split_article,
)
from .config import SiteConfig
from .decode import seed_warning
from .problems import InputError, Problems
from .records import Record
from .text import is_safe_slug, slugify

STATE_FILE = ".ingest-state.json"
STATE_VERSION = 1
BODY = "body"  # the body's key in a state entry's hashes, beside the front-matter fields
_MISSING = object()  # a field the editor removed from the front matter
# A headline is a line; a "title" longer than this is a whole text without line breaks.
MAX_TITLE_LENGTH = 500

Extractor = Callable[[Path, Path], Record]  # (seed path, project root) -> record


def extract_seed(path: Path, root: Path) -> Record:
    """The real extractor, with `source` relative to the project root."""
    from .extract import extract_file  # imported late: extraction loads the gazetteer

    return extract_file(path, root)


@dataclass
class Conflict:
    article: str  # path relative to the project root
    seed: str
    fields: list[str]  # edited fields the changed seed would now set differently

    def __str__(self) -> str:
        return (f"{self.article}: conflict: {self.seed} changed, and so would {', '.join(self.fields)}, "
                f"which someone edited by hand. The edits are kept; compare the seed with the article "
                f"and correct the article if the new text matters.")


@dataclass
class IngestReport:
    written: list[str] = field(default_factory=list)  # articles created or refreshed
    unchanged: list[str] = field(default_factory=list)
    kept_edits: list[str] = field(default_factory=list)  # "article: field, field" kept as edited
    conflicts: list[Conflict] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)  # articles an editor deleted; not recreated

    def summary(self) -> str:
        counts = (f"{len(self.written)} written, {len(self.unchanged)} unchanged, "
                  f"{len(self.kept_edits)} with hand edits kept, {len(self.conflicts)} conflict(s), "
                  f"{len(self.deleted)} deleted by hand (not recreated)")
        lines = [counts]
        lines += [f"  kept edits: {item}" for item in self.kept_edits]
        lines += [f"  {conflict}" for conflict in self.conflicts]
        lines += [f"  {item}: deleted by hand, not recreated (ingest --restore-deleted brings it back)"
                  for item in self.deleted]
        return "\n".join(lines)


@dataclass
class StateEntry:
    """What ingest last wrote for one seed."""

    article: str  # file name in articles/
    seed: str  # hash of the seed's bytes
    hashes: dict[str, str]  # field name (or BODY) -> hash of the value as extracted

    def to_dict(self) -> dict[str, Any]:
        return {"article": self.article, "seed": self.seed, "hashes": dict(sorted(self.hashes.items()))}


def value_hash(value: Any) -> str:
    """Hash of a value as YAML would give it back; dates an editor typed unquoted compare as text."""
    if value is _MISSING:
        return "missing"
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def ingest(config: SiteConfig, problems: Problems, extract: Extractor = extract_seed,
           only: Collection[Path] | None = None, restore_deleted: bool = False) -> IngestReport:
    """Ingest every seed (or only the seeds in `only`), sorted; problems are collected, never raised."""
    root = config.root.resolve()
    seeds_dir = config.path("seeds_dir")
    articles_dir = config.path("articles_dir")
    articles_dir.mkdir(parents=True, exist_ok=True)
    state: dict[str, StateEntry | None] = dict(_read_state(articles_dir, problems))
    by_source = _articles_by_source(articles_dir)
    report = IngestReport()

    seeds = sorted(seeds_dir.glob("*.txt")) if seeds_dir.is_dir() else []
    if only is not None:
        wanted = {p.resolve() for p in only}
        seeds = [s for s in seeds if s.resolve() in wanted]
    taken = {p.stem for p in articles_dir.glob("*.md")} | {Path(e.article).stem for e in state.values() if e}
    for seed in seeds:
        source = _relative(seed, root)
        try:
            seed_hash = hashlib.sha256(seed.read_bytes()).hexdigest()[:16]
            record = extract(seed, root)
        except InputError as err:
            named = err.problem.path == str(seed)  # the full path: show it as the editor sees it, like the rest
            problems.add(replace(err.problem, path=source) if named else err.problem)
            continue
        except OSError as err:
            problems.error(source, f"cannot read the seed ({err.strerror}). Check its permissions.")
            continue
        except UnicodeDecodeError as err:
            problems.error(source, f"the seed is not valid UTF-8 (byte {err.start}). Save it as UTF-8.")
            continue
        except Exception as err:  # noqa: BLE001 - one seed the extractor cannot handle must not stop the rest
            problems.error(source, f"extraction failed ({type(err).__name__}: {err}). The seed was skipped; "
                                   f"please report it with the file attached.")
            continue
        if not _is_article(record, source, problems):
            continue
        warning = seed_warning(seed)
        if warning:
            problems.warning(source, warning)
        record.source = source
        entry = state.get(source)
        existing = by_source.get(source) or (articles_dir / entry.article if entry else None)
        if existing is not None and existing.exists():
            state[source] = _refresh(existing, entry, record, seed_hash, config, problems, report)
        elif entry is not None and not restore_deleted:
            report.deleted.append(_relative(articles_dir / entry.article, root))
        else:
            if entry is not None:  # restoring: the article comes back under its old name
                record.slug = Path(entry.article).stem
                taken.discard(record.slug)
            state[source] = _create(record, seed, seed_hash, articles_dir, taken, config, report)

    _prune(state, articles_dir, root)
    _write_state(articles_dir, state)
    return report


def _is_article(record: Record, source: str, problems: Problems) -> bool:
    """Whether the extraction found a headline and text; without them there is no article to write."""
    title = (record.title or "").strip()
    if not title:
        problems.error(source, "no title found: the file seems to hold only site chrome (menus, widgets, "
                               "comment forms) or nothing at all. It was skipped; check that the seed is the "
                               "article you meant, with its headline on a line of its own.")
        return False
    if len(title) > MAX_TITLE_LENGTH:
        problems.error(source, f"the title found is {len(title)} characters long, so the file probably has no "
                               f"line breaks. It was skipped; put the headline on a line of its own, then the "
                               f"text, and ingest again.")
        return False
    if not record.body.strip():
        problems.error(source, f"no article text found below the title {title!r}: the file seems to hold only "
                               f"site chrome. It was skipped; check that the seed is the article you meant.")
        return False
    return True


def _create(record: Record, seed: Path, seed_hash: str, articles_dir: Path, taken: set[str],
            config: SiteConfig, report: IngestReport) -> StateEntry:
    record.slug = _free_slug(record, seed, taken)
    taken.add(record.slug)
    path = articles_dir / f"{record.slug}.md"
    _write_atomic(path, format_article(record))
    report.written.append(_relative(path, config.root.resolve()))
    return StateEntry(path.name, seed_hash, _record_hashes(record))


def _free_slug(record: Record, seed: Path, taken: set[str]) -> str:
    """The record's slug, or, when another article has it, one suffixed with the seed's name."""
    slug = record.slug if is_safe_slug(record.slug or "") else slugify(record.title or seed.stem)
    if slug not in taken:
        return slug
    candidate = f"{slug}-{slugify(seed.stem, max_length=40)}"
    number = 2
    while candidate in taken:
        candidate = f"{slug}-{slugify(seed.stem, max_length=40)}-{number}"
        number += 1
    return candidate


def _refresh(path: Path, entry: StateEntry | None, record: Record, seed_hash: str, config: SiteConfig,
             problems: Problems, report: IngestReport) -> StateEntry | None:
    """Three-way merge of one article: last extraction (state), the file now, the new extraction."""
    root = config.root.resolve()
    name = _relative(path, root)
    record.slug = path.stem  # the file name is the slug: a new title never moves the article
    fresh = record.front_matter()
    fresh_hashes = _record_hashes(record)
    current = _read_article(path, problems)
    if current is None:
        return entry  # unreadable now: touch nothing, keep what we knew
    front, body = current
    if entry is None:
        # A file with this source that ingest has no record of writing: only adopt it when it is
        # exactly what ingest would write, otherwise every value may be someone's work.
        if format_parts(front, body) == format_article(record):
            report.unchanged.append(name)
            return StateEntry(path.name, seed_hash, fresh_hashes)
        problems.warning(name, f"ingest has no record of writing this file, so it cannot tell edited values "
                               f"from extracted ones; it was left as it is. To regenerate it from "
                               f"{record.source}, move the file away and run ingest again.")
        return None

    merged: dict[str, Any] = {}
    edited: list[str] = []
    conflicting: list[str] = []
    for key, value in fresh.items():
        now = front.get(key, _MISSING)
        if key in entry.hashes and value_hash(now) != entry.hashes[key]:
            edited.append(key)
            if fresh_hashes[key] != entry.hashes[key] and value_hash(now) != fresh_hashes[key]:
                conflicting.append(key)
            if now is not _MISSING:
                merged[key] = now
        else:
            merged[key] = value
    for key, value in front.items():  # fields an editor added, or the extractor no longer gives
        merged.setdefault(key, value)
    new_body = record.body.strip("\n")
    if BODY in entry.hashes and value_hash(body) != entry.hashes[BODY]:
        edited.append(BODY)
        if fresh_hashes[BODY] != entry.hashes[BODY] and value_hash(body) != fresh_hashes[BODY]:
            conflicting.append(BODY)
        new_body = body

    text = format_parts(merged, new_body)
    if text == path.read_text(encoding="utf-8"):
        report.unchanged.append(name)
    else:
        _write_atomic(path, text)
        report.written.append(name)
    if edited:
        report.kept_edits.append(f"{name}: {', '.join(edited)}")
    if conflicting and seed_hash != entry.seed:
        report.conflicts.append(Conflict(name, record.source, conflicting))
    return StateEntry(path.name, seed_hash, fresh_hashes)


def _record_hashes(record: Record) -> dict[str, str]:
    hashes = {key: value_hash(value) for key, value in record.front_matter().items()}
    hashes[BODY] = value_hash(record.body.strip("\n"))
    return hashes



def _read_article(path: Path, problems: Problems) -> tuple[dict[str, Any], str] | None:
    try:
        parts = split_article(path.read_text(encoding="utf-8"))
        front = parse_front_matter(parts.front_matter) if parts else None
    except (OSError, UnicodeDecodeError, FrontMatterError) as err:
        reason = str(err)
    else:
        if parts is not None and isinstance(front, dict):
            return front, parts.body
        reason = ("it does not start with a '---' front-matter block" if parts is None
                  else "its front matter is not a mapping of field: value")
    problems.warning(path, f"ingest left {path.name} untouched: {reason}. Fix the file and run ingest again.")
    return None


def _articles_by_source(articles_dir: Path) -> dict[str, Path]:
    """source -> article file, read from the files themselves (survives renames and title edits)."""
    found: dict[str, Path] = {}
    for path in sorted(articles_dir.glob("*.md")):
        try:
            parts = split_article(path.read_text(encoding="utf-8"))
            front = parse_front_matter(parts.front_matter) if parts else None
        except (OSError, UnicodeDecodeError, FrontMatterError):
            continue  # reported when (and if) ingest needs the file
        if isinstance(front, dict) and isinstance(front.get("source"), str):
            found.setdefault(front["source"], path)
    return found


def _read_state(articles_dir: Path, problems: Problems) -> dict[str, StateEntry]:
    path = articles_dir / STATE_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = {source: StateEntry(item["article"], item["seed"], dict(item["hashes"]))
                   for source, item in data["articles"].items()}
        for entry in entries.values():  # the state names files in articles/ and nothing else
            name = entry.article
            if not (name.endswith(".md") and Path(name).name == name and "\\" not in name and name[0] != "."):
                raise ValueError(f"{entry.article!r} is not an article file name")
        return entries
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        problems.warning(path, f"the ingest state is unreadable ({err}); every existing article is treated "
                               f"as possibly edited and left as it is. Restore the file from version control.")
        return {}


def _write_state(articles_dir: Path, state: dict[str, StateEntry | None]) -> None:
    data = {"version": STATE_VERSION,
            "articles": {source: entry.to_dict() for source, entry in sorted(state.items()) if entry}}
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    path = articles_dir / STATE_FILE
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        _write_atomic(path, text)


def _prune(state: dict[str, StateEntry | None], articles_dir: Path, root: Path) -> None:
    """Forget seeds that are gone together with their article; keep everything else."""
    for source in list(state):
        entry = state[source]
        if entry is None or (not (root / source).exists() and not (articles_dir / entry.article).exists()):
            del state[source]


def _write_atomic(path: Path, text: str) -> None:
    """Write beside the target and rename over it: a reader (or a crash) never sees half a file."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
