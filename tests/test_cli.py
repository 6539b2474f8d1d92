"""The command line: problems come out as `file:line: error: …` with an exit code, never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsarchive.cli import main


@pytest.fixture
def project(tmp_path: Path, repo: Path) -> Path:
    shutil.copytree(repo / "articles", tmp_path / "articles")
    return tmp_path


def test_missing_templates_folder_is_one_message(project: Path, capsys) -> None:
    assert main(["--config", str(project / "site.yaml"), "build"]) == 1
    err = capsys.readouterr().err
    assert f"{project / 'templates'}: error: the templates folder does not exist." in err
    assert not (project / "site").exists()


def test_template_syntax_error_names_file_and_line_and_keeps_the_site(project: Path, repo: Path, capsys) -> None:
    shutil.copytree(repo / "templates", project / "templates")
    shutil.copytree(repo / "static", project / "static")
    assert main(["--config", str(project / "site.yaml"), "build"]) == 0
    before = sorted(p.relative_to(project) for p in (project / "site").rglob("*"))
    template = project / "templates" / "year.html"
    lines = template.read_text(encoding="utf-8").count("\n")
    with template.open("a", encoding="utf-8") as file:
        file.write("{% if %}\n")
    capsys.readouterr()
    assert main(["--config", str(project / "site.yaml"), "build"]) == 1
    err = capsys.readouterr().err
    assert f"{template}:{lines + 1}: error: template error:" in err
    assert sorted(p.relative_to(project) for p in (project / "site").rglob("*")) == before


def test_a_build_with_nothing_to_do_imports_nothing_that_renders(project: Path, repo: Path) -> None:
    import newsarchive

    shutil.copytree(repo / "templates", project / "templates")
    shutil.copytree(repo / "static", project / "static")
    assert main(["--config", str(project / "site.yaml"), "build"]) == 0
    code = ("import sys; from newsarchive.cli import main; assert main(sys.argv[1:]) == 0; "
            "print([m for m in ('jinja2', 'markdown', 'multiprocessing', 'newsarchive.render') if m in sys.modules])")
    source = str(Path(newsarchive.__file__).parents[1])
    done = subprocess.run([sys.executable, "-c", code, "--config", str(project / "site.yaml"), "build"], check=True,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": source})
    assert "Nothing changed" in done.stdout and done.stdout.splitlines()[-1] == "[]"


def test_unknown_option_in_site_yaml_exits_1_with_the_line(project: Path, capsys) -> None:
    (project / "site.yaml").write_text("title: X\npage_sise: 3\n", encoding="utf-8")
    assert main(["--config", str(project / "site.yaml"), "build"]) == 1
    assert f"{project / 'site.yaml'}:2: error: unknown option 'page_sise'" in capsys.readouterr().err


def test_a_reader_that_stops_early_gets_no_traceback(project: Path) -> None:
    """`newsarchive check | head -1`: the pipe closes before the list is written."""
    import newsarchive

    source = str(Path(newsarchive.__file__).parents[1])
    reader, writer = os.pipe()
    os.close(reader)  # nobody will read: the first write fails
    try:
        done = subprocess.run([sys.executable, "-m", "newsarchive.cli", "--config", str(project / "site.yaml"), "check"],
                              stdout=writer, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": source})
    finally:
        os.close(writer)
    assert done.returncode == 141
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr
