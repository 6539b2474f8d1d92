"""The benchmark runs end to end on a tiny corpus: it shows the command works, not how fast it is."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_run", REPO / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_bench_builds_every_installed_generator_and_prints_the_table(tmp_path: Path, capsys) -> None:
    bench = _bench()
    assert bench.main(["--articles", "12", "--feed-size", "5", "--page-size", "4", "--work", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "| newsarchive |" in out
    assert re.search(r"Creating a 6 KiB file took \d+ µs before the runs", out)
    rows = [line for line in out.splitlines() if line.startswith("| ") and not line.startswith("| generator")]
    assert len(rows) == 1 + (bench.hugo_binary() is not None) + (
        (Path(sys.executable).with_name("pelican")).exists())
    site = tmp_path / "corpus-12-1" / "site"
    assert (site / "index.html").is_file() and len(list((site / "articles").glob("*.html"))) > 12


def test_the_same_seed_gives_the_same_corpus(tmp_path: Path) -> None:
    bench = _bench()
    one = bench.corpus(tmp_path / "a", 5, 7, 10)
    two = bench.corpus(tmp_path / "b", 5, 7, 10)
    files = sorted(p.relative_to(one) for p in one.rglob("*.md"))
    assert files == sorted(p.relative_to(two) for p in two.rglob("*.md"))
    assert all((one / f).read_bytes() == (two / f).read_bytes() for f in files)
