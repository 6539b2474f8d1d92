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
    assert re.search(r"Creating a 6 KiB file took \d+ µs before the runs, and just before each full build: "
                     r"newsarchive \d+ µs", out)
    full_builds = re.search(r"Full builds, in the order they ran .*: newsarchive ([\d.]+), ([\d.]+), ([\d.]+) s", out)
    row = next(line for line in out.splitlines() if line.startswith("| newsarchive |"))
    assert full_builds and row.split(" | ")[1] == sorted(full_builds.groups(), key=float)[1]  # the median
    assert re.search(r"Warm-up full builds, before each generator's timed runs \(not counted\): newsarchive [\d.]+ s",
                     out)
    rows = [line for line in out.splitlines() if line.startswith("| ") and not line.startswith("| generator")]
    assert len(rows) == 1 + (bench.hugo_binary() is not None) + (
        (Path(sys.executable).with_name("pelican")).exists())
    assert all(re.fullmatch(r"\d+", row.split(" | ")[4]) for row in rows)  # peak MiB, from the sampled runs
    site = tmp_path / "corpus-12-1" / "site"
    assert (site / "index.html").is_file() and len(list((site / "articles").glob("*.html"))) > 12


def test_read_inputs_reads_every_file_but_the_outputs(tmp_path: Path) -> None:
    bench = _bench()
    for path, size in (("articles/a.md", 3), ("seeds/s/b.txt", 5), ("site/index.html", 7), (".cache/x", 11),
                       ("site.yaml", 13)):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(b"x" * size)
    assert bench.read_inputs(tmp_path, (tmp_path / "site", tmp_path / ".cache")) == 3 + 5 + 13


def test_the_same_seed_gives_the_same_corpus(tmp_path: Path) -> None:
    bench = _bench()
    one = bench.corpus(tmp_path / "a", 5, 7, 10)
    two = bench.corpus(tmp_path / "b", 5, 7, 10)
    files = sorted(p.relative_to(one) for p in one.rglob("*.md"))
    assert files == sorted(p.relative_to(two) for p in two.rglob("*.md"))
    assert all((one / f).read_bytes() == (two / f).read_bytes() for f in files)


def test_timed_runs_are_not_sampled_and_the_peak_comes_from_the_same_runs_sampled(
        tmp_path: Path, monkeypatch) -> None:
    bench = _bench()
    root = bench.corpus(tmp_path, 12, 1, 5)
    article = sorted((root / "articles").glob("*.md"))[-1]
    generated = article.read_bytes()
    events, with_the_edit = [], []
    real_popen, real_memory = bench.subprocess.Popen, bench._memory
    monkeypatch.setattr(bench.os, "sync", lambda: events.append("sync"))
    monkeypatch.setattr(bench.subprocess, "Popen",
                        lambda *args, **kwargs: events.append("start") or real_popen(*args, **kwargs))
    monkeypatch.setattr(bench, "_memory", lambda pid: events.append("sample") or real_memory(pid))

    from_nothing = []

    def noting_the_edit(measure):
        def run(command, cwd):
            from_nothing.append(not (root / "site").exists())
            result = measure(command, cwd)
            pages = (root / "site").rglob("*.html")
            with_the_edit.append(any(bench.EDIT in page.read_text("utf-8") for page in pages))
            return result
        return run
    monkeypatch.setattr(bench, "timed", noting_the_edit(bench.timed))
    monkeypatch.setattr(bench, "sampled", noting_the_edit(bench.sampled))

    result = bench.run_newsarchive(root, memory=True, warm_ups=1)

    one_sample_a_run = [event for last, event in zip([None, *events], events) if not event == last == "sample"]
    # a warm-up and three timed runs, each after a sync and never sampled, then the same three sampled
    assert one_sample_a_run == ["sync", "start"] * 4 + ["start", "sample"] * 3
    # the warm-up and each full build start from nothing; the second full build starts without the
    # edit, so the second edit is a real change too
    assert from_nothing == [True, True, False, False, True, False, False]
    assert with_the_edit == [False] + [False, False, True] * 2
    assert len(result.warm_ups) == 1 and result.warm_ups[0] not in result.full_runs
    assert result.ok and len(result.memory_runs) == 3 and result.creation_us > 0
    assert all(run.peak_mib is None for run in (result.full, result.noop, result.edit))
    assert result.peak_mib == max(run.peak_mib for run in result.memory_runs) > 0
    assert article.read_bytes() == generated


def test_full_builds_made_again_take_turns_each_from_nothing(tmp_path: Path, monkeypatch) -> None:
    bench = _bench()
    ran = []

    def timed(command, cwd):
        ran.append((command[0], (cwd / "out").exists()))
        (cwd / "out").mkdir()  # what the build makes
        return bench.Run(len(ran), True)
    monkeypatch.setattr(bench, "timed", timed)
    results = []
    for tool in ("a", "b"):
        (tmp_path / tool / "out").mkdir(parents=True)
        setup = bench.Setup([tool], tmp_path / tool, tmp_path / tool / "out", tmp_path / tool / "cache")
        results.append(bench.Result(tool, setup, bench.Run(10.0, True), bench.Run(0, True), bench.Run(0, True), 1))
    bench.full_builds_again(results, 2)
    assert ran == [("a", False), ("b", False), ("a", False), ("b", False)]  # each set aside the last site first
    assert [run.seconds for run in results[0].full_runs] == [10.0, 1, 3] and results[0].full.seconds == 3
    assert [run.seconds for run in results[1].full_runs] == [10.0, 2, 4] and results[1].full.seconds == 4


def test_a_timed_run_never_reads_memory(tmp_path: Path, monkeypatch) -> None:
    bench = _bench()

    def no_sampling(pid):
        raise AssertionError("a timed run read /proc")
    monkeypatch.setattr(bench, "_memory", no_sampling)
    monkeypatch.setattr(bench, "_tree", no_sampling)
    run = bench.timed([sys.executable, "-c", "import time; time.sleep(0.2)"], tmp_path)
    assert run.ok and run.seconds >= 0.2 and run.peak_mib is None


def test_no_memory_skips_the_sampled_runs_and_shows_a_dash(tmp_path: Path, capsys, monkeypatch) -> None:
    bench = _bench()

    def no_sampling(command, cwd):
        raise AssertionError("--no-memory still ran a sampled build")
    monkeypatch.setattr(bench, "sampled", no_sampling)
    assert bench.main(["--articles", "12", "--feed-size", "5", "--page-size", "4", "--work", str(tmp_path),
                       "--only", "newsarchive", "--no-memory"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("| newsarchive |"))
    assert row.split(" | ")[4] == "–"
    assert "Warm-up" in out  # one by default
    assert bench.main(["--articles", "12", "--feed-size", "5", "--page-size", "4", "--work", str(tmp_path),
                       "--only", "newsarchive", "--no-memory", "--warm-up", "0"]) == 0
    assert "Warm-up" not in capsys.readouterr().out
