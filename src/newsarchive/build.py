"""The build, top to bottom: config -> load -> render into a temporary folder -> swap into place.

Read this function and you know the program. A failed build leaves the previous site intact:
everything is written beside the output folder and renamed over it only at the end.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .config import SiteConfig
from .load import load_archive
from .problems import Problems
from .render import render_site


@dataclass
class BuildReport:
    output_dir: Path
    pages: int = 0
    articles: int = 0
    problems: Problems = field(default_factory=Problems)

    def failed(self, strict: bool) -> bool:
        return bool(self.problems.errors) or (strict and bool(self.problems.warnings))


def build(config: SiteConfig, output_dir: Path | None = None) -> BuildReport:
    output = (output_dir or config.path("output_dir")).resolve()
    report = BuildReport(output)
    archive = load_archive(config, report.problems)
    report.articles = len(archive.articles)

    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}-building-", dir=output.parent))
    try:
        report.pages = render_site(archive, config, staging, report.problems)
        _replace(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report


def _replace(new: Path, old: Path) -> None:
    """Put `new` where `old` is with two renames, so readers see either the old or the new site."""
    os.chmod(new, 0o755)  # mkdtemp makes it 0700; a static host must be able to read it
    if old.exists():
        retired = old.with_name(f".{old.name}-old-{os.getpid()}")
        os.rename(old, retired)
        os.rename(new, old)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.rename(new, old)
