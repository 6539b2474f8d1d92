"""Problems with input: one message that names the file, the line, and what to do.

Stages collect `Problem`s instead of raising, so one bad file never stops the archive;
`--strict` turns warnings into a failing exit code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    line: int | None = None
    severity: str = "error"  # "error": the file was skipped; "warning": it was used, but check it

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}"


class InputError(Exception):
    """A problem that stops the current file (or, for site.yaml, the build)."""

    def __init__(self, path: Path | str, message: str, line: int | None = None):
        self.problem = Problem(str(path), message, line)
        super().__init__(str(self.problem))


@dataclass
class Problems:
    items: list[Problem] = field(default_factory=list)

    def error(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.items.append(Problem(str(path), message, line, "error"))

    def warning(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.items.append(Problem(str(path), message, line, "warning"))

    def add(self, problem: Problem) -> None:
        self.items.append(problem)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def __bool__(self) -> bool:
        return bool(self.items)
