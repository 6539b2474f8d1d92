"""Builds that are killed, that fail, or that run twice: the site is the old one or the new one, never a mix,
and the same input always gives the same bytes.

The archive is bench/synthesize.py's (seeded, so every run sees the same files), built by
`python -m newsarchive.cli build` in a subprocess so that it can be killed like a real one.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsarchive.build import build
from newsarchive.config import load_config

ARTICLES = 600
SEED = 8


def tree(folder: Path) -> dict[str, str]:
    """Every file under the folder (relative path -> SHA-256 of its bytes): what a reader can see."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(project: Path) -> list[str]:
    return sorted(p.name for p in project.iterdir() if p.name.startswith(".site-"))


def cli_build(project: Path, **env: str) -> subprocess.Popen:
    """A full (uncached) build of project/site, in its own process group so that its workers die with it."""
    return subprocess.Popen([sys.executable, "-m", "newsarchive.cli", "-c", str(project / "site.yaml"), "build",
                             "-o", str(project / "site")], env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)


@pytest.fixture(scope="module")
def synthetic(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synthetic") / "archive"
    subprocess.run([sys.executable, str(repo / "bench" / "synthesize.py"), str(root), "--count", str(ARTICLES),
                    "--seed", str(SEED)], check=True, stdout=subprocess.DEVNULL)
    return root


@pytest.fixture
def project(synthetic: Path, tmp_path: Path, repo: Path) -> Path:
    """A copy of the synthetic archive with its own templates, so a test may break them."""
    root = tmp_path / "project"
    shutil.copytree(synthetic, root)
    shutil.copytree(repo / "templates", root / "templates")
    config = (root / "site.yaml").read_text("utf-8")
    (root / "site.yaml").write_text(config.replace(f"templates_dir: {repo / 'templates'}", "templates_dir: templates"),
                                    encoding="utf-8")
    return root


def test_a_build_killed_at_any_moment_leaves_the_previous_site(project: Path) -> None:
    started = time.monotonic()
    first = cli_build(project)
    assert first.wait(timeout=300) == 0, first.stderr.read().decode()
    duration = time.monotonic() - started
    before = tree(project / "site")
    assert len(before) > ARTICLES

    article = min((project / "articles").glob("*.md"))
    rng = random.Random(SEED)
    for attempt in range(3):
        article.write_text(article.read_text("utf-8").replace("title: ", f"title: Lần {attempt} ", 1), "utf-8")
        build_process = cli_build(project)
        time.sleep(rng.uniform(0.3, 0.95) * duration)
        os.killpg(build_process.pid, signal.SIGKILL)
        build_process.wait(timeout=30)
        now = tree(project / "site")
        if now != before:  # killed after the swap (or it finished): then it must be the whole new site
            build(load_config(project / "site.yaml"), project / "expected")
            assert now == tree(project / "expected"), f"attempt {attempt}: a mix of two sites"
            shutil.rmtree(project / "expected")
            before = now

    last = cli_build(project)
    assert last.wait(timeout=300) == 0
    assert "Lần 2" in (project / "site" / "data" / "articles.json").read_text("utf-8")


def test_a_template_error_leaves_the_previous_site_and_no_staging(project: Path) -> None:
    config = load_config(project / "site.yaml")
    build(config, project / "site")
    before = tree(project / "site")
    template = project / "templates" / "article.html"
    template.write_text(template.read_text("utf-8").replace("{{ record.title }}", "{{ record.no_such_field }}", 1),
                        encoding="utf-8")
    with pytest.raises(Exception, match="no_such_field"):
        build(config, project / "site")
    assert tree(project / "site") == before
    assert leftovers(project) == []


def test_the_next_build_removes_what_a_killed_build_left(project: Path) -> None:
    stale = project / ".site-building-killed"
    (stale / "articles").mkdir(parents=True)
    (stale / "articles" / "half.html").write_text("<p>half", encoding="utf-8")
    os.utime(stale, (0, 0))
    build(load_config(project / "site.yaml"), project / "site")
    assert leftovers(project) == []


def test_a_build_killed_between_its_two_renames_gets_the_previous_site_back(project: Path) -> None:
    from newsarchive.build import _recover

    build(load_config(project / "site.yaml"), project / "site")
    before = tree(project / "site")
    os.rename(project / "site", project / ".site-old-999999999")  # retired, and the new one never came
    (project / ".site-building-999999999-x").mkdir()
    _recover(project / "site")
    assert tree(project / "site") == before
    assert leftovers(project) == []


def test_a_full_rebuild_leaves_the_old_site_to_a_process_of_its_own(project: Path) -> None:
    """A full rebuild over a site (site.yaml changed: nothing of the old site is kept) swaps the
    new site in and returns; a detached process deletes the old one."""
    from newsarchive import build as build_module

    config_path = project / "site.yaml"
    build(load_config(config_path))
    config_path.write_text(config_path.read_text("utf-8").replace("title: ", "title: Mới - ", 1), encoding="utf-8")
    report = build(load_config(config_path))
    assert report.reused == 0 and "Mới - " in (project / "site" / "index.html").read_text("utf-8")
    deleter = build_module._DELETERS[-1]
    assert deleter.wait(timeout=60) == 0
    assert leftovers(project) == []


def test_the_next_build_leaves_a_retired_site_to_its_deleting_process_while_it_runs(project: Path) -> None:
    from newsarchive.build import _recover

    build(load_config(project / "site.yaml"), project / "site")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        shutil.copytree(project / "site", project / f".site-trash-{sleeper.pid}")  # its deleter at work
        shutil.copytree(project / "site", project / ".site-trash-999999999")  # its deleter killed
        _recover(project / "site")
        assert leftovers(project) == [f".site-trash-{sleeper.pid}"]
    finally:
        sleeper.kill()
        sleeper.wait()
    _recover(project / "site")
    assert leftovers(project) == []


def test_builds_are_byte_identical_whatever_the_hash_seed_and_file_order(synthetic: Path, tmp_path: Path) -> None:
    forward, backward = tmp_path / "forward", tmp_path / "backward"
    shutil.copytree(synthetic, forward)
    # The same files created in reverse order, with mtimes that run the other way.
    files = sorted(p.relative_to(synthetic) for p in synthetic.rglob("*") if p.is_file())
    for number, relative in enumerate(reversed(files)):
        target = backward / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((synthetic / relative).read_bytes())
        os.utime(target, (1_000_000_000 + number * 60, 1_000_000_000 + number * 60))
    builds = [cli_build(forward, PYTHONHASHSEED="1"), cli_build(backward, PYTHONHASHSEED="2")]
    for process in builds:
        assert process.wait(timeout=300) == 0, process.stderr.read().decode()
    first, second = tree(forward / "site"), tree(backward / "site")
    assert first.keys() == second.keys()
    assert [path for path in first if first[path] != second[path]] == []


def cached_build(project: Path) -> subprocess.Popen:
    """An incremental build of the configured site (with the cache), killable like cli_build's."""
    return subprocess.Popen([sys.executable, "-m", "newsarchive.cli", "-c", str(project / "site.yaml"), "build"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def test_an_incremental_build_killed_at_any_moment_leaves_one_site(project: Path) -> None:
    """Killed before its commit: the old site. Killed while moving its files: the next build (or any
    `_recover`) finishes the move, and the site is the whole new one."""
    from newsarchive.build import _recover

    config = load_config(project / "site.yaml")
    assert cached_build(project).wait(timeout=300) == 0
    article = min((project / "articles").glob("*.md"))
    rng = random.Random(SEED)
    for attempt in range(4):
        article.write_text(article.read_text("utf-8").replace("title: ", f"title: Lần {attempt} ", 1), "utf-8")
        started = time.monotonic()
        assert cached_build(project).wait(timeout=300) == 0  # how long an edit takes, to aim the kill
        duration = time.monotonic() - started
        before = tree(project / "site")
        article.write_text(article.read_text("utf-8").replace(f"title: Lần {attempt} ", "title: ", 1), "utf-8")
        process = cached_build(project)
        time.sleep(rng.uniform(0.2, 1.0) * duration)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        _recover(project / "site")
        now = tree(project / "site")
        build(config, project / "expected")
        assert now in (before, tree(project / "expected")), f"attempt {attempt}: a mix of two sites"
        shutil.rmtree(project / "expected")
        assert leftovers(project) == []


def test_a_commit_interrupted_half_way_is_finished_by_the_next_build(project: Path, monkeypatch) -> None:
    from newsarchive import build as build_module

    config = load_config(project / "site.yaml")
    build(config)
    article = min((project / "articles").glob("*.md"))
    article.write_text(article.read_text("utf-8").replace("title: ", "title: Dở dang ", 1), "utf-8")
    moves = []
    real_replace = os.replace

    def die_after_three_moves(source, target):
        if str(target).startswith(str(project / "site")):
            moves.append(target)
            if len(moves) > 3:
                raise KeyboardInterrupt  # as a kill would stop it, half way through the moves
        real_replace(source, target)

    monkeypatch.setattr(build_module.os, "replace", die_after_three_moves)
    with pytest.raises(KeyboardInterrupt):
        build(config)
    monkeypatch.setattr(build_module.os, "replace", real_replace)
    assert len(leftovers(project)) == 1  # the staging folder with its journal, left for the next build
    build(config)
    build(config, project / "expected")
    assert tree(project / "site") == tree(project / "expected")
    assert leftovers(project) == []
