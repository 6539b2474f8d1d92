"""The whole path on the seeds: ingest into a fresh project, build, and read what came out."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsarchive.cli import main

CONTRACT_KEYS = {"source", "title", "published", "province", "province_current", "district", "localities",
                 "directives", "metrics", "people", "body"}


@pytest.fixture(scope="module")
def project(tmp_path_factory, repo) -> Path:
    root = tmp_path_factory.mktemp("project")
    for name in ("seeds", "templates", "static"):
        shutil.copytree(repo / name, root / name)
    shutil.copy(repo / "site.yaml", root / "site.yaml")
    assert main(["--config", str(root / "site.yaml"), "ingest"]) == 0
    assert main(["--config", str(root / "site.yaml"), "build"]) == 0
    return root


def test_ingest_writes_one_article_per_seed_identical_to_the_committed_ones(project, repo):
    written = sorted(p.name for p in (project / "articles").glob("*.md"))
    assert len(written) == len(list((repo / "seeds").glob("*.txt"))) == 5
    committed = sorted(p.name for p in (repo / "articles").glob("*.md"))
    assert written == committed, "articles/ is stale: run `newsarchive ingest` and commit the result"
    for name in written:
        assert (project / "articles" / name).read_text(encoding="utf-8") == \
            (repo / "articles" / name).read_text(encoding="utf-8"), name


def test_build_writes_home_and_one_page_per_article(project):
    site = project / "site"
    assert (site / "index.html").is_file()
    slugs = [p.stem for p in (project / "articles").glob("*.md")]
    for slug in slugs:
        assert (site / "articles" / f"{slug}.html").is_file(), slug


def test_every_internal_link_of_the_built_site_resolves(project):
    from linkcheck import broken_links

    assert broken_links(project / "site") == []


def test_extract_json_prints_the_record_contract(repo):
    seeds = sorted((repo / "seeds").glob("*.txt"))
    out = subprocess.run([sys.executable, "-m", "newsarchive.cli", "extract", *map(str, seeds), "--json"],
                         cwd=repo, capture_output=True, text=True, check=True).stdout
    records = json.loads(out)
    assert len(records) == len(seeds)
    for record, seed in zip(records, seeds):
        assert CONTRACT_KEYS <= set(record)
        assert record["source"] == f"seeds/{seed.name}"
        assert sum(d["primary"] for d in record["directives"]) == (1 if record["directives"] else 0)
        assert record["body"].strip()


def test_python_build_py_builds_with_the_defaults(project, repo):
    shutil.copy(repo / "build.py", project / "build.py")
    shutil.copytree(repo / "src", project / "src")
    done = subprocess.run([sys.executable, "build.py"], cwd=project, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "index.html" in done.stdout


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("ingest", "build", "extract", "evaluate", "check", "serve"):
        assert command in out
